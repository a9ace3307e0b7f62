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

# Relative size (to trace(C) ~ 2M) below which lambda_max counts as zero
# (the square roots in R lose about half the digits near zero);
# then G has no leading direction (e.g. all descriptors identical).
_DEGENERATE_RTOL = 1e-6


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
        m, d = x.shape
        a_t = torch.cat([x, x.new_ones(m, 1)], dim=1)  # A^T, (M, d+1)
        c = a_t.T @ a_t
        evals, evecs = torch.linalg.eigh(c)
        r = evecs * evals.clamp_min(0).sqrt()  # C = R R^T
        j = x.new_ones(d + 1)
        j[-1] = -1
        k = r.T @ (j[:, None] * r)
        lambdas, w = torch.linalg.eigh((k + k.T) / 2)
        lam = lambdas[-1]
        u = a_t @ (j * (r @ w[:, -1]))
        norm = u.norm()
        # Branch-free (no host sync on GPU): degenerate groups get u = 0.
        degenerate = (lam <= _DEGENERATE_RTOL * c.diagonal().sum()) | (
            norm == 0)
        u = torch.where(degenerate, torch.zeros_like(u),
                        u / norm.clamp_min(torch.finfo(dtype).tiny))
        return lam.clamp_min(0), u


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
    b = u[border]
    scores = torch.stack([torch.sign(b).sum(), b.sum(), -u.sum()])
    decided = scores != 0
    first = torch.argmax(decided.int())  # first nonzero score, no host sync
    return torch.where(decided.any(), -torch.sign(scores[first]),
                       u.new_ones(()))
