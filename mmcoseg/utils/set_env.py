"""Register all of mmcoseg's components, as ``mmseg.utils`` does."""
import datetime
import warnings

from mmengine import DefaultScope

from mmcoseg.registry import SCOPE


def register_all_modules(init_default_scope: bool = True) -> None:
    """Import every mmcoseg component into the ``mmcoseg`` registries.

    The registries import their modules lazily on first use; this imports
    them all now (and MMSeg's with them), e.g. before listing a registry.

    Args:
        init_default_scope (bool): Whether to make ``mmcoseg`` the global
            default scope, so that registries build mmcoseg's components
            (and, through the parent registries, MMSeg's and MMEngine's)
            by their plain names. Defaults to True.
    """
    import mmcoseg.apis  # noqa: F401
    import mmcoseg.datasets  # noqa: F401
    import mmcoseg.engine  # noqa: F401
    import mmcoseg.evaluation  # noqa: F401
    import mmcoseg.models  # noqa: F401
    import mmcoseg.visualization  # noqa: F401

    if not init_default_scope:
        return
    current = DefaultScope.get_current_instance()
    if current is None or not DefaultScope.check_instance_created(SCOPE):
        DefaultScope.get_instance(SCOPE, scope_name=SCOPE)
        return
    if current.scope_name != SCOPE:
        warnings.warn(f'The current default scope "{current.scope_name}" is '
                      f'not "{SCOPE}"; register_all_modules makes it '
                      f'"{SCOPE}". If this is not expected, pass '
                      'init_default_scope=False.')
        DefaultScope.get_instance(f'{SCOPE}-{datetime.datetime.now()}',
                                  scope_name=SCOPE)
