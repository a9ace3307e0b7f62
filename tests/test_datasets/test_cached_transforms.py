"""CachedTransforms: a deterministic per-image pipeline runs once per file;
later calls replay an independent copy of its output."""
import os.path as osp

import numpy as np
import pytest
from mmengine.config import Config
from mmengine.registry import init_default_scope
from PIL import Image

from mmcoseg.datasets.transforms import CachedTransforms
from mmcoseg.registry import TRANSFORMS

LOAD = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadCoSegAnnotation'),
    dict(type='Resize', scale=(16, 12), keep_ratio=False),
]


@pytest.fixture(autouse=True)
def _scope():
    init_default_scope('mmcoseg')


def _write(tmp_path, name, seed):
    rng = np.random.default_rng(seed)
    img = rng.integers(0, 256, (30, 40, 3), dtype=np.uint8)
    mask = (rng.random((30, 40)) > 0.5).astype(np.uint8) * 255
    Image.fromarray(img).save(tmp_path / f'{name}.png')
    Image.fromarray(mask).save(tmp_path / f'{name}_mask.png')
    return dict(img_path=str(tmp_path / f'{name}.png'),
                seg_map_path=str(tmp_path / f'{name}_mask.png'),
                reduce_zero_label=False, seg_fields=[])


def test_replays_the_uncached_output_without_reading_the_file(tmp_path):
    cached = CachedTransforms(LOAD)
    info = _write(tmp_path, 'a', 0)
    first = cached(dict(info, group_id=3))
    assert cached.misses == 1 and cached.hits == 0
    assert first['img'].shape == (12, 16, 3)
    # the files are gone: a replay cannot read them
    (tmp_path / 'a.png').unlink()
    (tmp_path / 'a_mask.png').unlink()
    second = cached(dict(info, group_id=7))
    assert cached.hits == 1
    assert second['group_id'] == 7  # keys the transforms did not set stay
    for key in ('img', 'gt_seg_map'):
        assert np.array_equal(first[key], second[key])
    assert second['img_shape'] == first['img_shape']
    assert second['ori_shape'] == (30, 40)


def test_replays_are_independent_copies(tmp_path):
    cached = CachedTransforms(LOAD)
    info = _write(tmp_path, 'a', 0)
    first = cached(dict(info))
    reference = first['img'].copy()
    first['img'][:] = 0  # a later transform writing in place
    first['gt_seg_map'][:] = 9
    second = cached(dict(info))
    assert np.array_equal(second['img'], reference)
    assert (second['gt_seg_map'] != 9).all()
    second['img'][:] = 1
    assert np.array_equal(cached(dict(info))['img'], reference)


def test_files_are_told_apart_and_the_cache_is_bounded(tmp_path):
    cached = CachedTransforms(LOAD, cache_size=1)
    a, b = _write(tmp_path, 'a', 0), _write(tmp_path, 'b', 1)
    img_a = cached(dict(a))['img']
    img_b = cached(dict(b))['img']
    assert not np.array_equal(img_a, img_b)
    assert np.array_equal(cached(dict(a))['img'], img_a)  # a was dropped
    assert (cached.hits, cached.misses) == (0, 3)


def test_rejected_results_are_not_cached(tmp_path):
    calls = []

    def reject_first(results):
        calls.append(1)
        return None if len(calls) == 1 else results

    cached = CachedTransforms([reject_first])
    info = _write(tmp_path, 'a', 0)
    assert cached(dict(info)) is None
    assert cached(dict(info)) is not None
    assert len(calls) == 2


def test_random_transforms_are_refused():
    with pytest.raises(ValueError, match='RandomFlip'):
        CachedTransforms(LOAD + [dict(type='RandomFlip', prob=0.5)])
    with pytest.raises(ValueError, match='cache_size'):
        CachedTransforms(LOAD, cache_size=0)


def test_in_the_seen_training_pipeline():
    """The shipped seen configs load through the cache, flip after it."""
    repo = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
    cfg = Config.fromfile(
        osp.join(repo, 'configs/_base_/datasets/pascal_voc_coseg_seen.py'))
    first, flip = cfg.train_image_pipeline
    assert first['type'] == 'CachedTransforms'
    assert flip['type'] == 'RandomFlip'
    TRANSFORMS.build(first)


def test_a_later_flip_flips_image_and_mask_on_a_replay(tmp_path):
    """Fields the wrapped transforms change in place (``seg_fields``, which
    tells RandomFlip to flip the mask) are replayed too: on a cache hit the
    flipped mask still matches the flipped image."""
    cached = CachedTransforms(LOAD)
    flip = TRANSFORMS.build(dict(type='RandomFlip', prob=1.0))
    info = _write(tmp_path, 'a', 0)
    first = flip(cached(dict(info, seg_fields=[])))
    replay = flip(cached(dict(info, seg_fields=[])))
    assert cached.hits == 1
    assert replay['seg_fields'] == ['gt_seg_map']
    for out in (first, replay):
        assert np.array_equal(out['img'], first['img'])
        assert np.array_equal(out['gt_seg_map'], first['gt_seg_map'])
    # and the pair is the unflipped pair mirrored
    plain = cached(dict(info, seg_fields=[]))
    assert np.array_equal(replay['img'], plain['img'][:, ::-1])
    assert np.array_equal(replay['gt_seg_map'], plain['gt_seg_map'][:, ::-1])
