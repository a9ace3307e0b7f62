"""The per-category train/test split of the seen-category protocol."""
import os
import os.path as osp

import numpy as np
import pytest
from mmcv import imwrite
from mmengine.dataset import BaseDataset

from mmcoseg.datasets import GroupDataset
from mmcoseg.datasets.category_split import (
    check_split,
    num_train,
    split_per_category,
)

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
PASCAL = osp.join(REPO_ROOT, '..', 'shared', 'data', 'pascal_voc_coseg')


def _image_infos(dataset):
    return [BaseDataset.get_data_info(dataset, i)
            for i in range(BaseDataset.__len__(dataset))]


def _infos(counts):
    infos = []
    for label, n in enumerate(counts):
        # listed out of order on purpose: the split sorts by path
        for i in reversed(range(n)):
            infos.append(dict(category=label, img_path=f'c{label}/{i:03d}'))
    return infos


@pytest.mark.parametrize('n,want', [(1, 1), (2, 1), (3, 2), (14, 10),
                                    (26, 18), (115, 77)])
def test_num_train(n, want):
    assert num_train(n, 2 / 3) == want


def test_parts_are_disjoint_sorted_and_complete():
    infos = _infos([14, 26, 3])
    train = split_per_category(infos, 'train', 2 / 3)
    test = split_per_category(infos, 'test', 2 / 3)
    train_paths = {i['img_path'] for i in train}
    test_paths = {i['img_path'] for i in test}
    assert not train_paths & test_paths
    assert train_paths | test_paths == {i['img_path'] for i in infos}
    assert sorted(p for p in train_paths if p.startswith('c0/')) == [
        f'c0/{i:03d}' for i in range(10)]
    assert sorted(p for p in test_paths if p.startswith('c1/')) == [
        f'c1/{i:03d}' for i in range(18, 26)]


def test_nested_split_carves_a_validation_part():
    """[('train', 2/3), ('test', 0.75)]: the last quarter of the training
    part, disjoint from [('train', 2/3), ('train', 0.75)] and from the test
    part."""
    infos = _infos([14, 26, 3])
    pairs = check_split([('train', 2 / 3), ('test', 0.75)])
    assert pairs == (('train', 2 / 3), ('test', 0.75))
    assert check_split(('train', 0.5)) == (('train', 0.5), )

    def apply(split):
        kept = infos
        for part, fraction in check_split(split):
            kept = split_per_category(kept, part, fraction)
        return {i['img_path'] for i in kept}

    val = apply([('train', 2 / 3), ('test', 0.75)])
    fit = apply([('train', 2 / 3), ('train', 0.75)])
    assert val | fit == apply(('train', 2 / 3))
    assert not val & fit and not val & apply(('test', 2 / 3))
    # c0: 14 images, 10 for training, of which the last 2 for validation
    assert sorted(p for p in val if p.startswith('c0/')) == ['c0/008',
                                                             'c0/009']


@pytest.mark.parametrize('bad', [('val', 0.5), ('train', 1.0), ('test', 0),
                                 'train', ('train', 0.5, 1), [],
                                 [('train', 0.5), ('val', 0.5)]])
def test_bad_split_is_refused(bad):
    with pytest.raises(ValueError, match='split must be'):
        check_split(bad)


def test_group_dataset_split(tmp_path):
    root = str(tmp_path)
    for cat, n in (('a', 6), ('b', 4)):
        os.makedirs(osp.join(root, cat))
        for i in range(n):
            imwrite(np.zeros((8, 8, 3), np.uint8),
                    osp.join(root, cat, f'{i}.jpg'))
            imwrite(np.zeros((8, 8), np.uint8),
                    osp.join(root, cat, f'{i}.png'))

    def names(part, test_mode):
        ds = GroupDataset(
            data_root=root, data_prefix=dict(img_path='', seg_map_path=''),
            img_suffix='.jpg', group_size=2, split=(part, 2 / 3),
            test_mode=test_mode, pipeline=[])
        ds.full_init()
        return [(osp.basename(osp.dirname(info['img_path'])),
                 osp.basename(info['img_path']), info['index_in_category'])
                for info in _image_infos(ds)]

    assert names('train', False) == [('a', f'{i}.jpg', i) for i in range(4)
                                     ] + [('b', f'{i}.jpg', i)
                                          for i in range(3)]
    assert names('test', True) == [('a', '4.jpg', 0), ('a', '5.jpg', 1),
                                   ('b', '3.jpg', 0)]


@pytest.mark.skipif(not osp.isdir(PASCAL),
                    reason='the PASCAL-VOC co-seg set (../shared) is absent')
def test_pascal_seen_protocol_sizes():
    from mmengine.config import Config
    cfg = Config.fromfile(osp.join(
        REPO_ROOT, 'configs', '_base_', 'datasets',
        'pascal_voc_coseg_seen.py'))
    sizes = {}
    for part, loader in (('train', cfg.train_dataloader),
                         ('test', cfg.test_dataloader)):
        ds = GroupDataset(
            data_root=PASCAL, data_prefix=dict(img_path='', seg_map_path=''),
            img_suffix='.jpg', split=loader.dataset.split, validate='off',
            test_mode=part == 'test', pipeline=[])
        ds.full_init()
        sizes[part] = {info['img_path'] for info in _image_infos(ds)}
        assert len(ds.metainfo['classes']) == 20
    assert (len(sizes['train']), len(sizes['test'])) == (699, 338)
    assert not sizes['train'] & sizes['test']
