import pytest
import torch
import torch.nn.functional as F
from mmengine.registry import init_default_scope

from mmcoseg.models.modulators import (
    SpatialModulator,
    border_sign,
    eigenvalue_with_grad,
    top_eigenpair,
)

init_default_scope('mmcoseg')


def dense_top(x: torch.Tensor):
    g = x @ x.T - torch.ones(x.shape[0], x.shape[0], dtype=x.dtype)
    evals, evecs = torch.linalg.eigh(g)
    return evals[-1], evecs[:, -1]


@pytest.mark.parametrize('m,d', [(30, 4), (200, 16), (12, 40), (245, 64)])
def test_exact_solve_matches_dense_eigh(m, d):
    gen = torch.Generator().manual_seed(m * d)
    x = F.normalize(torch.randn(m, d, generator=gen, dtype=torch.float64),
                    dim=1)
    lam, u = top_eigenpair(x)
    lam_ref, u_ref = dense_top(x)
    assert torch.allclose(lam, lam_ref, atol=1e-10)
    assert torch.allclose(u.norm(), torch.tensor(1.0, dtype=u.dtype))
    # eigenvectors agree up to sign
    err = min((u - u_ref).abs().max(), (u + u_ref).abs().max())
    assert err < 1e-10


def test_lambda_gradient_matches_finite_differences():
    gen = torch.Generator().manual_seed(0)
    x = F.normalize(torch.randn(40, 6, generator=gen, dtype=torch.float64),
                    dim=1)
    lam, u = top_eigenpair(x)
    xg = x.clone().requires_grad_(True)
    value = eigenvalue_with_grad(xg, u)
    value.backward()
    assert torch.allclose(value.detach(), lam)
    eps = 1e-6
    for i, j in [(0, 0), (5, 3), (39, 5)]:
        xp = x.clone()
        xp[i, j] += eps
        numeric = (dense_top(xp)[0] - dense_top(x)[0]) / eps
        assert abs(float(xg.grad[i, j]) - float(numeric)) < 1e-4


def test_degenerate_inputs_give_zero_maps():
    # identical unit descriptors: G = 0
    same = torch.ones(50, 8, dtype=torch.float64) / 8**0.5
    lam, u = top_eigenpair(same)
    assert float(lam) < 1e-5 and torch.count_nonzero(u) == 0
    # all-zero descriptors
    lam, u = top_eigenpair(torch.zeros(10, 3))
    assert float(lam) == 0 and torch.count_nonzero(u) == 0


def test_border_sign_rule():
    border = torch.tensor([True, True, True, False, False])
    u = torch.tensor([0.5, 0.4, -0.1, -0.3, -0.6])
    # border mostly positive -> flip so that the border becomes background
    assert border_sign(u, border) == -1
    assert border_sign(-u, border) == 1
    # tie in counts broken by the border sum
    u_tie = torch.tensor([0.5, -0.1, 0.0, 0.2, 0.2])
    assert border_sign(u_tie, border) == -1


def _feats(n: int, seed: int = 0, channels=(8, 16, 32, 64), size=32):
    gen = torch.Generator().manual_seed(seed)
    return [
        torch.randn(n, c, size // 2**i, size // 2**i, generator=gen)
        for i, c in enumerate(channels)
    ]


def test_modulator_shapes_sign_and_loss():
    mod = SpatialModulator(in_channels=[8, 16, 32, 64], channels=16)
    feats = _feats(7)
    maps, loss = mod(feats, [3, 4])
    assert maps.shape == (7, 1, 32, 32)  # stride 4 of a 128 input
    assert -1 <= float(loss) <= 0
    # O(1) per pixel: sqrt(M) * unit vector has mean square 1 per group
    for group in torch.split(maps, [3, 4]):
        assert torch.allclose(group.square().mean(), torch.tensor(1.0),
                              atol=1e-4)
        border = torch.ones(32, 32, dtype=torch.bool)
        border[1:-1, 1:-1] = False
        assert (group[:, 0][:, border] > 0).float().mean() <= 0.5
    # deterministic
    maps2, loss2 = mod(feats, [3, 4])
    assert torch.equal(maps, maps2) and torch.equal(loss, loss2)
    # groups are independent: the second group alone gives the same maps
    maps_b, _ = mod([f[3:] for f in feats], [4])
    assert torch.allclose(maps_b, maps[3:], atol=1e-5)


def test_modulator_loss_is_minus_lambda_over_m_and_differentiable():
    mod = SpatialModulator(in_channels=[8, 16, 32, 64], channels=16,
                           target_stride=16)
    feats = _feats(2, seed=1)
    phi = mod.descriptors(feats)
    assert phi.shape == (2, 16, 8, 8)
    x = phi.permute(0, 2, 3, 1).reshape(-1, 16).double()
    lam_ref, _ = dense_top(x.detach())
    maps, loss = mod(feats, [2])
    assert torch.allclose(loss.double(), -lam_ref / x.shape[0], atol=1e-5)
    loss.backward()
    grad = mod.theta_spa.weight.grad
    assert grad is not None and torch.isfinite(grad).all()
    assert grad.abs().sum() > 0


@pytest.mark.parametrize('case', ['zeros', 'constant', 'identical_images'])
def test_modulator_no_nan_on_degenerate_groups(case):
    mod = SpatialModulator(in_channels=[8, 16, 32, 64], channels=16)
    feats = _feats(3, seed=2)
    if case == 'zeros':
        feats = [torch.zeros_like(f) for f in feats]
    elif case == 'constant':
        feats = [torch.ones_like(f) for f in feats]
    else:
        feats = [f[:1].expand_as(f).clone() for f in feats]
    for f in feats:
        f.requires_grad_(True)
    maps, loss = mod(feats, [3])
    loss.backward()
    assert torch.isfinite(maps).all() and torch.isfinite(loss)
    for f in feats:
        assert torch.isfinite(f.grad).all()
    if case in ('zeros', 'constant'):
        assert torch.count_nonzero(maps) == 0


def test_float32_solve_close_to_float64():
    feats = _feats(2, seed=3)
    mod64 = SpatialModulator(in_channels=[8, 16, 32, 64], channels=16)
    mod32 = SpatialModulator(in_channels=[8, 16, 32, 64], channels=16,
                             solve_dtype='float32')
    mod32.load_state_dict(mod64.state_dict())
    m64, l64 = mod64(feats, [2])
    m32, l32 = mod32(feats, [2])
    assert torch.allclose(l64, l32, atol=1e-4)
    assert (m64 - m32).abs().max() < 1e-2


def test_invalid_arguments():
    with pytest.raises(ValueError, match='in_strides'):
        SpatialModulator(in_channels=[8, 16], in_index=[0, 1],
                         in_strides=[4])
