"""Tests of the CoSOD protocol of CoSegMetric (``protocols``).

The scores must be those of ``pysodmetrics`` run directly on the same
0-255 maps (the way CoSOD tools read saved predictions), per category and
over all images, and match values worked out by hand on a tiny case.
"""
import logging
import warnings

import numpy as np
import pytest
import torch
from mmengine.logging import MMLogger
from mmengine.structures import PixelData
from mmseg.structures import SegDataSample

import mmcoseg.evaluation  # noqa: F401  (registers CoSegMetric)
from mmcoseg.evaluation.functional import (
    COSOD_KEYS,
    image_cosod_scores,
    prob_to_uint8,
)
from mmcoseg.registry import METRICS

py_sod_metrics = pytest.importorskip('py_sod_metrics')

CLASSES = ('cow', 'plane', 'boat')


def _sample(prob, gt, category, img_path, is_padding=False):
    """A ``SegDataSample.to_dict()`` as the Evaluator passes it: binary
    prediction at 0.5, ``seg_logits`` holding sigmoid probabilities (a
    one-channel head in MMSeg 1.2.2)."""
    prob = torch.as_tensor(np.asarray(prob), dtype=torch.float32)
    gt = torch.as_tensor(np.asarray(gt), dtype=torch.long)
    sample = SegDataSample(
        metainfo={
            'img_path': img_path,
            'ori_shape': tuple(gt.shape),
            'is_padding': is_padding,
            'category': category,
            'category_name': CLASSES[category],
        })
    sample.gt_sem_seg = PixelData(data=gt[None])
    sample.pred_sem_seg = PixelData(data=(prob > 0.5).long()[None])
    sample.seg_logits = PixelData(data=prob[None])
    return sample.to_dict()


def _metric(**kwargs):
    metric = METRICS.build(dict(type='CoSegMetric', **kwargs))
    metric.dataset_meta = {'classes': CLASSES}
    return metric


def _evaluate(metric, batches):
    for batch in batches:
        metric.process({}, batch)
    return metric.compute_metrics(metric.results)


def _direct(pairs):
    """pysodmetrics on (uint8 pred, uint8 gt) pairs, as its README shows;
    F-measure from the classic ``Fmeasure`` (what CoSOD toolkits used) and
    from ``FmeasureV2``."""
    sm, em, mae = (py_sod_metrics.Smeasure(), py_sod_metrics.Emeasure(),
                   py_sod_metrics.MAE())
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')  # Fmeasure is deprecated
        fm = py_sod_metrics.Fmeasure()
    fm2 = py_sod_metrics.FmeasureV2(metric_handlers={
        'fm': py_sod_metrics.FmeasureHandler(
            with_dynamic=True, with_adaptive=False, beta=0.3)
    })
    for pred, gt in pairs:
        for measure in (sm, em, mae, fm, fm2):
            measure.step(pred=pred, gt=gt)
    em_curve = em.get_results()['em']['curve']
    fm_curve = fm.get_results()['fm']['curve']
    np.testing.assert_allclose(fm_curve,
                               fm2.get_results()['fm']['dynamic'],
                               rtol=0, atol=1e-12)
    return dict(
        Sm=sm.get_results()['sm'],
        maxEm=em_curve.max(),
        meanEm=em_curve.mean(),
        maxFm=fm_curve.max(),
        meanFm=fm_curve.mean(),
        MAE=mae.get_results()['mae'])


