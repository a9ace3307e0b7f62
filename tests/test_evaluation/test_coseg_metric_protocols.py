"""Tests of the evaluation protocols of CoSegMetric."""
import logging

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from mmengine.logging import MMLogger
from mmengine.structures import PixelData
from mmseg.structures import SegDataSample

import mmcoseg.evaluation  # noqa: F401  (registers CoSegMetric)
from mmcoseg.evaluation import CoSegMetric
from mmcoseg.evaluation.functional import released_counts
from mmcoseg.registry import METRICS

CLASSES = ('cow', 'plane')

# Binary maps of the paper/pooled cases (255 = ignore); see
# test_coseg_metric.py. Counts (tp, fp, fn, tn): A (1, 1, 1, 2),
# B (0, 0, 0, 6), C (1, 0, 2, 3).
GT_A = [[1, 1, 0], [0, 0, 255]]
PRED_A = [[1, 0, 0], [1, 0, 1]]
GT_B = [[0, 0, 0], [0, 0, 0]]
PRED_B = [[0, 0, 0], [0, 0, 0]]
GT_C = [[1, 1, 1], [0, 0, 0]]
PRED_C = [[1, 0, 0], [0, 0, 0]]


def _pct(value):
    return round(value * 100, 2)


def _sample(pred, gt, category, img_path, prob=None, is_padding=False):
    """Build a ``SegDataSample.to_dict()`` as the Evaluator passes it."""
    gt = torch.as_tensor(gt)
    data_sample = SegDataSample(
        metainfo={
            'img_path': img_path,
            'ori_shape': tuple(gt.shape),
            'is_padding': is_padding,
            'category': category,
            'category_name': CLASSES[category],
        })
    data_sample.gt_sem_seg = PixelData(data=gt[None])
    data_sample.pred_sem_seg = PixelData(data=torch.as_tensor(pred)[None])
    if prob is not None:
        data_sample.seg_logits = PixelData(
            data=torch.as_tensor(prob, dtype=torch.float32)[None])
    return data_sample.to_dict()


def _build(protocol=None):
    cfg = {'type': 'CoSegMetric'}
    if protocol is not None:
        cfg['protocol'] = protocol
    metric = METRICS.build(cfg)
    metric.dataset_meta = {'classes': CLASSES}
    return metric


def _binary_batches():
    return [
        [
            _sample(PRED_A, GT_A, 0, 'cow/a.jpg'),
            _sample(PRED_B, GT_B, 0, 'cow/b.jpg'),
        ],
        [
            _sample(PRED_C, GT_C, 1, 'plane/c.jpg'),
            # padding and a duplicate with wrong predictions: never scored
            _sample(GT_B, GT_C, 1, 'plane/c.jpg', is_padding=True),
        ],
        [_sample(GT_A, GT_A, 0, 'cow/a.jpg')],
    ]


