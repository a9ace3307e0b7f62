"""Tests of ``GroupDataset`` (indexing, grouping, errors, real pipeline)."""
import math
import os
import os.path as osp
import re

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmseg.structures import SegDataSample
from PIL import Image

import mmcoseg  # noqa: F401  (registers the modules)
from mmcoseg.datasets import GroupDataset

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = osp.join(REPO, 'configs', '_base_', 'datasets', 'synthetic_coseg.py')

# Created in this (unsorted) order; classes must come out sorted.
COUNTS = {'zebra': 2, 'cat': 5, 'apple': 7}
CLASSES = sorted(COUNTS)  # ['apple', 'cat', 'zebra']
N = 5


def _shape(cat, i):
    """Small, varying (H, W) per image."""
    return 20 + 2 * i + len(cat), 30 + 3 * i


def _write_layout(root, same_folder=False, counts=COUNTS):
    """Write ``images/<cat>/<cat>_<i>.jpg`` and the matching ``.png`` masks
    in ``masks/<cat>/`` (or beside the images when ``same_folder``)."""
    rng = np.random.default_rng(0)
    for cat, num in counts.items():
        img_dir = osp.join(root, 'images', cat)
        seg_dir = img_dir if same_folder else osp.join(root, 'masks', cat)
        os.makedirs(img_dir, exist_ok=True)
        os.makedirs(seg_dir, exist_ok=True)
        for i in range(num):
            h, w = _shape(cat, i)
            img = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
            Image.fromarray(img).save(osp.join(img_dir, f'{cat}_{i}.jpg'))
            mask = np.zeros((h, w), np.uint8)
            mask[h // 4:3 * h // 4, w // 4:3 * w // 4] = 255
            Image.fromarray(mask).save(osp.join(seg_dir, f'{cat}_{i}.png'))
    return root


@pytest.fixture(scope='module')
def root(tmp_path_factory):
    init_default_scope('mmcoseg')
    return _write_layout(str(tmp_path_factory.mktemp('coseg')))


def _dataset(root, **kwargs):
    kwargs.setdefault('data_prefix',
                      dict(img_path='images', seg_map_path='masks'))
    return GroupDataset(data_root=root, **kwargs)


def _stem(path):
    return osp.splitext(osp.basename(path))[0]


# ------------------------------------------------------------------ indexing
def test_classes_sorted_and_data_list(root):
    ds = _dataset(root, group_size=N, test_mode=True)
    assert ds.metainfo['classes'] == tuple(CLASSES)
    assert ds.num_images == sum(COUNTS.values())
    for idx in range(ds.num_images):
        info = super(GroupDataset, ds).get_data_info(idx)
        cat = info['category_name']
        assert CLASSES[info['category']] == cat
        assert info['co_categories'] == [info['category']]
        assert info['img_path'] == osp.join(
            root, 'images', cat, f"{cat}_{info['index_in_category']}.jpg")
        assert info['seg_map_path'] == osp.join(
            root, 'masks', cat, f"{cat}_{info['index_in_category']}.png")


def test_metainfo_classes_subset(root):
    ds = _dataset(root, group_size=N, test_mode=True,
                  metainfo=dict(classes=['zebra', 'apple']))
    assert ds.metainfo['classes'] == ('zebra', 'apple')
    assert ds.num_images == COUNTS['zebra'] + COUNTS['apple']
    groups = [ds.get_data_info(i) for i in range(len(ds))]
    assert [(g['category'], g['category_name']) for g in groups] == \
        [(0, 'zebra'), (1, 'apple'), (1, 'apple')]
    for group in groups:
        for image in group['images']:
            assert image['category_name'] == group['category_name']
            assert f"/{group['category_name']}/" in image['img_path']


def test_test_mode_groups(root):
    ds = _dataset(root, group_size=N, test_mode=True)
    expected_groups = {c: math.ceil(n / N) for c, n in COUNTS.items()}
    assert len(ds) == sum(expected_groups.values())

    seen = {}
    per_cat = {c: 0 for c in CLASSES}
    for gid in range(len(ds)):
        group = ds.get_data_info(gid)
        cat = group['category_name']
        label = CLASSES.index(cat)
        per_cat[cat] += 1
        assert group['group_id'] == gid
        assert group['group_size'] == N
        assert group['category'] == label
        assert group['co_categories'] == [label]
        images = group['images']
        assert len(images) == N
        flags = [im['is_padding'] for im in images]
        # padding only at the end of a group
        assert flags == sorted(flags)
        for pos, im in enumerate(images):
            assert im['group_id'] == gid
            assert im['category'] == label
            assert im['category_name'] == cat
            assert im['co_categories'] == [label]
            assert osp.dirname(im['img_path']) == osp.join(
                root, 'images', cat)
            if not im['is_padding']:
                assert im['img_path'] not in seen
                seen[im['img_path']] = gid
    assert per_cat == expected_groups
    assert len(seen) == sum(COUNTS.values())

    # file-name order; the last group is filled with the first images
    groups = [ds.get_data_info(i) for i in range(len(ds))]
    apple = [[_stem(im['img_path']) for im in g['images']]
             for g in groups if g['category_name'] == 'apple']
    assert apple == [[f'apple_{i}' for i in range(5)],
                     ['apple_5', 'apple_6', 'apple_0', 'apple_1', 'apple_2']]
    zebra = [g for g in groups if g['category_name'] == 'zebra'][0]
    assert [_stem(im['img_path']) for im in zebra['images']] == \
        ['zebra_0', 'zebra_1', 'zebra_0', 'zebra_1', 'zebra_0']
    assert [im['is_padding'] for im in zebra['images']] == \
        [False, False, True, True, True]
    cat = [g for g in groups if g['category_name'] == 'cat'][0]
    assert not any(im['is_padding'] for im in cat['images'])


def test_group_size_none_whole_categories(root):
    ds = _dataset(root, group_size=None, test_mode=True)
    assert len(ds) == len(CLASSES)
    for gid, cat in enumerate(CLASSES):
        group = ds.get_data_info(gid)
        assert group['category_name'] == cat
        assert group['group_size'] == COUNTS[cat]
        assert len(group['images']) == COUNTS[cat]
        assert [_stem(im['img_path']) for im in group['images']] == \
            [f'{cat}_{i}' for i in range(COUNTS[cat])]
        assert not any(im['is_padding'] for im in group['images'])


def test_train_mode_groups(root):
    np.random.seed(0)
    ds = _dataset(root, group_size=N)
    total = sum(COUNTS.values())
    assert len(ds) == total == ds.num_images
    for idx in range(len(ds)):
        anchor = super(GroupDataset, ds).get_data_info(idx)
        group = ds.get_data_info(idx)
        images = group['images']
        assert len(images) == N == group['group_size']
        assert images[0]['img_path'] == anchor['img_path']
        assert group['category'] == anchor['category']
        cat = anchor['category_name']
        paths = [im['img_path'] for im in images]
        for pos, im in enumerate(images):
            assert im['category'] == anchor['category']
            assert osp.dirname(im['img_path']) == osp.join(
                root, 'images', cat)
            assert im['is_padding'] is False
        if COUNTS[cat] >= N:
            assert len(set(paths)) == N  # distinct companions
        else:
            # too few images: repetition, but every image of the category
            # other than the anchor is used (here the only other one)
            assert len(set(paths)) == COUNTS[cat]
            assert paths.count(anchor['img_path']) == 1


def test_train_mode_single_image_category(tmp_path):
    init_default_scope('mmcoseg')
    root = _write_layout(str(tmp_path), counts={'solo': 1, 'pair': 2})
    ds = _dataset(root, group_size=3)
    assert len(ds) == 3
    assert ds.metainfo['classes'] == ('pair', 'solo')
    solo = ds.get_data_info(2)  # images 0, 1 are 'pair', 2 is 'solo'
    assert solo['category_name'] == 'solo'
    assert len({im['img_path'] for im in solo['images']}) == 1
    assert len(solo['images']) == 3


def test_train_mode_companions_vary(root):
    np.random.seed(1)
    ds = _dataset(root, group_size=3)
    # anchor 0 is apple_0; the companions are drawn at random
    draws = {tuple(im['img_path'] for im in ds.get_data_info(0)['images'])
             for _ in range(20)}
    assert len(draws) > 1


def test_masks_beside_images(tmp_path):
    init_default_scope('mmcoseg')
    root = _write_layout(str(tmp_path), same_folder=True)
    ds = GroupDataset(
        data_root=root,
        data_prefix=dict(img_path='images', seg_map_path='images'),
        img_suffix='.jpg',
        seg_map_suffix='.png',
        group_size=N,
        test_mode=True)
    assert ds.metainfo['classes'] == tuple(CLASSES)
    assert ds.num_images == sum(COUNTS.values())
    for gid in range(len(ds)):
        for im in ds.get_data_info(gid)['images']:
            assert im['img_path'].endswith('.jpg')
            assert im['seg_map_path'] == im['img_path'][:-4] + '.png'
            assert osp.isfile(im['seg_map_path'])
    # masks only in images/: default img suffixes include the mask suffix
    with pytest.raises(ValueError, match='seg_map_suffix'):
        GroupDataset(
            data_root=root,
            data_prefix=dict(img_path='images', seg_map_path='images'),
            group_size=N, test_mode=True)


def test_no_masks_inference_only(root):
    ds = _dataset(root, data_prefix=dict(img_path='images'), group_size=N,
                  test_mode=True)
    assert all(im['seg_map_path'] is None
               for im in ds.get_data_info(0)['images'])


# -------------------------------------------------------------------- errors
def test_missing_image_root(tmp_path):
    missing = osp.join(str(tmp_path), 'images')
    with pytest.raises(FileNotFoundError, match=re.escape(missing)):
        _dataset(str(tmp_path), group_size=N, test_mode=True)


def test_image_without_mask(tmp_path):
    init_default_scope('mmcoseg')
    root = _write_layout(str(tmp_path))
    expected = osp.join(root, 'masks', 'cat', 'cat_3.png')
    os.remove(expected)
    with pytest.raises(FileNotFoundError) as err:
        _dataset(root, group_size=N, test_mode=True)
    assert expected in str(err.value)
    assert '1 image(s)' in str(err.value)


def test_empty_category(tmp_path):
    init_default_scope('mmcoseg')
    root = _write_layout(str(tmp_path), counts={'cat': 2})
    os.makedirs(osp.join(root, 'images', 'empty'))
    with pytest.raises(ValueError, match='empty'):
        _dataset(root, group_size=N, test_mode=True)


def test_bad_group_size(root):
    with pytest.raises(ValueError, match='test_mode'):
        _dataset(root, group_size=None)
    with pytest.raises(ValueError, match='group_size'):
        _dataset(root, group_size=0, test_mode=True)


# ------------------------------------------------------------ real pipeline
@pytest.fixture(scope='module')
def pipelines():
    cfg = Config.fromfile(CONFIG)
    return (cfg.train_dataloader.dataset.pipeline,
            cfg.test_dataloader.dataset.pipeline, tuple(cfg.crop_size))


def _check_packed(out, n):
    assert set(out) == {'inputs', 'data_samples'}
    inputs, samples = out['inputs'], out['data_samples']
    assert isinstance(inputs, list) and len(inputs) == n
    assert isinstance(samples, list) and len(samples) == n
    for img in inputs:
        assert isinstance(img, torch.Tensor)
        assert img.dtype == torch.uint8 and img.dim() == 3
        assert img.shape[0] == 3
    for pos, sample in enumerate(samples):
        assert isinstance(sample, SegDataSample)
        values = set(sample.gt_sem_seg.data.unique().tolist())
        assert values <= {0, 1} and 1 in values


def test_train_pipeline(root, pipelines):
    train_pipeline, _, crop = pipelines
    np.random.seed(0)
    ds = _dataset(root, group_size=N, pipeline=train_pipeline)
    out = ds[3]
    _check_packed(out, N)
    anchor = super(GroupDataset, ds).get_data_info(3)
    first = out['data_samples'][0]
    assert first.img_path == anchor['img_path']
    for img, sample in zip(out['inputs'], out['data_samples']):
        assert tuple(img.shape[1:]) == crop
        assert tuple(sample.gt_sem_seg.shape) == crop
        assert sample.category == anchor['category']
        assert sample.is_padding is False


def test_test_pipeline(root, pipelines):
    _, test_pipeline, crop = pipelines
    ds = _dataset(root, group_size=N, test_mode=True,
                  pipeline=test_pipeline)
    gid = len(ds) - 1  # zebra: 2 images + 3 padding
    out = ds[gid]
    _check_packed(out, N)
    for pos, (img, sample) in enumerate(zip(out['inputs'],
                                            out['data_samples'])):
        assert tuple(img.shape[1:]) == crop
        h, w = _shape('zebra', pos % 2)
        assert tuple(sample.ori_shape) == (h, w)
        # masks stay at the original size for evaluation
        assert tuple(sample.gt_sem_seg.shape) == (h, w)
        assert sample.group_id == gid
        assert sample.category_name == 'zebra'
        assert sample.co_categories == [CLASSES.index('zebra')]
        assert sample.is_padding is (pos >= 2)
