"""Exact top eigenpair of G = X^T X - 1 1^T without forming G (eq. 6-10).

With the pixel descriptors of a group as rows of ``x`` (M x d, i.e. X^T in the
paper's notation) let A^T = [x, 1] (M x (d+1)) and J = diag(1, ..., 1, -1).
Then G = A^T J A. Writing C = A A^T = R R^T ((d+1) x (d+1)), the nonzero
spectrum of G equals that of the symmetric K = R^T J R, and for an eigenpair
K w = lambda w the vector u = A^T J R w is an eigenvector of G with
||u|| = |lambda|. Cost: O(M d^2) for C plus two (d+1)-sized eigh calls.
"""
from typing import Tuple

import torch
from torch import Tensor

from ...structures import GroupLayout

# Relative size (to trace(C) ~ 2M) below which lambda_max counts as zero
# (the square roots in R lose about half the digits near zero);
# then G has no leading direction (e.g. all descriptors identical).
_DEGENERATE_RTOL = 1e-6


def _reduced_top(gram: Tensor, col_sum: Tensor,
                 count: Tensor) -> Tuple[Tensor, Tensor, Tensor]:
    """The (d+1)x(d+1) reduction, batched over leading dimensions.

    Args:
        gram (Tensor): X X^T, shape (*, d, d) (the descriptors are the
            columns of X).
        col_sum (Tensor): X 1, shape (*, d).
        count (Tensor): M, shape (*).

    Returns:
        tuple[Tensor, Tensor, Tensor]: lambda_max (*), the vector v of
        shape (*, d+1) with u = A^T v = X^T v[:d] + v[d] (not normalised)
        and trace(C) (*).

    Raises:
        FloatingPointError: If C holds NaN or inf (``eigh`` would only
            report that it did not converge).
    """
    c = torch.cat([
        torch.cat([gram, col_sum[..., :, None]], dim=-1),
        torch.cat([col_sum[..., None, :], count[..., None, None]], dim=-1)
    ], dim=-2)  # C = A A^T
    if not bool(torch.isfinite(c).all()):  # eigh would fail without a cause
        raise FloatingPointError(
            'f_spa: the pixel descriptors of a group hold NaN or inf; under '
            'float16 autocast this is an overflow of the backbone features '
            '(use float32 or bfloat16).')
    evals, evecs = torch.linalg.eigh(c)
    r = evecs * evals.clamp_min(0).sqrt()[..., None, :]  # C = R R^T
    j = c.new_ones(c.shape[-1])
    j[-1] = -1
    k = r.mT @ (j[:, None] * r)
    lambdas, w = torch.linalg.eigh((k + k.mT) / 2)
    v = j * (r @ w[..., -1:])[..., 0]
    return lambdas[..., -1], v, c.diagonal(dim1=-2, dim2=-1).sum(-1)


def top_eigenpair(x: Tensor,
                  dtype: torch.dtype = torch.float64) -> Tuple[Tensor, Tensor]:
    """Largest eigenvalue and its unit eigenvector of G = x x^T - 1 1^T.

    No gradient flows through this function; see :func:`eigenvalue_with_grad`
    for a differentiable lambda_max.

    Args:
        x (Tensor): Pixel descriptors of one group as rows, shape (M, d).
        dtype (torch.dtype): Precision of the solve. Defaults to float64.

    Returns:
        tuple[Tensor, Tensor]: ``lambda_max`` (scalar, >= 0) and ``u`` of
        shape (M,) with unit norm, both in ``dtype``. When the spectrum is
        degenerate (lambda_max ~ 0, e.g. identical descriptors) ``u`` is all
        zeros.
    """
    with torch.no_grad(), torch.autocast(x.device.type, enabled=False):
        x = x.detach().to(dtype)
        lam, v, trace = _reduced_top(x.T @ x, x.sum(0),
                                     x.new_tensor(x.shape[0]))
        u = x @ v[:-1] + v[-1]
        norm = u.norm()
        # Branch-free (no host sync on GPU): degenerate groups get u = 0.
        degenerate = (lam <= _DEGENERATE_RTOL * trace) | (norm == 0)
        u = torch.where(degenerate, torch.zeros_like(u),
                        u / norm.clamp_min(torch.finfo(dtype).tiny))
        return lam.clamp_min(0), u


