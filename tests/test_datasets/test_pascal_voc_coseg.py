"""The PASCAL-VOC co-segmentation benchmark as its config indexes it.

Runs only where the shared copy exists (``../shared/data/pascal_voc_coseg``
from the repository root); it is read in place, never copied.
"""
import os.path as osp
import subprocess
import sys

import numpy as np
import pytest
from mmengine.config import Config
from mmengine.registry import init_default_scope
from PIL import Image

import mmcoseg  # noqa: F401
from mmcoseg.datasets.mask_io import read_mask
from mmcoseg.registry import DATASETS

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
DATA_ROOT = osp.abspath(
    osp.join(REPO_ROOT, '..', 'shared', 'data', 'pascal_voc_coseg'))
CONFIG = osp.join(REPO_ROOT, 'configs', '_base_', 'datasets',
                  'pascal_voc_coseg.py')
NUM_CLASSES = 20
NUM_IMAGES = 1037
NUM_SAMPLED_MASKS = 60

pytestmark = pytest.mark.skipif(
    not osp.isdir(DATA_ROOT),
    reason='../shared/data/pascal_voc_coseg not found (a user machine '
    'without the shared data)')


@pytest.fixture(scope='module')
def dataset():
    cfg = Config.fromfile(CONFIG)
    init_default_scope('mmcoseg')
    ds_cfg = cfg.test_dataloader.dataset.copy()
    ds_cfg.update(data_root=DATA_ROOT, test_mode=True, group_size=5,
                  pipeline=[])
    return DATASETS.build(ds_cfg)


def test_config_layout():
    cfg = Config.fromfile(CONFIG)
    for loader in (cfg.val_dataloader, cfg.test_dataloader):
        ds = loader.dataset
        assert ds.type == 'GroupDataset'
        assert ds.data_root == 'data/pascal_voc_coseg'
        assert ds.data_prefix == dict(img_path='', seg_map_path='')
        assert (ds.img_suffix, ds.seg_map_suffix) == ('.jpg', '.png')
        assert ds.test_mode and ds.group_size == 5
        assert ds.pipeline  # inherited from coseg_groups.py


def test_index(dataset):
    classes = dataset.metainfo['classes']
    assert len(classes) == NUM_CLASSES
    assert 'manifest.csv' not in classes and 'SOURCE.txt' not in classes
    assert dataset.num_images == NUM_IMAGES
    # every test group holds 5 images of one category
    group = dataset.get_data_info(0)
    assert len(group['images']) == 5
    assert {i['category_name'] for i in group['images']} == {classes[0]}
    padded = sum(
        sum(i['is_padding'] for i in dataset.get_data_info(g)['images'])
        for g in range(len(dataset)))
    assert len(dataset) * 5 - padded == NUM_IMAGES


def test_sampled_masks_binary(dataset):
    infos = [dataset.get_data_info(g)['images'] for g in range(len(dataset))]
    infos = [i for group in infos for i in group if not i['is_padding']]
    step = len(infos) / NUM_SAMPLED_MASKS
    sample = [infos[int(k * step)] for k in range(NUM_SAMPLED_MASKS)]
    assert len({i['category'] for i in sample}) == NUM_CLASSES
    for info in sample:
        with Image.open(info['seg_map_path']) as img:
            assert img.mode == 'RGB'
            raw = np.asarray(img)
        assert (raw == raw[..., :1]).all(), info['seg_map_path']  # R=G=B
        assert set(np.unique(raw)) <= {0, 255}
        mask = read_mask(info['seg_map_path'])
        assert mask.shape == raw.shape[:2]
        assert set(np.unique(mask)) <= {0, 1}
        assert mask.any(), f'empty mask {info["seg_map_path"]}'
        with Image.open(info['img_path']) as img:
            assert img.size == (mask.shape[1], mask.shape[0])


def test_check_dataset_clean():
    proc = subprocess.run([
        sys.executable,
        osp.join('tools', 'misc', 'check_dataset.py'), CONFIG,
        '--split', 'test', '--cfg-options',
        f'test_dataloader.dataset.data_root={DATA_ROOT}'
    ],
                          cwd=REPO_ROOT,
                          capture_output=True,
                          text=True,
                          timeout=600)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    assert 'Errors: none' in out
    assert f'Categories ({NUM_CLASSES}):' in out
    assert any(line.split() == ['total', str(NUM_IMAGES), 'images']
               for line in out.splitlines())
    assert f'RGB grey {{0,255}}: {NUM_IMAGES} masks' in out
