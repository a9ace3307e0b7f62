"""The benchmark dataset configs index their layouts as distributed.

Each test fabricates a tiny copy (2 classes x 2 images) of a benchmark's
folder layout and file formats, then builds the config's test dataset on
it with only ``data_root`` and the class list overridden.
"""
import os
import os.path as osp

import numpy as np
import pytest
from mmengine.config import Config
from mmengine.registry import init_default_scope
from PIL import Image

import mmcoseg  # noqa: F401
from mmcoseg.datasets.mask_io import read_mask
from mmcoseg.registry import DATASETS

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG_DIR = osp.join(REPO_ROOT, 'configs', '_base_', 'datasets')
SIZES = [(40, 30), (36, 28)]  # (width, height) of the two images a class


def _image(path, size, seed=0):
    rng = np.random.default_rng(seed)
    array = rng.integers(0, 255, (size[1], size[0], 3), dtype=np.uint8)
    Image.fromarray(array).save(path)


def _fg(size):
    fg = np.zeros((size[1], size[0]), dtype=bool)
    fg[5:15, 8:24] = True
    return fg


def _mask_bmp(path, size):
    Image.fromarray(_fg(size).astype(np.uint8) * 255).save(path)


def _mask_1bit(path, size):
    Image.fromarray(_fg(size)).convert('1').save(path)


def _mask_palette(path, size):
    img = Image.fromarray(_fg(size).astype(np.uint8), mode='L').convert('P')
    img.putpalette([0, 0, 0, 128, 0, 0] + [0] * 762)
    img.save(path)


def _mask_noisy(path, size):
    # lossy-JPEG-like: values near 0 and near 255, saved as PNG
    rng = np.random.default_rng(1)
    array = np.where(_fg(size), 240, 12).astype(np.int16)
    array += rng.integers(-10, 11, array.shape)
    Image.fromarray(array.clip(0, 255).astype(np.uint8)).save(path)


def _build(config, data_root, classes):
    cfg = Config.fromfile(osp.join(CONFIG_DIR, config))
    init_default_scope('mmcoseg')
    cfg.test_dataloader.dataset.data_root = str(data_root)
    cfg.test_dataloader.dataset.metainfo = dict(classes=tuple(classes))
    ds_cfg = cfg.test_dataloader.dataset.copy()
    ds_cfg['pipeline'] = []
    return DATASETS.build(ds_cfg)


def _check(dataset, classes, num_images=4):
    assert dataset.metainfo['classes'] == tuple(classes)
    assert dataset.num_images == num_images
    seen = set()
    for idx in range(len(dataset)):
        group = dataset.get_data_info(idx)
        for info in group['images']:
            assert osp.isfile(info['seg_map_path'])
            mask = read_mask(info['seg_map_path'])
            with Image.open(info['img_path']) as img:
                assert mask.shape == (img.height, img.width)
            assert set(np.unique(mask).tolist()) == {0, 1}
            assert mask.sum() == 10 * 16
            if not info['is_padding']:
                seen.add(info['img_path'])
    assert len(seen) == num_images


def test_msrc_layout(tmp_path):
    classes = ('cow', 'plane')
    for c in classes:
        (tmp_path / 'images' / c).mkdir(parents=True)
        (tmp_path / 'GroundTruth' / c).mkdir(parents=True)
        for i, size in enumerate(SIZES):
            _image(tmp_path / 'images' / c / f'{i + 1}_{i}_s.bmp', size, i)
            _mask_bmp(tmp_path / 'GroundTruth' / c / f'{i + 1}_{i}_s.bmp',
                      size)
    dataset = _build('msrc_coseg.py', tmp_path, classes)
    _check(dataset, classes)
    assert all(p.endswith('.bmp') for p in (
        dataset.get_data_info(0)['images'][0]['img_path'],
        dataset.get_data_info(0)['images'][0]['seg_map_path']))


def test_msrc_config_lists_seven_classes():
    cfg = Config.fromfile(osp.join(CONFIG_DIR, 'msrc_coseg.py'))
    assert cfg.test_dataloader.dataset.metainfo.classes == (
        'cow', 'plane', 'car', 'sheep', 'cat', 'dog', 'bird')
    assert cfg.val_dataloader.dataset.data_root == 'data/msrc_coseg'


