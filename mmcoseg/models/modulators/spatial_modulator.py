"""The spatial modulator f_spa of SSNM (paper eq. 2, 6-10)."""
import math
from typing import Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor

from mmcoseg.registry import MODELS

from ...structures import GroupLayout
from .base_modulator import SpatialMapModulator
from .level_fusion import fuse_levels
from .spectral import (
    group_border_signs,
    group_eigenvalues_with_grad,
    group_top_eigenpairs,
)

_DTYPES = {'float32': torch.float32, 'float64': torch.float64}


@MODELS.register_module()
class SpatialModulator(SpatialMapModulator):
    """Unsupervised spatial modulator: a 2-way spectral clustering of the
    pixels of a group.

    The selected backbone levels of each image are resized to one resolution
    (``target_stride``), concatenated and projected by a 1x1 conv
    (theta_spa) to ``channels`` = d dimensions; each pixel descriptor is
    L2-normalised (eq. 2). For the M = N*h*w descriptors X of a group, the
    relaxed clustering objective -s^T G s, G = X^T X - 1 1^T, ||s|| = 1, is
    minimised by the top eigenvector of G (eq. 6-9), computed exactly with a
    (d+1)x(d+1) reduction (:mod:`mmcoseg.models.modulators.spectral`).

    The eigenvector's sign is fixed by the border: the side that holds most
    of the outermost ring of pixels of the group's images is background
    (negative). The maps are scaled by sqrt(M) so entries are O(1) per
    pixel. They are a stop-gradient input of the decoder; theta_spa is
    trained by l_spa = -lambda_max / M (eq. 10), whose gradient is exact
    and stable.

    Args:
        in_channels (Sequence[int]): Channels of the backbone levels.
        channels (int, optional): Descriptor dimension d. None uses the
            fused backbone channels as they are (no theta_spa; the
            training-free setting). Defaults to 256.
        in_index (Sequence[int]): Backbone levels used. Defaults to all.
        in_strides (Sequence[int]): Stride of each backbone level.
            Defaults to (4, 8, 16, 32).
        target_stride (int): Stride of the fused descriptor map (and of S).
            Defaults to 4.
        solve_dtype (str): 'float64' or 'float32' for the eigen-solve.
            Defaults to 'float64'.
        align_corners (bool): For resizing levels. Defaults to False.
        loss_name (str): Key of its loss term. Defaults to 'loss_spa'.
        loss_weight (float): Weight of that term (w_spa). Defaults to 1.0.
        init_cfg (dict, optional): Initialisation config.
    """

    def __init__(self,
                 in_channels: Sequence[int],
                 channels: Optional[int] = 256,
                 in_index: Sequence[int] = (0, 1, 2, 3),
                 in_strides: Sequence[int] = (4, 8, 16, 32),
                 target_stride: int = 4,
                 solve_dtype: str = 'float64',
                 align_corners: bool = False,
                 loss_name: str = 'loss_spa',
                 loss_weight: float = 1.0,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(
            loss_name=loss_name, loss_weight=loss_weight, init_cfg=init_cfg)
        if len(in_index) != len(in_strides):
            raise ValueError('in_index and in_strides must have the same '
                             f'length, got {in_index} and {in_strides}.')
        if solve_dtype not in _DTYPES:
            raise ValueError(f'solve_dtype must be one of {list(_DTYPES)}, '
                             f'got {solve_dtype!r}.')
        self.in_index = list(in_index)
        self.in_strides = list(in_strides)
        self.target_stride = target_stride
        self.solve_dtype = _DTYPES[solve_dtype]
        self.align_corners = align_corners
        fused = sum(in_channels[i] for i in self.in_index)
        self.theta_spa = (nn.Conv2d(fused, channels, kernel_size=1)
                          if channels else nn.Identity())

    def descriptors(self, feats: Sequence[Tensor]) -> Tensor:
        """Fused, L2-normalised pixel descriptors phi (eq. 2).

        Args:
            feats (Sequence[Tensor]): Backbone levels, each (B*N, C_i, H_i,
                W_i).

        Returns:
            Tensor: Descriptors of shape (B*N, d, h, w) at ``target_stride``.
        """
        levels = [feats[i] for i in self.in_index]
        ref, ref_stride = levels[0], self.in_strides[0]
        size = tuple(
            max(1, math.ceil(s * ref_stride / self.target_stride))
            for s in ref.shape[2:])
        fused = fuse_levels(levels, size, self.theta_spa, self.align_corners)
        return F.normalize(fused, dim=1, eps=1e-12)

    @staticmethod
    def _border_mask(h: int, w: int, device: torch.device) -> Tensor:
        """The outermost ring of pixels of an h x w map, flattened."""
        mask = torch.ones(h, w, dtype=torch.bool, device=device)
        mask[1:h - 1, 1:w - 1] = False
        return mask.reshape(-1)

    def forward(self,
                feats: Sequence[Tensor],
                layout: Union[GroupLayout, Sequence[int]],
                gt: Optional[Tensor] = None) -> Tuple[Tensor, Tensor]:
        """Compute the spatial maps of every group in a flat batch.

        All groups are solved at once (:func:`group_top_eigenpairs`).

        Args:
            feats (Sequence[Tensor]): Backbone levels for all B*N images.
            layout (GroupLayout | Sequence[int]): The groups of the batch
                (or their sizes).
            gt (Tensor, optional): Unused (l_spa is unsupervised).

        Returns:
            tuple[Tensor, Tensor]: S of shape (B*N, 1, h, w) and the
            unweighted l_spa = -mean over groups of lambda_max / M (eq. 10).
        """
        layout = GroupLayout.of(layout)
        phi = self.descriptors(feats)
        n, _, h, w = phi.shape
        _, u = group_top_eigenpairs(phi, layout, self.solve_dtype)
        sign = group_border_signs(u, self._border_mask(h, w, u.device),
                                  layout)
        count = u.new_tensor(layout.sizes) * (h * w)  # M of each group
        maps = (u * layout.expand(sign * count.sqrt())[:, None]).to(
            phi.dtype).reshape(n, 1, h, w)
        with torch.autocast(phi.device.type, enabled=False):
            lam = group_eigenvalues_with_grad(phi.float(), u, layout)
        return maps, -(lam / count.to(lam.dtype)).mean()
