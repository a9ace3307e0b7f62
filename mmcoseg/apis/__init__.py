"""Inference APIs: build a model and co-segment arbitrary images."""
from .coseg_inferencer import CoSegInferencer
from .inference import cosegment, init_model, load_image, split_into_groups

__all__ = [
    'init_model', 'cosegment', 'load_image', 'split_into_groups',
    'CoSegInferencer'
]
