"""Make ``mmcoseg::`` config bases resolvable by mmengine.

This is one of the two places where mmcoseg changes a value inside
mmengine (the other is the URL loader in ``mmcoseg/utils/safe_checkpoint.py``),
and why: mmengine 0.10.7 resolves a ``_base_ = 'pkg::path.py'`` only for
packages listed in its hard-coded dict
``mmengine.config.utils.MODULE2PACKAGE`` (an assertion in
``_get_package_and_cfg_path``), and offers no registration API. Adding
``'mmcoseg'`` to that dict is the only way for ``mmcoseg::`` to resolve.
Adding the key changes nothing for other packages.
"""
import types

#: The package name of ``mmcoseg::`` bases (module name = pip name).
PACKAGE = 'mmcoseg'


def register_config_scope(config_utils: types.ModuleType) -> None:
    """Let ``_base_ = 'mmcoseg::path/to/config.py'`` resolve.

    Called with ``mmengine.config.utils`` as soon as it is imported (the
    post-import hook that :func:`~mmcoseg.import_hooks.install_import_hooks`
    installs when Python starts), so ``Config.fromfile`` reads configs that
    inherit ``mmcoseg::`` bases without anything importing mmcoseg first.
    mmengine then reads them from the installed package
    (``mmcoseg/.mim/configs``). Idempotent; a future mmengine without the
    dict is left alone (the config tests then fail, naming the cause).

    Args:
        config_utils (ModuleType): The ``mmengine.config.utils`` module.
    """
    table = getattr(config_utils, 'MODULE2PACKAGE', None)
    if isinstance(table, dict):
        table.setdefault(PACKAGE, PACKAGE)
