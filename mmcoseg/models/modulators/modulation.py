"""The container passed from the modulators to the decoder."""
from dataclasses import dataclass, field
from typing import Dict, Optional

from mmseg.models.utils import resize
from torch import Tensor

from .base_modulator import ModulatorOutput


@dataclass
class Modulation:
    """The modulators' combined contributions for a flat batch.

    Attributes:
        spatial (Tensor, optional): Spatial maps S, shape (B*N, 1, h, w);
            None without a spatial contribution (e.g. without f_spa).
        gamma (Tensor, optional): Channel weights per image (the group's
            gamma repeated), shape (B*N, C); None without f_sem.
        losses (dict[str, Tensor]): The modulators' unweighted loss terms
            by name (``loss_spa``: l_spa, eq. 10; ``loss_sem``: l_sem,
            eq. 12).
        loss_weights (dict[str, float]): Each term's weight, its
            modulator's ``loss_weight``.
        seg_label (Tensor, optional): The batch's labels (B*N, H, W), when
            the segmentor has stacked them already (training).
    """
    spatial: Optional[Tensor] = None
    gamma: Optional[Tensor] = None
    losses: Dict[str, Tensor] = field(default_factory=dict)
    loss_weights: Dict[str, float] = field(default_factory=dict)
    seg_label: Optional[Tensor] = None

    def add(self,
            out: ModulatorOutput,
            loss_weight: float = 1.0) -> None:
        """Combine one modulator's contribution with the others'.

        Spatial maps add up (resized to the first map's size), channel
        weights multiply; with one modulator of each kind (SSNM) this is
        exactly eq. 5.

        Args:
            out (ModulatorOutput): The contribution.
            loss_weight (float): Its modulator's loss weight.

        Raises:
            ValueError: Two modulators name a loss term alike.
        """
        if out.spatial is not None:
            if self.spatial is None:
                self.spatial = out.spatial
            else:
                spatial = out.spatial
                if spatial.shape[2:] != self.spatial.shape[2:]:
                    spatial = resize(
                        spatial, size=self.spatial.shape[2:],
                        mode='bilinear', align_corners=False)
                self.spatial = self.spatial + spatial
        if out.gamma is not None:
            self.gamma = (out.gamma if self.gamma is None else
                          self.gamma * out.gamma)
        for name, value in out.losses.items():
            if name in self.losses:
                raise ValueError(
                    f'Two modulators return a loss term named {name!r}; '
                    'give them distinct loss_name values.')
            self.losses[name] = value
            self.loss_weights[name] = loss_weight
