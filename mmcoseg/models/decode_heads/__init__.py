from .modulated_fpn_decoder import ModulatedFPNDecoder
from .spatial_map_head import SpatialMapHead

__all__ = ['ModulatedFPNDecoder', 'SpatialMapHead']
