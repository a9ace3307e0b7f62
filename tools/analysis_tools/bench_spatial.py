"""Benchmark the spatial modulator's eigen-solve against the alternatives.

For M pixel descriptors of dimension d (rows of ``x``, L2-normalised),
G = x x^T - 1 1^T and the spatial map is its top eigenvector. Three
solvers are compared, for every M in ``--ms`` and d in ``--dims``:

* **exact**: the (d+1)x(d+1) reduction used by SSNM
  (:func:`mmcoseg.models.modulators.spectral.top_eigenpair`, float64 or
  ``--solve-dtype float32``);
* **dense**: ``torch.linalg.eigh`` of the M x M matrix G (float64), only
  where G fits ``--dense-max-mb``;
* **released**: the released code's approach (cj4L/SSNM-Coseg,
  ``spatial_optimize``): 200 Adam steps (lr 0.01) from the all-positive
  unit vector s = 1/sqrt(M), on -s^T G s + 50 * barrier(||s||), the
  barrier being -log(||s||) below 1 and -log(2 - ||s||) from 1 on, in
  float32. G is formed densely as in the released code where it fits
  ``--released-dense-max-mb``; beyond, the same iterates are computed
  matrix-free (s^T G s = ||x^T s||^2 - (1^T s)^2).

Reported per solver: median time over ``--repeats`` (dense and released
once when slow), and the eigenvalue reached, as the Rayleigh quotient
s^T G s / s^T s of its vector over lambda_max (from the exact solve; its
agreement with the dense solve is reported too). The descriptors are a
seeded mixture of ``--clusters`` directions with Gaussian noise, so G has a
clear leading direction as for real features.

Example::

    python tools/analysis_tools/bench_spatial.py \\
        --ms 245,980,3920,8000,15680,31360,62720,125440 --dims 64,256
"""
import argparse
import json
import math
import os
import statistics
import time
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import torch
from torch import Tensor

from mmcoseg.models.modulators.spectral import top_eigenpair
from mmcoseg.utils.markdown import markdown_table

COLUMNS = ('M', 'd', 'exact ms', 'exact lam/lam_max', 'dense eigh ms',
           'dense/exact', 'dense |dlam|/lam', 'released ms', 'released G',
           'released lam/lam_max')


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    """Parse the command line.

    Args:
        argv (Sequence[str], optional): Arguments; ``sys.argv`` if None.

    Returns:
        argparse.Namespace: The parsed arguments.
    """
    parser = argparse.ArgumentParser(
        description='Spatial modulator solve: exact reduction vs dense '
        'eigh vs the released Adam approach.')
    parser.add_argument(
        '--ms',
        default='245,980,3920,8000,15680,31360,62720,125440',
        help='comma-separated numbers of pixels M')
    parser.add_argument(
        '--dims', default='64,256', help='comma-separated dimensions d')
    parser.add_argument('--repeats', type=int, default=3)
    parser.add_argument(
        '--solve-dtype',
        choices=['float64', 'float32'],
        default='float64',
        help='precision of the exact solve (SpatialModulator.solve_dtype)')
    parser.add_argument(
        '--dense-max-mb',
        type=float,
        default=1024,
        help='largest float64 G (MiB) for the dense eigh')
    parser.add_argument(
        '--released-dense-max-mb',
        type=float,
        default=1024,
        help='largest float32 G (MiB) the released approach forms densely')
    parser.add_argument('--released-steps', type=int, default=200)
    parser.add_argument('--released-lr', type=float, default=0.01)
    parser.add_argument('--clusters', type=int, default=3)
    parser.add_argument('--noise', type=float, default=0.5)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument(
        '--threads', type=int, help='torch.set_num_threads')
    parser.add_argument(
        '--device', default='cpu', help='cpu or cuda (default: cpu)')
    parser.add_argument('--json', help='also write the rows to this file')
    return parser.parse_args(argv)


