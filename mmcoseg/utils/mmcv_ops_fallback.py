"""A pure-PyTorch stand-in for ``mmcv.ops`` when mmcv has no compiled ops.

``mmcv-lite`` ships the Python sources of ``mmcv.ops`` but not ``mmcv._ext``,
so ``import mmcv.ops`` fails, and with it ``import mmseg.models`` (four mmseg
modules import ``mmcv.ops`` unconditionally). :func:`install_mmcv_ops_fallback`
registers a small replacement module: ``point_sample`` is implemented with
``torch.nn.functional.grid_sample`` (numerically the same as mmcv's), every
other name resolves to a stub that raises a clear error when it is used.
A full mmcv with compiled ops is used untouched.
"""
import importlib
import sys
import types
import warnings
from typing import Any, Callable

import torch
import torch.nn.functional as F

FALLBACK_MODULE_NAME = 'mmcv.ops'
_MARKER = '__mmcoseg_fallback__'


def point_sample(input: torch.Tensor,
                 points: torch.Tensor,
                 align_corners: bool = False,
                 **kwargs) -> torch.Tensor:
    """Sample ``input`` at normalised points, as ``mmcv.ops.point_sample``.

    Args:
        input (Tensor): Feature map of shape (N, C, H, W).
        points (Tensor): Points in ``[0, 1] x [0, 1]``, shape (N, P, 2) or
            (N, Hgrid, Wgrid, 2).
        align_corners (bool): Passed to ``grid_sample``. Defaults to False.
        **kwargs: Further ``grid_sample`` arguments.

    Returns:
        Tensor: Features at the points, (N, C, P) or (N, C, Hgrid, Wgrid).
    """
    add_dim = points.dim() == 3
    if add_dim:
        points = points.unsqueeze(2)
    output = F.grid_sample(
        input, points * 2.0 - 1.0, align_corners=align_corners, **kwargs)
    return output.squeeze(3) if add_dim else output


def _missing_op(name: str) -> Callable:
    """Return a stand-in that raises when the compiled op ``name`` is used."""

    def missing(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError(
            f'mmcv.ops.{name} needs the compiled mmcv ops, but the installed '
            'mmcv has none (mmcv-lite). Install a full mmcv 2.0-2.1 built '
            'with MMCV_WITH_OPS=1 (see the README, "Install"), or use a '
            'model that does not need this op.')

    missing.__name__ = name
    missing.__qualname__ = name
    return missing


def _build_fallback_module() -> types.ModuleType:
    module = types.ModuleType(
        FALLBACK_MODULE_NAME,
        'mmcoseg fallback for mmcv.ops: point_sample in pure PyTorch; '
        'other ops raise when used.')
    module.point_sample = point_sample
    setattr(module, _MARKER, True)

    def __getattr__(name: str) -> Any:
        if name.startswith('__'):
            raise AttributeError(name)
        return _missing_op(name)

    module.__getattr__ = __getattr__
    return module


def mmcv_has_compiled_ops() -> bool:
    """Whether ``mmcv.ops`` imports with its compiled extension."""
    module = sys.modules.get(FALLBACK_MODULE_NAME)
    if module is not None:
        return not getattr(module, _MARKER, False)
    try:
        importlib.import_module(FALLBACK_MODULE_NAME)
    except ImportError:
        return False
    return True


def install_mmcv_ops_fallback() -> bool:
    """Register the fallback ``mmcv.ops`` if the real one cannot be imported.

    Returns:
        bool: True when the fallback is (now or already) in use, False when
        the real compiled ``mmcv.ops`` is available and left untouched.
    """
    if mmcv_has_compiled_ops():
        return False
    import mmcv
    module = sys.modules.get(FALLBACK_MODULE_NAME)
    if module is None:
        module = _build_fallback_module()
        sys.modules[FALLBACK_MODULE_NAME] = module
    mmcv.ops = module
    # Expected with mmcv-lite, and said once in the README: not per import.
    warnings.filterwarnings(
        'ignore', message='Fail to import ``MultiScaleDeformableAttention``')
    return True
