from .backbones import FrozenBackbone
from .data_preprocessor import CoSegDataPreProcessor
from .decode_heads import HSPHead, ModulatedFPNDecoder
from .group_augments import GroupExchange
from .losses import CoSegLoss
from .necks import ConsensusModulator, SpatialModulator
from .segmentors import CoSegEncoderDecoder, CoSegTTAModel

__all__ = [
    'CoSegDataPreProcessor', 'CoSegEncoderDecoder', 'CoSegLoss',
    'CoSegTTAModel',
    'ConsensusModulator', 'FrozenBackbone', 'GroupExchange', 'HSPHead',
    'ModulatedFPNDecoder', 'SpatialModulator'
]
