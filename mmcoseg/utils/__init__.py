from .config_scope import register_config_scope
from .mmcv_ops_fallback import install_mmcv_ops_fallback, mmcv_has_compiled_ops
from .pretrained import register_pretrained_schemes
from .safe_checkpoint import register_safe_globals

__all__ = [
    'install_mmcv_ops_fallback', 'mmcv_has_compiled_ops',
    'register_config_scope', 'register_pretrained_schemes',
    'register_safe_globals'
]
