"""The co-salient object detection (CoSOD) protocol, through pysodmetrics.

CoSOD papers (GICD, GCoNet, GCoNet+, DCFM, MCCL...) report, on CoCA,
CoSOD3k and CoSal2015, the S-measure, the max and mean E-measure, the max
and mean F-measure (beta^2 = 0.3) and the MAE of 0-255 foreground maps at
the original image size, computed by the ``pysodmetrics`` package
(``import py_sod_metrics``; ``pip install "mmcoseg[evaluation]"``). Nothing
of those measures is re-implemented here:

* :func:`prob_to_uint8`: a foreground probability map as the 0-255 map
  CoSOD tools read (``round(255 * p)``, as ``tools/cosegment.py
  --save-prob`` writes it);
* :func:`image_cosod_scores`: one image's S-measure, MAE, and E-measure and
  F-measure curves over the 256 thresholds, each from pysodmetrics' own
  ``step()`` / ``get_results()`` on that image alone;
* :func:`summarize_cosod`: the dataset (or category) scores, averaged over
  images exactly as pysodmetrics' ``get_results()`` averages its steps
  (the mean over images of S-measure, MAE and of each curve; max and mean
  of the averaged curves);
* :func:`cosod_table`: the logged per-category table.
"""
from importlib import metadata
from typing import Dict, List, NamedTuple, Sequence, Tuple, Union

import numpy as np
from prettytable import PrettyTable
from torch import Tensor

from .pj_counts import as_2d_tensor

__all__ = [
    'COSOD_KEYS', 'CoSODSummary', 'check_pysodmetrics', 'cosod_table',
    'image_cosod_scores', 'prob_to_uint8', 'pysodmetrics_version',
    'round_cosod', 'summarize_cosod'
]

#: Scores of the CoSOD protocol, in the order of the table.
COSOD_KEYS = ('Sm', 'maxEm', 'meanEm', 'maxFm', 'meanFm', 'MAE')

#: Decimals of the CoSOD scores (the papers print three).
COSOD_DECIMALS = 3


class CoSODSummary(NamedTuple):
    """CoSOD scores of a dataset, as fractions (``COSOD_KEYS``).

    Attributes:
        categories (List[Tuple[int, int, Dict[str, float]]]): One
            ``(category, #images, scores)`` per category, by index.
        num_images (int): Number of scored images.
        overall (Dict[str, float]): Scores over all the images of the
            dataset (what the papers report).
    """
    categories: List[Tuple[int, int, Dict[str, float]]]
    num_images: int
    overall: Dict[str, float]


def _pysodmetrics():
    """Import ``py_sod_metrics`` with an install hint."""
    try:
        import py_sod_metrics
    except ImportError as exc:  # pragma: no cover - depends on the env
        raise ImportError(
            'The CoSOD protocol needs the `pysodmetrics` package: '
            'pip install "mmcoseg[evaluation]" (or -r '
            'requirements/evaluation.txt)') from exc
    return py_sod_metrics


def check_pysodmetrics() -> None:
    """Raise an ImportError naming the install command if pysodmetrics
    is missing."""
    _pysodmetrics()


def pysodmetrics_version() -> str:
    """The installed pysodmetrics version (``'unknown'`` if not found).

    Returns:
        str: The distribution's version string.
    """
    try:
        return metadata.version('pysodmetrics')
    except metadata.PackageNotFoundError:  # pragma: no cover
        return 'unknown'


def prob_to_uint8(prob: Union[Tensor, np.ndarray]) -> np.ndarray:
    """A foreground probability map as an 8-bit 0-255 map.

    Args:
        prob (Union[Tensor, np.ndarray]): ``(H, W)`` or ``(1, H, W)``
            probabilities; values outside ``[0, 1]`` are clipped.

    Returns:
        np.ndarray: ``(H, W)`` uint8 map, ``round(255 * prob)``.
    """
    prob = as_2d_tensor(prob, 'prob').detach().float().cpu().numpy()
    return np.round(np.clip(prob, 0.0, 1.0) * 255).astype(np.uint8)


