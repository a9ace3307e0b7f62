from .hsp_head import HSPHead
from .modulated_fpn_decoder import ModulatedFPNDecoder
from .spatial_map_head import SpatialMapHead

__all__ = ['HSPHead', 'ModulatedFPNDecoder', 'SpatialMapHead']
