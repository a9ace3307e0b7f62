from .autocast_optim_wrapper import (
    AMP_WRAPPERS,
    AutocastOptimWrapper,
    amp_without_accelerator,
)

__all__ = ['AMP_WRAPPERS', 'AutocastOptimWrapper', 'amp_without_accelerator']
