"""Data preprocessor that flattens B groups into B*N images."""
from typing import Any, Dict, List, Optional, Sequence

from mmseg.models.data_preprocessor import SegDataPreProcessor
from torch import Tensor

from mmcoseg.registry import MODELS

from ..structures import LAYOUT_KEY, GroupLayout


def _is_group(item: Any) -> bool:
    return isinstance(item, (list, tuple)) or (isinstance(item, Tensor)
                                               and item.dim() == 4)


@MODELS.register_module()
class CoSegDataPreProcessor(SegDataPreProcessor):
    """Turn a batch of B groups of N images into B*N images.

    Expects ``data['inputs']`` as a list of B groups (each a list of N
    C x H x W tensors or one N x C x H x W tensor) and
    ``data['data_samples']`` as a list of B lists of N
    :class:`SegDataSample`, as produced by ``PackCoSegInputs`` and
    ``coseg_collate``. Groups stay consecutive; the batch's
    :class:`~mmcoseg.structures.GroupLayout` is built here, once, from the
    nesting and put into every sample's metainfo (``group_layout``), where
    the segmentor reads it. A batch that is already flat is passed on as is
    (without a layout: the segmentor then refuses it unless told to treat it
    as one group).
    Normalisation, padding and BGR->RGB follow :class:`SegDataPreProcessor`
    (all its arguments apply).

    Args:
        group_augments (list[dict], optional): Augmentations of a whole
            training batch of groups, applied in order before flattening
            (e.g. :class:`~mmcoseg.models.group_augments.GroupExchange`):
            callables ``(inputs, data_samples) -> (inputs, data_samples)``
            on the nested groups.
        **kwargs: :class:`SegDataPreProcessor` arguments.
    """

    def __init__(self,
                 group_augments: Optional[Sequence[dict]] = None,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.group_augments = [
            MODELS.build(cfg) for cfg in (group_augments or ())
        ]

    def forward(self, data: dict, training: bool = False) -> Dict[str, Any]:
        """Flatten the groups, then normalise and pad like MMSeg.

        Args:
            data (dict): ``inputs`` and ``data_samples`` from the loader.
            training (bool): Whether in training mode.

        Returns:
            dict: ``inputs`` (B*N, C, H, W) and flat ``data_samples``.
        """
        inputs = data['inputs']
        layout = None
        if len(inputs) and _is_group(inputs[0]):
            samples = data.get('data_samples')
            data = dict(data)
            if samples is not None and training:
                for augment in self.group_augments:
                    inputs, samples = augment(inputs, samples)
            data['inputs'] = self._flatten(inputs)
            if samples is not None:
                self._check_groups(inputs, samples)
                layout = GroupLayout.from_groups(samples)
                data['data_samples'] = self._flatten(samples)
        data = super().forward(data, training)
        if layout is not None:
            for sample in data['data_samples']:
                # set_field, unlike set_metainfo, does not deep-copy: every
                # sample refers to the one layout of the batch
                sample.set_field(layout, LAYOUT_KEY, field_type='metainfo')
        return data

    @staticmethod
    def _flatten(groups: Sequence) -> List:
        return [item for group in groups for item in group]

    @staticmethod
    def _check_groups(inputs: Sequence, samples: Sequence) -> None:
        if len(inputs) != len(samples):
            raise ValueError(f'{len(inputs)} image groups but '
                             f'{len(samples)} data-sample groups.')
        for images, group in zip(inputs, samples):
            if len(images) != len(group):
                raise ValueError(f'A group has {len(images)} images but '
                                 f'{len(group)} data samples.')
