"""Collate function that keeps groups intact."""
from typing import List, Sequence

from mmengine.registry import FUNCTIONS


@FUNCTIONS.register_module()
def coseg_collate(data_batch: Sequence[dict]) -> dict:
    """Collate packed groups without transposing them.

    MMEngine's ``pseudo_collate`` transposes nested lists (and rejects
    groups of different sizes); co-segmentation batches are lists of
    groups, flattened later by ``CoSegDataPreProcessor``.

    Args:
        data_batch (Sequence[dict]): Outputs of ``PackCoSegInputs``.

    Returns:
        dict: ``inputs`` and ``data_samples``, each a list of B groups.
    """
    inputs: List[list] = [item['inputs'] for item in data_batch]
    samples: List[list] = [item['data_samples'] for item in data_batch]
    return dict(inputs=inputs, data_samples=samples)
