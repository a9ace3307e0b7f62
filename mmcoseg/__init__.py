"""mmcoseg: deep object co-segmentation for MMSegmentation.

A downstream OpenMMLab codebase: its components live in the ``mmcoseg``
registry scope (:mod:`mmcoseg.registry`, children of MMSeg's registries) and
are imported the first time a registry is asked for one, so importing the
package does no more than install its import hooks
(:mod:`mmcoseg.import_hooks`). ``mmcoseg.utils.register_all_modules()``
imports every component at once, as in MMSeg.
"""
from .import_hooks import install_import_hooks
from .version import __version__

install_import_hooks()

__all__ = ['__version__']
