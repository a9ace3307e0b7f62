"""Item 1: bad datasets are reported at build time, every file named.

Each test builds a tiny folder-per-category layout in ``tmp_path``, breaks
it in one way (or several), and checks what ``GroupDataset`` does with
``validate='strict'`` (one error naming every bad file), ``'lenient'``
(warnings, bad items dropped) and ``'off'``.
"""
import os
import os.path as osp
import uuid

import numpy as np
import pytest
from mmengine.logging import MMLogger
from mmengine.registry import init_default_scope
from PIL import Image

import mmcoseg  # noqa: F401  (registers the modules)
from mmcoseg.datasets import GroupDataset
from mmcoseg.datasets.validation import (
    DatasetValidationError,
    DatasetValidationWarning,
    oriented_size,
)

SIZE = (24, 32)  # (H, W)


def _img(path, size=SIZE, exif_orientation=None):
    h, w = size
    arr = np.random.default_rng(len(path)).integers(
        0, 256, (h, w, 3), dtype=np.uint8)
    img = Image.fromarray(arr)
    if exif_orientation is None:
        img.save(path)
    else:
        exif = img.getexif()
        exif[0x0112] = exif_orientation
        img.save(path, exif=exif.tobytes())


def _mask(path, size=SIZE):
    h, w = size
    mask = np.zeros((h, w), np.uint8)
    mask[h // 4:3 * h // 4, w // 4:3 * w // 4] = 255
    Image.fromarray(mask).save(path)


def _layout(root, counts):
    """``images/<cat>/<cat>_<i>.jpg`` and ``masks/<cat>/<cat>_<i>.png``."""
    for cat, num in counts.items():
        os.makedirs(osp.join(root, 'images', cat), exist_ok=True)
        os.makedirs(osp.join(root, 'masks', cat), exist_ok=True)
        for i in range(num):
            _img(osp.join(root, 'images', cat, f'{cat}_{i}.jpg'))
            _mask(osp.join(root, 'masks', cat, f'{cat}_{i}.png'))
    return root


def _build(root, **kwargs):
    init_default_scope('mmcoseg')
    kwargs.setdefault('data_prefix',
                      dict(img_path='images', seg_map_path='masks'))
    kwargs.setdefault('group_size', 3)
    return GroupDataset(data_root=str(root), **kwargs)


def _p(root, *parts):
    return osp.join(str(root), *parts)


@pytest.fixture
def broken(tmp_path):
    """A layout with one instance of every per-file problem."""
    root = _layout(str(tmp_path), {'cat': 4, 'dog': 4})
    os.remove(_p(root, 'masks', 'cat', 'cat_0.png'))  # image without mask
    with open(_p(root, 'images', 'cat', 'cat_1.jpg'), 'wb') as f:
        f.write(b'not an image at all')  # unreadable image
    with open(_p(root, 'masks', 'dog', 'dog_0.png'), 'wb') as f:
        f.write(b'\x89PNG broken')  # unreadable mask
    _mask(_p(root, 'masks', 'dog', 'dog_1.png'), size=(10, 10))  # mismatch
    return root


BAD = {
    'image without mask': ('cat', 'cat_0.jpg'),
    'unreadable image': ('cat', 'cat_1.jpg'),
    'unreadable mask': ('dog', 'dog_0.png'),
    'image/mask size mismatch': ('dog', 'dog_1.jpg'),
}


def test_strict_names_every_bad_file_in_one_error(broken):
    with pytest.raises(DatasetValidationError) as err:
        _build(broken)
    message = str(err.value)
    assert '4 problem(s)' in message
    for cat, name in BAD.values():
        assert name in message, (name, message)
    assert '10x10' in message and '32x24' in message
    kinds = {kind for kind, _ in err.value.problems}
    assert kinds == {'image(s) have no mask', 'unreadable image',
                     'unreadable mask', 'image/mask size mismatch'}
    # Catchable as both historical types.
    assert isinstance(err.value, FileNotFoundError)
    assert isinstance(err.value, ValueError)
    assert "validate='lenient'" in message


def test_lenient_drops_bad_items_and_warns(broken):
    ds = _build(broken, validate='lenient')
    paths = {osp.basename(ds.get_data_info(i)['images'][0]['img_path'])
             for i in range(ds.num_images)}
    assert paths == {'cat_2.jpg', 'cat_3.jpg', 'dog_2.jpg', 'dog_3.jpg'}
    report = ds.validation_report
    assert report.errors == []
    dropped = {osp.basename(p) for p in report.dropped}
    assert dropped == {'cat_0.jpg', 'cat_1.jpg', 'dog_0.jpg', 'dog_1.jpg'}
    warned = ' '.join(what for _, what in report.warnings)
    for _, name in BAD.values():
        assert name in warned
    # index_in_category is renumbered over the kept images
    infos = [ds.get_data_info(i)['images'][0] for i in range(ds.num_images)]
    assert sorted(i['index_in_category'] for i in infos) == [0, 0, 1, 1]


def test_off_skips_reading_checks_but_not_listing(broken):
    # A missing mask is found by listing, so 'off' still refuses it.
    with pytest.raises(DatasetValidationError, match='cat_0.jpg'):
        _build(broken, validate='off')
    _mask(_p(broken, 'masks', 'cat', 'cat_0.png'))
    ds = _build(broken, validate='off')  # unreadable files are not read
    assert ds.num_images == 8


def test_missing_roots(tmp_path):
    with pytest.raises(FileNotFoundError, match='does not exist'):
        _build(tmp_path)
    root = _layout(str(tmp_path), {'cat': 3})
    with pytest.raises(DatasetValidationError, match='missing mask folder'):
        _build(root, data_prefix=dict(img_path='images',
                                      seg_map_path='no_masks'))
    with pytest.raises(DatasetValidationError,
                       match='missing category folder'):
        _build(root, metainfo=dict(classes=('cat', 'ghost')))


def test_empty_category_strict_and_lenient(tmp_path):
    root = _layout(str(tmp_path), {'cat': 3, 'dog': 3})
    os.makedirs(_p(root, 'images', 'empty'))
    with pytest.raises(DatasetValidationError, match='empty category'):
        _build(root)
    ds = _build(root, validate='lenient')
    # the empty category keeps its label: labels stay stable
    assert ds.metainfo['classes'] == ('cat', 'dog', 'empty')
    assert {ds.get_data_info(i)['category_name']
            for i in range(len(ds))} == {'cat', 'dog'}
    warned = ds.validation_report.kinds('warnings')
    assert any('left without images' in k for k in warned)


def test_small_category_warns_and_repeats(tmp_path):
    root = _layout(str(tmp_path), {'big': 5, 'pair': 2, 'solo': 1})
    log = str(tmp_path / 'run.log')
    MMLogger.get_instance(f'validation_{uuid.uuid4().hex}', log_file=log)
    with pytest.warns(DatasetValidationWarning, match='solo: 1 image'):
        ds = _build(root, group_size=4)
    with open(log) as f:  # the run log gets it too
        assert 'solo: 1 image' in f.read()
    warned = ds.validation_report.kinds('warnings')
    (kind, items), = [(k, v) for k, v in warned.items()
                      if 'fewer images than group_size' in k]
    assert 'training groups repeat images' in kind
    assert items == ['pair: 2 image(s)', 'solo: 1 image(s)']
    solo = [i for i in range(len(ds))
            if ds.get_data_info(i)['category_name'] == 'solo'][0]
    group = ds.get_data_info(solo)['images']
    assert len(group) == 4 and len({g['img_path'] for g in group}) == 1
    test_ds = _build(root, group_size=4, test_mode=True)
    kinds = test_ds.validation_report.kinds('warnings')
    assert any('padded' in k for k in kinds)


def test_orphan_masks_and_unsupported_suffixes_warn(tmp_path):
    root = _layout(str(tmp_path), {'cat': 3})
    _mask(_p(root, 'masks', 'cat', 'orphan.png'))
    Image.new('RGB', (8, 8)).save(_p(root, 'images', 'cat', 'anim.gif'))
    with open(_p(root, 'images', 'cat', 'notes.txt'), 'w') as f:
        f.write('x')
    with open(_p(root, 'images', 'cat', '.DS_Store'), 'w') as f:
        f.write('x')
    ds = _build(root)  # strict still builds: the run can go on
    assert ds.num_images == 3
    warned = ds.validation_report.kinds('warnings')
    orphans = [v for k, v in warned.items() if 'without image' in k][0]
    assert orphans == [_p(root, 'masks', 'cat', 'orphan.png')]
    odd = [v for k, v in warned.items() if 'unsupported suffix' in k][0]
    assert sorted(osp.basename(p) for p in odd) == ['anim.gif', 'notes.txt']


def test_unsupported_suffix_arguments_rejected(tmp_path):
    root = _layout(str(tmp_path), {'cat': 3})
    with pytest.raises(ValueError, match=r"\.gif"):
        _build(root, img_suffix=('.jpg', '.gif'))
    with pytest.raises(ValueError, match=r"\.txt"):
        _build(root, seg_map_suffix='.txt')
    with pytest.raises(ValueError, match='validate'):
        _build(root, validate='sometimes')
    with pytest.raises(ValueError, match='on_bad_item'):
        _build(root, on_bad_item='ignore')


def test_category_of_only_unreadable_suffixes_is_empty(tmp_path):
    root = _layout(str(tmp_path), {'cat': 3})
    os.makedirs(_p(root, 'images', 'tiffs'))
    os.makedirs(_p(root, 'masks', 'tiffs'))
    Image.new('RGB', (8, 8)).save(_p(root, 'images', 'tiffs', 'a.gif'))
    with pytest.raises(DatasetValidationError) as err:
        _build(root)
    assert 'tiffs' in str(err.value) and 'empty category' in str(err.value)


def test_exif_rotated_image_is_compared_upright(tmp_path):
    """The loader turns EXIF-rotated images upright, so masks must match
    the upright size; a mask matching the stored (sideways) size is a
    mismatch."""
    root = _layout(str(tmp_path), {'cat': 3})
    path = _p(root, 'images', 'cat', 'cat_0.jpg')
    _img(path, size=(SIZE[1], SIZE[0]), exif_orientation=6)  # stored 24x32
    with Image.open(path) as img:
        assert img.size == (SIZE[0], SIZE[1])
        assert oriented_size(img) == (SIZE[1], SIZE[0])
    assert _build(root).num_images == 3  # mask is upright 32x24: fine
    _mask(_p(root, 'masks', 'cat', 'cat_0.png'), size=(SIZE[1], SIZE[0]))
    with pytest.raises(DatasetValidationError, match='cat_0.jpg'):
        _build(root)


def test_many_problems_are_summarised(tmp_path):
    root = _layout(str(tmp_path), {'cat': 14})
    for i in range(12):
        os.remove(_p(root, 'masks', 'cat', f'cat_{i}.png'))
    with pytest.raises(DatasetValidationError) as err:
        _build(root)
    message = str(err.value)
    assert '12 image(s) have no mask' in message
    assert '... and 2 more' in message


def test_nothing_left_raises_even_when_lenient(tmp_path):
    root = _layout(str(tmp_path), {'cat': 2})
    for name in ('cat_0.png', 'cat_1.png'):
        os.remove(_p(root, 'masks', 'cat', name))
    with pytest.raises(DatasetValidationError, match='no usable image'):
        _build(root, validate='lenient')
