from .pretrained import load_pypi_checkpoint
from .safe_checkpoint import UnsafeCheckpointError, register_safe_globals
from .set_env import register_all_modules

__all__ = [
    'UnsafeCheckpointError', 'load_pypi_checkpoint', 'register_all_modules',
    'register_safe_globals'
]
