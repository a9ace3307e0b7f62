"""One mask per seen category: the group's category mask cuts the decoder's.

Beyond the paper, like :class:`CategorySelector`, whose softmax head learns
only which category a foreground pixel is: it is never told what is *not*
an object of the category, so on the background, on a rider labelled
background in a horse photo or on a pasted object it answers anything.
Here every category gets its own sigmoid mask, trained with the labels a
co-segmentation dataset really has: in an image of category c, channel c
is the ground-truth mask (background pixels included), and every other
channel k is told that the object of c is not a k; nothing else is
assumed (the rider is no negative of the person channel).
"""
import torch
import torch.nn.functional as F
from torch import Tensor

from mmcoseg.registry import MODELS

from ...structures import GroupLayout
from .category_selector import CategorySelector


@MODELS.register_module()
class CategoryMaskSelector(CategorySelector):
    """A sigmoid mask per category, a group vote, and part and pixel
    selection.

    The head is :class:`CategorySelector`'s; Q_k is the sigmoid of channel
    k, the probability that a pixel shows an object of category k.

    **Loss** (partial labels), per image of a group with co-categories T
    and labels y (1 foreground, 0 background, anything else ignored):
    the BCE of channel k in T against y over the valid pixels, averaged
    over T, plus the BCE of every channel k not in T against 0 over the
    foreground pixels, averaged over those channels; then the mean over
    the images.

    **Test**: the vote, the part selection, the guard and the open-set gate
    of :class:`CategorySelector` on Q. The foreground becomes
    ``(1 - fusion_weight) * P + fusion_weight * Q_c`` with P the decoder's
    probability and c the group's category: the decoder and the group's
    category mask vote together, so an object the mask rejects needs a
    very sure decoder to stay, and part of the shared object that the
    decoder missed comes back where the mask is sure. Step 4 then removes
    every pixel whose Q_c is below ``pixel_threshold``: what the
    category's mask says is not an object of it (background the decoder
    spilled into, an object of another category touching the shared one).
    (Also removing the pixels where another category's mask is much surer,
    the softmax selector's ``pixel_ratio`` test, lost J on the validation
    part.)

    Args:
        pixel_threshold (float): Step 4's bound on Q_c. 0 removes no pixel.
            Defaults to 0.1.
        fusion_weight (float): Weight of Q_c in the foreground probability;
            0 (default) keeps the decoder's. The recipe's configs use 0.5
            with ``pixel_threshold`` 0 and ``keep_ratio`` 0, chosen on the
            seen protocol's validation part
            (``tools/experiments/selection_sweep.sh``).
        **kwargs: :class:`CategorySelector` arguments (``pixel_ratio`` must
            stay 0).
    """

    def __init__(self,
                 pixel_threshold: float = 0.1,
                 fusion_weight: float = 0.0,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        for name, value in (('pixel_threshold', pixel_threshold),
                            ('fusion_weight', fusion_weight)):
            if not 0.0 <= value <= 1.0:
                raise ValueError(f'{name} must be in [0, 1], got {value}.')
        if self.pixel_ratio > 0:
            raise ValueError(f'{type(self).__name__} removes pixels by '
                             'pixel_threshold; pixel_ratio must be 0.')
        self.pixel_threshold = pixel_threshold
        self.fusion_weight = fusion_weight

    def probabilities(self, logits: Tensor) -> Tensor:
        """Q: the sigmoid of every category's mask logits.

        Args:
            logits (Tensor): (B*N, num_classes, h, w).

        Returns:
            Tensor: Q, same shape.
        """
        return logits.sigmoid()

    def fuse(self, fg_logits: Tensor, prob: Tensor, chosen: Tensor
             ) -> Tensor:
        """Logits of ``(1 - w) * P + w * Q_c``, w the ``fusion_weight``.

        Args:
            fg_logits (Tensor): The decoder's logits (B*N, 1, h, w).
            prob (Tensor): Category mask probabilities (B*N, K, h, w).
            chosen (Tensor): The group's category of every image (B*N,).

        Returns:
            Tensor: Logits, same shape and dtype as ``fg_logits``.
        """
        if self.fusion_weight <= 0:
            return fg_logits
        q = prob[torch.arange(len(chosen), device=prob.device),
                 chosen][:, None]
        mixed = (1 - self.fusion_weight) * fg_logits.float().sigmoid() \
            + self.fusion_weight * q
        eps = 1e-6
        return torch.logit(mixed.clamp(eps, 1 - eps)).to(fg_logits.dtype)

    def _pixels_removed(self, prob: Tensor, category: int) -> Tensor:
        """Pixels that step 4 removes: ``Q_c < pixel_threshold``.

        Args:
            prob (Tensor): Category mask probabilities (K, h, w).
            category (int): The group's category.

        Returns:
            Tensor: Bool mask (h, w).
        """
        return prob[category] < self.pixel_threshold

    def loss_by_feat(self, logits: Tensor, gt: Tensor,
                     layout: GroupLayout) -> Tensor:
        """Unweighted partial-label BCE of the category masks.

        Args:
            logits (Tensor): (B*N, num_classes, H, W), at the labels' size.
            gt (Tensor): Labels (B*N, H, W): 1 foreground, 0 background,
                anything else ignored.
            layout (GroupLayout): The groups, with their co-categories.

        Returns:
            Tensor: Scalar loss.
        """
        logits = logits.float()
        own = self.image_targets(layout, logits.device).float()  # (B*N, K)
        fg = (gt == 1).float()[:, None]  # (B*N, 1, H, W)
        valid = ((gt == 0) | (gt == 1)).float()[:, None]
        # BCE(x, 0) = softplus(x) and BCE(x, 1) = softplus(x) - x: one
        # softplus over all channels serves both terms
        bce_zero = F.softplus(logits)
        bce_fg = bce_zero - logits * fg
        own_loss = _masked_mean(bce_fg, valid, own)
        other_loss = _masked_mean(bce_zero, fg, 1.0 - own)
        return (own_loss + other_loss).mean()


def _masked_mean(loss: Tensor, pixels: Tensor, channels: Tensor) -> Tensor:
    """Per image: the mean over ``channels`` of each channel's mean over
    ``pixels`` (0 where there is none).

    Args:
        loss (Tensor): Per-pixel loss (B, K, H, W).
        pixels (Tensor): 0/1 pixel weights (B, 1, H, W).
        channels (Tensor): 0/1 channel weights (B, K).

    Returns:
        Tensor: (B,).
    """
    per_channel = (loss * pixels).flatten(2).sum(2) / pixels.flatten(
        2).sum(2).clamp(min=1)  # (B, K)
    return (per_channel * channels).sum(1) / channels.sum(1).clamp(min=1)
