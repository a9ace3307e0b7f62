"""Tests of the synthetic co-segmentation dataset generator."""
import json
import os
import os.path as osp

import numpy as np
import pytest
from PIL import Image

from mmcoseg.datasets.synthetic_coseg import (
    DEFAULT_CATEGORIES,
    generate_sample,
    make_synthetic_coseg,
)

NUM = {'train': 3, 'test': 2}
SIZE = (48, 80)
KWARGS = {'num_train': NUM['train'], 'num_test': NUM['test'],
          'image_size': SIZE, 'seed': 3}


def _files(root):
    """Return ``{relative path: bytes}`` of every file under ``root``."""
    out = {}
    for dirpath, _, names in os.walk(root):
        for name in names:
            path = osp.join(dirpath, name)
            with open(path, 'rb') as f:
                out[osp.relpath(path, root)] = f.read()
    return out


def _pairs(root):
    """Yield ``(split, category, index, image path, mask path)``."""
    for split, num in NUM.items():
        for cat in DEFAULT_CATEGORIES:
            for i in range(num):
                stem = f'{cat}_{i:04d}'
                yield (split, cat, i,
                       osp.join(root, split, 'images', cat, stem + '.jpg'),
                       osp.join(root, split, 'masks', cat, stem + '.png'))


@pytest.fixture(scope='module')
def dataset(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('synthetic') / 'coseg')
    summary = make_synthetic_coseg(root, **KWARGS)
    return root, summary


def test_layout_and_counts(dataset):
    root, summary = dataset
    n = len(DEFAULT_CATEGORIES)
    assert summary['out_dir'] == osp.abspath(root)
    assert summary['categories'] == list(DEFAULT_CATEGORIES)
    assert summary['counts'] == {'train': n * 3, 'test': n * 2}
    assert summary['num_per_category'] == NUM
    assert summary['reused'] is False
    assert sorted(os.listdir(root)) == ['meta.json', 'test', 'train']
    for split, num in NUM.items():
        for kind, ext in (('images', '.jpg'), ('masks', '.png')):
            folder = osp.join(root, split, kind)
            assert sorted(os.listdir(folder)) == sorted(DEFAULT_CATEGORIES)
            for cat in DEFAULT_CATEGORIES:
                expected = [f'{cat}_{i:04d}{ext}' for i in range(num)]
                assert sorted(os.listdir(osp.join(folder, cat))) == expected
    with open(osp.join(root, 'meta.json')) as f:
        meta = json.load(f)
    assert meta['counts'] == summary['counts']
    assert meta['params']['seed'] == 3


def test_images_and_masks(dataset):
    root, _ = dataset
    sizes = set()
    for _, _, _, img_path, mask_path in _pairs(root):
        with Image.open(img_path) as img, Image.open(mask_path) as mask:
            assert img.format == 'JPEG' and img.mode == 'RGB'
            assert mask.format == 'PNG' and mask.mode == 'L'
            assert img.size == mask.size
            values = np.unique(np.asarray(mask))
        assert set(values.tolist()) == {0, 255}  # binary, with foreground
        w, h = img.size
        assert SIZE[0] <= h <= SIZE[1] and SIZE[0] <= w <= SIZE[1]
        sizes.add((h, w))
    heights = {h for h, _ in sizes}
    widths = {w for _, w in sizes}
    assert len(heights) > 5 and len(widths) > 5  # sizes vary


def test_foreground_and_distractors(dataset):
    root, _ = dataset
    for split, cat, i, img_path, mask_path in _pairs(root):
        image, mask, objects = generate_sample(split, cat, i,
                                               DEFAULT_CATEGORIES, SIZE, 3)
        # The written files are this sample.
        np.testing.assert_array_equal(np.asarray(Image.open(mask_path)), mask)
        jpeg = np.asarray(Image.open(img_path), dtype=np.float64)
        assert np.abs(jpeg - image).mean() < 8
        fg = [o for o in objects if o['foreground']]
        distractors = [o for o in objects if not o['foreground']]
        assert 1 <= len(fg) <= 2 and 1 <= len(distractors) <= 2
        assert all(o['category'] == cat for o in fg)
        assert all(o['category'] != cat for o in distractors)
        assert all(o['category'] in DEFAULT_CATEGORIES for o in objects)
        # Every object stays clearly visible (partial occlusion only).
        assert all(o['visible'] >= 0.5 * o['area'] > 0 for o in objects)
        assert (mask == 255).sum() == sum(o['visible'] for o in fg)


