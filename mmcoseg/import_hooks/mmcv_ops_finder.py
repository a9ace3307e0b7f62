"""Serve the pure-PyTorch ``mmcv.ops`` when mmcv has no compiled ops."""
import importlib.machinery
import importlib.util
import sys
import types
from typing import Optional, Sequence

#: Attribute set (to True) on the fallback module.
FALLBACK_MARKER = '__mmcoseg_fallback__'


def mmcv_has_compiled_ops(package: str = 'mmcv') -> bool:
    """Whether ``package`` ships its compiled extension ``<package>._ext``.

    Looks for the extension without importing it (a full mmcv whose
    extension fails to load counts as compiled: its own error then shows).

    Args:
        package (str): The mmcv package name. Defaults to 'mmcv'.

    Returns:
        bool: True for a full mmcv, False for mmcv-lite (or no mmcv).
    """
    try:
        return importlib.util.find_spec(f'{package}._ext') is not None
    except ModuleNotFoundError:  # no mmcv at all
        return False


class MmcvOpsFallbackFinder:
    """Import hook: ``mmcv.ops`` from mmcoseg when mmcv has no compiled ops.

    Placed first on ``sys.meta_path`` (by
    :func:`~mmcoseg.import_hooks.install_import_hooks`), it answers only for
    ``<package>.ops``, and only when ``<package>._ext`` does not exist
    (mmcv-lite). The module it then creates is filled by
    :func:`~mmcoseg.import_hooks.mmcv_ops_fallback.fill_fallback_module`.
    With a full mmcv it returns None and the real ``mmcv.ops`` is imported
    as usual.

    Args:
        package (str): The mmcv package name. Defaults to 'mmcv'.
    """

    def __init__(self, package: str = 'mmcv') -> None:
        self.package = package

    def find_spec(self,
                  fullname: str,
                  path: Optional[Sequence[str]] = None,
                  target: Optional[types.ModuleType] = None
                  ) -> Optional[importlib.machinery.ModuleSpec]:
        """Return the fallback's spec for ``<package>.ops`` without ops.

        Args:
            fullname (str): The module being imported.
            path (Sequence[str], optional): The parent package's path.
            target (ModuleType, optional): Module being reloaded.

        Returns:
            ModuleSpec | None: The fallback's spec, or None to let the
            other finders import the module.
        """
        if fullname != f'{self.package}.ops' or \
                mmcv_has_compiled_ops(self.package):
            return None
        return importlib.machinery.ModuleSpec(
            fullname, self, origin='mmcoseg.import_hooks.mmcv_ops_fallback')

    def create_module(self, spec: importlib.machinery.ModuleSpec
                      ) -> Optional[types.ModuleType]:
        """Use the default module creation.

        Args:
            spec (ModuleSpec): The spec from :meth:`find_spec`.

        Returns:
            None: Python creates a plain module.
        """
        return None

    def exec_module(self, module: types.ModuleType) -> None:
        """Fill the new module with the pure-PyTorch ops.

        Args:
            module (ModuleType): The module being imported.
        """
        from .mmcv_ops_fallback import fill_fallback_module
        fill_fallback_module(module)


def is_fallback_active(package: str = 'mmcv') -> bool:
    """Whether ``<package>.ops`` has been imported as the fallback.

    Args:
        package (str): The mmcv package name. Defaults to 'mmcv'.

    Returns:
        bool: True when the imported ``<package>.ops`` is mmcoseg's.
    """
    return bool(getattr(sys.modules.get(f'{package}.ops'), FALLBACK_MARKER,
                        False))
