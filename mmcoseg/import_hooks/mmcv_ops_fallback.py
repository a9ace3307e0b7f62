"""A pure-PyTorch stand-in for ``mmcv.ops`` when mmcv has no compiled ops.

``mmcv-lite`` ships the Python sources of ``mmcv.ops`` but not ``mmcv._ext``,
so ``import mmcv.ops`` fails, and with it ``import mmseg.models`` (four mmseg
modules import ``mmcv.ops`` unconditionally). When that is the case,
:class:`~mmcoseg.import_hooks.MmcvOpsFallbackFinder` serves ``mmcv.ops``
from :func:`fill_fallback_module`: ``point_sample`` is implemented with
``torch.nn.functional.grid_sample`` (numerically the same as mmcv's), every
other name resolves to a stub that raises a clear error when it is used.
A full mmcv with compiled ops is used untouched.

Only the finder imports this module (it needs torch), when ``mmcv.ops`` is
imported without compiled ops.
"""
import types
import warnings
from typing import Any, Callable

import torch
import torch.nn.functional as F

from .mmcv_ops_finder import FALLBACK_MARKER


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


def _module_getattr(name: str) -> Any:
    """Module ``__getattr__``: any op that is not implemented is a stub."""
    if name.startswith('__'):
        raise AttributeError(name)
    return _missing_op(name)


def fill_fallback_module(module: types.ModuleType) -> None:
    """Make ``module`` (being imported as ``mmcv.ops``) the fallback.

    Args:
        module (ModuleType): The new, empty ``mmcv.ops`` module.
    """
    module.__doc__ = ('mmcoseg fallback for mmcv.ops: point_sample in pure '
                      'PyTorch; other ops raise when used.')
    module.point_sample = point_sample
    module.__getattr__ = _module_getattr
    setattr(module, FALLBACK_MARKER, True)
    # mmcv.cnn warns that it cannot import MultiScaleDeformableAttention
    # from mmcv.ops: expected without compiled ops, and said in the README.
    warnings.filterwarnings(
        'ignore', message='Fail to import ``MultiScaleDeformableAttention``')