def image_cosod_scores(prob: Union[Tensor, np.ndarray],
                       gt: Union[Tensor, np.ndarray],
                       ignore_index: int = 255) -> Dict[str, object]:
    """Per-image quantities of the CoSOD protocol, by pysodmetrics.

    The probability map is quantised by :func:`prob_to_uint8` (so scores
    equal those of CoSOD tools reading the saved 0-255 PNG); the ground
    truth is foreground where it is neither 0 nor ``ignore_index``
    (pysodmetrics has no ignore label: ignored pixels count as background).
    pysodmetrics then min-max normalises the map, as the MATLAB toolboxes.

    Args:
        prob (Union[Tensor, np.ndarray]): ``(H, W)`` or ``(1, H, W)``
            foreground probabilities.
        gt (Union[Tensor, np.ndarray]): Ground truth of the same size
            (0 background, non-zero foreground).
        ignore_index (int): Ground-truth value counted as background.
            Defaults to 255.

    Returns:
        Dict[str, object]: ``sm`` and ``mae`` (floats), ``em`` and ``fm``
        (float64 arrays of the 256 thresholds, 255 down to 0, as
        pysodmetrics orders them).
    """
    psm = _pysodmetrics()
    pred = prob_to_uint8(prob)
    gt = as_2d_tensor(gt, 'gt').cpu().numpy()
    if pred.shape != gt.shape:
        raise ValueError(f'prob shape {pred.shape} does not match gt shape '
                         f'{gt.shape}')
    gt = (((gt != 0) & (gt != ignore_index)) * 255).astype(np.uint8)
    sm, em, mae = psm.Smeasure(), psm.Emeasure(), psm.MAE()
    fm = psm.FmeasureV2(metric_handlers={
        'fm': psm.FmeasureHandler(
            with_dynamic=True, with_adaptive=False, beta=0.3)
    })
    for measure in (sm, em, mae, fm):
        measure.step(pred=pred, gt=gt)
    return dict(
        sm=float(sm.get_results()['sm']),
        mae=float(mae.get_results()['mae']),
        em=np.asarray(em.get_results()['em']['curve'], dtype=np.float64),
        fm=np.asarray(fm.get_results()['fm']['dynamic'], dtype=np.float64))


def _scores(images: Sequence[Dict[str, object]]) -> Dict[str, float]:
    """Scores of a set of images (the means of pysodmetrics' results)."""
    em = np.mean(np.stack([s['em'] for s in images]), axis=0)
    fm = np.mean(np.stack([s['fm'] for s in images]), axis=0)
    return dict(
        Sm=float(np.mean([s['sm'] for s in images])),
        maxEm=float(em.max()),
        meanEm=float(em.mean()),
        maxFm=float(fm.max()),
        meanFm=float(fm.mean()),
        MAE=float(np.mean([s['mae'] for s in images])))


def summarize_cosod(per_category: Dict[int, List[dict]]) -> CoSODSummary:
    """Average per-image CoSOD quantities per category and overall.

    Args:
        per_category (Dict[int, List[dict]]): Non-empty; records with a
            ``cosod`` entry (from :func:`image_cosod_scores`) by category
            index, as returned by ``select_scored_records``.

    Returns:
        CoSODSummary: Per-category scores and the scores over all images.
    """
    categories = []
    everything = []
    for category in sorted(per_category):
        images = [r['cosod'] for r in per_category[category]]
        everything += images
        categories.append((category, len(images), _scores(images)))
    return CoSODSummary(categories, len(everything), _scores(everything))


def round_cosod(value: float) -> float:
    """A CoSOD score rounded as the papers print it (3 decimals).

    Args:
        value (float): A score (fraction).

    Returns:
        float: The rounded score.
    """
    return float(np.round(float(value), COSOD_DECIMALS))


def cosod_table(summary: CoSODSummary, names: Dict[int, str]) -> PrettyTable:
    """The per-category CoSOD table with an "All images" row.

    Args:
        summary (CoSODSummary): From :func:`summarize_cosod`.
        names (Dict[int, str]): Display name of every category index.

    Returns:
        PrettyTable: Scores rounded to 3 decimals.
    """
    table = PrettyTable()
    table.title = f'protocol: cosod (pysodmetrics {pysodmetrics_version()})'
    table.field_names = ['Category', '#Img', *COSOD_KEYS]
    rows = [(names[c], n, s) for c, n, s in summary.categories]
    rows.append(('All images', summary.num_images, summary.overall))
    for name, num, scores in rows:
        table.add_row([name, num] + [round_cosod(scores[k])
                                     for k in COSOD_KEYS])
    return table
