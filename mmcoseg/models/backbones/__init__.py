from .frozen_backbone import FrozenBackbone

__all__ = ['FrozenBackbone']
