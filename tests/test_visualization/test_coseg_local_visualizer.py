"""Tests of CoSegLocalVisualizer."""
import os.path as osp

import cv2
import numpy as np
import pytest
import torch
from mmengine.structures import PixelData
from mmseg.structures import SegDataSample

import mmcoseg.visualization  # noqa: F401  (registers the visualizer)
from mmcoseg.registry import VISUALIZERS
from mmcoseg.visualization import CoSegLocalVisualizer

H, W = 40, 60


def _image():
    rng = np.random.RandomState(0)
    # values below 200 can never equal the overlay or contour colours
    return rng.randint(0, 200, size=(H, W, 3)).astype(np.uint8)


def _maps():
    gt = np.zeros((H, W), dtype=np.int64)
    gt[15:35, 10:40] = 1
    gt[36:38, 50:55] = 255  # ignored pixels are not foreground
    pred = np.zeros((H, W), dtype=np.int64)
    pred[20:38, 20:50] = 1
    return gt, pred


def _data_sample(category_name='cow'):
    gt, pred = _maps()
    metainfo = {'category': 0, 'group_id': 0, 'index_in_group': 0}
    if category_name is not None:
        metainfo['category_name'] = category_name
    data_sample = SegDataSample(metainfo=metainfo)
    data_sample.gt_sem_seg = PixelData(data=torch.from_numpy(gt)[None])
    data_sample.pred_sem_seg = PixelData(data=torch.from_numpy(pred)[None])
    return data_sample


def _read_rgb(path):
    assert osp.isfile(path)
    return cv2.imread(str(path))[..., ::-1]


def _build(name, **kwargs):
    return VISUALIZERS.build(
        dict(type='CoSegLocalVisualizer', name=name, **kwargs))


def test_build_and_dataset_meta():
    vis = _build('coseg_vis_build')
    assert isinstance(vis, CoSegLocalVisualizer)
    # no cityscapes default classes: the maps are binary
    assert vis.dataset_meta == {}
    vis.dataset_meta = {'classes': ('cow', 'plane')}  # as the runner does
    data_sample = _data_sample(category_name=None)
    data_sample.set_metainfo({'category': 1})
    assert vis._category_text(data_sample) == 'plane'
    assert vis._category_text(_data_sample('cow')) == 'cow'
    with pytest.raises(ValueError):
        CoSegLocalVisualizer(name='coseg_vis_bad_alpha', alpha=1.5)


@pytest.mark.parametrize('with_labels', [False, True])
def test_add_datasample_out_file(tmp_path, with_labels):
    image = _image()
    gt, pred = _maps()
    vis = _build(f'coseg_vis_out_{with_labels}')
    out_file = str(tmp_path / 'vis.png')

    # gt and pred side by side: gt left, pred right
    vis.add_datasample(
        'sample', image, _data_sample(), out_file=out_file,
        with_labels=with_labels)
    drawn = _read_rgb(out_file)
    assert drawn.shape == (H, 2 * W, 3)
    np.testing.assert_array_equal(drawn, vis.get_image())
    gt_panel, pred_panel = drawn[:, :W], drawn[:, W:]

    # with a label, only the top-left label box may differ on background
    keep = np.ones((H, W), dtype=bool)
    if with_labels:
        keep[:15, :] = False
    for panel, seg in ((gt_panel, gt), (pred_panel, pred)):
        background = (seg != 1) & keep
        np.testing.assert_array_equal(panel[background], image[background])
        foreground = (seg == 1) & keep
        assert (panel[foreground] != image[foreground]).any(axis=-1).all()
    assert not np.array_equal(gt_panel, pred_panel)

    if with_labels:
        # the label box changed the top-left corner
        assert (gt_panel[:5, :5] != image[:5, :5]).any()

    # prediction only / ground truth only
    vis.add_datasample(
        'sample', image, _data_sample(), draw_gt=False, out_file=out_file,
        with_labels=with_labels)
    drawn = _read_rgb(out_file)
    assert drawn.shape == (H, W, 3)
    np.testing.assert_array_equal(drawn, pred_panel)

    vis.add_datasample(
        'sample', image, _data_sample(), draw_pred=False, out_file=out_file,
        with_labels=with_labels)
    np.testing.assert_array_equal(_read_rgb(out_file), gt_panel)


def test_overlay_colour_and_contour(tmp_path):
    image = np.full((H, W, 3), 100, dtype=np.uint8)
    vis = _build(
        'coseg_vis_colour',
        alpha=0.5,
        fg_color=(0, 255, 0),
        contour_color=None)
    out_file = str(tmp_path / 'vis.png')
    vis.add_datasample(
        'sample', image, _data_sample(), draw_gt=False, out_file=out_file,
        with_labels=False)
    drawn = _read_rgb(out_file)
    _, pred = _maps()
    expected = np.array([50, 178, 50], dtype=np.uint8)  # 0.5 * 100 + 0.5 * c
    assert (np.abs(drawn[pred == 1].astype(int) - expected) <= 1).all()
    np.testing.assert_array_equal(drawn[pred == 0], image[pred == 0])

    # with a contour: border pixels of the foreground get the contour colour
    vis = _build('coseg_vis_contour', contour_color=(255, 255, 0))
    vis.add_datasample(
        'sample', image, _data_sample(), draw_gt=False, out_file=out_file,
        with_labels=False)
    drawn = _read_rgb(out_file)
    np.testing.assert_array_equal(drawn[20, 30], [255, 255, 0])  # top edge
    assert not (drawn[29, 35] == [255, 255, 0]).all()  # interior
    np.testing.assert_array_equal(drawn[pred == 0], image[pred == 0])


def test_add_datasample_backend(tmp_path):
    """Without out_file the image goes to the visual backends (the hook)."""
    image = _image()
    vis = _build(
        'coseg_vis_backend',
        vis_backends=[{'type': 'LocalVisBackend'}],
        save_dir=str(tmp_path))
    vis.add_datasample('val_img', image, _data_sample(), step=3)
    saved = tmp_path / 'vis_data' / 'vis_image' / 'val_img_3.png'
    assert _read_rgb(saved).shape == (H, 2 * W, 3)


def test_add_datasample_empty_and_resized(tmp_path):
    image = _image()
    out_file = str(tmp_path / 'vis.png')
    vis = _build('coseg_vis_empty')

    # no foreground at all: image unchanged
    data_sample = SegDataSample()
    data_sample.pred_sem_seg = PixelData(
        data=torch.zeros((1, H, W), dtype=torch.long))
    vis.add_datasample(
        'sample', image, data_sample, out_file=out_file, with_labels=True)
    np.testing.assert_array_equal(_read_rgb(out_file), image)

    # a map of another size is resized (nearest) to the image
    data_sample = SegDataSample()
    small = torch.zeros((1, H // 2, W // 2), dtype=torch.uint8)
    small[:, 5:15, 5:20] = 1
    data_sample.pred_sem_seg = PixelData(data=small)
    vis.add_datasample('sample', image, data_sample, out_file=out_file)
    drawn = _read_rgb(out_file)
    assert drawn.shape == (H, W, 3)
    assert (drawn[20, 20] != image[20, 20]).any()
    np.testing.assert_array_equal(drawn[-1, -1], image[-1, -1])