def test_distractors_are_as_salient_as_foreground():
    # Over many samples, foreground and distractor sizes are alike, so
    # size is no cue for the foreground.
    fg, bg = [], []
    for cat in DEFAULT_CATEGORIES:
        for i in range(6):
            _, _, objects = generate_sample('train', cat, i)
            for o in objects:
                (fg if o['foreground'] else bg).append(o['area'])
    assert 0.7 < np.mean(fg) / np.mean(bg) < 1.4


def test_deterministic(dataset, tmp_path):
    root, _ = dataset
    again = tmp_path / 'again'
    make_synthetic_coseg(str(again), **KWARGS)
    assert _files(again) == _files(root)

    # A sample does not depend on how many samples are generated.
    fewer = tmp_path / 'fewer'
    make_synthetic_coseg(str(fewer), **{**KWARGS, 'num_train': 1})
    for rel, data in _files(fewer).items():
        if rel != 'meta.json':
            assert data == _files(root)[rel]

    other = tmp_path / 'other_seed'
    make_synthetic_coseg(str(other), **{**KWARGS, 'seed': 4})
    a, b = _files(root), _files(other)
    assert a.keys() == b.keys()
    assert all(a[k] != b[k] for k in a if k.endswith('.jpg'))


def test_reuse_without_regenerating(tmp_path):
    root = str(tmp_path / 'data')
    make_synthetic_coseg(root, **KWARGS)
    meta = osp.join(root, 'meta.json')
    stamp = os.stat(meta).st_mtime_ns
    summary = make_synthetic_coseg(root, **KWARGS)
    assert summary['reused'] is True
    assert os.stat(meta).st_mtime_ns == stamp

    # A missing file of a dataset of ours is regenerated.
    lost = osp.join(root, 'test', 'masks', 'star', 'star_0001.png')
    with open(lost, 'rb') as f:
        data = f.read()
    os.remove(lost)
    assert make_synthetic_coseg(root, **KWARGS)['reused'] is False
    with open(lost, 'rb') as f:
        assert f.read() == data


def test_parameter_mismatch_and_overwrite(tmp_path):
    root = str(tmp_path / 'data')
    make_synthetic_coseg(root, **KWARGS)
    with pytest.raises(ValueError, match='overwrite') as err:
        make_synthetic_coseg(root, **{**KWARGS, 'num_train': 2})
    assert osp.abspath(root) in str(err.value)
    assert 'num_train' in str(err.value)

    summary = make_synthetic_coseg(
        root, **{**KWARGS, 'num_train': 2}, overwrite=True)
    assert summary['reused'] is False
    # Stale files of the previous dataset are gone.
    assert sorted(os.listdir(osp.join(root, 'train', 'images', 'disc'))) == [
        'disc_0000.jpg', 'disc_0001.jpg'
    ]
    with open(osp.join(root, 'meta.json')) as f:
        assert json.load(f)['params']['num_train'] == 2

    # overwrite=True with the same parameters regenerates too.
    again = make_synthetic_coseg(
        root, **{**KWARGS, 'num_train': 2}, overwrite=True)
    assert again['reused'] is False


def test_incomplete_dataset_needs_overwrite(tmp_path):
    root = tmp_path / 'data'
    make_synthetic_coseg(str(root), **KWARGS)
    os.remove(root / 'meta.json')  # e.g. an interrupted generation
    with pytest.raises(ValueError, match='meta.json'):
        make_synthetic_coseg(str(root), **KWARGS)
    assert not make_synthetic_coseg(
        str(root), **KWARGS, overwrite=True)['reused']
    assert (root / 'meta.json').is_file()


def test_other_files_untouched(tmp_path):
    root = tmp_path / 'data'
    root.mkdir()
    (root / 'README.txt').write_text('keep me')
    make_synthetic_coseg(str(root), **KWARGS, overwrite=True)
    assert (root / 'README.txt').read_text() == 'keep me'


@pytest.mark.parametrize('kwargs', [
    {'categories': ['disc']},
    {'categories': ['disc', 'disc']},
    {'image_size': (80, 48)},
    {'image_size': (8, 16)},
    {'num_train': -1},
])
def test_invalid_arguments(tmp_path, kwargs):
    with pytest.raises(ValueError):
        make_synthetic_coseg(str(tmp_path / 'data'), **{**KWARGS, **kwargs})
    assert not (tmp_path / 'data').exists()


def test_custom_categories(tmp_path):
    summary = make_synthetic_coseg(
        str(tmp_path / 'data'), num_train=1, num_test=1, image_size=SIZE,
        categories=['star', 'ring', 'blob'])
    assert summary['counts'] == {'train': 3, 'test': 3}
    assert sorted(os.listdir(tmp_path / 'data' / 'test' / 'masks')) == [
        'blob', 'ring', 'star'
    ]
