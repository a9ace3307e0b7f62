"""A pure-PyTorch stand-in for ``mmcv.ops`` when mmcv has no compiled ops.

``mmcv-lite`` ships the Python sources of ``mmcv.ops`` but not ``mmcv._ext``,
so ``import mmcv.ops`` fails, and with it ``import mmseg.models`` (four mmseg
modules import ``mmcv.ops`` unconditionally). When that is the case,
:class:`~mmcoseg.import_hooks.MmcvOpsFallbackFinder` serves ``mmcv.ops``
from :func:`fill_fallback_module`, strictly:

* ``point_sample`` is implemented with ``torch.nn.functional.grid_sample``
  (numerically the same as mmcv's);
* every other name of mmcv 2.x's ``mmcv.ops``
  (:data:`~mmcoseg.import_hooks.mmcv_ops_names.MMCV_OPS_NAMES`) imports as
  a stand-in that raises a RuntimeError naming the op when it is used
  (called or instantiated); ``isinstance`` against a stand-in class is
  simply False;
* any other name is missing: ``from mmcv.ops import X`` raises ImportError,
  as with a real mmcv.

A full mmcv with compiled ops is used untouched. Only the finder imports
this module (it needs torch), when ``mmcv.ops`` is imported without
compiled ops.
"""
import types
import warnings
from typing import Any

import torch
import torch.nn.functional as F

from .mmcv_ops_finder import FALLBACK_MARKER
from .mmcv_ops_names import MMCV_OPS_NAMES


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


#: The ops implemented here; the other names of ``MMCV_OPS_NAMES`` are stubs.
IMPLEMENTED = {'point_sample': point_sample}


def _missing_message(name: str) -> str:
    """The error raised when the unimplemented op ``name`` is used.

    Args:
        name (str): The op's name in ``mmcv.ops``.

    Returns:
        str: The message, naming the op and what to install.
    """
    return (f'mmcv.ops.{name} needs the compiled mmcv ops, but the installed '
            'mmcv has none (mmcv-lite; mmcoseg serves a pure-PyTorch '
            'mmcv.ops with point_sample only). Install a full mmcv 2.0-2.1 '
            'built with MMCV_WITH_OPS=1 (see the README, "Install"), or use '
            'a model that does not need this op.')


def _missing_op(name: str) -> Any:
    """A stand-in for the compiled op ``name`` that raises when used.

    Class names (capitalised, e.g. ``DeformConv2d``) get a class whose
    instantiation raises, so that ``isinstance`` checks and subclass
    definitions keep working; functions get a function that raises.

    Args:
        name (str): The op's name in ``mmcv.ops``.

    Returns:
        type | Callable: The stand-in.
    """
    if name[0].isupper():

        def __new__(cls: type, *args: Any, **kwargs: Any) -> Any:
            raise RuntimeError(_missing_message(name))

        return type(name, (), {
            '__new__': __new__,
            '__module__': __name__,
            '__doc__': f'Stand-in for mmcv.ops.{name} (not implemented).',
        })

    def missing(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError(_missing_message(name))

    missing.__name__ = name
    missing.__qualname__ = name
    return missing


def fill_fallback_module(module: types.ModuleType) -> None:
    """Make ``module`` (being imported as ``mmcv.ops``) the fallback.

    Args:
        module (ModuleType): The new, empty ``mmcv.ops`` module.
    """
    module.__doc__ = ('mmcoseg fallback for mmcv.ops: point_sample in pure '
                      'PyTorch; the other mmcv 2.x ops raise when used.')
    for name in MMCV_OPS_NAMES:
        setattr(module, name, IMPLEMENTED.get(name) or _missing_op(name))
    module.__all__ = sorted(MMCV_OPS_NAMES)
    setattr(module, FALLBACK_MARKER, True)
    # mmcv.cnn warns that it cannot import MultiScaleDeformableAttention
    # from mmcv.ops: expected without compiled ops, and said in the README.
    warnings.filterwarnings(
        'ignore', message='Fail to import ``MultiScaleDeformableAttention``')
