"""Test-time groupings (category / mixed / single) and training groups with
intruders and donors."""
import os
import os.path as osp
from collections import Counter

import numpy as np
import pytest
import torch
from mmengine.dataset import BaseDataset
from mmengine.registry import init_default_scope
from PIL import Image

import mmcoseg  # noqa: F401
from mmcoseg.datasets import GroupDataset
from mmcoseg.datasets.groupings import (
    build_test_groups,
    category_groups,
    mixed_groups,
    single_groups,
)

COUNTS = {'apple': 7, 'cat': 5, 'dog': 3, 'fig': 1, 'zebra': 2}


def _cat_indices(counts=COUNTS):
    out, start = {}, 0
    for label, n in enumerate(counts.values()):
        out[label] = list(range(start, start + n))
        start += n
    return out


def _label_of(cat_indices):
    return {i: c for c, idx in cat_indices.items() for i in idx}


def _scored(groups):
    return Counter(s.index for g in groups for s in g if not s.is_padding)


def test_category_groups_score_every_image_once():
    cats = _cat_indices()
    groups = category_groups(cats, 5)
    label = _label_of(cats)
    assert _scored(groups) == Counter(range(18))
    for g in groups:
        assert len(g) == 5 and len({label[s.index] for s in g}) == 1
    # apple: 7 images -> groups of 5 and 2 + 3 padding
    assert [s.is_padding for s in groups[1]] == [False] * 2 + [True] * 3
    assert len(category_groups(cats, None)) == len(COUNTS)


def test_mixed_groups_share_nothing():
    cats = _cat_indices()
    label = _label_of(cats)
    for size in (2, 3, 5):
        groups = mixed_groups(cats, size)
        assert _scored(groups) == Counter(range(18)), size
        for g in groups:
            assert len(g) == size
            labels = [label[s.index] for s in g]
            assert len(set(labels)) == size, labels  # padding included
            assert not g[0].is_padding
    assert mixed_groups(cats, 3) == mixed_groups(cats, 3)  # deterministic
    with pytest.raises(ValueError, match='at least group_size categories'):
        mixed_groups(cats, 6)
    with pytest.raises(ValueError, match='group_size >= 2'):
        build_test_groups(cats, None, 'mixed')


def test_single_groups_pair_with_a_mirrored_copy():
    groups = single_groups(_cat_indices())
    assert len(groups) == 18 and _scored(groups) == Counter(range(18))
    for g in groups:
        assert g[0].index == g[1].index and g[1].is_padding and g[1].mirror
    with pytest.raises(ValueError, match='test_grouping'):
        build_test_groups(_cat_indices(), 5, 'random')


# ------------------------------------------------------ through the dataset
@pytest.fixture(scope='module')
def root(tmp_path_factory):
    """Images with a category-coloured square (its mask) on noise."""
    init_default_scope('mmcoseg')
    root = str(tmp_path_factory.mktemp('groupings'))
    rng = np.random.default_rng(0)
    for c, (cat, num) in enumerate(COUNTS.items()):
        folder = osp.join(root, cat)
        os.makedirs(folder)
        for i in range(num):
            img = rng.integers(0, 256, (24, 32, 3), dtype=np.uint8)
            img[6:18, 8:24] = (40 * c, 255 - 40 * c, 128)
            mask = np.zeros((24, 32), np.uint8)
            mask[6:18, 8:24] = 255
            Image.fromarray(img).save(osp.join(folder, f'{i}.jpg'))
            Image.fromarray(mask).save(osp.join(folder, f'{i}.png'))
    return root


def _dataset(root, **kwargs):
    from mmcv.transforms import LoadImageFromFile

    from mmcoseg.datasets.transforms import (
        GroupTransforms,
        LoadCoSegAnnotation,
        PackCoSegInputs,
    )
    pipeline = [
        GroupTransforms([LoadImageFromFile(), LoadCoSegAnnotation()]),
        PackCoSegInputs()
    ]
    return GroupDataset(
        data_root=root, data_prefix=dict(img_path='', seg_map_path=''),
        img_suffix='.jpg', seg_map_suffix='.png', pipeline=pipeline,
        **kwargs)


