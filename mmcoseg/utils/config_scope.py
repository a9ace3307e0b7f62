"""Make ``mmcoseg::`` config bases resolvable by mmengine."""
from mmengine.config import utils as config_utils


def register_config_scope() -> None:
    """Let ``_base_ = 'mmcoseg::path/to/config.py'`` resolve.

    mmengine only resolves ``package::`` prefixes of packages it lists in
    ``MODULE2PACKAGE``; this adds mmcoseg (its configs ship as package data
    under ``mmcoseg/.mim/configs``). It takes effect once ``mmcoseg`` is
    imported, e.g. by ``tools/train.py`` / ``tools/test.py``, before the
    config is read.
    """
    config_utils.MODULE2PACKAGE.setdefault('mmcoseg', 'mmcoseg')
