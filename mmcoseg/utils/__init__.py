from .config_scope import register_config_scope
from .mmcv_ops_fallback import install_mmcv_ops_fallback, mmcv_has_compiled_ops
from .pretrained import register_pretrained_schemes
from .safe_checkpoint import (
                              UnsafeCheckpointError,
                              install_checkpoint_guard,
                              register_safe_globals,
)

__all__ = [
    'UnsafeCheckpointError', 'install_checkpoint_guard',
    'install_mmcv_ops_fallback', 'mmcv_has_compiled_ops',
    'register_config_scope', 'register_pretrained_schemes',
    'register_safe_globals'
]
