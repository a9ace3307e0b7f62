"""Tests of ``CoSegMetric(keep_results=True)``: per_image_scores.csv."""
import csv
import os
import os.path as osp

import pytest
import torch
from mmengine.structures import PixelData
from mmseg.structures import SegDataSample

import mmcoseg.evaluation  # noqa: F401  (registers CoSegMetric)
from mmcoseg.evaluation import CoSegMetric
from mmcoseg.registry import METRICS

CLASSES = ('cow', 'plane')
CSV_NAME = 'per_image_scores.csv'

# Hand-computed 2x3 maps of test_coseg_metric.py (255 = ignore).
# A: (tp, fp, fn, tn) = (1, 1, 1, 2): P = 3/5, J = 1/3.
# B: (0, 0, 0, 6), empty prediction and truth: P = J = 1.
# C: (1, 0, 2, 3): P = 4/6, J = 1/3.
GT_A = [[1, 1, 0], [0, 0, 255]]
PRED_A = [[1, 0, 0], [1, 0, 1]]
GT_B = [[0, 0, 0], [0, 0, 0]]
PRED_B = [[0, 0, 0], [0, 0, 0]]
GT_C = [[1, 1, 1], [0, 0, 0]]
PRED_C = [[1, 0, 0], [0, 0, 0]]

HEADER = ['category_name', 'img_path', 'P', 'J']
# Percent, repr() precision, by category index then by path.
BINARY_ROWS = [
    ['cow', 'data/cow/a.jpg', '60.0', '33.33333333333333'],
    ['cow', 'data/cow/b.jpg', '100.0', '100.0'],
    ['plane', 'data/plane/c.jpg', '66.66666666666666', '33.33333333333333'],
]


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


def _build(output_dir, protocol='paper', keep_results=True):
    metric = METRICS.build({
        'type': 'CoSegMetric',
        'protocol': protocol,
        'output_dir': str(output_dir),
        'keep_results': keep_results
    })
    metric.dataset_meta = {'classes': CLASSES}
    return metric


def _binary_batches():
    """The plane group first and cow images out of order (the CSV is
    sorted), plus a padded image and a duplicate that are never scored."""
    return [
        [
            _sample(PRED_C, GT_C, 1, 'data/plane/c.jpg'),
            _sample(GT_B, GT_C, 1, 'data/plane/c.jpg', is_padding=True),
        ],
        [
            _sample(PRED_B, GT_B, 0, 'data/cow/b.jpg'),
            _sample(PRED_A, GT_A, 0, 'data/cow/a.jpg'),
        ],
        [_sample(GT_A, GT_A, 0, 'data/cow/a.jpg')],
    ]


def _read_csv(path):
    with open(path, newline='', encoding='utf-8') as f:
        return list(csv.reader(f))


@pytest.mark.parametrize('protocol', ['paper', 'pooled'])
def test_csv_hand_computed(tmp_path, protocol):
    metric = _build(tmp_path, protocol)
    for batch in _binary_batches():
        metric.process({}, batch)
    res = metric.evaluate(3)

    rows = _read_csv(tmp_path / CSV_NAME)
    assert rows[0] == HEADER
    assert rows[1:] == BINARY_ROWS
    # The values that 'paper' averages (the unrounded mean of the CSV).
    if protocol == 'paper':
        assert res['P_img'] == round((60 + 100 + 200 / 3) / 3, 2)
        assert res['J'] == round(((100 / 3 + 100) / 2 + 100 / 3) / 2, 2)
    # No temporary file is left next to the CSV and the masks.
    assert sorted(os.listdir(tmp_path)) == sorted(['cow', 'plane', CSV_NAME])
    assert sorted(os.listdir(tmp_path / 'cow')) == ['a.png', 'b.png']


def test_csv_released_per_image_values(tmp_path):
    # 448x448 maps of 2x2 constant quadrants (see
    # test_coseg_metric_protocols.py): the released threshold keeps the
    # bottom-right quadrant. Truth = bottom half: (q, 0, q, 2q), P = 3/4,
    # J = 1/2. Truth = bottom-right quadrant: P = J = 1.
    block = torch.ones(224, 224)
    prob = torch.kron(torch.tensor([[0.1, 0.1], [0.1, 0.9]]), block)
    half = torch.kron(torch.tensor([[0, 0], [1, 1]]), block).long()
    quarter = torch.kron(torch.tensor([[0, 0], [0, 1]]), block).long()
    metric = _build(tmp_path, 'released')
    # The binary prediction (all background) differs from the released
    # binarisation: the CSV holds the released values.
    empty = torch.zeros_like(half)
    metric.process({}, [
        _sample(empty, quarter, 1, 'p/3.jpg', prob=prob),
        _sample(empty, half, 0, 'c/2.jpg', prob=prob),
    ])
    res = metric.evaluate(1)
    assert _read_csv(tmp_path / CSV_NAME) == [
        HEADER,
        ['cow', 'c/2.jpg', '75.0', '50.0'],
        ['plane', 'p/3.jpg', '100.0', '100.0'],
    ]
    assert res == {'P': 87.5, 'J': 75.0, 'P_img': 87.5, 'J_img': 75.0}


def test_csv_is_replaced_and_written_without_images(tmp_path):
    metric = _build(tmp_path)
    metric.process({}, [_sample(PRED_C, GT_C, 1, 'data/plane/c.jpg')])
    metric.evaluate(1)
    assert _read_csv(tmp_path / CSV_NAME)[1:] == [BINARY_ROWS[2]]

    # A later evaluation replaces the file; with nothing to score it only
    # holds the header.
    metric.process({}, [
        _sample(PRED_C, GT_C, 1, 'data/plane/c.jpg', is_padding=True)
    ])
    metric.evaluate(1)
    assert _read_csv(tmp_path / CSV_NAME) == [HEADER]
    assert sorted(os.listdir(tmp_path)) == sorted(['plane', CSV_NAME])


def test_keep_results_needs_output_dir():
    for output_dir in (None, ''):
        with pytest.raises(ValueError,
                           match='keep_results.*output_dir'):
            CoSegMetric(output_dir=output_dir, keep_results=True)
    with pytest.raises(ValueError, match='keep_results.*output_dir'):
        METRICS.build({'type': 'CoSegMetric', 'keep_results': True})
    # keep_results=False (the default) needs no output_dir
    assert CoSegMetric().keep_results is False


def test_no_csv_without_keep_results(tmp_path):
    metric = _build(tmp_path, keep_results=False)
    for batch in _binary_batches():
        metric.process({}, batch)
    metric.evaluate(3)
    # the masks are still written, the CSV is not
    assert not osp.exists(tmp_path / CSV_NAME)
    assert sorted(os.listdir(tmp_path)) == ['cow', 'plane']
    assert sorted(os.listdir(tmp_path / 'plane')) == ['c.png']
