from .base_modulator import (
    BaseModulator,
    ModulatorOutput,
    SpatialMapModulator,
)
from .level_fusion import fuse_levels
from .modulation import Modulation
from .second_order_pooling import SecondOrderPooling
from .spectral import (
    border_sign,
    eigenvalue_with_grad,
    group_border_signs,
    group_eigenvalues_with_grad,
    group_top_eigenpairs,
    top_eigenpair,
)

__all__ = [
    'BaseModulator', 'Modulation', 'ModulatorOutput', 'SecondOrderPooling',
    'border_sign', 'eigenvalue_with_grad', 'fuse_levels',
    'group_border_signs', 'group_eigenvalues_with_grad',
    'group_top_eigenpairs', 'top_eigenpair', 'SpatialMapModulator'
]
