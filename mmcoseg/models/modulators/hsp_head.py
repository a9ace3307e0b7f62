"""The semantic modulator f_sem of SSNM: hierarchical second-order pooling
(paper eq. 3, 11, 12)."""
from typing import Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor

from mmcoseg.registry import MODELS

from ...structures import GroupLayout
from .base_modulator import BaseModulator, ModulatorOutput
from .second_order_pooling import SecondOrderPooling


@MODELS.register_module()
class HSPHead(BaseModulator):
    """Hierarchical second-order pooling over a group -> gamma + classifier.

    SP on each image's ``in_index`` backbone level gives N d-dimensional
    vectors; a second SP across the group's stacked vectors gives one
    channel-importance vector gamma per group (eq. 11). A linear classifier
    with sigmoid predicts the group's co-categories, trained with
    multi-label binary cross-entropy summed over categories and averaged
    over groups (eq. 12).

    Args:
        in_channels (int): Channels of the backbone level used.
        num_classes (int): Number of co-categories L.
        channels (int): Dimension d of gamma; must equal the decoder's
            ``channels``. Defaults to 256.
        image_sp_channels (int): c of the per-image SP. Defaults to 64.
        group_sp_channels (int): c of the group SP. Defaults to 32.
        in_index (int): Backbone level used (-1: lowest resolution).
        group_residual (bool): Add the mean of the image vectors to the
            group SP output (a residual path). Trained from scratch, the
            group SP alone barely moves l_sem for hundreds of iterations;
            with the residual it starts learning at once. Defaults to True.
        loss_name (str): Key of its loss term. Defaults to 'loss_sem'.
        loss_weight (float): Weight of that term (w_sem). Defaults to 1.0.
        init_cfg (dict, optional): Initialisation config.
    """

    def __init__(self,
                 in_channels: int,
                 num_classes: int,
                 channels: int = 256,
                 image_sp_channels: int = 64,
                 group_sp_channels: int = 32,
                 in_index: int = -1,
                 group_residual: bool = True,
                 loss_name: str = 'loss_sem',
                 loss_weight: float = 1.0,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(
            loss_name=loss_name, loss_weight=loss_weight, init_cfg=init_cfg)
        self.num_classes = num_classes
        self.channels = channels
        self.in_index = in_index
        self.group_residual = group_residual
        self.image_sp = SecondOrderPooling(in_channels, image_sp_channels,
                                           channels)
        self.group_sp = SecondOrderPooling(channels, group_sp_channels,
                                           channels)
        self.classifier = nn.Linear(channels, num_classes)

    def modulate(self,
                 feats: Sequence[Tensor],
                 layout: GroupLayout,
                 gt: Optional[Tensor] = None,
                 with_loss: bool = False) -> ModulatorOutput:
        """gamma for every image and, in training, l_sem (eq. 11, 12).

        Args:
            feats (Sequence[Tensor]): Backbone levels for all B*N images.
            layout (GroupLayout): The groups of the batch.
            gt (Tensor, optional): Unused (the targets are the groups'
                co-categories).
            with_loss (bool): Also return l_sem.

        Returns:
            ModulatorOutput: ``gamma`` (the group's, per image) and, with
            ``with_loss``, l_sem under ``loss_name``.
        """
        gamma, cls_logits = self(feats, layout)
        losses = {}
        if with_loss:
            targets = self.group_targets(layout, cls_logits.device)
            losses[self.loss_name] = self.loss_by_feat(cls_logits, targets)
        return ModulatorOutput(gamma=layout.expand(gamma), losses=losses)

    def forward(self, feats: Sequence[Tensor],
                layout: Union[GroupLayout, Sequence[int]]
                ) -> Tuple[Tensor, Tensor]:
        """Compute gamma and co-category logits for every group.

        Args:
            feats (Sequence[Tensor]): Backbone levels for all B*N images.
            layout (GroupLayout | Sequence[int]): The groups of the batch
                (or their sizes).

        Returns:
            tuple[Tensor, Tensor]: gamma of shape (G, channels) and
            classification logits of shape (G, num_classes).
        """
        layout = GroupLayout.of(layout)
        x = feats[self.in_index]
        per_image = self.image_sp(x.flatten(2))  # (B*N, d)
        # The group's N vectors form a set of N positions with d channels.
        pooled = self.group_sp.forward_sets(per_image, layout.sizes)
        if self.group_residual:
            sizes = per_image.new_tensor(layout.sizes)[:, None]
            pooled = pooled + layout.sum_groups(per_image) / sizes
        # gamma in (0, 1), like a channel attention. Classify from the
        # pre-activation: a saturated sigmoid would starve l_sem of gradient.
        return pooled.sigmoid(), self.classifier(pooled)

    def group_targets(self, layout: Union[GroupLayout, Sequence[int]],
                      device: torch.device) -> Tensor:
        """Multi-hot co-category targets, one row per group.

        Args:
            layout (GroupLayout): The groups, with their co-categories.
            device (torch.device): Device of the result.

        Returns:
            Tensor: Float tensor of shape (G, num_classes).
        """
        return GroupLayout.of(layout).category_targets(
            self.num_classes, device).float()

    def loss_by_feat(self, cls_logits: Tensor, targets: Tensor) -> Tensor:
        """Unweighted l_sem (eq. 12).

        Args:
            cls_logits (Tensor): Shape (G, num_classes).
            targets (Tensor): Multi-hot targets, same shape.

        Returns:
            Tensor: Scalar loss.
        """
        bce = F.binary_cross_entropy_with_logits(
            cls_logits.float(), targets.float(), reduction='none')
        return bce.sum(dim=1).mean()
