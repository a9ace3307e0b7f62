from .coseg_encoder_decoder import CoSegEncoderDecoder
from .coseg_tta_model import CoSegTTAModel

__all__ = ['CoSegEncoderDecoder', 'CoSegTTAModel']
