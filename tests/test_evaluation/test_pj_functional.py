"""Tests of mmcoseg.evaluation.functional and of the metric's old imports."""
import importlib

import numpy as np
import pytest
import torch

from mmcoseg.evaluation import functional
from mmcoseg.evaluation.functional import (
    as_2d_tensor,
    counts_to_pj,
    foreground_prob,
    per_image_scores,
    pj_table,
    select_scored_records,
    summarize_pj,
    to_percent,
)


def _record(category, img_path, counts, name=None):
    tp, fp, fn, tn = counts
    return dict(category=category, category_name=name, img_path=img_path,
                tp=tp, fp=fp, fn=fn, tn=tn)


def test_all_names_resolve():
    for module in ('mmcoseg.evaluation', 'mmcoseg.evaluation.functional',
                   'mmcoseg.evaluation.functional.pj_counts',
                   'mmcoseg.evaluation.functional.pj_outputs',
                   'mmcoseg.evaluation.functional.pj_summary',
                   'mmcoseg.evaluation.metrics',
                   'mmcoseg.evaluation.metrics.coseg_metric'):
        mod = importlib.import_module(module)
        for name in mod.__all__:
            assert hasattr(mod, name), (module, name)


def test_protocols():
    assert functional.PROTOCOLS == ('paper', 'released', 'pooled')


def test_to_percent_rounds_like_mmseg():
    assert to_percent(0.123456) == 12.35
    assert to_percent(1) == 100.0


def test_as_2d_tensor_and_foreground_prob():
    assert as_2d_tensor(np.zeros((1, 2, 3)), 'x').shape == (2, 3)
    with pytest.raises(ValueError, match='`x` must have shape'):
        as_2d_tensor(np.zeros((2, 2, 3)), 'x')
    logits = torch.tensor([[[0.0]], [[np.log(3.0)]]])  # (2, 1, 1)
    assert foreground_prob(logits).item() == pytest.approx(0.75)
    prob = np.full((1, 2, 2), 0.3, dtype=np.float32)
    assert foreground_prob(prob).shape == (2, 2)


def test_select_summarize_table_and_rows():
    results = [
        [_record(1, 'p/c.jpg', (1, 0, 2, 3), 'plane'),
         _record(0, 'c/b.jpg', (0, 0, 0, 6), 'cow')],
        _record(0, 'c/a.jpg', (1, 1, 1, 2)),  # a single record is accepted
        [_record(0, 'c/b.jpg', (6, 0, 0, 0)),  # duplicate: dropped
         _record(0, 'c/z.jpg', (0, 0, 0, 0))],  # fully ignored: dropped
    ]
    per_category, num_dup, num_no_valid = select_scored_records(results)
    assert (num_dup, num_no_valid) == (1, 1)
    assert [r['img_path'] for r in per_category[0]] == ['c/b.jpg', 'c/a.jpg']

    summary = summarize_pj(per_category, 'paper')
    assert summary.num_images == 3
    assert [c[:2] for c in summary.categories] == [(0, 2), (1, 1)]
    assert summary.ave == pytest.approx(((0.8 + 4 / 6) / 2, 0.5))
    assert summary.img == pytest.approx(((0.6 + 1 + 4 / 6) / 3, 5 / 9))
    pooled = summarize_pj(per_category, 'pooled')
    assert pooled.img == pytest.approx(counts_to_pj(2, 1, 3, 11))
    released = summarize_pj(per_category, 'released')
    assert released.ave == released.img == summary.img

    names = {0: 'cow', 1: 'plane'}
    table = pj_table(summary, names, 'paper')
    assert table.title == 'protocol: paper'
    assert [row[:2] for row in table.rows] == [['cow', 2], ['plane', 1],
                                               ['Ave.', 3]]
    assert table.rows[-1][2:] == [73.33, 50.0]

    rows = per_image_scores(per_category, names)
    assert [row[:2] for row in rows] == [('cow', 'c/a.jpg'),
                                         ('cow', 'c/b.jpg'),
                                         ('plane', 'p/c.jpg')]
    assert [row[2:] for row in rows] == [
        pytest.approx((60, 100 / 3)), (100, 100),
        pytest.approx((400 / 6, 100 / 3))]
