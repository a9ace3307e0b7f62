"""Loading of binary co-segmentation masks."""
from typing import Optional

from mmcv.transforms import BaseTransform

from mmcoseg.registry import TRANSFORMS

from ..mask_io import read_mask


@TRANSFORMS.register_module()
class LoadCoSegAnnotation(BaseTransform):
    """Load a binary foreground mask as ``gt_seg_map`` (0 bg, 1 fg).

    Required keys: ``seg_map_path``; ``img_shape`` (optional, checked).
    Added keys: ``gt_seg_map``, ``seg_fields``.

    Args:
        threshold (float, optional): Binarisation threshold, see
            :func:`mmcoseg.datasets.mask_io.binarize_mask`.
        check_size (bool): Raise when the mask size differs from the
            image's original size. Defaults to True.
        backend_args (dict, optional): mmengine file backend arguments.
    """

    def __init__(self,
                 threshold: Optional[float] = None,
                 check_size: bool = True,
                 backend_args: Optional[dict] = None) -> None:
        self.threshold = threshold
        self.check_size = check_size
        self.backend_args = backend_args

    def transform(self, results: dict) -> dict:
        """Load the mask.

        Args:
            results (dict): Result dict with ``seg_map_path``.

        Returns:
            dict: With ``gt_seg_map`` (uint8, H x W) added.
        """
        path = results['seg_map_path']
        mask = read_mask(path, self.threshold, self.backend_args)
        ori_shape = results.get('ori_shape')
        if self.check_size and ori_shape is not None \
                and tuple(mask.shape) != tuple(ori_shape[:2]):
            raise ValueError(
                f'Mask {path} has size {mask.shape} but image '
                f"{results.get('img_path')} has size {tuple(ori_shape[:2])}.")
        results['gt_seg_map'] = mask
        results.setdefault('seg_fields', []).append('gt_seg_map')
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(threshold={self.threshold}, '
                f'check_size={self.check_size})')