def make_descriptors(m: int, d: int, clusters: int = 3, noise: float = 0.5,
                     seed: int = 0) -> Tensor:
    """Seeded L2-normalised descriptors: cluster directions plus noise.

    Args:
        m (int): Number of pixels M.
        d (int): Dimension d.
        clusters (int): Number of cluster directions.
        noise (float): Standard deviation of the per-entry noise, relative
            to unit-norm cluster centres scaled by sqrt(d).
        seed (int): Random seed.

    Returns:
        Tensor: Float32 descriptors of shape (M, d), unit rows.
    """
    gen = torch.Generator().manual_seed(seed)
    centres = torch.randn(clusters, d, generator=gen)
    labels = torch.randint(0, clusters, (m, ), generator=gen)
    x = centres[labels] + noise * torch.randn(m, d, generator=gen)
    return torch.nn.functional.normalize(x, dim=1)


def rayleigh(x: Tensor, s: Tensor) -> float:
    """s^T G s / s^T s for G = x x^T - 1 1^T, without forming G (float64).

    Args:
        x (Tensor): Descriptors (M, d).
        s (Tensor): Vector (M,).

    Returns:
        float: The Rayleigh quotient (NaN if ``s`` is not finite).
    """
    x, s = x.double(), s.double().flatten()
    if not torch.isfinite(s).all():
        return float('nan')
    value = (x.T @ s).square().sum() - s.sum().square()
    return float(value / s.square().sum())


def released_solve(x: Tensor, steps: int = 200, lr: float = 0.01,
                   dense: bool = True) -> Tensor:
    """The released code's spatial solve (Adam on a barrier objective).

    Starts from s = 1/sqrt(M) (all positive, unit norm) and runs ``steps``
    Adam steps on -s^T G s + 50 * b(||s||), b(r) = -log(r) for r < 1 and
    -log(2 - r) for r >= 1 (NaN once ||s|| >= 2, as released).

    Args:
        x (Tensor): Descriptors (M, d), unit rows.
        steps (int): Adam steps. Defaults to 200.
        lr (float): Adam learning rate. Defaults to 0.01.
        dense (bool): Form the M x M G (float32) as the released code does;
            otherwise evaluate s^T G s matrix-free (same iterates).

    Returns:
        Tensor: The final s, shape (M,).
    """
    x = x.float().detach()
    m = x.shape[0]
    g = x @ x.T - 1 if dense else None
    s = torch.nn.Parameter(
        torch.full((m, 1), math.sqrt(m) / m, device=x.device))
    optimizer = torch.optim.Adam([s], lr)
    with torch.enable_grad():
        for _ in range(steps):
            if dense:
                objective = (s.T @ g @ s).sum()
            else:
                objective = (x.T @ s).square().sum() - s.sum().square()
            norm = s.square().sum().sqrt()
            barrier = -torch.log(2 - norm) if norm >= 1 else -torch.log(norm)
            loss = 50 * barrier - objective
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    return s.detach().flatten()


def _timed(fn: Callable[[], object], repeats: int,
           slow_s: float = 5.0) -> Tuple[float, object]:
    """Median seconds of ``fn`` (one call only if it is slow) and a result.
    """
    times, result = [], None
    for _ in range(max(1, repeats)):
        _sync()
        start = time.perf_counter()
        result = fn()
        _sync()
        times.append(time.perf_counter() - start)
        if times[-1] > slow_s:
            break
    return statistics.median(times), result


def _sync() -> None:
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        torch.cuda.synchronize()


