"""Run a function right after a given module has been imported."""
import importlib.machinery
import sys
import types
from typing import Any, Callable, Optional, Sequence


class PostImportHook:
    """Import hook calling ``callback(module)`` once ``fullname`` is loaded.

    Placed on ``sys.meta_path``, it finds ``fullname`` through the other
    finders and loads it with their loader, then calls ``callback`` with
    the executed module, before the importer gets it back. Every other
    import passes through untouched. If the module is already imported,
    install nothing and call ``callback`` directly instead (see
    :func:`~mmcoseg.import_hooks.install_import_hooks`).

    Args:
        fullname (str): Dotted module name, e.g. 'mmengine.config.utils'.
        callback (Callable): Called with the module after it executed.
    """

    def __init__(self, fullname: str,
                 callback: Callable[[types.ModuleType], None]) -> None:
        self.fullname = fullname
        self.callback = callback
        self._loader: Optional[Any] = None

    def find_spec(self,
                  fullname: str,
                  path: Optional[Sequence[str]] = None,
                  target: Optional[types.ModuleType] = None
                  ) -> Optional[importlib.machinery.ModuleSpec]:
        """Find ``fullname`` with the other finders; load it through here.

        Args:
            fullname (str): The module being imported.
            path (Sequence[str], optional): The parent package's path.
            target (ModuleType, optional): Module being reloaded.

        Returns:
            ModuleSpec | None: The real spec with this hook as its loader,
            or None for any other module.
        """
        if fullname != self.fullname:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, 'find_spec'):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None and spec.loader is not None:
                self._loader = spec.loader
                spec.loader = self
                return spec
        return None

    def create_module(self, spec: importlib.machinery.ModuleSpec
                      ) -> Optional[types.ModuleType]:
        """Create the module as its own loader would.

        Args:
            spec (ModuleSpec): The spec from :meth:`find_spec`.

        Returns:
            ModuleType | None: What the real loader returns.
        """
        return self._loader.create_module(spec)

    def exec_module(self, module: types.ModuleType) -> None:
        """Execute the module with its own loader, then call the callback.

        Args:
            module (ModuleType): The module being imported.
        """
        self._loader.exec_module(module)
        self.callback(module)
