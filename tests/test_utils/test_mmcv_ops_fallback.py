"""The pure-PyTorch ``mmcv.ops`` that mmcoseg's import hook serves when
mmcv has no compiled ops (mmcv-lite, the default install)."""
import importlib
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import mmseg.models  # noqa: F401  (imports mmcv.ops)
import pytest
import torch
import torch.nn.functional as F

from mmcoseg.import_hooks import (
    install_import_hooks,
    is_fallback_active,
    mmcv_has_compiled_ops,
)
from mmcoseg.import_hooks.mmcv_ops_fallback import point_sample

FALLBACK_ACTIVE = is_fallback_active()
needs_fallback = pytest.mark.skipif(
    not FALLBACK_ACTIVE, reason='a compiled mmcv.ops is installed')


def _mmcv_point_sample_module() -> ModuleType:
    """Load mmcv's own ``ops/point_sample.py`` (pure torch) standalone.

    ``import mmcv.ops.point_sample`` would import the compiled package
    ``mmcv.ops``; the file itself only needs torch, so it is loaded from its
    path under a private name.
    """
    mmcv_dir = Path(importlib.util.find_spec('mmcv').origin).parent
    path = mmcv_dir / 'ops' / 'point_sample.py'
    if not path.is_file():
        pytest.skip('mmcv ships no ops/point_sample.py')
    spec = importlib.util.spec_from_file_location('_mmcv_point_sample', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _reference(feats: torch.Tensor, points: torch.Tensor,
               align_corners: bool) -> torch.Tensor:
    """``point_sample`` written out with ``F.grid_sample``."""
    grid = points if points.dim() == 4 else points[:, :, None, :]
    out = F.grid_sample(
        feats, 2 * grid - 1, mode='bilinear', padding_mode='zeros',
        align_corners=align_corners)
    return out if points.dim() == 4 else out[..., 0]


def _random_points(shape: tuple, gen: torch.Generator) -> torch.Tensor:
    """Points in [0, 1]^2 including the borders."""
    points = torch.rand(*shape, 2, generator=gen, dtype=torch.float64)
    points.view(-1, 2)[:4] = torch.tensor([[0., 0.], [1., 1.], [0., 1.],
                                           [1., 0.]], dtype=torch.float64)
    return points


@needs_fallback
def test_install_is_idempotent() -> None:
    module = sys.modules['mmcv.ops']
    finders = list(sys.meta_path)
    install_import_hooks()
    install_import_hooks()
    assert sys.meta_path == finders
    assert sys.modules['mmcv.ops'] is module
    import mmcv
    assert mmcv.ops is module
    assert not mmcv_has_compiled_ops()


def test_mmseg_models_import() -> None:
    models = importlib.import_module('mmseg.models')
    assert hasattr(models, 'EncoderDecoder')
    from mmcv.ops import point_sample as imported
    if FALLBACK_ACTIVE:
        assert imported is point_sample


@pytest.mark.parametrize('align_corners', [False, True])
@pytest.mark.parametrize('point_shape', [(2, 7), (2, 3, 5)],
                         ids=['3d', '4d'])
def test_point_sample_matches_grid_sample(point_shape: tuple,
                                          align_corners: bool) -> None:
    gen = torch.Generator().manual_seed(0)
    feats = torch.randn(2, 3, 6, 9, generator=gen, dtype=torch.float64)
    points = _random_points(point_shape, gen)
    out = point_sample(feats, points, align_corners=align_corners)
    expected_shape = (2, 3) + point_shape[1:]
    assert out.shape == expected_shape
    torch.testing.assert_close(
        out, _reference(feats, points, align_corners), rtol=0, atol=0)


@pytest.mark.parametrize('align_corners', [False, True])
@pytest.mark.parametrize('point_shape', [(1, 11), (1, 4, 3)],
                         ids=['3d', '4d'])
def test_point_sample_matches_mmcv(point_shape: tuple,
                                   align_corners: bool) -> None:
    """Same result as mmcv's point_sample and its pure-python bilinear."""
    mmcv_ps = _mmcv_point_sample_module()
    gen = torch.Generator().manual_seed(1)
    feats = torch.randn(1, 4, 5, 7, generator=gen, dtype=torch.float64)
    points = _random_points(point_shape, gen)
    out = point_sample(feats, points, align_corners=align_corners)
    torch.testing.assert_close(
        out, mmcv_ps.point_sample(feats, points, align_corners=align_corners))
    grid = points if points.dim() == 4 else points[:, :, None, :]
    manual = mmcv_ps.bilinear_grid_sample(
        feats, 2 * grid - 1, align_corners=align_corners)
    if points.dim() == 3:
        manual = manual[..., 0]
    torch.testing.assert_close(out, manual)


@needs_fallback
def test_real_op_imports_but_raises_when_called() -> None:
    from mmcv.ops import sigmoid_focal_loss
    assert callable(sigmoid_focal_loss)
    with pytest.raises(RuntimeError, match='sigmoid_focal_loss'):
        sigmoid_focal_loss(torch.zeros(1), torch.zeros(1))


@needs_fallback
def test_dunder_lookups_are_not_stubbed() -> None:
    module = sys.modules['mmcv.ops']
    with pytest.raises(AttributeError):
        module.__wrapped__  # noqa: B018
