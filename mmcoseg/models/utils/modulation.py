"""The container passed from the modulators to the decoder."""
from dataclasses import dataclass
from typing import Optional

from torch import Tensor


@dataclass
class Modulation:
    """Outputs of the spatial and semantic modulators for a flat batch.

    Attributes:
        spatial (Tensor, optional): Spatial maps S, shape (B*N, 1, h, w);
            None without f_spa.
        gamma (Tensor, optional): Channel weights per image (the group's
            gamma repeated), shape (B*N, C); None without f_sem.
        loss_spa (Tensor, optional): Unweighted l_spa (eq. 10).
        loss_sem (Tensor, optional): Unweighted l_sem (eq. 12).
        seg_label (Tensor, optional): The batch's labels (B*N, H, W), when
            the segmentor has stacked them already (training).
    """
    spatial: Optional[Tensor] = None
    gamma: Optional[Tensor] = None
    loss_spa: Optional[Tensor] = None
    loss_sem: Optional[Tensor] = None
    seg_label: Optional[Tensor] = None