def test_single_mode_feeds_a_mirrored_copy(root):
    ds = _dataset(root, group_size=5, test_mode=True, test_grouping='single')
    assert len(ds) == 18
    item = ds[0]
    assert len(item['inputs']) == 2
    assert torch.equal(item['inputs'][1], item['inputs'][0].flip(-1))
    assert [s.is_padding for s in item['data_samples']] == [False, True]


def test_mixed_mode_through_the_dataset(root):
    ds = _dataset(root, group_size=3, test_mode=True, test_grouping='mixed')
    scored = Counter()
    for idx in range(len(ds)):
        samples = ds[idx]['data_samples']
        assert len({s.category for s in samples}) == 3
        scored.update(s.img_path for s in samples if not s.is_padding)
    assert len(scored) == 18 and set(scored.values()) == {1}
    with pytest.raises(ValueError, match='test_grouping'):
        _dataset(root, test_mode=True, test_grouping='shuffled')


def test_donors_of_other_and_same_category(root):
    ds = _dataset(root, group_size=2, num_donors=3)
    np.random.seed(1)
    info = ds.get_data_info(0)  # an apple group
    members = {image['img_path'] for image in info['images']}
    donors = info['donors']
    assert len(donors['other']) == 3 and len(donors['same']) == 3
    for d in donors['other']:
        assert osp.basename(osp.dirname(d['img_path'])) != 'apple'
        assert d['seg_map_path'].endswith('.png')
    for d in donors['same']:
        assert osp.basename(osp.dirname(d['img_path'])) == 'apple'
        assert d['img_path'] not in members
    # test groups and num_donors=0 carry none
    assert 'donors' not in _dataset(root, group_size=2).get_data_info(0)
    assert 'donors' not in _dataset(
        root, group_size=2, num_donors=3, test_mode=True).get_data_info(0)
    # a category with no other image gives no same-category donor
    fig = next(i for i in range(ds.num_images)
               if BaseDataset.get_data_info(ds, i)['category_name'] == 'fig')
    assert ds.get_data_info(fig)['donors']['same'] == []


def test_paste_variants_fix_donors_per_image(root):
    ds = _dataset(root, group_size=2, num_donors=3, paste_variants=2)
    np.random.seed(2)
    seen = {}
    for _ in range(30):
        info = ds.get_data_info(0)
        assert 'donors' not in info  # per image instead
        for image in info['images']:
            index, variant = image['paste_seed']
            assert variant in (0, 1)
            assert len(image['donors']['other']) == 3
            key = (image['img_path'], variant)
            # the same image and variant always get the same donors
            assert seen.setdefault(key, image['donors']) == image['donors']
    # both variants of the anchor image were drawn
    anchor = BaseDataset.get_data_info(ds, 0)['img_path']
    assert {v for path, v in seen if path == anchor} == {0, 1}
    with pytest.raises(ValueError, match='num_donors'):
        _dataset(root, group_size=2, paste_variants=2)
    with pytest.raises(ValueError, match='paste_variants'):
        _dataset(root, group_size=2, num_donors=3, paste_variants=-1)


def test_paste_variants_bound_the_pasted_versions_of_an_image(root):
    """Through the real pipeline, an image comes out in at most
    paste_variants pasted versions (the frozen backbone's cache then finds
    them again); without variants nearly every paste is new."""
    from mmcv.transforms import LoadImageFromFile

    from mmcoseg.datasets.transforms import (
        GroupCopyPaste,
        GroupTransforms,
        LoadCoSegAnnotation,
    )

    def versions(**kwargs):
        pipeline = [
            GroupTransforms([LoadImageFromFile(), LoadCoSegAnnotation()]),
            GroupCopyPaste(prob=1.0, scale_range=(0.3, 0.5)),
        ]
        ds = GroupDataset(
            data_root=root, data_prefix=dict(img_path='', seg_map_path=''),
            img_suffix='.jpg', seg_map_suffix='.png', pipeline=pipeline,
            group_size=2, num_donors=3, **kwargs)
        np.random.seed(3)
        out = {}
        for _ in range(40):
            for image in ds[0]['images']:
                out.setdefault(image['img_path'], set()).add(
                    image['img'].tobytes())
        return out

    anchor = versions(paste_variants=3)
    assert all(1 <= len(v) <= 3 for v in anchor.values())
    assert max(len(v) for v in versions().values()) > 10