def _random_images(seed=0):
    """(prob, gt, category, path) of 7 images of mixed sizes in 3
    categories, with an empty and a full ground truth."""
    rng = np.random.default_rng(seed)
    images = []
    sizes = [(17, 23), (30, 20), (12, 12), (25, 31), (9, 14), (40, 8),
             (21, 21)]
    for i, (h, w) in enumerate(sizes):
        gt = np.zeros((h, w), np.int64)
        top, left = rng.integers(0, h // 2), rng.integers(0, w // 2)
        gt[top:top + h // 2, left:left + w // 2] = 1
        if i == 4:
            gt[:] = 0
        if i == 5:
            gt[:] = 1
        prob = np.clip(gt * 0.6 + rng.random((h, w)) * 0.5, 0, 1)
        images.append((prob, gt, i % 3, f'{CLASSES[i % 3]}/{i}.jpg'))
    return images


def _gt_uint8(gt):
    return (np.asarray(gt) == 1).astype(np.uint8) * 255


def test_scores_equal_pysodmetrics_directly():
    images = _random_images()
    metrics = _evaluate(
        _metric(protocols=('coseg', 'cosod')),
        [[_sample(p, g, c, path) for p, g, c, path in images[:4]],
         [_sample(p, g, c, path) for p, g, c, path in images[4:]]])
    expected = _direct([(prob_to_uint8(p), _gt_uint8(g))
                        for p, g, _, _ in images])
    for key in COSOD_KEYS:
        assert metrics[key] == round(float(expected[key]), 3), key
    # the P/J keys are still there
    assert {'P', 'J', 'P_img', 'J_img'} <= set(metrics)
    # unrounded, per category, through the functional summary
    from mmcoseg.evaluation.functional import summarize_cosod
    per_category = {}
    for p, g, c, _ in images:
        per_category.setdefault(c, []).append(
            {'cosod': image_cosod_scores(torch.as_tensor(p), g)})
    summary = summarize_cosod(per_category)
    assert summary.num_images == len(images)
    for key in COSOD_KEYS:
        assert summary.overall[key] == pytest.approx(expected[key],
                                                     abs=1e-12)
    for category, num, scores in summary.categories:
        mine = [(prob_to_uint8(p), _gt_uint8(g)) for p, g, c, _ in images
                if c == category]
        assert num == len(mine)
        direct = _direct(mine)
        for key in COSOD_KEYS:
            assert scores[key] == pytest.approx(direct[key], abs=1e-12)


def test_maps_are_quantised_like_saved_pngs():
    # rounded (not truncated), clipped to [0, 1]
    prob = np.array([[0.0, 0.4, 1.0], [0.6 / 255, 1.49 / 255, 254.7 / 255],
                     [-0.2, 1.2, 2.51 / 255]])
    np.testing.assert_array_equal(prob_to_uint8(prob),
                                  [[0, 102, 255], [1, 1, 255], [0, 255, 3]])
    assert prob_to_uint8(torch.tensor(prob)[None]).dtype == np.uint8


# Hand-computed case. pysodmetrics min-max normalises each map, binarises
# at the 256 thresholds 255, 254, ..., 0 ("pred >= t"); its E-measure
# divides by (#pixels - 1), as the MATLAB toolbox.
# A (cow): 2x2, truth and map both [[255, 0], [0, 0]]. Sm = 1, MAE = 0.
#   Thresholds 255..1 give the exact mask: F = 1; E: every pixel has
#   alignment 1, so E = 4 / 3. Threshold 0 marks all four pixels: P = 1/4,
#   R = 1, F = 1.3 * 1/4 / (0.3 * 1/4 + 1) = 13/43; E: the demeaned
#   prediction is 0 everywhere, enhanced value 1/4 per pixel: E = 1/3.
# B (cow): map all 255, truth empty. Sm = 1 - mean(map) = 0, MAE = 1;
#   every threshold marks all pixels: F = 0 (no true positive) and E = 0
#   (no pixel predicted as background).
# C (plane): map [[200, 100], [100, 100]], truth as A: min-max
#   normalisation makes it A's map: every score as A.
E_A = np.array([4 / 3] * 255 + [1 / 3])
F_A = np.array([1.0] * 255 + [13 / 43])
A_MAP = [[1.0, 0.0], [0.0, 0.0]]
A_GT = [[1, 0], [0, 0]]
B_MAP = [[1.0, 1.0], [1.0, 1.0]]
B_GT = [[0, 0], [0, 0]]
C_MAP = [[200 / 255, 100 / 255], [100 / 255, 100 / 255]]


def _hand(images):
    """Scores of a list of the hand-computed images 'A', 'B', 'C'."""
    zero = np.zeros(256)
    em = np.mean([zero if i == 'B' else E_A for i in images], axis=0)
    fm = np.mean([zero if i == 'B' else F_A for i in images], axis=0)
    sm = np.mean([0.0 if i == 'B' else 1.0 for i in images])
    mae = np.mean([1.0 if i == 'B' else 0.0 for i in images])
    return dict(Sm=sm, maxEm=em.max(), meanEm=em.mean(), maxFm=fm.max(),
                meanFm=fm.mean(), MAE=mae)


def test_hand_computed_tiny_case():
    scores = image_cosod_scores(np.array(A_MAP), np.array(A_GT))
    np.testing.assert_allclose(scores['em'], E_A, rtol=1e-12)
    np.testing.assert_allclose(scores['fm'], F_A, rtol=1e-12)
    assert scores['sm'] == pytest.approx(1.0, abs=1e-12)
    assert scores['mae'] == 0.0
    assert _hand(['A'])['meanEm'] == pytest.approx(1021 / 768)

    logger = MMLogger.get_instance('test_cosod_hand', log_level='INFO')
    records = []
    handler = logging.Handler()
    handler.emit = lambda record: records.append(record.getMessage())
    logger.addHandler(handler)
    try:
        metrics = _evaluate(
            _metric(protocols='cosod'),
            [[_sample(A_MAP, A_GT, 0, 'cow/a.jpg'),
              _sample(B_MAP, B_GT, 0, 'cow/b.jpg')],
             [_sample(C_MAP, A_GT, 1, 'plane/c.jpg'),
              # padding and a duplicate: never scored
              _sample(B_MAP, A_GT, 1, 'plane/c.jpg', is_padding=True),
              _sample(B_MAP, A_GT, 0, 'cow/a.jpg')]])
    finally:
        logger.removeHandler(handler)
    # cosod only: no P/J keys
    assert list(metrics) == list(COSOD_KEYS)
    expected = _hand(['A', 'B', 'C'])
    for key in COSOD_KEYS:
        assert metrics[key] == round(float(expected[key]), 3), key
    assert metrics['Sm'] == 0.667 and metrics['MAE'] == 0.333
    assert metrics['maxEm'] == 0.889 and metrics['maxFm'] == 0.667

    table = next(m for m in records if 'protocol: cosod (pysodmetrics' in m)
    rows = {}
    for line in table.splitlines():
        cells = [c.strip() for c in line.strip().strip('|').split('|')]
        if len(cells) == 2 + len(COSOD_KEYS) and cells[0] != 'Category':
            rows[cells[0]] = (int(cells[1]), [float(c) for c in cells[2:]])
    assert set(rows) == {'cow', 'plane', 'All images'}
    for name, images in (('cow', ['A', 'B']), ('plane', ['C']),
                         ('All images', ['A', 'B', 'C'])):
        hand = _hand(images)
        assert rows[name][0] == len(images)
        assert rows[name][1] == [round(float(hand[k]), 3)
                                 for k in COSOD_KEYS], name


def test_default_reports_pj_only():
    metrics = _evaluate(_metric(), [[_sample(A_MAP, A_GT, 0, 'cow/a.jpg')]])
    assert list(metrics) == ['P', 'J', 'P_img', 'J_img']
    assert metrics['J'] == 100.0


def test_cosod_needs_probabilities():
    metric = _metric(protocols=['coseg', 'cosod'])
    sample = _sample(A_MAP, A_GT, 0, 'cow/a.jpg')
    del sample['seg_logits']
    with pytest.raises(KeyError, match='seg_logits'):
        metric.process({}, [sample])


@pytest.mark.parametrize('protocols', [(), ('cosod', 'iou'), 'paper'])
def test_unknown_protocols(protocols):
    with pytest.raises(ValueError, match='protocols'):
        _metric(protocols=protocols)


def test_no_image_gives_nan():
    metrics = _metric(protocols=('coseg', 'cosod')).compute_metrics([])
    assert list(metrics) == ['P', 'J', 'P_img', 'J_img', *COSOD_KEYS]
    assert all(np.isnan(v) for v in metrics.values())


def test_two_channel_logits_and_ignored_pixels():
    """A two-channel head's logits are turned into the foreground softmax;
    ignored truth pixels count as background for pysodmetrics."""
    prob = np.array([[0.81, 0.23], [0.66, 0.12]])
    gt = np.array([[1, 0], [255, 0]])
    logits = np.log(np.stack([1 - prob, prob]))
    sample = _sample(prob, gt, 0, 'cow/x.jpg')
    sample['seg_logits']['data'] = torch.as_tensor(logits,
                                                   dtype=torch.float32)
    metrics = _evaluate(_metric(protocols='cosod'), [[sample]])
    expected = _direct([(prob_to_uint8(prob),
                         np.array([[255, 0], [0, 0]], np.uint8))])
    for key in COSOD_KEYS:
        assert metrics[key] == round(float(expected[key]), 3), key
