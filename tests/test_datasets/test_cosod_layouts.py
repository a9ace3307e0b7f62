"""The CoSOD dataset configs index the GCoNet family's folder layout.

Each test fabricates a tiny copy (2-3 categories of 2 images) of the
``images/<Set>/<category>/*.jpg`` + ``gts/<Set>/<category>/*.png`` layout
of CoCA, CoSOD3k, CoSal2015 (tests) and DUTS_class, COCO-9k (training),
then builds the config's dataset on it with only ``data_root`` set.
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
SIZES = [(40, 30), (36, 28)]  # (width, height)
FG = (slice(5, 15), slice(8, 24))  # the foreground box of every mask


def make_cosod_set(root, name, categories, sizes=SIZES):
    """Write ``root/images/<name>/<cat>/*.jpg`` and ``root/gts/<name>/
    <cat>/*.png`` (0/255 masks, a 10x16 box) as the GCoNet family has
    them; return the image paths."""
    paths = []
    for c, category in enumerate(categories):
        img_dir = osp.join(root, 'images', name, category)
        gt_dir = osp.join(root, 'gts', name, category)
        for folder in (img_dir, gt_dir):
            os.makedirs(folder, exist_ok=True)
        for i, (w, h) in enumerate(sizes):
            rng = np.random.default_rng(10 * c + i)
            stem = f'{category}_{i:03d}'
            image = rng.integers(0, 255, (h, w, 3), dtype=np.uint8)
            mask = np.zeros((h, w), np.uint8)
            mask[FG] = 255
            image[FG] = (220, 30 + 40 * c, 30)
            Image.fromarray(image).save(osp.join(img_dir, stem + '.jpg'))
            Image.fromarray(mask).save(osp.join(gt_dir, stem + '.png'))
            paths.append(osp.join(img_dir, stem + '.jpg'))
    return paths


def _build(config, data_root, loader='test_dataloader'):
    cfg = Config.fromfile(osp.join(CONFIG_DIR, config))
    init_default_scope('mmcoseg')
    ds_cfg = cfg[loader].dataset.copy()
    ds_cfg.update(data_root=str(data_root), pipeline=[])
    return DATASETS.build(ds_cfg)


def _check_test_set(dataset, categories, num_images):
    assert dataset.metainfo['classes'] == tuple(sorted(categories))
    assert dataset.num_images == num_images
    seen = set()
    for idx in range(len(dataset)):
        for info in dataset.get_data_info(idx)['images']:
            mask = read_mask(info['seg_map_path'])
            with Image.open(info['img_path']) as img:
                assert mask.shape == (img.height, img.width)
            assert mask.sum() == 10 * 16
            assert info['seg_map_path'].endswith('.png')
            if not info['is_padding']:
                seen.add(info['img_path'])
    assert len(seen) == num_images


@pytest.mark.parametrize('config, name, categories', [
    ('coca.py', 'CoCA', ('Accordion', 'Banana', 'Teddy bear')),
    ('cosod3k.py', 'CoSOD3k', ('airplane', 'axe')),
    ('cosal2015.py', 'CoSal2015', ('aeroplane', 'baseball')),
])
def test_cosod_test_set_layouts(tmp_path, config, name, categories):
    make_cosod_set(str(tmp_path), name, categories)
    # another set beside it is not read
    make_cosod_set(str(tmp_path), 'Other', ('zebra', ))
    dataset = _build(config, tmp_path)
    _check_test_set(dataset, categories, 2 * len(categories))
    first = dataset.get_data_info(0)['images'][0]
    assert osp.join('images', name) in first['img_path']
    assert osp.join('gts', name) in first['seg_map_path']
    cfg = Config.fromfile(osp.join(CONFIG_DIR, config))
    assert cfg.test_dataloader.dataset.data_root == 'data/cosod'
    assert cfg.val_dataloader.dataset.data_prefix == cfg[
        'test_dataloader'].dataset.data_prefix
    for evaluator in (cfg.val_evaluator, cfg.test_evaluator):
        assert evaluator.type == 'CoSegMetric'
        assert tuple(evaluator.protocols) == ('coseg', 'cosod')


def test_cosod_whole_category_groups(tmp_path):
    """group_size=None (as the GCoNet family tests) makes each category
    one group."""
    make_cosod_set(str(tmp_path), 'CoCA', ('Accordion', 'Banana'),
                   sizes=SIZES * 4)
    cfg = Config.fromfile(osp.join(CONFIG_DIR, 'coca.py'))
    init_default_scope('mmcoseg')
    cfg.merge_from_dict({
        'test_dataloader.dataset.data_root': str(tmp_path),
        'test_dataloader.dataset.group_size': None,
        'test_dataloader.dataset.pipeline': [],
    })
    dataset = DATASETS.build(cfg.test_dataloader.dataset)
    assert len(dataset) == 2
    assert [len(dataset.get_data_info(i)['images']) for i in range(2)] == [
        8, 8]


def test_cosod_archive_folders_by_override(tmp_path):
    """A copy with other folder names (CoCA/image, CoCA/binary) is read
    through data_prefix, as the config's comment says."""
    make_cosod_set(str(tmp_path), 'CoCA', ('Accordion', 'Banana'))
    root = tmp_path / 'CoCA'
    root.mkdir()
    (tmp_path / 'images' / 'CoCA').rename(root / 'image')
    (tmp_path / 'gts' / 'CoCA').rename(root / 'binary')
    cfg = Config.fromfile(osp.join(CONFIG_DIR, 'coca.py'))
    init_default_scope('mmcoseg')
    cfg.merge_from_dict({
        'test_dataloader.dataset.data_root': str(root),
        'test_dataloader.dataset.data_prefix.img_path': 'image',
        'test_dataloader.dataset.data_prefix.seg_map_path': 'binary',
        'test_dataloader.dataset.pipeline': [],
    })
    _check_test_set(DATASETS.build(cfg.test_dataloader.dataset),
                    ('Accordion', 'Banana'), 4)


@pytest.mark.parametrize('config, name', [('duts_class.py', 'DUTS_class'),
                                          ('coco9k.py', 'coco-9k')])
def test_cosod_training_set_layouts(tmp_path, config, name):
    categories = ('apple', 'bear', 'cat')
    make_cosod_set(str(tmp_path), name, categories)
    make_cosod_set(str(tmp_path), 'CoCA', ('Accordion', 'Banana'))
    train = _build(config, tmp_path, 'train_dataloader')
    assert train.metainfo['classes'] == categories
    assert len(train) == 6  # one training group per anchor image
    group = train.get_data_info(0)['images']
    assert len(group) == 5
    assert {osp.basename(osp.dirname(i['img_path'])) for i in group} == {
        'apple'}
    assert all(
        osp.join('gts', name) in i['seg_map_path'] for i in group)
    # validated and tested on CoCA with both protocols
    _check_test_set(_build(config, tmp_path), ('Accordion', 'Banana'), 4)
    cfg = Config.fromfile(osp.join(CONFIG_DIR, config))
    assert tuple(cfg.val_evaluator.protocols) == ('coseg', 'cosod')