def _quadrants(values, side=448):
    """A ``side x side`` map made of 2x2 constant quadrants."""
    block = torch.ones(side // 2, side // 2)
    return torch.kron(torch.tensor(values, dtype=torch.float32), block)


# Released-protocol images.
# R1 (2x2 input, fully hand-computed): prob [[0, 1], [0, 1]] resized
# bilinearly (align_corners=False) to 224 gives per column i: 0 for
# i < 56, 1 for i >= 168 and (i - 55.5) / 112 in between; its mean is 0.5
# and its std ~0.408, so the threshold is min(0.908, 0.8) = 0.8 and the
# foreground is the columns with (i - 55.5) / 112 > 0.8, i.e. i >= 146:
# 78 columns. The truth (nearest) is the columns i >= 112.
# TP = 78*224, FN = 34*224, FP = 0, TN = 112*224.
R1_PROB = [[0.0, 1.0], [0.0, 1.0]]
R1_GT = [[0, 1], [0, 1]]
R1_P, R1_J = 190 / 224, 78 / 112
# R2 (448x448 quadrants, halved exactly by bilinear and nearest):
# values 0.1, 0.1, 0.1, 0.9: mean 0.3, std sqrt(0.12) ~ 0.346, threshold
# 0.646 < 0.8: foreground = bottom-right quadrant. Truth = bottom half.
# TP = FN = 112^2, TN = 2 * 112^2: P = 3/4, J = 1/2.
R2_PROB = _quadrants([[0.1, 0.1], [0.1, 0.9]])
R2_GT = _quadrants([[0, 0], [1, 1]]).long()
R2_P, R2_J = 0.75, 0.5
# R3: same map, truth = bottom-right quadrant: P = J = 1.
R3_GT = _quadrants([[0, 0], [0, 1]]).long()


def test_released_counts_hand_computed():
    assert released_counts(torch.tensor([R1_PROB]), R1_GT) == (
        78 * 224, 0, 34 * 224, 112 * 224)
    q = 112 * 112
    assert released_counts(R2_PROB, R2_GT) == (q, 0, q, 2 * q)
    assert released_counts(R2_PROB.numpy(), R3_GT.numpy()) == (q, 0, 0, 3 * q)
    # ignored truth pixels are left out: bottom-left quadrant ignored
    gt = _quadrants([[0, 0], [255, 1]]).long()
    assert released_counts(R2_PROB, gt) == (q, 0, 0, 2 * q)
    # the 0.8 cap is not applied when mean + std is below it, and the
    # threshold is strict: a constant 224 map (std 0) has no foreground
    const = torch.full((224, 224), 0.25)
    assert released_counts(const, torch.ones(224, 224)) == (0, 0, 224 * 224,
                                                            0)


def test_released_counts_matches_independent_ops():
    gen = torch.Generator().manual_seed(0)
    prob = torch.rand(37, 53, generator=gen)
    gt = (torch.rand(37, 53, generator=gen) > 0.6).long()
    p = F.interpolate(prob[None, None], (224, 224), mode='bilinear',
                      align_corners=False)[0, 0].numpy().astype(np.float64)
    g = F.interpolate(gt[None, None].float(), (224, 224),
                      mode='nearest')[0, 0].numpy() > 0
    pred = p > min(p.mean() + p.std(), 0.8)
    expected = (int((pred & g).sum()), int((pred & ~g).sum()),
                int((~pred & g).sum()), int((~pred & ~g).sum()))
    assert released_counts(prob, gt) == expected
    assert sum(expected) == 224 * 224


def test_paper_is_default_and_selectable():
    expected = {
        'P': _pct((0.8 + 2 / 3) / 2),
        'J': _pct((2 / 3 + 1 / 3) / 2),
        'P_img': _pct((3 / 5 + 1 + 2 / 3) / 3),
        'J_img': _pct((1 / 3 + 1 + 1 / 3) / 3),
    }
    for protocol in (None, 'paper'):
        metric = _build(protocol)
        assert metric.protocol == 'paper'
        for batch in _binary_batches():
            metric.process({}, batch)
        assert metric.compute_metrics(metric.results) == expected


def test_pooled_hand_computed():
    metric = _build('pooled')
    for batch in _binary_batches():
        metric.process({}, batch)
    res = metric.compute_metrics(metric.results)
    # cow: A + B = (1, 1, 1, 8): P = 9/11, J = 1/3
    # plane: C = (1, 0, 2, 3): P = 4/6, J = 1/3
    # all pixels: (2, 1, 3, 11): P = 13/17, J = 2/6
    assert res == {
        'P': _pct((9 / 11 + 4 / 6) / 2),
        'J': _pct(1 / 3),
        'P_img': _pct(13 / 17),
        'J_img': _pct(2 / 6),
    }


def test_released_hand_computed_image_mean():
    metric = _build('released')
    batches = [
        [
            _sample([[0, 1], [0, 1]], R1_GT, 0, 'cow/1.jpg', prob=R1_PROB),
            _sample(R2_PROB > 0.5, R2_GT, 0, 'cow/2.jpg', prob=R2_PROB),
        ],
        [
            _sample(R2_PROB > 0.5, R3_GT, 1, 'plane/3.jpg', prob=R2_PROB),
            # padding and a duplicate (wrong maps): not scored
            _sample(R2_PROB > 0.5, R2_GT, 1, 'plane/3.jpg',
                    prob=1 - R2_PROB, is_padding=True),
        ],
        [_sample(R2_PROB > 0.5, R2_GT, 1, 'plane/3.jpg', prob=1 - R2_PROB)],
    ]
    for batch in batches:
        metric.process({}, batch)
    # only small numbers are stored
    for records in metric.results:
        for record in records:
            assert all(isinstance(record[k], int)
                       for k in ('tp', 'fp', 'fn', 'tn'))
    res = metric.compute_metrics(metric.results)
    p = (R1_P + R2_P + 1) / 3
    j = (R1_J + R2_J + 1) / 3
    assert res == {'P': _pct(p), 'J': _pct(j), 'P_img': _pct(p),
                   'J_img': _pct(j)}
    # the category mean would differ
    assert _pct(((R1_P + R2_P) / 2 + 1) / 2) != res['P']


def test_released_needs_seg_logits():
    metric = _build('released')
    with pytest.raises(KeyError, match='seg_logits'):
        metric.process({}, [_sample(PRED_C, GT_C, 1, 'plane/c.jpg')])


def test_unknown_protocol_raises():
    with pytest.raises(ValueError, match='paper.*released.*pooled'):
        CoSegMetric(protocol='voc')
    with pytest.raises(ValueError, match='allowed'):
        METRICS.build({'type': 'CoSegMetric', 'protocol': 'Paper'})


@pytest.mark.parametrize('protocol', ['paper', 'released', 'pooled'])
def test_table_names_protocol(protocol):
    logger = MMLogger.get_instance(f'test_coseg_protocol_{protocol}')
    messages = []

    class _ListHandler(logging.Handler):

        def emit(self, record):
            messages.append(record.getMessage())

    handler = _ListHandler()
    logger.addHandler(handler)
    try:
        metric = _build(protocol)
        metric.process({}, [
            _sample(R2_PROB > 0.5, R3_GT, 1, 'plane/3.jpg', prob=R2_PROB)
        ])
        res = metric.evaluate(1)
    finally:
        logger.removeHandler(handler)
    assert res == {'P': 100.0, 'J': 100.0, 'P_img': 100.0, 'J_img': 100.0}
    text = '\n'.join(messages)
    assert f'protocol: {protocol}' in text
    table = next(m for m in messages if 'Category' in m)
    assert f'protocol: {protocol}' in table
    assert 'plane' in table and 'Ave.' in table
