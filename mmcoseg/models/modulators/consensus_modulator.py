"""A supervised, group-contrastive spatial modulator: the group consensus map.

Beyond the paper: SSNM's f_spa (:class:`SpatialModulator`) splits the pixels
of a group into two clusters without supervision, and the split it finds is
often not the shared object (measured in docs/results.md). This modulator
asks directly what co-segmentation is about: *is this pixel matched in the
other images of its group?*
"""
import math
from typing import Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmseg.models.utils import resize
from torch import Tensor

from mmcoseg.registry import MODELS

from ...structures import GroupLayout
from ..losses.coseg_loss import weighted_bce_per_image
from .base_modulator import SpatialMapModulator


def group_consensus(phi: Tensor,
                    layout: Union[GroupLayout, Sequence[int]]) -> Tensor:
    """How well each pixel is matched in the *other* images of its group.

    For pixel p of image n with unit descriptor x_p, its match in image m is
    its best cosine similarity max_q x_p . x_q over the pixels q of m; the
    consensus is the mean of the matches over the other images m != n of
    the group. An object that recurs in every image scores high; a
    distractor that appears once, and everything in a group that shares
    nothing, scores low. (A softmax-weighted mean instead of the maximum
    costs twice the time on a CPU for no gain we could measure.)

    Args:
        phi (Tensor): Unit descriptors (B*N, d, h, w).
        layout (GroupLayout): The groups of the batch.

    Returns:
        Tensor: Consensus maps (B*N, 1, h, w), in [-1, 1]; 0 for an image
        alone in its group.
    """
    layout = GroupLayout.of(layout)
    _, d, h, w = phi.shape
    if layout.uniform:
        chunks = [phi.reshape(layout.num_groups, -1, d, h * w)]
    else:
        chunks = [g.reshape(1, -1, d, h * w) for g in layout.split(phi)]
    out = []
    for x in chunks:  # (G, N, d, P): one chunk per group size
        g, n = x.shape[:2]
        if n == 1:
            out.append(x.new_zeros(g, 1, h * w))
            continue
        x = x.transpose(2, 3).reshape(g, n * h * w, d)  # (G, N*P, d)
        # one contiguous (G, N*P, N*P) product: no permuted copies of it
        sim = x @ x.mT
        match = sim.view(g, n, h * w, n, h * w).amax(dim=-1)  # (G,N,P,M)
        others = ~torch.eye(n, dtype=torch.bool, device=x.device)
        match = match * others[None, :, None, :]
        out.append(match.sum(dim=-1) / (n - 1))  # (G, N, P)
    return torch.cat([o.reshape(-1, 1, h, w) for o in out], dim=0)


@MODELS.register_module()
class ConsensusModulator(SpatialMapModulator):
    """Spatial modulator from the group consensus of learned descriptors.

    The selected backbone levels are resized to ``target_stride``,
    concatenated and projected (theta: 1x1 conv, BN, ReLU, 1x1 conv) to
    ``channels``-dimensional unit descriptors; S is their group consensus
    (:func:`group_consensus`), affinely calibrated (``a * c + b``, learned).
    Unlike SSNM's eigenvector map, S keeps its gradient: the segmentation
    loss trains theta through it. S is also supervised directly (a
    class-balanced BCE between the calibrated map as a logit and the ground
    truth at S's resolution), returned as the modulator's loss term
    (``loss_name``, by default ``loss_spa``), weighted by ``loss_weight``.

    Args:
        in_channels (Sequence[int]): Channels of the backbone levels.
        channels (int): Descriptor dimension. Defaults to 128.
        in_index (Sequence[int]): Backbone levels used.
            Defaults to (2, 3).
        in_strides (Sequence[int]): Stride of each used level.
            Defaults to (16, 32).
        target_stride (int): Stride of the descriptors and of S.
            Defaults to 16.
        align_corners (bool): For resizing. Defaults to False.
        loss_name (str): Key of its loss term. Defaults to 'loss_spa'.
        loss_weight (float): Weight of that term. Defaults to 1.0.
        init_cfg (dict, optional): Initialisation config.
    """

    def __init__(self,
                 in_channels: Sequence[int],
                 channels: int = 128,
                 in_index: Sequence[int] = (2, 3),
                 in_strides: Sequence[int] = (16, 32),
                 target_stride: int = 16,
                 align_corners: bool = False,
                 loss_name: str = 'loss_spa',
                 loss_weight: float = 1.0,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(
            loss_name=loss_name, loss_weight=loss_weight, init_cfg=init_cfg)
        if len(in_index) != len(in_strides):
            raise ValueError('in_index and in_strides must have the same '
                             f'length, got {in_index} and {in_strides}.')
        self.in_index = list(in_index)
        self.in_strides = list(in_strides)
        self.target_stride = target_stride
        self.align_corners = align_corners
        fused = sum(in_channels[i] for i in self.in_index)
        self.theta = nn.Sequential(
            nn.Conv2d(fused, channels, 1, bias=False),
            nn.BatchNorm2d(channels), nn.ReLU(inplace=True),
            nn.Conv2d(channels, channels, 1))
        # Calibration of the consensus (cosines in [-1, 1]) to a logit scale.
        self.scale = nn.Parameter(torch.tensor(10.0))
        self.bias = nn.Parameter(torch.tensor(-5.0))

    def _fuse(self, feats: Sequence[Tensor]) -> Tensor:
        """The selected levels resized to ``target_stride`` and stacked."""
        levels = [feats[i] for i in self.in_index]
        size = tuple(
            max(1, math.ceil(s * self.in_strides[0] / self.target_stride))
            for s in levels[0].shape[2:])
        return torch.cat([
            resize(x, size=size, mode='bilinear',
                   align_corners=self.align_corners)
            if x.shape[2:] != size else x for x in levels
        ], dim=1)

    def descriptors(self, feats: Sequence[Tensor]) -> Tensor:
        """Unit pixel descriptors at ``target_stride``.

        Args:
            feats (Sequence[Tensor]): Backbone levels (B*N, C_i, H_i, W_i).

        Returns:
            Tensor: (B*N, channels, h, w).
        """
        return F.normalize(self.theta(self._fuse(feats)), dim=1, eps=1e-12)

    def forward(self,
                feats: Sequence[Tensor],
                layout: Union[GroupLayout, Sequence[int]],
                gt: Optional[Tensor] = None
                ) -> Tuple[Tensor, Optional[Tensor]]:
        """Consensus maps of every group and, given ``gt``, their loss.

        Args:
            feats (Sequence[Tensor]): Backbone levels for all B*N images.
            layout (GroupLayout | Sequence[int]): The groups of the batch
                (or their sizes).
            gt (Tensor, optional): Labels (B*N, H, W) in {0, 1, 255}.

        Returns:
            tuple[Tensor, Tensor | None]: S (B*N, 1, h, w), a logit-scaled
            consensus, and its (unweighted) supervision loss, or None
            without ``gt``.
        """
        maps = self.scale * group_consensus(self.descriptors(feats),
                                            layout) + self.bias
        if gt is None:
            return maps, None
        label = F.interpolate(
            gt[:, None].float(), size=maps.shape[2:],
            mode='nearest')[:, 0].long()
        return maps, weighted_bce_per_image(maps, label, 'balanced').mean()
