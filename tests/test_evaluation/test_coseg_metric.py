"""Tests of CoSegMetric and its pixel-count helpers."""
import logging
import math

import numpy as np
import pytest
import torch
from mmengine.logging import MMLogger
from mmengine.structures import PixelData
from mmseg.structures import SegDataSample

import mmcoseg.evaluation  # noqa: F401  (registers CoSegMetric)
from mmcoseg.evaluation import CoSegMetric, counts_to_pj, image_pj_counts
from mmcoseg.registry import METRICS

CLASSES = ('cow', 'plane')

# Hand-computed 2x3 examples (255 = ignore).
# A (cow): TP=1 (0,0), FP=1 (1,0), FN=1 (0,1), TN=2; the predicted
#          foreground at the ignored pixel (1,2) is not a FP.
#          P = 3/5, J = 1/3.
GT_A = [[1, 1, 0], [0, 0, 255]]
PRED_A = [[1, 0, 0], [1, 0, 1]]
# B (cow): no foreground in either map. P = 1, J = 1 (empty-empty rule).
GT_B = [[0, 0, 0], [0, 0, 0]]
PRED_B = [[0, 0, 0], [0, 0, 0]]
# C (plane): TP=1, FN=2, TN=3. P = 4/6, J = 1/3.
GT_C = [[1, 1, 1], [0, 0, 0]]
PRED_C = [[1, 0, 0], [0, 0, 0]]

# cow: P = (3/5 + 1) / 2 = 0.8, J = (1/3 + 1) / 2 = 2/3
# plane: P = 2/3, J = 1/3
EXPECTED = {
    'P': round((0.8 + 2 / 3) / 2 * 100, 2),  # 73.33, mean over categories
    'J': round((2 / 3 + 1 / 3) / 2 * 100, 2),  # 50.0
    'P_img': round((3 / 5 + 1 + 2 / 3) / 3 * 100, 2),  # 75.56, image mean
    'J_img': round((1 / 3 + 1 + 1 / 3) / 3 * 100, 2),  # 55.56
}


def _sample(pred, gt, category, img_path, is_padding=False, group_id=0,
            index_in_group=0):
    """Build a ``SegDataSample.to_dict()`` as the Evaluator passes it."""
    data_sample = SegDataSample(
        metainfo={
            'img_path': img_path,
            'seg_map_path': img_path.replace('.jpg', '.png'),
            'ori_shape': (2, 3),
            'group_id': group_id,
            'group_size': 2,
            'index_in_group': index_in_group,
            'is_padding': is_padding,
            'category': category,
            'category_name': CLASSES[category],
            'co_categories': [category]})
    data_sample.gt_sem_seg = PixelData(data=torch.tensor([gt]))
    data_sample.pred_sem_seg = PixelData(data=torch.tensor([pred]))
    return data_sample.to_dict()


def _build_metric():
    metric = METRICS.build({'type': 'CoSegMetric'})
    metric.dataset_meta = {'classes': CLASSES}
    return metric


def _groups():
    """Two test groups: cow (A, B) and plane (C + a padded repeat of C)."""
    group_cow = [
        _sample(PRED_A, GT_A, 0, 'cow/a.jpg', group_id=0, index_in_group=0),
        _sample(PRED_B, GT_B, 0, 'cow/b.jpg', group_id=0, index_in_group=1),
    ]
    # The padded copy has a wrong prediction: scoring it would change J.
    group_plane = [
        _sample(PRED_C, GT_C, 1, 'plane/c.jpg', group_id=1, index_in_group=0),
        _sample(GT_B, GT_C, 1, 'plane/c.jpg', is_padding=True, group_id=1,
                index_in_group=1),
    ]
    return group_cow, group_plane


@pytest.mark.parametrize('to_array', [torch.tensor, np.array])
def test_image_pj_counts(to_array):
    assert image_pj_counts(to_array(PRED_A), to_array(GT_A)) == (1, 1, 1, 2)
    # (1, H, W) maps as stored in PixelData
    assert image_pj_counts(to_array([PRED_C]), to_array([GT_C]),
                           255) == (1, 0, 2, 3)
    assert image_pj_counts(to_array(PRED_B), to_array(GT_B)) == (0, 0, 0, 6)
    # another ignore index: 255 is then a (non-zero) foreground value
    assert image_pj_counts(to_array(PRED_A), to_array(GT_A),
                           ignore_index=254) == (2, 1, 1, 2)


def test_image_pj_counts_shape_mismatch():
    with pytest.raises(ValueError, match='does not match'):
        image_pj_counts(np.zeros((2, 3)), np.zeros((3, 2)))


