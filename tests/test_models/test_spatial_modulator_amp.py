"""The spatial modulator under automatic mixed precision (CPU bfloat16).

Under ``torch.autocast`` the 1x1 conv theta_spa runs in bfloat16, but the
eigen-solve must stay in float64 (``solve_dtype``) or float32 and the
differentiable lambda_max in float32, so S stays finite and close to the
float32 result and l_spa keeps an exact, finite gradient.
"""
import pytest
import torch

import mmcoseg  # noqa: F401
from mmcoseg.models.modulators import SpatialModulator
from mmcoseg.models.modulators.spectral import top_eigenpair

IN_CHANNELS = [8, 16, 32, 64]


def _feats(n=5, size=32, seed=0):
    gen = torch.Generator().manual_seed(seed)
    feats = []
    for i, c in enumerate(IN_CHANNELS):
        s = size // 2**i
        feats.append(torch.randn(n, c, s, s, generator=gen))
    # A shared "object" in the centre of every image, so that G has a
    # clear leading direction (as for real features).
    feats[0][:, :4, 10:22, 10:22] += 3.0
    return feats


@pytest.mark.parametrize('solve_dtype', ['float64', 'float32'])
def test_bf16_autocast_keeps_solve_in_full_precision(solve_dtype):
    torch.manual_seed(0)
    module = SpatialModulator(
        IN_CHANNELS, channels=32, target_stride=4, solve_dtype=solve_dtype)
    feats = _feats()
    maps32, loss32 = module(feats, [5])

    with torch.autocast('cpu', dtype=torch.bfloat16):
        phi = module.descriptors(feats)
        maps16, loss16 = module(feats, [5])
    # The conv really runs in bfloat16 under autocast...
    assert phi.dtype == torch.bfloat16
    # ...but l_spa comes from a float32 evaluation of lambda_max.
    assert loss16.dtype == torch.float32
    assert torch.isfinite(loss16)
    assert torch.isfinite(maps16).all()
    assert maps16.shape == maps32.shape == (5, 1, 32, 32)

    # S is the same map up to the bfloat16 rounding of the descriptors:
    # the same sign (border rule) and nearly the same values.
    a, b = maps32.flatten().float(), maps16.flatten().float()
    cos = torch.dot(a, b) / (a.norm() * b.norm())
    assert cos > 0.99
    assert (a - b).abs().max() < 0.1 * a.abs().max()
    assert loss16.item() == pytest.approx(loss32.item(), rel=2e-2)


def test_bf16_autocast_gradient_is_finite_and_close():
    torch.manual_seed(0)
    module = SpatialModulator(IN_CHANNELS, channels=32, target_stride=4)
    feats = _feats(seed=1)

    _, loss32 = module(feats, [3, 2])
    loss32.backward()
    grad32 = module.theta_spa.weight.grad.clone()
    module.zero_grad()

    with torch.autocast('cpu', dtype=torch.bfloat16):
        _, loss16 = module(feats, [3, 2])
    loss16.backward()
    grad16 = module.theta_spa.weight.grad
    assert grad16.dtype == torch.float32
    assert torch.isfinite(grad16).all()
    cos = (grad16 * grad32).sum() / (grad16.norm() * grad32.norm())
    assert cos > 0.95


def test_top_eigenpair_ignores_autocast():
    gen = torch.Generator().manual_seed(0)
    x = torch.nn.functional.normalize(
        torch.randn(300, 16, generator=gen), dim=1).bfloat16()
    with torch.autocast('cpu', dtype=torch.bfloat16):
        lam, u = top_eigenpair(x)
    assert lam.dtype == u.dtype == torch.float64
    # Identical to the solve of the same (bfloat16-valued) descriptors
    # outside autocast: the matmuls were not downcast.
    lam_ref, u_ref = top_eigenpair(x.double())
    assert lam.item() == pytest.approx(lam_ref.item(), rel=1e-12)
    assert torch.allclose(u.abs(), u_ref.abs(), atol=1e-10)
    # u is a unit eigenvector: G u = lambda u with G = x x^T - 1 1^T.
    xd = x.double()
    gu = xd @ (xd.T @ u) - u.sum()
    assert torch.allclose(gu, lam * u, atol=1e-8 * lam.item())


@pytest.mark.parametrize('bad', [float('nan'), float('inf')])
def test_overflowed_features_raise_a_clear_error(bad):
    # float16 autocast can overflow the features of an untrained backbone
    # to inf (and NaN after it); the solve names the cause instead of
    # eigh's "failed to converge".
    module = SpatialModulator(IN_CHANNELS, channels=32, target_stride=4)
    feats = _feats()
    feats[1][2, 0, 3, 3] = bad
    with pytest.raises(FloatingPointError, match='NaN or inf.*float16'):
        module(feats, [2, 3])
    x = torch.randn(50, 8, dtype=torch.float64)
    x[7, 1] = bad
    with pytest.raises(FloatingPointError, match='NaN or inf'):
        top_eigenpair(x)
