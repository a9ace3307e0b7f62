"""Packing of a group into model inputs."""
from typing import Sequence

from mmcv.transforms import BaseTransform
from mmseg.datasets.transforms import PackSegInputs

from mmcoseg.registry import TRANSFORMS

from .image_group import ImageGroup

GROUP_META_KEYS = ('group_id', 'is_padding', 'category', 'category_name',
                   'co_categories')
IMAGE_META_KEYS = ('img_path', 'seg_map_path', 'ori_shape', 'img_shape',
                   'pad_shape', 'scale_factor', 'flip', 'flip_direction',
                   'reduce_zero_label')


@TRANSFORMS.register_module()
class PackCoSegInputs(BaseTransform):
    """Pack a group into N image tensors and N :class:`SegDataSample`.

    Each image is packed like MMSeg's :class:`PackSegInputs`; the group
    metainfo (``group_id``, ``is_padding``, ``category``,
    ``category_name``, ``co_categories``) is added to every data sample.
    Which images form a group is not per-image metainfo: the data
    preprocessor puts the batch's :class:`~mmcoseg.structures.GroupLayout`
    into every sample.

    Args:
        meta_keys (Sequence[str]): Per-image metainfo keys packed. The
            group keys are always added.
    """

    def __init__(self, meta_keys: Sequence[str] = IMAGE_META_KEYS) -> None:
        self.meta_keys = tuple(meta_keys)
        self._pack = PackSegInputs(
            meta_keys=self.meta_keys + tuple(
                k for k in GROUP_META_KEYS if k not in self.meta_keys))

    def transform(self, results: dict) -> dict:
        """Pack every image of the group.

        Args:
            results (dict): Group result with ``images``.

        Returns:
            dict: ``inputs`` (:class:`ImageGroup`, a list of N C x H x W
            tensors) and ``data_samples`` (list of N SegDataSample).
        """
        packed = [self._pack(image) for image in results['images']]
        return dict(
            inputs=ImageGroup(p['inputs'] for p in packed),
            data_samples=[p['data_samples'] for p in packed])

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(meta_keys={self.meta_keys})'
