"""A frozen backbone whose features are computed once per distinct image."""
import hashlib
from collections import OrderedDict
from typing import Dict, Optional, Tuple

import torch
from mmengine.model import BaseModule
from torch import Tensor

from mmcoseg.registry import MODELS


@MODELS.register_module()
class FrozenBackbone(BaseModule):
    """Wrap a backbone, freeze it and cache its features per input image.

    The wrapped backbone is never trained: its parameters do not require
    gradients and it stays in eval mode (batch-norm uses its running
    statistics), so the features of an image do not depend on the rest of
    the batch. They are therefore cached, keyed by a digest of the image's
    input tensor: with a deterministic training pipeline (resize + flip)
    every image is encoded at most twice in a whole run, and the backbone's
    forward and backward costs leave the training step. Published
    co-saliency models (GCoNet, GCoNet+, MCCL) train their heads on frozen
    backbones in the same way.

    The cache is exact (a changed pixel changes the key), bounded
    (``cache_size`` images, oldest dropped first) and cleared whenever
    weights are loaded.

    Args:
        backbone (dict): Config of the wrapped backbone.
        cache_size (int): Images whose features are kept; 0 disables the
            cache. Defaults to 4096 (about 2.3 GB for EfficientNet-Lite0 at
            224 x 224).
        init_cfg (dict, optional): Initialisation config (the wrapped
            backbone keeps its own, e.g. its pretrained checkpoint).
    """

    def __init__(self,
                 backbone: dict,
                 cache_size: int = 4096,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if cache_size < 0:
            raise ValueError(f'cache_size must be >= 0, got {cache_size}.')
        self.backbone = MODELS.build(backbone)
        self.backbone.requires_grad_(False)
        self.backbone.eval()
        self.cache_size = cache_size
        self._cache: 'OrderedDict[bytes, Tuple[Tensor, ...]]' = OrderedDict()
        self.cache_hits = 0
        self.cache_misses = 0
        self._register_load_state_dict_pre_hook(self._clear_on_load)

    def _clear_on_load(self, *args, **kwargs) -> None:
        self.clear_cache()

    def clear_cache(self) -> None:
        """Forget every cached feature (and the hit counters)."""
        self._cache.clear()
        self.cache_hits = self.cache_misses = 0

    def init_weights(self) -> None:
        """Initialise (load) the wrapped backbone, then clear the cache."""
        super().init_weights()
        self.clear_cache()

    def train(self, mode: bool = True) -> 'FrozenBackbone':
        """Set the mode of the wrapper; the backbone stays in eval mode.

        Args:
            mode (bool): Training mode of the wrapper.

        Returns:
            FrozenBackbone: self.
        """
        super().train(mode)
        self.backbone.eval()
        return self

    @staticmethod
    def digest(image: Tensor) -> bytes:
        """The cache key of one input image (its dtype, shape and values).

        Args:
            image (Tensor): One image (C, H, W).

        Returns:
            bytes: A 16-byte BLAKE2b digest.
        """
        data = image.detach().contiguous().cpu()
        h = hashlib.blake2b(digest_size=16)
        h.update(f'{data.dtype}{tuple(data.shape)}'.encode())
        h.update(data.view(torch.uint8).numpy().tobytes()
                 if data.dtype == torch.bfloat16 else data.numpy().tobytes())
        return h.digest()

    @torch.no_grad()
    def forward(self, inputs: Tensor) -> Tuple[Tensor, ...]:
        """The backbone's levels for a batch, from the cache where possible.

        Args:
            inputs (Tensor): Images (B, C, H, W).

        Returns:
            tuple[Tensor]: The wrapped backbone's outputs for the batch.
        """
        if not self.cache_size:
            return tuple(self.backbone(inputs))
        keys = [self.digest(image) for image in inputs]
        missing: Dict[bytes, int] = {}
        for i, key in enumerate(keys):
            if key not in self._cache and key not in missing:
                missing[key] = i
        computed: Dict[bytes, Tuple[Tensor, ...]] = {}
        if missing:
            outs = self.backbone(inputs[list(missing.values())])
            for j, key in enumerate(missing):
                computed[key] = tuple(level[j].clone() for level in outs)
        self.cache_misses += len(missing)
        self.cache_hits += len(keys) - len(missing)
        feats = [self._cache[k] if k in self._cache else computed[k]
                 for k in keys]
        for key, value in computed.items():
            self._cache[key] = value
            if len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)
        return tuple(
            torch.stack([f[level] for f in feats])
            for level in range(len(feats[0])))
