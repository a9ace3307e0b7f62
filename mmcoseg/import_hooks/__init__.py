"""Import hooks that make an mmcoseg environment work whatever runs first.

``setup.py`` installs ``mmcoseg-import-hooks.pth`` into site-packages (also
for the legacy editable install of ``tools/setup_env.sh``); Python runs its
line at start-up, which calls :func:`install_import_hooks`. The hooks act
only when their module is imported, so MMSeg's own tools (which import
``mmseg.models`` and read configs before anything imports mmcoseg) find:

* ``mmcv.ops``: with mmcv-lite (no compiled ops), mmcoseg's pure-PyTorch
  stand-in (:class:`MmcvOpsFallbackFinder`), strict: only mmcv 2.x op names
  import, and of those only ``point_sample`` works, the others raise when
  used; a full mmcv is untouched;
* ``mmengine.config.utils``: ``mmcoseg`` registered for ``mmcoseg::``
  config bases (:func:`register_config_scope`).

``import mmcoseg`` calls :func:`install_import_hooks` too, for interpreters
that skip ``.pth`` files (``python -S``) or installs without it. Nothing
here may import torch, mmcv or mmengine: it runs in every interpreter of
the environment.

The environment variable :data:`DISABLE_ENV` (``MMCOSEG_NO_IMPORT_HOOKS=1``)
turns both hooks off in that process, at start-up and on ``import mmcoseg``
alike (with mmcv-lite, ``import mmseg.models`` and mmcoseg's models then
fail for lack of ``mmcv.ops``).
"""
import os
import sys

from .config_scope import register_config_scope
from .mmcv_ops_finder import (
    MmcvOpsFallbackFinder,
    is_fallback_active,
    mmcv_has_compiled_ops,
)
from .post_import_hook import PostImportHook

#: The module whose import registers the ``mmcoseg::`` config scope.
CONFIG_UTILS = 'mmengine.config.utils'
#: Environment variable that turns the hooks off (any value but '' or '0').
DISABLE_ENV = 'MMCOSEG_NO_IMPORT_HOOKS'


def hooks_disabled() -> bool:
    """Whether :data:`DISABLE_ENV` turns the import hooks off.

    Returns:
        bool: True when the variable is set to anything but '' or '0'.
    """
    return os.environ.get(DISABLE_ENV, '') not in ('', '0')


def install_import_hooks() -> None:
    """Install mmcoseg's import hooks (idempotent, cheap).

    The ``mmcv.ops`` finder goes first on ``sys.meta_path`` (before the
    path finder would find mmcv-lite's uncompiled ``ops`` sources). The
    config scope is registered at once if ``mmengine.config.utils`` is
    already imported, else right after it is. Nothing is installed when
    :func:`hooks_disabled`.
    """
    if hooks_disabled():
        return
    if not any(isinstance(f, MmcvOpsFallbackFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, MmcvOpsFallbackFinder())
    if CONFIG_UTILS in sys.modules:
        register_config_scope(sys.modules[CONFIG_UTILS])
    elif not any(isinstance(f, PostImportHook) and f.fullname == CONFIG_UTILS
                 for f in sys.meta_path):
        sys.meta_path.insert(
            0, PostImportHook(CONFIG_UTILS, register_config_scope))


__all__ = [
    'DISABLE_ENV', 'MmcvOpsFallbackFinder', 'PostImportHook',
    'hooks_disabled', 'install_import_hooks',
    'is_fallback_active', 'mmcv_has_compiled_ops', 'register_config_scope'
]
