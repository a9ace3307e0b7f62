"""Collate function that keeps groups intact."""
from typing import List, Optional, Sequence

from mmcoseg.registry import FUNCTIONS


@FUNCTIONS.register_module()
def coseg_collate(data_batch: Sequence[dict],
                  _scope_: Optional[str] = None) -> dict:
    """Collate packed groups without transposing them.

    MMEngine's ``pseudo_collate`` transposes nested lists (and rejects
    groups of different sizes); co-segmentation batches are lists of
    groups, flattened later by ``CoSegDataPreProcessor``.

    Args:
        data_batch (Sequence[dict]): Outputs of ``PackCoSegInputs``.
        _scope_ (str, optional): Ignored. A config that inherits an
            ``mmcoseg::`` base gets ``_scope_='mmcoseg'`` on its
            ``collate_fn`` dict, which MMEngine's ``Runner.build_dataloader``
            passes on to the function with the other keys.

    Returns:
        dict: ``inputs`` and ``data_samples``, each a list of B groups.
        Items with several views (:class:`GroupTestTimeAug`) give, for
        each key, one such list per view, as MMEngine's
        :class:`~mmengine.model.BaseTTAModel` expects.
    """
    if data_batch and 'num_views' in data_batch[0]:
        views = range(data_batch[0]['num_views'])
        return {
            key: [[item[key][v] for item in data_batch] for v in views]
            for key in ('inputs', 'data_samples')
        }
    inputs: List[list] = [item['inputs'] for item in data_batch]
    samples: List[list] = [item['data_samples'] for item in data_batch]
    return dict(inputs=inputs, data_samples=samples)