def bench_one(m: int, d: int, args: argparse.Namespace) -> Dict[str, str]:
    """Benchmark the three solvers for one (M, d).

    Args:
        m (int): Number of pixels.
        d (int): Descriptor dimension.
        args (argparse.Namespace): Command-line arguments.

    Returns:
        dict[str, str]: One table row keyed by :data:`COLUMNS`, plus the raw
        numbers under ``'_raw'``.
    """
    x = make_descriptors(m, d, args.clusters, args.noise,
                         args.seed).to(args.device)
    raw: Dict[str, float] = {}
    dtype = getattr(torch, args.solve_dtype)
    top_eigenpair(x[:min(m, 64)], dtype)  # warm-up of the LAPACK path
    exact_s, (lam, u) = _timed(lambda: top_eigenpair(x, dtype),
                               args.repeats)
    # lambda_max itself always from the float64 solve.
    lam_max = float(lam if dtype == torch.float64 else top_eigenpair(x)[0])
    raw['exact_s'] = exact_s
    raw['exact_frac'] = rayleigh(x, u) / lam_max
    row = {
        'M': str(m),
        'd': str(d),
        'exact ms': f'{exact_s * 1e3:.2f}',
        'exact lam/lam_max': f'{raw["exact_frac"]:.6f}',
    }

    if m * m * 8 / 2**20 <= args.dense_max_mb:
        xd = x.double()

        def dense():
            g = xd @ xd.T - 1
            return torch.linalg.eigh(g)[0][-1]

        dense_s, lam_dense = _timed(dense, args.repeats)
        raw['dense_s'] = dense_s
        raw['dense_rel_err'] = abs(float(lam_dense) - lam_max) / lam_max
        row['dense eigh ms'] = f'{dense_s * 1e3:.1f}'
        ratio = dense_s / exact_s
        row['dense/exact'] = f'{ratio:.0f}x' if ratio >= 10 else \
            f'{ratio:.2f}x'
        row['dense |dlam|/lam'] = f'{raw["dense_rel_err"]:.1e}'
    else:
        row['dense eigh ms'] = row['dense/exact'] = 'does not fit'
        row['dense |dlam|/lam'] = '-'

    dense_released = m * m * 4 / 2**20 <= args.released_dense_max_mb
    released_s, s = _timed(
        lambda: released_solve(x, args.released_steps, args.released_lr,
                               dense_released), args.repeats)
    raw['released_s'] = released_s
    raw['released_frac'] = rayleigh(x, s) / lam_max
    row['released ms'] = f'{released_s * 1e3:.1f}'
    row['released G'] = 'dense' if dense_released else 'matrix-free'
    frac = raw['released_frac']
    row['released lam/lam_max'] = (f'{frac:.4f}' if math.isfinite(frac) else
                                   'nan (||s|| >= 2)')
    row['_raw'] = raw
    return row


def format_table(rows: Sequence[Dict[str, str]],
                 columns: Sequence[str] = COLUMNS) -> str:
    """The rows as a Markdown table (see :func:`markdown_table`)."""
    return markdown_table(rows, columns)


def main(argv: Optional[Sequence[str]] = None) -> List[Dict[str, str]]:
    """Run the benchmark and print its table.

    Args:
        argv (Sequence[str], optional): Arguments; ``sys.argv`` if None.

    Returns:
        list[dict[str, str]]: The table rows (raw numbers under ``_raw``).
    """
    args = parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    ms = [int(v) for v in args.ms.split(',')]
    dims = [int(v) for v in args.dims.split(',')]
    rows = []
    for d in dims:
        for m in ms:
            rows.append(bench_one(m, d, args))
            print(format_table(rows[-1:]).splitlines()[-1], flush=True)
    where = (torch.cuda.get_device_name(args.device)
             if args.device.startswith('cuda') else
             f'CPU, {torch.get_num_threads()} threads, {os.cpu_count()} cores')
    print(f'\n{where}; median of {args.repeats}; exact solve in '
          f'{args.solve_dtype}; released: '
          f'{args.released_steps} Adam steps, lr {args.released_lr}')
    print(format_table(rows))
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(dict(device=where, solve_dtype=args.solve_dtype,
                           rows=rows), f, indent=1)
    return rows


if __name__ == '__main__':
    main()
