"""The decoder f_seg of SSNM: FPN over modulated levels (eq. 5, sec. 3.4)."""
from typing import List, Optional, Tuple

import torch
import torch.nn as nn
from mmcv.cnn import ConvModule
from mmseg.models.decode_heads.decode_head import BaseDecodeHead
from mmseg.models.utils import resize
from mmseg.utils import ConfigType, SampleList
from torch import Tensor

from mmcoseg.registry import MODELS

from ..modulators.modulation import Modulation

#: How S enters a decoder level (see :class:`ModulatedFPNDecoder`).
SPATIAL_FUSIONS = ('add', 'channel')


@MODELS.register_module()
class ModulatedFPNDecoder(BaseDecodeHead):
    """FPN-like decoder whose every level is modulated by gamma and S.

    Each selected level is projected by a 1x1 lateral conv to ``channels``
    so one gamma fits all levels, then modulated as
    Y_c^n = gamma_c * X_c^n + S^n (eq. 5; S resized to the level), fused
    top-down (upsample + add), refined by a 3x3 conv and classified by a 1x1
    conv into one foreground logit per pixel (``out_channels=1``).

    ``spatial_fusion`` chooses how S enters each level: ``'add'`` is eq. 5
    (the same S added to every channel); beyond the paper, ``'channel'``
    adds a learned per-channel multiple of S (w_c * S + b_c: S as an extra
    input channel).

    Args:
        num_classes (int): 2 (background, foreground). Defaults to 2.
        out_channels (int): 1 (a sigmoid foreground logit). Defaults to 1.
        threshold (float): Foreground probability threshold at test time.
            Defaults to 0.5.
        spatial_fusion (str): ``'add'`` (eq. 5, default) or
            ``'channel'``.
        fuse_kernel_size (int): Kernel of the refinement conv at the
            first level's stride (odd). 3 (default) as in MMSeg's FPN
            heads; 1 makes the decoder about 9x cheaper there, for fast CPU
            training.
        **kwargs: :class:`BaseDecodeHead` arguments (``in_channels``,
            ``channels``, ``in_index``, ``norm_cfg``, ``loss_decode``...).
            ``input_transform`` is 'multiple_select'.
    """

    def __init__(self,
                 num_classes: int = 2,
                 out_channels: int = 1,
                 threshold: float = 0.5,
                 spatial_fusion: str = 'add',
                 fuse_kernel_size: int = 3,
                 **kwargs) -> None:
        kwargs.setdefault('input_transform', 'multiple_select')
        kwargs.setdefault('loss_decode', dict(type='CoSegLoss'))
        super().__init__(
            num_classes=num_classes,
            out_channels=out_channels,
            threshold=threshold,
            **kwargs)
        if spatial_fusion not in SPATIAL_FUSIONS:
            raise ValueError(f'spatial_fusion must be one of '
                             f'{SPATIAL_FUSIONS}, got {spatial_fusion!r}.')
        if fuse_kernel_size < 1 or fuse_kernel_size % 2 == 0:
            raise ValueError('fuse_kernel_size must be a positive odd '
                             f'number, got {fuse_kernel_size}.')
        self.spatial_fusion = spatial_fusion
        if self.input_transform != 'multiple_select':
            raise ValueError("ModulatedFPNDecoder needs input_transform="
                             f"'multiple_select', got {self.input_transform}")
        conv_kwargs = dict(
            conv_cfg=self.conv_cfg,
            norm_cfg=self.norm_cfg,
            act_cfg=self.act_cfg)
        self.lateral_convs = nn.ModuleList(
            ConvModule(c, self.channels, 1, **conv_kwargs)
            for c in self.in_channels)
        self.fuse_conv = ConvModule(
            self.channels, self.channels, fuse_kernel_size,
            padding=fuse_kernel_size // 2, **conv_kwargs)
        self.spatial_convs = None
        if spatial_fusion == 'channel':
            self.spatial_convs = nn.ModuleList(
                nn.Conv2d(1, self.channels, 1) for _ in self.in_channels)
            for conv in self.spatial_convs:
                nn.init.constant_(conv.weight, 1.0)
                nn.init.constant_(conv.bias, 0.0)

    def modulate(self,
                 x: Tensor,
                 modulation: Optional[Modulation],
                 level: int = 0) -> Tensor:
        """Apply eq. 5 (or the chosen ``spatial_fusion``) to one level.

        Args:
            x (Tensor): Projected level, shape (B*N, channels, h, w).
            modulation (Modulation, optional): gamma per image and S.
            level (int): Index of the level (its fusion weights).

        Returns:
            Tensor: gamma * x + S (terms left out when absent).
        """
        if modulation is None:
            return x
        if modulation.gamma is not None:
            x = x * modulation.gamma[:, :, None, None].to(x.dtype)
        if modulation.spatial is not None:
            s = modulation.spatial.to(x.dtype)
            if s.shape[2:] != x.shape[2:]:
                s = resize(
                    s,
                    size=x.shape[2:],
                    mode='bilinear',
                    align_corners=self.align_corners)
            if self.spatial_fusion == 'add':
                x = x + s
            else:
                x = x + self.spatial_convs[level](s)
        return x

    def forward(self,
                inputs: Tuple[Tensor],
                modulation: Optional[Modulation] = None) -> Tensor:
        """Decode modulated multi-level features into foreground logits.

        Args:
            inputs (tuple[Tensor]): Backbone levels for all B*N images.
            modulation (Modulation, optional): Outputs of the modulators.

        Returns:
            Tensor: Logits of shape (B*N, 1, H_0, W_0) at the resolution of
            the first selected level.
        """
        levels = self._transform_inputs(inputs)
        if levels[0].device.type == 'cpu':
            # oneDNN's convolutions and the bilinear resizing run about 10%
            # faster on a CPU in channels-last (the same values)
            levels = [
                x.contiguous(memory_format=torch.channels_last)
                for x in levels
            ]
        outs: List[Tensor] = [
            self.modulate(conv(x), modulation, i)
            for i, (conv, x) in enumerate(zip(self.lateral_convs, levels))
        ]
        fused = outs[-1]
        for lateral in reversed(outs[:-1]):
            fused = lateral + resize(
                fused,
                size=lateral.shape[2:],
                mode='bilinear',
                align_corners=self.align_corners)
        return self.cls_seg(self.fuse_conv(fused))

    def loss(self, inputs: Tuple[Tensor], batch_data_samples: SampleList,
             train_cfg: ConfigType,
             modulation: Optional[Modulation] = None) -> dict:
        """Forward and compute the losses of eq. 14.

        Args:
            inputs (tuple[Tensor]): Backbone levels.
            batch_data_samples (list[SegDataSample]): With ``gt_sem_seg``.
            train_cfg (dict): The training config.
            modulation (Modulation, optional): Modulator outputs, including
                their unweighted losses.

        Returns:
            dict[str, Tensor]: Loss terms and ``acc_seg``.
        """
        seg_logits = self.forward(inputs, modulation)
        return self.loss_by_feat(seg_logits, batch_data_samples, modulation)

    def predict(self,
                inputs: Tuple[Tensor],
                batch_img_metas: List[dict],
                test_cfg: ConfigType,
                modulation: Optional[Modulation] = None) -> Tensor:
        """Forward and resize the logits to the padded input shape.

        Args:
            inputs (tuple[Tensor]): Backbone levels.
            batch_img_metas (list[dict]): Image metainfo.
            test_cfg (dict): The testing config.
            modulation (Modulation, optional): Modulator outputs.

        Returns:
            Tensor: Logits of shape (B*N, 1, H, W).
        """
        seg_logits = self.forward(inputs, modulation)
        return self.predict_by_feat(seg_logits, batch_img_metas)

    def loss_by_feat(self,
                     seg_logits: Tensor,
                     batch_data_samples: SampleList,
                     modulation: Optional[Modulation] = None) -> dict:
        """Compute the losses of eq. 14 from the logits.

        Args:
            seg_logits (Tensor): Output of :meth:`forward`.
            batch_data_samples (list[SegDataSample]): With ``gt_sem_seg``.
            modulation (Modulation, optional): Carries the modulators'
                loss terms (l_spa, l_sem) and their weights (and the
                stacked labels, when the segmentor built them).

        Returns:
            dict[str, Tensor]: ``loss_seg``, the modulators' terms
            (``loss_spa``, ``loss_sem`` for SSNM) and ``acc_seg``.
        """
        mod = modulation or Modulation()
        seg_label = (mod.seg_label if mod.seg_label is not None else
                     self._stack_batch_gt(batch_data_samples).squeeze(1))
        seg_logits = resize(
            seg_logits,
            size=seg_label.shape[1:],
            mode='bilinear',
            align_corners=self.align_corners)
        losses = self.loss_decode(
            seg_logits,
            seg_label,
            ignore_index=self.ignore_index,
            aux_losses=mod.losses,
            aux_weights=mod.loss_weights)
        with torch.no_grad():
            # masked sums, not boolean indexing: the same value without
            # gathering every valid pixel (a measurable part of a CPU step)
            valid = seg_label != self.ignore_index
            correct = ((seg_logits.squeeze(1) > 0) == (seg_label == 1)) & valid
            count = valid.sum()
            losses['acc_seg'] = (correct.sum() * 100.0 / count if count
                                 else seg_logits.new_zeros(()))
        return losses
