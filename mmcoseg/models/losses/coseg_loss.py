"""The SSNM training objective (paper eq. 13, 14)."""
from typing import Dict, Optional

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor

from mmcoseg.registry import MODELS

WEIGHTINGS = ('paper', 'balanced', 'none')


def weighted_bce_per_image(logits: Tensor,
                           label: Tensor,
                           weighting: str = 'paper',
                           ignore_index: int = 255) -> Tensor:
    """Class-weighted binary cross-entropy of each image (eq. 13).

    With delta^n the foreground fraction of image n (over pixels that are
    not ``ignore_index``), each pixel's BCE is weighted by

    * ``'paper'``: delta^n for foreground and 1 - delta^n for background,
      as printed in the paper (and done by the released code);
    * ``'balanced'``: 1 - delta^n for foreground and delta^n for
      background (inverse-frequency class balancing); an image without
      foreground (e.g. one its group does not share) weights its
      background 1, as it would otherwise teach nothing;
    * ``'none'``: 1 for both;

    and averaged over the valid pixels of the image.

    Args:
        logits (Tensor): Foreground logits, shape (B, 1, H, W) or (B, H, W).
        label (Tensor): Labels in {0, 1, ignore_index}, shape (B, H, W).
        weighting (str): One of ``WEIGHTINGS``.
        ignore_index (int): Label value excluded from the loss.

    Returns:
        Tensor: Loss per image, shape (B,). An image without valid pixels
        contributes 0.
    """
    if weighting not in WEIGHTINGS:
        raise ValueError(f'weighting must be one of {WEIGHTINGS}, got '
                         f'{weighting!r}.')
    logits = logits.reshape(label.shape).float()
    valid = (label != ignore_index).float()
    target = (label == 1).float() * valid
    num_valid = valid.flatten(1).sum(1).clamp_min(1)
    delta = (target.flatten(1).sum(1) / num_valid)[:, None, None]
    if weighting == 'paper':
        w_pos, w_neg = delta, 1 - delta
    elif weighting == 'balanced':
        w_pos, w_neg = 1 - delta, torch.where(delta > 0, delta, 1.0)
    else:
        w_pos = w_neg = torch.ones_like(delta)
    weight = (target * w_pos + (1 - target) * w_neg) * valid
    bce = F.binary_cross_entropy_with_logits(
        logits, target, weight=weight, reduction='none')
    return bce.flatten(1).sum(1) / num_valid


@MODELS.register_module()
class CoSegLoss(nn.Module):
    """l = w_spa * l_spa + w_sem * l_sem + w_seg * l_seg (eq. 14).

    The weighted terms are returned under separate keys (``loss_seg`` and
    the modulators' terms, ``loss_spa`` and ``loss_sem`` for SSNM) so
    MMEngine logs each one and sums them into the total ``loss``. This loss
    weights l_seg (``loss_weight``); each modulator's term is weighted by
    that modulator's own ``loss_weight`` (w_spa, w_sem), its only source.

    Args:
        weighting (str): Weighting of the segmentation BCE, see
            :func:`weighted_bce_per_image`. Defaults to 'paper'.
        loss_weight (float): w_seg. Defaults to 1.0.
        loss_name (str): Key of the segmentation term. Defaults to
            'loss_seg'.
    """

    def __init__(self,
                 weighting: str = 'paper',
                 loss_weight: float = 1.0,
                 loss_name: str = 'loss_seg') -> None:
        super().__init__()
        if weighting not in WEIGHTINGS:
            raise ValueError(f'weighting must be one of {WEIGHTINGS}, got '
                             f'{weighting!r}.')
        self.weighting = weighting
        self.loss_weight = loss_weight
        self._loss_name = loss_name

    @property
    def loss_name(self) -> str:
        """Key of the segmentation term in the loss dict."""
        return self._loss_name

    def forward(self,
                seg_logits: Tensor,
                seg_label: Tensor,
                ignore_index: int = 255,
                aux_losses: Optional[Dict[str, Tensor]] = None,
                aux_weights: Optional[Dict[str, float]] = None,
                **kwargs) -> Dict[str, Tensor]:
        """Weighted loss terms.

        Args:
            seg_logits (Tensor): Foreground logits (B, 1, H, W).
            seg_label (Tensor): Labels (B, H, W) in {0, 1, ignore_index}.
            ignore_index (int): Ignored label value. Defaults to 255.
            aux_losses (dict[str, Tensor], optional): The modulators'
                unweighted terms by name (``Modulation.losses``).
            aux_weights (dict[str, float], optional): Their modulators'
                ``loss_weight`` by name (``Modulation.loss_weights``); a
                term without one is weighted 1.
            **kwargs: Ignored (mmseg passes ``weight``).

        Returns:
            dict[str, Tensor]: The weighted terms.
        """
        seg = weighted_bce_per_image(seg_logits, seg_label, self.weighting,
                                     ignore_index).mean()
        losses = {self.loss_name: self.loss_weight * seg}
        weights = aux_weights or {}
        for name, value in (aux_losses or {}).items():
            losses[name] = weights.get(name, 1.0) * value
        return losses
