"""Keep the objects of the group's category: a category head, a group vote
and a selection of the foreground's connected parts.

Beyond the paper: SSNM's f_sem predicts the group's co-category (eq. 12)
but only uses it to weigh decoder channels, which does not keep a salient
object of another category out of the mask. When the test categories were
seen in training (the paper's setting), the category itself can decide it:
every foreground part whose pixels look like another category than the one
the whole group agrees on is left out.
"""
from typing import Optional, Sequence

import cv2
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from mmseg.models.utils import resize
from torch import Tensor

from mmcoseg.registry import MODELS

from ...structures import GroupLayout
from .base_modulator import BaseModulator, ModulatorOutput
from .level_fusion import fuse_levels


@MODELS.register_module()
class CategorySelector(BaseModulator):
    """Per-pixel category logits, a group vote, and part selection.

    **Training.** The selected backbone levels are resized to
    ``target_stride`` and projected (1x1 conv, BN, ReLU, 1x1 conv) to
    ``num_classes`` category logits per pixel. Only foreground pixels are
    supervised: their label is the group's co-category (with several
    co-categories, the loss is ``-log`` of their summed probability), so a
    rider labelled background in a horse photo never teaches that people
    are not people. Background pixels carry no category loss.

    **Test** (:meth:`refine_logits`, after the decoder): with P the
    decoder's foreground probability and Q the category softmax,

    1. the group's category is ``argmax_k sum_i sum_p P Q_k / sum P`` over
       the group's images (a foreground-weighted vote);
    2. each 8-connected part of an image's foreground (P above the
       decoder's threshold) gets its P-weighted mean category distribution
       q; the part is kept when ``q[c] >= keep_ratio * max_k q[k]`` and
       otherwise removed (its logits become ``-|logit|``, below the
       threshold);
    3. the part with the largest ``q[c] * sum P`` of every image is kept
       when ``q[c] >= guard_ratio * max_k q[k]``: each image of a group
       should show the shared object, so a misjudged category does not
       empty an image, while a photo of another category can still be
       left out;
    4. within the kept parts, every pixel with
       ``Q[c] < pixel_ratio * max_k Q[k]`` is removed too (off by
       default): an object of another category that touches the shared
       one is one part with it, and only a per-pixel test can cut it off.

    Steps 2-4 apply to a group only when its foreground looks like a
    category seen in training: its confidence, the P-weighted mean of
    ``max_k Q_k`` over the foreground of all its images, must be at least
    ``min_confidence``. A group of a category the head never learnt would
    otherwise be cut to the nearest learnt one; left ungated it keeps the
    decoder's masks (off by default).

    It contributes nothing to the decoder's input (no S, no gamma).

    Args:
        in_channels (Sequence[int]): Channels of the backbone levels.
        num_classes (int): Number of categories seen in training.
        channels (int): Hidden channels of the head. Defaults to 128.
        in_index (Sequence[int]): Backbone levels used.
            Defaults to (2, 3).
        in_strides (Sequence[int]): Stride of each used level.
            Defaults to (16, 32).
        target_stride (int): Stride of the category logits.
            Defaults to 16.
        keep_ratio (float): A part is kept when its probability of the
            group's category is at least this fraction of its most likely
            category's. 1 (default) keeps the parts whose top category is
            the group's; 0 keeps every part (no selection). Chosen on the
            seen protocol's validation part
            (``tools/experiments/selection_sweep.sh``).
        guard_ratio (float): The same test for each image's best part
            (step 3); 0 (default) always keeps it.
        pixel_ratio (float): The same test for single pixels (step 4);
            0 (default) removes none.
        min_confidence (float): The open-set gate: a group whose
            foreground confidence is below it keeps the decoder's masks.
            0 (default) selects in every group.
        threshold (float): Foreground probability that makes a pixel part
            of the foreground. Defaults to 0.5 (the decoder's).
        loss_stride (int, optional): Compute the loss on the labels
            subsampled (nearest) by this factor, the logits resized to
            match, instead of at the labels' full size: at 4, 16x fewer
            pixels for logits that are at stride 16 anyway. None (default):
            the full size.
        align_corners (bool): For resizing. Defaults to False.
        loss_name (str): Key of its loss term. Defaults to 'loss_cat'.
        loss_weight (float): Weight of that term. Defaults to 1.0.
        init_cfg (dict, optional): Initialisation config.
    """

    def __init__(self,
                 in_channels: Sequence[int],
                 num_classes: int,
                 channels: int = 128,
                 in_index: Sequence[int] = (2, 3),
                 in_strides: Sequence[int] = (16, 32),
                 target_stride: int = 16,
                 keep_ratio: float = 1.0,
                 guard_ratio: float = 0.0,
                 pixel_ratio: float = 0.0,
                 min_confidence: float = 0.0,
                 threshold: float = 0.5,
                 loss_stride: Optional[int] = None,
                 align_corners: bool = False,
                 loss_name: str = 'loss_cat',
                 loss_weight: float = 1.0,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(
            loss_name=loss_name, loss_weight=loss_weight, init_cfg=init_cfg)
        if len(in_index) != len(in_strides):
            raise ValueError(f'in_index {tuple(in_index)} and in_strides '
                             f'{tuple(in_strides)} must have one entry per '
                             'level.')
        for name, ratio in (('keep_ratio', keep_ratio),
                            ('guard_ratio', guard_ratio),
                            ('pixel_ratio', pixel_ratio),
                            ('min_confidence', min_confidence)):
            if not 0.0 <= ratio <= 1.0:
                raise ValueError(f'{name} must be in [0, 1], got {ratio}.')
        if not 0.0 < threshold < 1.0:
            raise ValueError(f'threshold must be in (0, 1), got '
                             f'{threshold}.')
        if loss_stride is not None and loss_stride < 1:
            raise ValueError(f'loss_stride must be >= 1, got {loss_stride}.')
        self.num_classes = num_classes
        self.loss_stride = loss_stride
        self.in_index = tuple(in_index)
        self.in_strides = tuple(in_strides)
        self.target_stride = target_stride
        self.keep_ratio = keep_ratio
        self.guard_ratio = guard_ratio
        self.pixel_ratio = pixel_ratio
        self.min_confidence = min_confidence
        self.threshold = threshold
        self.align_corners = align_corners
        self.projection = nn.Conv2d(
            sum(in_channels[i] for i in self.in_index), channels, 1)
        self.head = nn.Sequential(
            nn.BatchNorm2d(channels), nn.ReLU(inplace=True),
            nn.Conv2d(channels, num_classes, 1))

    def forward(self, feats: Sequence[Tensor]) -> Tensor:
        """Category logits of every image.

        Args:
            feats (Sequence[Tensor]): Backbone levels for all B*N images.

        Returns:
            Tensor: Logits (B*N, num_classes, h, w) at ``target_stride``.
        """
        levels = [feats[i] for i in self.in_index]
        first = levels[0]
        scale = self.in_strides[0] / self.target_stride
        size = (round(first.shape[2] * scale), round(first.shape[3] * scale))
        return self.head(
            fuse_levels(levels, size, self.projection, self.align_corners))

    def modulate(self,
                 feats: Sequence[Tensor],
                 layout: GroupLayout,
                 gt: Optional[Tensor] = None,
                 with_loss: bool = False) -> ModulatorOutput:
        """No contribution to the decoder; in training, the category loss.

        Args:
            feats (Sequence[Tensor]): Backbone levels for all B*N images.
            layout (GroupLayout): The groups, with their co-categories.
            gt (Tensor, optional): Labels (B*N, H, W): 1 foreground, 0
                background, anything else ignored.
            with_loss (bool): Compute the loss.

        Returns:
            ModulatorOutput: Only ``losses`` (with ``with_loss``).
        """
        if not with_loss:
            return ModulatorOutput()
        if gt is None:
            raise ValueError(f'{type(self).__name__} needs the labels to '
                             'compute its loss.')
        if self.loss_stride is not None:
            size = tuple(n // self.loss_stride for n in gt.shape[1:])
            gt = F.interpolate(gt[:, None].float(), size=size,
                               mode='nearest')[:, 0].to(gt.dtype)
        logits = resize(self(feats), size=gt.shape[1:], mode='bilinear',
                        align_corners=self.align_corners)
        return ModulatorOutput(
            losses={self.loss_name: self.loss_by_feat(logits, gt, layout)})

    def image_targets(self, layout: GroupLayout,
                      device: torch.device) -> Tensor:
        """Multi-hot co-categories of every image (its group's).

        Args:
            layout (GroupLayout): The groups, with their co-categories.
            device (torch.device): Device of the result.

        Returns:
            Tensor: Bool tensor (B*N, num_classes).
        """
        return layout.expand(
            layout.category_targets(self.num_classes, device))

    def loss_by_feat(self, logits: Tensor, gt: Tensor,
                     layout: GroupLayout) -> Tensor:
        """Unweighted category loss over the foreground pixels.

        ``-log sum_{k in co-categories} softmax_k`` per foreground pixel,
        averaged per image, then over the images that have foreground (0
        for a batch without any).

        Args:
            logits (Tensor): (B*N, num_classes, H, W), at the labels' size.
            gt (Tensor): Labels (B*N, H, W).
            layout (GroupLayout): The groups, with their co-categories.

        Returns:
            Tensor: Scalar loss.
        """
        log_prob = F.log_softmax(logits.float(), dim=1)
        targets = self.image_targets(layout, logits.device)
        masked = log_prob.masked_fill(~targets[:, :, None, None],
                                      float('-inf'))
        nll = -torch.logsumexp(masked, dim=1)  # (B*N, H, W)
        fg = (gt == 1).float()
        pixels = fg.flatten(1).sum(1)
        per_image = (nll * fg).flatten(1).sum(1) / pixels.clamp(min=1)
        has_fg = pixels > 0
        if not has_fg.any():
            return logits.sum() * 0.0
        return per_image[has_fg].mean()

    @torch.no_grad()
    def group_categories(self, prob: Tensor, fg: Tensor,
                         layout: GroupLayout) -> Tensor:
        """The category each group agrees on (step 1 of the selection).

        Args:
            prob (Tensor): Category probabilities (B*N, K, h, w).
            fg (Tensor): Foreground probabilities (B*N, 1, h, w).
            layout (GroupLayout): The groups of the batch.

        Returns:
            Tensor: One category index per group, shape (G,).
        """
        votes = layout.sum_groups((prob * fg).flatten(2).sum(2))  # (G, K)
        return votes.argmax(dim=1)

    @torch.no_grad()
    def group_confidence(self, prob: Tensor, fg: Tensor,
                         layout: GroupLayout) -> Tensor:
        """How much each group's foreground looks like a learnt category.

        Args:
            prob (Tensor): Category probabilities (B*N, K, h, w).
            fg (Tensor): Foreground probabilities (B*N, 1, h, w).
            layout (GroupLayout): The groups of the batch.

        Returns:
            Tensor: The fg-weighted mean of ``max_k prob`` per group, (G,);
            1 for a group without foreground.
        """
        top = prob.max(dim=1, keepdim=True).values
        weighted = layout.sum_groups((top * fg).flatten(1).sum(1))
        mass = layout.sum_groups(fg.flatten(1).sum(1))
        return torch.where(mass > 0, weighted / mass.clamp(min=1e-12),
                           torch.ones_like(mass))

    @torch.no_grad()
    def refine_logits(self, fg_logits: Tensor, feats: Sequence[Tensor],
                      layout: GroupLayout) -> Tensor:
        """Remove the foreground of another category (steps 1-4), in the
        groups that pass the open-set gate.

        Args:
            fg_logits (Tensor): The decoder's foreground logits
                (B*N, 1, h, w).
            feats (Sequence[Tensor]): Backbone levels for all B*N images.
            layout (GroupLayout): The groups of the batch.

        Returns:
            Tensor: The logits (:meth:`fuse`), those of removed parts made
            negative.
        """
        fg = fg_logits.float().sigmoid()
        prob = resize(self.probabilities(self(feats).float()),
                      size=fg.shape[2:], mode='bilinear',
                      align_corners=self.align_corners)
        chosen = layout.expand(self.group_categories(prob, fg, layout))
        removed = torch.stack([
            self._removed_parts(p[0], q, int(c))
            for p, q, c in zip(fg, prob, chosen)
        ])[:, None]
        refined = self.fuse(fg_logits, prob, chosen)
        refined = torch.where(removed, -refined.abs(), refined)
        if self.min_confidence > 0:
            known = self.group_confidence(prob, fg, layout) \
                >= self.min_confidence
            refined = torch.where(layout.expand(known)[:, None, None, None],
                                  refined, fg_logits)
        return refined

    def fuse(self, fg_logits: Tensor, prob: Tensor, chosen: Tensor
             ) -> Tensor:
        """The foreground logits before the removal; the decoder's here.

        Args:
            fg_logits (Tensor): The decoder's logits (B*N, 1, h, w).
            prob (Tensor): Category probabilities (B*N, K, h, w).
            chosen (Tensor): The group's category of every image (B*N,).

        Returns:
            Tensor: ``fg_logits``.
        """
        return fg_logits

    def _removed_parts(self, fg: Tensor, prob: Tensor, category: int
                       ) -> Tensor:
        """Pixels of one image that steps 2-4 remove.

        Args:
            fg (Tensor): Foreground probability (h, w).
            prob (Tensor): Category probabilities (K, h, w).
            category (int): The group's category.

        Returns:
            Tensor: Bool mask (h, w).
        """
        if self.keep_ratio <= 0:  # every part is kept: no parts needed
            return self._pixels_removed(prob, category)
        mask = (fg > self.threshold).cpu().numpy().astype(np.uint8)
        num, labels = cv2.connectedComponents(mask, connectivity=8)
        if num <= 1:
            return self._pixels_removed(prob, category)
        labels = torch.from_numpy(labels).to(fg.device).long().flatten()
        mass = fg.new_zeros(num).index_add_(0, labels, fg.flatten())
        weighted = (prob * fg).flatten(1)  # (K, h*w)
        sums = fg.new_zeros(prob.shape[0], num).index_add_(1, labels,
                                                           weighted)
        q = sums / mass.clamp(min=1e-12)
        keep = q[category] >= self.keep_ratio * q.max(dim=0).values
        # every image of a group should show the shared object: its best
        # part stays unless it looks nothing like the group's category
        best = 1 + int((q[category, 1:] * mass[1:]).argmax())
        top = q[:, best].max()
        keep[best] |= bool(q[category, best] >= self.guard_ratio * top)
        keep[0] = True  # label 0 is the background
        return ~keep[labels].view_as(fg) | self._pixels_removed(prob,
                                                                category)

    def _pixels_removed(self, prob: Tensor, category: int) -> Tensor:
        """Pixels that step 4 removes: ``Q[c] < pixel_ratio * max_k Q[k]``.

        Args:
            prob (Tensor): Category probabilities (K, h, w).
            category (int): The group's category.

        Returns:
            Tensor: Bool mask (h, w); none when ``pixel_ratio`` is 0.
        """
        if self.pixel_ratio <= 0:
            return torch.zeros_like(prob[0], dtype=torch.bool)
        return prob[category] < self.pixel_ratio * prob.max(dim=0).values

    def probabilities(self, logits: Tensor) -> Tensor:
        """Category probabilities Q from the head's logits (softmax).

        Args:
            logits (Tensor): (B*N, num_classes, h, w).

        Returns:
            Tensor: Q, same shape.
        """
        return logits.softmax(dim=1)
