from .backbones import FrozenBackbone
from .data_preprocessor import CoSegDataPreProcessor
from .decode_heads import ModulatedFPNDecoder, SpatialMapHead
from .group_augments import GroupExchange
from .losses import CoSegLoss
from .modulators import (
    BaseModulator,
    CategoryMaskSelector,
    CategorySelector,
    ConsensusModulator,
    HSPHead,
    Modulation,
    ModulatorOutput,
    SpatialMapModulator,
    SpatialModulator,
)
from .segmentors import CoSegEncoderDecoder, CoSegTTAModel

__all__ = [
    'BaseModulator', 'CategoryMaskSelector', 'CategorySelector',
    'CoSegDataPreProcessor', 'CoSegEncoderDecoder',
    'CoSegLoss', 'CoSegTTAModel', 'ConsensusModulator', 'FrozenBackbone',
    'GroupExchange', 'HSPHead', 'ModulatedFPNDecoder', 'Modulation',
    'ModulatorOutput', 'SpatialMapHead', 'SpatialMapModulator',
    'SpatialModulator'
]
