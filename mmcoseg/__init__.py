"""mmcoseg: deep object co-segmentation for MMSegmentation."""
from .utils import install_mmcv_ops_fallback
from .version import __version__

# mmseg.models imports mmcv.ops unconditionally; mmcv-lite has no compiled
# ops, so a pure-PyTorch fallback must be in place before anything below.
install_mmcv_ops_fallback()

__all__ = ['__version__']
