from .autocast_optim_wrapper import (
    AutocastOptimWrapper,
    amp_without_accelerator,
)

__all__ = ['AutocastOptimWrapper', 'amp_without_accelerator']
