"""Aggregation of per-image pixel counts into co-segmentation scores.

Stateless helpers of :meth:`mmcoseg.evaluation.CoSegMetric.compute_metrics`:
select the records to score (:func:`select_scored_records`), average them
per category and over the dataset as a protocol says (:func:`summarize_pj`),
lay the result out as the logged table (:func:`pj_table`) and list the
per-image scores (:func:`per_image_scores`).
"""
from typing import Dict, Iterable, List, NamedTuple, Tuple

import numpy as np
from prettytable import PrettyTable

from .pj_counts import counts_to_pj

__all__ = [
    'PJSummary', 'per_image_scores', 'pj_table', 'select_scored_records',
    'summarize_pj', 'to_percent'
]

Counts = Tuple[int, int, int, int]


class PJSummary(NamedTuple):
    """Scores of a dataset, as fractions in ``[0, 1]``.

    Attributes:
        categories (List[Tuple[int, int, float, float]]): One
            ``(category, #images, P, J)`` per category, by category index.
        num_images (int): Number of scored images.
        ave (Tuple[float, float]): ``(P, J)``: the "Ave." row.
        img (Tuple[float, float]): ``(P_img, J_img)``.
    """
    categories: List[Tuple[int, int, float, float]]
    num_images: int
    ave: Tuple[float, float]
    img: Tuple[float, float]


def to_percent(value: float) -> float:
    """Fraction -> percent, rounded to 2 decimals like mmseg.

    Args:
        value (float): A fraction.

    Returns:
        float: ``100 * value`` rounded to 2 decimals.
    """
    return float(np.round(float(value) * 100, 2))


def select_scored_records(
        results: Iterable) -> Tuple[Dict[int, List[dict]], int, int]:
    """Pick the per-image records to score, by category.

    Each image is scored once: records are deduplicated by
    ``(category, img_path)``, keeping the first (records without
    ``img_path`` are always kept). Records whose every pixel is ignored
    (all counts 0) are left out.

    Args:
        results (Iterable): Entries of ``CoSegMetric.results``: lists of
            records (one per batch) or single records.

    Returns:
        Tuple[Dict[int, List[dict]], int, int]: The kept records by category
        index (in order of first appearance), the number of duplicated
        records and the number of fully ignored ones.
    """
    seen = set()
    per_category: Dict[int, List[dict]] = {}
    num_dup = num_no_valid = 0
    for entry in results:
        for record in [entry] if isinstance(entry, dict) else entry:
            category = record['category']
            img_path = record.get('img_path')
            if img_path is not None:
                key = (category, img_path)
                if key in seen:
                    num_dup += 1
                    continue
                seen.add(key)
            if record['tp'] + record['fp'] + record['fn'] + record['tn'] == 0:
                num_no_valid += 1
                continue
            per_category.setdefault(category, []).append(record)
    return per_category, num_dup, num_no_valid


def _counts(record: dict) -> Counts:
    return record['tp'], record['fp'], record['fn'], record['tn']


def summarize_pj(per_category: Dict[int, List[dict]],
                 protocol: str) -> PJSummary:
    """Average per-image counts as ``protocol`` says.

    * ``'paper'``: per-category mean of the per-image scores; "Ave." is the
      mean over categories and ``*_img`` the mean over images.
    * ``'released'``: as ``'paper'``, but "Ave." is the mean over images.
    * ``'pooled'``: the counts of a category are summed before P and J;
      "Ave." is the mean over categories and ``*_img`` comes from the
      counts summed over the whole dataset.

    Args:
        per_category (Dict[int, List[dict]]): Non-empty; records (with
            ``tp``/``fp``/``fn``/``tn``) by category index, as returned by
            :func:`select_scored_records`.
        protocol (str): ``'paper'``, ``'released'`` or ``'pooled'``.

    Returns:
        PJSummary: The scores, as fractions.
    """
    categories = []
    cat_scores = []
    image_scores = []
    for category in sorted(per_category):
        counts = np.asarray([_counts(r) for r in per_category[category]],
                            dtype=np.int64)
        scores = np.asarray([counts_to_pj(*c) for c in counts.tolist()],
                            dtype=np.float64)
        image_scores.append(scores)
        if protocol == 'pooled':
            cat_p, cat_j = counts_to_pj(*counts.sum(axis=0).tolist())
        else:
            cat_p, cat_j = scores.mean(axis=0)
        cat_scores.append((cat_p, cat_j))
        categories.append((category, len(counts), cat_p, cat_j))
    num_images = sum(len(s) for s in image_scores)
    if protocol == 'pooled':
        total = np.asarray(
            [_counts(r) for records in per_category.values()
             for r in records],
            dtype=np.int64)
        img_p, img_j = counts_to_pj(*total.sum(axis=0).tolist())
    else:
        img_p, img_j = np.concatenate(image_scores).mean(axis=0)
    if protocol == 'released':
        ave_p, ave_j = img_p, img_j
    else:
        ave_p, ave_j = np.mean(cat_scores, axis=0)
    return PJSummary(categories, num_images, (ave_p, ave_j), (img_p, img_j))


def pj_table(summary: PJSummary, names: Dict[int, str],
             protocol: str) -> PrettyTable:
    """The per-category table (category, #images, P, J) and an "Ave." row.

    Args:
        summary (PJSummary): The scores, from :func:`summarize_pj`.
        names (Dict[int, str]): Display name of every category index.
        protocol (str): Protocol name, written in the table title.

    Returns:
        PrettyTable: The table, scores in percent rounded to 2 decimals.
    """
    table = PrettyTable()
    table.title = f'protocol: {protocol}'
    table.field_names = ['Category', '#Img', 'P', 'J']
    for category, num, cat_p, cat_j in summary.categories:
        table.add_row(
            [names[category], num,
             to_percent(cat_p),
             to_percent(cat_j)])
    ave_p, ave_j = summary.ave
    table.add_row(
        ['Ave.', summary.num_images,
         to_percent(ave_p),
         to_percent(ave_j)])
    return table


def per_image_scores(
        per_category: Dict[int, List[dict]],
        names: Dict[int, str]) -> List[Tuple[str, str, float, float]]:
    """Per-image P and J in percent, by category index, then by path.

    The scores are those that the ``'paper'`` protocol averages, computed
    from each record's counts (so the ``'released'`` per-image values for
    records counted by :func:`released_counts`). They are not rounded.

    Args:
        per_category (Dict[int, List[dict]]): Records by category index,
            as returned by :func:`select_scored_records`.
        names (Dict[int, str]): Display name of every category index.

    Returns:
        List[Tuple[str, str, float, float]]: ``(category_name, img_path,
        P, J)`` rows; ``img_path`` is ``''`` when a record has none.
    """
    rows = []
    for category in sorted(per_category):
        for record in sorted(per_category[category], key=_path_key):
            precision, jaccard = counts_to_pj(*_counts(record))
            rows.append((names[category], record.get('img_path') or '',
                         precision * 100, jaccard * 100))
    return rows


def _path_key(record: dict) -> str:
    return record.get('img_path') or ''
