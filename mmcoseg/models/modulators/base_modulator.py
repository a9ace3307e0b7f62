"""The modulator seam: what a modulator takes and what it contributes."""
from abc import abstractmethod
from dataclasses import dataclass, field
from typing import Dict, Optional, Sequence

from mmengine.model import BaseModule
from torch import Tensor

from ...structures import GroupLayout


@dataclass
class ModulatorOutput:
    """What one modulator contributes for a flat batch of B*N images.

    Attributes:
        spatial (Tensor, optional): A spatial map per image, shape
            (B*N, 1, h, w), fused into every decoder level as the decoder's
            ``spatial_fusion`` says (eq. 5: added).
        gamma (Tensor, optional): Channel weights per image, shape
            (B*N, C) with C the decoder's channels (eq. 5: multiplied).
        losses (dict[str, Tensor]): The modulator's own loss terms,
            unweighted, by name (empty at test time).
    """
    spatial: Optional[Tensor] = None
    gamma: Optional[Tensor] = None
    losses: Dict[str, Tensor] = field(default_factory=dict)


class BaseModulator(BaseModule):
    """Base class of the modules that modulate the decoder with the group.

    A modulator sees the backbone levels of all B*N images and the
    :class:`~mmcoseg.structures.GroupLayout` of the batch (which images
    form a group), and contributes a spatial map, channel weights, or both
    (:class:`ModulatorOutput`), plus its own loss terms; at test time it may
    also edit the decoded logits (:meth:`refine_logits`, e.g.
    :class:`CategorySelector`). The segmentor runs
    its modulators in order and combines their contributions
    (:class:`~mmcoseg.models.modulators.Modulation`); the decoder loss
    weights each term by its modulator's ``loss_weight``. A new modulator
    subclasses this, registers in ``MODELS`` and is listed in the
    segmentor's ``modulators`` in a config; nothing else changes.

    Args:
        loss_name (str): Key of the modulator's loss term in the loss dict
            (logged by MMEngine; must start with ``loss`` to count).
        loss_weight (float): Weight of that term in the total loss (the
            only place it is set; the decoder loss applies it).
            Defaults to 1.0.
        init_cfg (dict, optional): Initialisation config.
    """

    def __init__(self,
                 loss_name: str,
                 loss_weight: float = 1.0,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.loss_name = loss_name
        self.loss_weight = loss_weight

    @abstractmethod
    def modulate(self,
                 feats: Sequence[Tensor],
                 layout: GroupLayout,
                 gt: Optional[Tensor] = None,
                 with_loss: bool = False) -> ModulatorOutput:
        """The modulator's contribution to a batch.

        Args:
            feats (Sequence[Tensor]): Backbone levels for all B*N images.
            layout (GroupLayout): The groups of the batch.
            gt (Tensor, optional): Labels (B*N, H, W), in training only.
            with_loss (bool): Also compute the loss terms.

        Returns:
            ModulatorOutput: The contribution and, with ``with_loss``, the
            unweighted loss terms under ``loss_name``.
        """

    def refine_logits(self, fg_logits: Tensor, feats: Sequence[Tensor],
                      layout: GroupLayout) -> Tensor:
        """Edit the decoder's foreground logits at test time (after
        decoding); unchanged by default.

        Args:
            fg_logits (Tensor): Foreground logits (B*N, 1, h, w).
            feats (Sequence[Tensor]): Backbone levels for all B*N images.
            layout (GroupLayout): The groups of the batch.

        Returns:
            Tensor: The logits, same shape.
        """
        return fg_logits


class SpatialMapModulator(BaseModulator):
    """A modulator whose ``forward(feats, layout, gt)`` returns
    ``(S, loss)``: S for the decoder and its loss term (None when there is
    none, e.g. a supervised term without labels). The f_spa modulators
    (:class:`SpatialModulator`, :class:`ConsensusModulator`) are.
    """

    def modulate(self,
                 feats: Sequence[Tensor],
                 layout: GroupLayout,
                 gt: Optional[Tensor] = None,
                 with_loss: bool = False) -> ModulatorOutput:
        """S for the decoder and, in training, the loss term.

        Args:
            feats (Sequence[Tensor]): Backbone levels for all B*N images.
            layout (GroupLayout): The groups of the batch.
            gt (Tensor, optional): Labels (B*N, H, W), in training.
            with_loss (bool): Also return the loss term.

        Returns:
            ModulatorOutput: ``spatial`` = S and, with ``with_loss``, the
            loss under ``loss_name`` (when there is one).
        """
        maps, loss = self(feats, layout, gt if with_loss else None)
        losses = {self.loss_name: loss} if with_loss and loss is not None \
            else {}
        return ModulatorOutput(spatial=maps, losses=losses)
