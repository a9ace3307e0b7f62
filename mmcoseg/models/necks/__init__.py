from .spatial_modulator import SpatialModulator

__all__ = ['SpatialModulator']
