from .hsp_head import HSPHead
from .modulated_fpn_decoder import ModulatedFPNDecoder

__all__ = ['HSPHead', 'ModulatedFPNDecoder']
