"""Paste objects of other categories into a training group as distractors."""
from collections import OrderedDict
from typing import Optional, Tuple

import mmcv
import numpy as np
from mmcv.transforms import BaseTransform
from mmengine import fileio

from mmcoseg.registry import TRANSFORMS

from ..copy_paste import cut_object, paste_object
from ..mask_io import read_mask


@TRANSFORMS.register_module()
class GroupCopyPaste(BaseTransform):
    """Paste objects cut from other images into the images of a group.

    Each image of the group receives, with probability ``prob``, between one
    and ``max_objects`` objects, each cut out with its own mask from a donor
    image. A donor of another category is a *distractor*: its pixels are
    labelled background, so the model must learn that an object that is
    not shared by the group is not foreground, however salient. With
    probability ``same_category_prob`` a pasted object comes instead from
    another image of the group's own category and is labelled foreground,
    so that "looks pasted" never predicts the label.

    The donors come from the dataset: :class:`GroupDataset` with
    ``num_donors > 0`` puts ``donors=dict(other=[...], same=[...])`` (image
    infos with ``img_path`` and ``seg_map_path``) into every training
    group. With its ``paste_variants`` every image carries its own
    ``donors`` and a ``paste_seed`` instead: whether an image gets pastes
    is still drawn anew, but what is pasted and where comes from the seed,
    so an image has only a few pasted versions and a frozen backbone's
    feature cache finds them again. Place this transform after the per-image
    :class:`GroupTransforms` (images already at the training size) and
    before :class:`PackCoSegInputs`.

    Args:
        prob (float): Probability that an image receives pastes.
            Defaults to 0.5.
        max_objects (int): Most objects pasted into one image. Defaults
            to 2.
        same_category_prob (float): Probability that a pasted object is of
            the group's category (labelled foreground). Defaults to 0.25.
        scale_range (tuple[float, float]): Longer side of a pasted object
            as a fraction of the image's shorter side. Defaults to
            (0.3, 0.6).
        max_occlusion (float): Largest wanted fraction of an image's
            foreground hidden by a paste. Defaults to 0.5.
        object_cache_size (int): Donor objects (cut out of their decoded
            files) kept by each data worker, least recently used dropped
            first; a donor pasted again is not decoded again. 0 disables
            it. Defaults to 1024.
        backend_args (dict, optional): mmengine file backend arguments.
    """

    def __init__(self,
                 prob: float = 0.5,
                 max_objects: int = 2,
                 same_category_prob: float = 0.25,
                 scale_range: Tuple[float, float] = (0.3, 0.6),
                 max_occlusion: float = 0.5,
                 object_cache_size: int = 1024,
                 backend_args: Optional[dict] = None) -> None:
        if not 0 <= prob <= 1 or not 0 <= same_category_prob <= 1:
            raise ValueError('prob and same_category_prob must lie in '
                             f'[0, 1], got {prob} and {same_category_prob}.')
        if object_cache_size < 0:
            raise ValueError('object_cache_size must be >= 0, got '
                             f'{object_cache_size}.')
        if max_objects < 1:
            raise ValueError(f'max_objects must be >= 1, got {max_objects}.')
        self.prob = prob
        self.max_objects = max_objects
        self.same_category_prob = same_category_prob
        self.scale_range = tuple(scale_range)
        self.max_occlusion = max_occlusion
        self.object_cache_size = object_cache_size
        self.backend_args = backend_args
        self._objects: 'OrderedDict[str, Optional[tuple]]' = OrderedDict()

    def _object(self, info: dict
                ) -> Optional[Tuple[np.ndarray, np.ndarray]]:
        """The donor's object, from the cache or cut out of its files."""
        key = info['img_path']
        if key in self._objects:
            self._objects.move_to_end(key)
            return self._objects[key]
        obj = self._load_object(info)
        if self.object_cache_size > 0:
            self._objects[key] = obj
            if len(self._objects) > self.object_cache_size:
                self._objects.popitem(last=False)
        return obj

    def _load_object(self, info: dict
                     ) -> Optional[Tuple[np.ndarray, np.ndarray]]:
        img = mmcv.imfrombytes(
            fileio.get(info['img_path'], backend_args=self.backend_args))
        mask = read_mask(info['seg_map_path'], backend_args=self.backend_args)
        return cut_object(img, mask)

    def _pick(self, donors: dict, rng: np.random.Generator
              ) -> Tuple[Optional[dict], int]:
        same = donors.get('same') or []
        other = donors.get('other') or []
        if same and rng.random() < self.same_category_prob:
            return same[rng.integers(len(same))], 1
        if other:
            return other[rng.integers(len(other))], 0
        return None, 0

    def transform(self, results: dict) -> dict:
        """Paste objects into the group's images.

        Args:
            results (dict): Group result with ``images`` (each with ``img``
                and ``gt_seg_map``) and ``donors``.

        Returns:
            dict: The group, images and masks changed in place.
        """
        group_donors = results.get('donors')
        if group_donors is None and not all(
                'donors' in image for image in results['images']):
            raise KeyError(
                'GroupCopyPaste needs donor images: set num_donors > 0 on '
                'the GroupDataset of this pipeline.')
        rng = np.random.default_rng(np.random.randint(2**31))
        for image in results['images']:
            if rng.random() >= self.prob:
                continue
            donors = image.get('donors', group_donors)
            seed = image.get('paste_seed')
            paste_rng = rng if seed is None else np.random.default_rng(seed)
            for _ in range(int(paste_rng.integers(1, self.max_objects + 1))):
                info, label = self._pick(donors, paste_rng)
                if info is None:
                    break
                obj = self._object(info)
                if obj is not None:
                    paste_object(image['img'], image['gt_seg_map'], obj,
                                 paste_rng, label, self.scale_range,
                                 self.max_occlusion)
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(prob={self.prob}, '
                f'max_objects={self.max_objects}, '
                f'same_category_prob={self.same_category_prob}, '
                f'scale_range={self.scale_range})')

