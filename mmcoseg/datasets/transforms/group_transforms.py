"""Apply a per-image pipeline to every image of a group."""
from typing import List, Optional, Sequence, Union

from mmcv.transforms import BaseTransform, Compose
from mmcv.transforms.utils import cache_random_params

from mmcoseg.registry import TRANSFORMS


@TRANSFORMS.register_module()
class GroupTransforms(BaseTransform):
    """Run MMSeg/MMCV transforms on each image of a group.

    A group result holds the images under ``results['images']`` (one result
    dict per image); every image is passed through ``transforms``. With
    ``share_random_params=True`` all images of the group draw the same
    random parameters (same flip, scale, crop...), through MMCV's
    ``cache_random_params`` like :class:`mmcv.transforms.TransformBroadcaster`;
    otherwise each image draws its own.

    Args:
        transforms (list[dict | callable]): The per-image pipeline.
        share_random_params (bool): Share random parameters within a group.
            Defaults to False.
    """

    def __init__(self,
                 transforms: Sequence[Union[dict, callable]],
                 share_random_params: bool = False) -> None:
        self.transforms = Compose(transforms)
        self.share_random_params = share_random_params

    def _apply_all(self, images: List[dict]) -> Optional[List[dict]]:
        outputs = []
        for image in images:
            out = self.transforms(image)
            if out is None:
                return None
            outputs.append(out)
        return outputs

    def transform(self, results: dict) -> Optional[dict]:
        """Transform every image of the group.

        Args:
            results (dict): Group result with ``images``.

        Returns:
            dict | None: The group with transformed images, or None when a
            transform rejected an image (the dataset then retries).
        """
        if self.share_random_params:
            with cache_random_params(self.transforms):
                images = self._apply_all(results['images'])
        else:
            images = self._apply_all(results['images'])
        if images is None:
            return None
        results['images'] = images
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(transforms={self.transforms}, '
                f'share_random_params={self.share_random_params})')
