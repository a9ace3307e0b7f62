"""Run a deterministic per-image pipeline once per file and replay it."""
import copy
from collections import OrderedDict
from typing import Callable, Optional, Sequence, Tuple, Union

import numpy as np
from mmcv.transforms import BaseTransform, Compose

from mmcoseg.registry import TRANSFORMS


@TRANSFORMS.register_module()
class CachedTransforms(BaseTransform):
    """Remember what a deterministic pipeline makes of each file.

    With a frozen, cached backbone (``FrozenBackbone``) a training step no
    longer runs the backbone, and decoding the JPEG and PNG files and
    resizing them become a large share of the CPU time (the data workers
    share the cores with the step). When the wrapped transforms are
    deterministic (loading, a fixed-size resize) their output for a file
    never changes, so it is computed once and replayed: the keys the
    transforms added or replaced are stored, keyed by ``img_path`` and
    ``seg_map_path``, and a later call on the same file gets a deep copy of
    them (later transforms may change the arrays in place). Every data
    worker keeps its own cache, so the loader should use
    ``persistent_workers=True``.

    Transforms that MMCV marks as random (a method decorated with
    ``cache_randomness``, e.g. ``RandomFlip``, ``RandomResize``) are
    refused; put them after this wrapper. A result a transform rejects
    (``None``) is not cached.

    Args:
        transforms (list[dict | callable]): The deterministic pipeline.
        cache_size (int): Files remembered, oldest dropped first; about
            0.2 MB each at 224 x 224. Defaults to 2048.
    """

    def __init__(self,
                 transforms: Sequence[Union[dict, Callable]],
                 cache_size: int = 2048) -> None:
        if cache_size < 1:
            raise ValueError(f'cache_size must be >= 1, got {cache_size}.')
        self.transforms = Compose(transforms)
        for t in self.transforms.transforms:
            if getattr(t, '_methods_with_randomness', None):
                raise ValueError(
                    f'CachedTransforms replays the first output for every '
                    f'file, so it cannot wrap the random transform '
                    f'{type(t).__name__}; put it after the wrapper.')
        self.cache_size = cache_size
        self._cache: 'OrderedDict[Tuple, dict]' = OrderedDict()
        self.hits = self.misses = 0

    def transform(self, results: dict) -> Optional[dict]:
        """Apply the transforms, or replay their output for this file.

        Args:
            results (dict): One image's result (with ``img_path``).

        Returns:
            dict | None: The transformed result, or None when a transform
            rejected it.
        """
        key = (results['img_path'], results.get('seg_map_path'))
        cached = self._cache.get(key)
        if cached is not None:
            self.hits += 1
            self._cache.move_to_end(key)
            results.update(copy.deepcopy(cached))
            return results
        self.misses += 1
        # a snapshot, not a shallow copy: transforms also change values in
        # place (LoadCoSegAnnotation appends to ``seg_fields``)
        before = copy.deepcopy(results)
        out = self.transforms(results)
        if out is None:
            return None
        self._cache[key] = copy.deepcopy({
            k: v for k, v in out.items()
            if k not in before or not _same(v, before[k])
        })
        if len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)
        return out

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(transforms={self.transforms}, '
                f'cache_size={self.cache_size})')


def _same(a, b) -> bool:
    """Whether a transform left a value as it was (arrays by content)."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return (isinstance(a, np.ndarray) and isinstance(b, np.ndarray)
                and a.shape == b.shape and np.array_equal(a, b))
    try:
        return bool(a == b)
    except Exception:  # values without a plain equality
        return False
