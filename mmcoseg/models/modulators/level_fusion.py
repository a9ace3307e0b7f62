"""Resize backbone levels to one size, concatenate, project by a 1x1 conv."""
from typing import Sequence, Tuple

import torch
import torch.nn.functional as F
from mmseg.models.utils import resize
from torch import Tensor, nn


def fuse_levels(levels: Sequence[Tensor],
                size: Tuple[int, int],
                projection: nn.Module,
                align_corners: bool = False) -> Tensor:
    """``projection(cat([resize(x, size) for x in levels]))``, cheaply.

    When ``projection`` is a 1x1 ``nn.Conv2d`` the same result is computed
    as the sum over levels of ``resize(conv_i(x))``, with ``conv_i`` the
    conv restricted to the input channels of level i: a 1x1 conv and
    bilinear resizing are both linear, per pixel and per channel
    respectively, so they commute (and bilinear weights sum to one, so the
    bias passes through too). Each level is projected at its own resolution
    and only the projected channels are resized: for SSNM's f_spa at stride
    4 (levels of 24 + 40 + 112 + 320 channels to d = 128) that is a tenth of
    the multiply-adds, and the concatenated stack (and its gradient) is never
    materialised. Any other ``projection`` (e.g. ``nn.Identity``) is applied
    to the concatenation.

    Args:
        levels (Sequence[Tensor]): Levels (B, C_i, H_i, W_i).
        size (tuple[int, int]): Output size (h, w).
        projection (nn.Module): A 1x1 ``nn.Conv2d`` over the concatenated
            channels, or any module applied to the concatenation.
        align_corners (bool): For the bilinear resizing.

    Returns:
        Tensor: The projected map (B, C_out, h, w).
    """
    if not (isinstance(projection, nn.Conv2d)
            and projection.kernel_size == (1, 1) and projection.groups == 1
            and projection.stride == (1, 1) and projection.padding == (0, 0)):
        return projection(
            torch.cat([
                resize(x, size=size, mode='bilinear',
                       align_corners=align_corners)
                if x.shape[2:] != size else x for x in levels
            ], dim=1))
    channels = sum(x.shape[1] for x in levels)
    if channels != projection.in_channels:
        raise ValueError(f'The levels have {channels} channels, the '
                         f'projection takes {projection.in_channels}.')
    fused, start = None, 0
    for x in levels:
        weight = projection.weight[:, start:start + x.shape[1]]
        start += x.shape[1]
        bias = projection.bias if fused is None else None
        y = F.conv2d(x, weight, bias)
        if y.shape[2:] != size:
            y = resize(y, size=size, mode='bilinear',
                       align_corners=align_corners)
        # In place: neither a conv's nor a resize's backward needs its output.
        fused = y if fused is None else fused.add_(y)
    return fused
