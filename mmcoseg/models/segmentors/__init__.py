from .coseg_encoder_decoder import CoSegEncoderDecoder

__all__ = ['CoSegEncoderDecoder']