def test_counts_to_pj():
    assert counts_to_pj(1, 1, 1, 2) == pytest.approx((3 / 5, 1 / 3))
    # empty prediction and empty truth: J = 1
    assert counts_to_pj(0, 0, 0, 6) == (1.0, 1.0)
    # empty truth but a predicted foreground: J = 0
    assert counts_to_pj(0, 2, 0, 4) == pytest.approx((4 / 6, 0.0))
    precision, jaccard = counts_to_pj(0, 0, 0, 0)
    assert math.isnan(precision) and jaccard == 1.0


def test_build_and_process_keeps_only_counts():
    metric = _build_metric()
    assert isinstance(metric, CoSegMetric)
    assert metric.ignore_index == 255
    group_cow, _ = _groups()
    metric.process({}, group_cow)
    assert len(metric.results) == 1  # one entry per batch
    records = metric.results[0]
    assert [r['tp'] for r in records] == [1, 0]
    for record in records:
        assert set(record) == {
            'category', 'category_name', 'img_path', 'tp', 'fp', 'fn', 'tn'
        }
        assert all(
            isinstance(record[k], int) for k in ('tp', 'fp', 'fn', 'tn'))


def test_evaluate_hand_computed():
    metric = _build_metric()
    group_cow, group_plane = _groups()
    metric.process({}, group_cow)
    metric.process({}, group_plane)
    # size = number of groups; nothing may be truncated away
    res = metric.evaluate(2)
    assert res == EXPECTED
    assert res['P'] != res['P_img'] and res['J'] != res['J_img']
    assert metric.results == []

    # one batch of two groups, as a group dataset of length 2 with
    # batch_size=2 yields: collect_results truncates results to the
    # dataset length, which must not drop images
    metric.process({}, group_cow + group_plane)
    assert metric.evaluate(1) == EXPECTED


def test_padding_and_duplicates_counted_once():
    group_cow, group_plane = _groups()
    # A second "rank" repeats image A (as a distributed sampler pads) and
    # image C with different predictions; the first ones must be kept.
    repeated = [
        _sample(GT_A, GT_A, 0, 'cow/a.jpg'),
        _sample(GT_B, GT_C, 1, 'plane/c.jpg'),
    ]
    metric = _build_metric()
    for batch in (group_cow, group_plane, repeated):
        metric.process({}, batch)
    assert metric.compute_metrics(metric.results) == EXPECTED

    # only padding: nothing to score
    metric = _build_metric()
    metric.process({}, [group_plane[1]])
    assert metric.results == [[]]
    res = metric.compute_metrics(metric.results)
    assert set(res) == {'P', 'J', 'P_img', 'J_img'}
    assert all(math.isnan(v) for v in res.values())


def test_same_image_in_two_categories_counts_in_both():
    metric = _build_metric()
    metric.process({}, [
        _sample(PRED_C, GT_C, 0, 'shared.jpg'),
        _sample(PRED_C, GT_C, 1, 'shared.jpg'),
    ])
    res = metric.compute_metrics(metric.results)
    assert res['P'] == res['P_img'] == round(4 / 6 * 100, 2)
    assert res['J'] == res['J_img'] == round(1 / 3 * 100, 2)


def test_fully_ignored_image_is_skipped():
    metric = _build_metric()
    ignored = [[255, 255, 255], [255, 255, 255]]
    metric.process({}, [
        _sample(PRED_C, GT_C, 1, 'plane/c.jpg'),
        _sample(PRED_A, ignored, 1, 'plane/d.jpg'),
    ])
    res = metric.compute_metrics(metric.results)
    assert res['P'] == round(4 / 6 * 100, 2)
    assert res['J'] == round(1 / 3 * 100, 2)


def test_per_category_table_is_logged():
    logger = MMLogger.get_instance('test_coseg_metric_table')
    messages = []

    class _ListHandler(logging.Handler):

        def emit(self, record):
            messages.append(record.getMessage())

    handler = _ListHandler()
    logger.addHandler(handler)
    try:
        metric = _build_metric()
        group_cow, group_plane = _groups()
        metric.process({}, group_cow)
        metric.process({}, group_plane)
        metric.evaluate(2)
    finally:
        logger.removeHandler(handler)

    text = '\n'.join(messages)
    assert 'Category' in text and '#Img' in text
    assert 'cow' in text and 'plane' in text and 'Ave.' in text
    rows = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip('|').split('|')]
        if len(cells) == 4:
            rows[cells[0]] = cells[1:]
    assert rows['cow'] == ['2', '80.0', '66.67']
    assert rows['plane'] == ['1', '66.67', '33.33']
    assert rows['Ave.'] == ['3', '73.33', '50.0']


def test_category_name_fallback_without_dataset_meta():
    metric = CoSegMetric()
    assert metric.dataset_meta is None
    metric.process({}, [_sample(PRED_C, GT_C, 1, 'plane/c.jpg')])
    assert metric._category_name(1, 'plane') == 'plane'
    assert metric._category_name(7, None) == '7'
    res = metric.compute_metrics(metric.results)
    assert res['P'] == round(4 / 6 * 100, 2)
