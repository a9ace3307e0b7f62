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
    MMEngine logs each one and sums them into the total ``loss``. A
    modulator's term is weighted by the modulator's own ``loss_weight``
    when it sets one, else by :meth:`term_weight`.

    Args:
        weighting (str): Weighting of the segmentation BCE, see
            :func:`weighted_bce_per_image`. Defaults to 'paper'.
        loss_weight (float): w_seg. Defaults to 1.0.
        spa_weight (float): w_spa. Defaults to 1.0.
        sem_weight (float): w_sem. Defaults to 1.0.
        loss_name (str): Key of the segmentation term. Defaults to
            'loss_seg'.
    """

    def __init__(self,
                 weighting: str = 'paper',
                 loss_weight: float = 1.0,
                 spa_weight: float = 1.0,
                 sem_weight: float = 1.0,
                 loss_name: str = 'loss_seg') -> None:
        super().__init__()
        if weighting not in WEIGHTINGS:
            raise ValueError(f'weighting must be one of {WEIGHTINGS}, got '
                             f'{weighting!r}.')
        self.weighting = weighting
        self.loss_weight = loss_weight
        self.spa_weight = spa_weight
        self.sem_weight = sem_weight
        self._loss_name = loss_name

    @property
    def loss_name(self) -> str:
        """Key of the segmentation term in the loss dict."""
        return self._loss_name

    def term_weight(self, name: str) -> float:
        """The weight of a modulator's term that sets none itself.

        Args:
            name (str): The term's key.

        Returns:
            float: w_spa for ``'loss_spa'``, w_sem for ``'loss_sem'``,
            else 1.
        """
        return dict(loss_spa=self.spa_weight,
                    loss_sem=self.sem_weight).get(name, 1.0)

    def forward(self,
                seg_logits: Tensor,
                seg_label: Tensor,
                ignore_index: int = 255,
                loss_spa: Optional[Tensor] = None,
                loss_sem: Optional[Tensor] = None,
                aux_losses: Optional[Dict[str, Tensor]] = None,
                aux_weights: Optional[Dict[str, Optional[float]]] = None,
                **kwargs) -> Dict[str, Tensor]:
        """Weighted loss terms.

        Args:
            seg_logits (Tensor): Foreground logits (B, 1, H, W).
            seg_label (Tensor): Labels (B, H, W) in {0, 1, ignore_index}.
            ignore_index (int): Ignored label value. Defaults to 255.
            loss_spa (Tensor, optional): Unweighted l_spa; omitted if None.
            loss_sem (Tensor, optional): Unweighted l_sem; omitted if None.
            aux_losses (dict[str, Tensor], optional): The modulators'
                unweighted terms by name (``Modulation.losses``).
            aux_weights (dict[str, float | None], optional): Their
                modulators' weights (None or missing: :meth:`term_weight`).
            **kwargs: Ignored (mmseg passes ``weight``).

        Returns:
            dict[str, Tensor]: The weighted terms.
        """
        seg = weighted_bce_per_image(seg_logits, seg_label, self.weighting,
                                     ignore_index).mean()
        losses = {self.loss_name: self.loss_weight * seg}
        terms = dict(loss_spa=loss_spa, loss_sem=loss_sem)
        terms.update(aux_losses or {})
        for name, value in terms.items():
            if value is None:
                continue
            weight = (aux_weights or {}).get(name)
            losses[name] = (self.term_weight(name)
                            if weight is None else weight) * value
        return losses