def test_icoseg_layout(tmp_path):
    classes = ('bear2', 'cheetah')
    writers = [_mask_1bit, _mask_palette]
    for c in classes:
        (tmp_path / 'images' / c).mkdir(parents=True)
        (tmp_path / 'ground_truth' / c).mkdir(parents=True)
        for i, size in enumerate(SIZES):
            _image(tmp_path / 'images' / c / f'img{i}.jpg', size, i)
            writers[i](tmp_path / 'ground_truth' / c / f'img{i}.png', size)
    _check(_build('icoseg.py', tmp_path, classes), classes)


def test_icoseg_config_classes():
    cfg = Config.fromfile(osp.join(CONFIG_DIR, 'icoseg.py'))
    assert len(cfg.test_dataloader.dataset.metainfo.classes) == 8


def test_icoseg_all_groups_without_class_list(tmp_path):
    """Without a class list every group folder is a category."""
    groups = ('bear2', 'Alaskan bear', 'stonehenge')
    for c in groups:
        (tmp_path / 'images' / c).mkdir(parents=True)
        (tmp_path / 'ground_truth' / c).mkdir(parents=True)
        for i, size in enumerate(SIZES):
            _image(tmp_path / 'images' / c / f'img{i}.jpg', size, i)
            _mask_bmp(tmp_path / 'ground_truth' / c / f'img{i}.png', size)
    cfg = Config.fromfile(osp.join(CONFIG_DIR, 'icoseg.py'))
    init_default_scope('mmcoseg')
    cfg.merge_from_dict({
        'test_dataloader.dataset.data_root': str(tmp_path),
        'test_dataloader.dataset.metainfo.classes': None,
    })
    ds_cfg = cfg.test_dataloader.dataset.copy()
    ds_cfg['pipeline'] = []
    dataset = DATASETS.build(ds_cfg)
    _check(dataset, sorted(groups), num_images=6)


def _internet_download(root, classes):
    """``Data/<Class>/*.jpg`` with masks in ``Data/<Class>/GroundTruth``."""
    writers = [_mask_bmp, _mask_noisy]
    for c in classes:
        (root / 'Data' / c / 'GroundTruth').mkdir(parents=True)
        for i, size in enumerate(SIZES):
            _image(root / 'Data' / c / f'{c}_{i:04d}.jpg', size, i)
            writers[i](root / 'Data' / c / 'GroundTruth' / f'{c}_{i:04d}.png',
                       size)


def test_internet_converted_layout(tmp_path):
    classes = ('Airplane100', 'Horse100')
    for c in classes:
        (tmp_path / 'images' / c).mkdir(parents=True)
        (tmp_path / 'masks' / c).mkdir(parents=True)
        for i, size in enumerate(SIZES):
            _image(tmp_path / 'images' / c / f'{c}_{i:04d}.jpg', size, i)
            (_mask_bmp if i == 0 else _mask_noisy)(
                tmp_path / 'masks' / c / f'{c}_{i:04d}.png', size)
    _check(_build('internet_coseg.py', tmp_path, classes), classes)


@pytest.mark.skipif(not hasattr(os, 'symlink'), reason='no symlinks')
def test_internet_symlinked_download(tmp_path):
    """The symlinks of the config's comment index the distributed tree."""
    classes = ('Airplane100', 'Car100')
    _internet_download(tmp_path, classes)
    (tmp_path / 'images').mkdir()
    (tmp_path / 'masks').mkdir()
    for c in classes:
        os.symlink(osp.join('..', 'Data', c), tmp_path / 'images' / c)
        os.symlink(osp.join('..', 'Data', c, 'GroundTruth'),
                   tmp_path / 'masks' / c)
    dataset = _build('internet_coseg.py', tmp_path, classes)
    _check(dataset, classes)


def test_internet_distributed_tree_is_rejected(tmp_path):
    """Read in place, masks are looked for beside the images: the
    missing files are named (hence the converted layout)."""
    classes = ('Airplane100', 'Car100')
    _internet_download(tmp_path, classes)
    cfg = Config.fromfile(osp.join(CONFIG_DIR, 'internet_coseg.py'))
    init_default_scope('mmcoseg')
    ds_cfg = cfg.test_dataloader.dataset.copy()
    ds_cfg.update(data_root=str(tmp_path), pipeline=[],
                  metainfo=dict(classes=classes),
                  data_prefix=dict(img_path='Data', seg_map_path='Data'))
    with pytest.raises(FileNotFoundError, match='4 image') as err:
        DATASETS.build(ds_cfg)
    assert osp.join('Data', 'Car100', 'Car100_0001.png') in str(err.value)
