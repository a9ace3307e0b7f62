from .modulation import Modulation
from .second_order_pooling import SecondOrderPooling
from .spectral import border_sign, eigenvalue_with_grad, top_eigenpair

__all__ = [
    'Modulation', 'SecondOrderPooling', 'border_sign', 'eigenvalue_with_grad',
    'top_eigenpair'
]
