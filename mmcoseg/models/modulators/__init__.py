"""Every modulator of the decoder, their base class and what they share.

A modulator sees the backbone levels of a batch of image groups and
contributes spatial maps, channel weights and loss terms
(:class:`BaseModulator`, :class:`ModulatorOutput`); the segmentor combines
them into one :class:`Modulation` for the decoder.
"""
from .base_modulator import BaseModulator, ModulatorOutput, SpatialMapModulator
from .category_mask_selector import CategoryMaskSelector
from .category_selector import CategorySelector
from .consensus_modulator import ConsensusModulator, group_consensus
from .hsp_head import HSPHead
from .level_fusion import fuse_levels
from .modulation import Modulation
from .second_order_pooling import SecondOrderPooling
from .spatial_modulator import SpatialModulator
from .spectral import (
    border_sign,
    eigenvalue_with_grad,
    group_border_signs,
    group_eigenvalues_with_grad,
    group_top_eigenpairs,
    top_eigenpair,
)

__all__ = [
    'BaseModulator', 'CategoryMaskSelector', 'CategorySelector',
    'ConsensusModulator', 'HSPHead', 'Modulation',
    'ModulatorOutput', 'SecondOrderPooling', 'SpatialMapModulator',
    'SpatialModulator', 'border_sign', 'eigenvalue_with_grad', 'fuse_levels',
    'group_border_signs', 'group_consensus', 'group_eigenvalues_with_grad',
    'group_top_eigenpairs', 'top_eigenpair'
]