def group_top_eigenpairs(phi: Tensor, layout: GroupLayout,
                         dtype: torch.dtype = torch.float64
                         ) -> Tuple[Tensor, Tensor]:
    """:func:`top_eigenpair` of every group of a batch at once.

    The same solve for the M = N*h*w descriptors of each group, batched: no
    loop over groups and no copy of the descriptors into rows (the Gram
    matrix is summed over the images of a group).

    Args:
        phi (Tensor): Descriptors (B*N, d, h, w) of all images.
        layout (GroupLayout): The groups.
        dtype (torch.dtype): Precision of the solve. Defaults to float64.

    Returns:
        tuple[Tensor, Tensor]: lambda_max per group (G,) and the unit
        eigenvector of each group, in image order, shape (B*N, h*w),
        both in ``dtype``; zero for a degenerate group.
    """
    with torch.no_grad(), torch.autocast(phi.device.type, enabled=False):
        x = phi.detach().to(dtype).flatten(2)  # (B*N, d, P)
        count = x.new_tensor(layout.sizes) * x.shape[2]
        lam, v, trace = _reduced_top(
            layout.sum_groups(x @ x.mT), layout.sum_groups(x.sum(2)), count)
        v = layout.expand(v)
        u = (v[:, None, :-1] @ x)[:, 0] + v[:, -1:]
        norm = layout.sum_groups(u.square().sum(1)).sqrt()
        degenerate = (lam <= _DEGENERATE_RTOL * trace) | (norm == 0)
        scale = torch.where(degenerate, torch.zeros_like(norm),
                            1 / norm.clamp_min(torch.finfo(dtype).tiny))
        return lam.clamp_min(0), u * layout.expand(scale)[:, None]


def group_eigenvalues_with_grad(phi: Tensor, u: Tensor,
                                layout: GroupLayout) -> Tensor:
    """:func:`eigenvalue_with_grad` of every group of a batch at once.

    Args:
        phi (Tensor): Descriptors with gradient, shape (B*N, d, h, w).
        u (Tensor): Unit top eigenvectors from :func:`group_top_eigenpairs`,
            shape (B*N, h*w).
        layout (GroupLayout): The groups.

    Returns:
        Tensor: lambda_max of each group (G,), differentiable w.r.t.
        ``phi``.
    """
    u = u.detach().to(phi.dtype)
    projected = layout.sum_groups((phi.flatten(2) @ u[:, :, None])[..., 0])
    return projected.square().sum(1) - layout.sum_groups(u.sum(1)).square()


def eigenvalue_with_grad(x: Tensor, u: Tensor) -> Tensor:
    """lambda_max = u^T G u evaluated with gradient w.r.t. ``x``.

    For a unit eigenvector ``u`` of the top eigenvalue, d lambda / dG = u u^T
    (Hellmann-Feynman), so treating ``u`` as a constant gives the exact
    gradient of lambda_max without differentiating through the eigenvector
    (which is ill-conditioned when eigenvalues are close).

    Args:
        x (Tensor): Descriptors with gradient, shape (M, d).
        u (Tensor): Unit top eigenvector from :func:`top_eigenpair`, (M,).

    Returns:
        Tensor: Scalar equal to lambda_max, differentiable w.r.t. ``x``.
    """
    u = u.detach().to(x.dtype)
    return (x.T @ u).square().sum() - u.sum().square()


def border_sign(u: Tensor, border: Tensor) -> Tensor:
    """Sign (+1 or -1) that makes the image borders background (negative).

    The side that holds most of the outer border pixels is background: the
    majority sign of ``u`` on the border decides; ties are broken by the sum
    of ``u`` on the border, then by the sum of ``u`` (positive side = the
    larger total). Deterministic for a given ``u``.

    Args:
        u (Tensor): Eigenvector entries, shape (M,).
        border (Tensor): Boolean mask of border pixels, shape (M,).

    Returns:
        Tensor: Scalar +1 or -1 in the dtype of ``u``.
    """
    return _sign_from_scores(_border_scores(u, border))


def group_border_signs(u: Tensor, border: Tensor,
                       layout: GroupLayout) -> Tensor:
    """:func:`border_sign` of every group of a batch at once.

    Args:
        u (Tensor): Eigenvector entries per image, shape (B*N, h*w).
        border (Tensor): Boolean mask of the border pixels of one image,
            shape (h*w,).
        layout (GroupLayout): The groups.

    Returns:
        Tensor: +1 or -1 per group (G,), in the dtype of ``u``.
    """
    return _sign_from_scores(layout.sum_groups(_border_scores(u, border)))


def _border_scores(u: Tensor, border: Tensor) -> Tensor:
    """The three scores of the border rule, shape (*, 3), summable."""
    b = u[..., border]
    return torch.stack([torch.sign(b).sum(-1), b.sum(-1), -u.sum(-1)], -1)


def _sign_from_scores(scores: Tensor) -> Tensor:
    """-sign of the first nonzero score (no host sync), +1 if none."""
    decided = scores != 0
    first = torch.argmax(decided.int(), dim=-1, keepdim=True)
    chosen = scores.gather(-1, first)[..., 0]
    return torch.where(decided.any(-1), -torch.sign(chosen),
                       torch.ones_like(chosen))
