from .mmcv_ops_fallback import (install_mmcv_ops_fallback,
                                mmcv_has_compiled_ops)

__all__ = ['install_mmcv_ops_fallback', 'mmcv_has_compiled_ops']
