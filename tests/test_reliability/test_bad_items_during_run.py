"""Item 2: files that become unreadable during a run.

A training group whose files fail to load is skipped with a logged warning
naming the files and counted (``on_bad_item='skip'``, the default), or
fails the run (``'raise'``); the count reaches the message hub through
``BadItemCounterHook`` with any number of dataloader workers, and a real
training run with files corrupted after its second iteration finishes.
"""
import copy
import os
import os.path as osp
import uuid

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.hooks import Hook
from mmengine.logging import MMLogger
from mmengine.registry import init_default_scope
from mmengine.runner import Runner
from torch.utils.data import DataLoader

import mmcoseg  # noqa: F401  (registers the modules)
from mmcoseg.datasets import GroupDataset, coseg_collate
from mmcoseg.datasets.synthetic_coseg import make_synthetic_coseg
from mmcoseg.engine import BadItemCounterHook
from mmcoseg.engine.hooks.bad_item_counter_hook import _skipped_in_batch

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = osp.join(REPO, 'configs', 'ssnm',
                  'ssnm_r18-c16_1x4g5-1500i_synthetic-128x128.py')
CATEGORIES = ('circle', 'square')
N = 3


@pytest.fixture(scope='module')
def cfg():
    return Config.fromfile(CONFIG)


@pytest.fixture
def data_root(tmp_path):
    make_synthetic_coseg(str(tmp_path), num_train=4, num_test=2,
                         image_size=(40, 48), seed=0, categories=CATEGORIES)
    return str(tmp_path)


def _train_dataset(cfg, data_root, **kwargs):
    init_default_scope('mmcoseg')
    return GroupDataset(
        data_root=data_root,
        data_prefix=dict(img_path='train/images',
                         seg_map_path='train/masks'),
        group_size=N,
        pipeline=copy.deepcopy(cfg.train_dataloader.dataset.pipeline),
        **kwargs)


def _corrupt(path):
    with open(path, 'wb') as f:
        f.write(b'\xff\xd8 truncated')


def _images(data_root, category):
    folder = osp.join(data_root, 'train', 'images', category)
    return sorted(osp.join(folder, n) for n in os.listdir(folder))


def _log_file(tmp_path):
    """Make a fresh MMLogger current; return its log file."""
    path = str(tmp_path / 'run.log')
    MMLogger.get_instance(f'bad_items_{uuid.uuid4().hex}', log_file=path)
    return path


def _read(path):
    for handler in MMLogger.get_current_instance().handlers:
        handler.flush()
    with open(path) as f:
        return f.read()


def test_unreadable_image_is_skipped_named_and_counted(cfg, data_root,
                                                       tmp_path):
    log = _log_file(tmp_path)
    ds = _train_dataset(cfg, data_root)
    bad = _images(data_root, 'circle')[1]
    _corrupt(bad)  # becomes unreadable after the dataset was built
    np.random.seed(0)
    bad_index = [i for i in range(ds.num_images) if super(
        GroupDataset, ds).get_data_info(i)['img_path'] == bad][0]
    out = ds[bad_index]  # the anchor itself is bad: another group comes
    assert ds.num_bad_items == 1
    assert set(ds.bad_files) == {bad}
    first = out['data_samples'][0]
    assert first.skipped_bad_items == 1
    assert all(s.img_path != bad for s in out['data_samples'])
    text = _read(log)
    assert 'skipped bad training item' in text and bad in text
    # From now on the bad image is neither an anchor nor a companion, and
    # the pending count was handed over once.
    for idx in range(ds.num_images):
        group = ds[idx]
        assert all(s.img_path != bad for s in group['data_samples'])
        assert 'skipped_bad_items' not in group['data_samples'][0]
    assert ds.num_bad_items == 1


def test_missing_mask_midrun_is_skipped(cfg, data_root):
    ds = _train_dataset(cfg, data_root)
    mask = osp.join(data_root, 'train', 'masks', 'square', 'square_0000.png')
    os.remove(mask)
    np.random.seed(1)
    for idx in range(ds.num_images):
        group = ds[idx]
        assert all(s.seg_map_path != mask for s in group['data_samples'])
    assert ds.num_bad_items >= 1
    assert mask in ds.bad_files and ds.bad_files[mask] == 'missing'


def test_raise_mode_and_test_mode_fail_naming_the_file(cfg, data_root,
                                                       tmp_path):
    log = _log_file(tmp_path)
    ds = _train_dataset(cfg, data_root, on_bad_item='raise')
    bad = _images(data_root, 'circle')[0]
    _corrupt(bad)
    with pytest.raises(Exception) as err:
        for idx in range(ds.num_images):
            ds[idx]
    assert not isinstance(err.value, RuntimeError)  # the loader's error
    assert bad in _read(log)
    init_default_scope('mmcoseg')
    test_ds = GroupDataset(
        data_root=data_root,
        data_prefix=dict(img_path='train/images',
                         seg_map_path='train/masks'),
        group_size=N, test_mode=True, validate='off',
        pipeline=copy.deepcopy(cfg.test_dataloader.dataset.pipeline))
    with pytest.raises(Exception):
        test_ds[0]  # a skipped test group would bias the metric


def test_limits(cfg, data_root):
    ds = _train_dataset(cfg, data_root, max_bad_items=1)
    for path in _images(data_root, 'circle')[:2]:
        _corrupt(path)
    np.random.seed(0)
    with pytest.raises(RuntimeError, match='max_bad_items=1'):
        for idx in range(ds.num_images):
            ds[idx]
    # Everything bad: max_refetch consecutive failures end with a clear
    # error instead of looping.
    for category in CATEGORIES:
        for path in _images(data_root, category):
            _corrupt(path)
    ds = _train_dataset(cfg, data_root, validate='off', max_refetch=5)
    with pytest.raises(RuntimeError, match='6 consecutive'):
        ds[0]


def test_counts_reach_the_hook_through_workers(cfg, data_root, tmp_path):
    log = _log_file(tmp_path)  # inherited by the forked workers
    ds = _train_dataset(cfg, data_root)
    bad = _images(data_root, 'square')[:3]
    for path in bad:
        _corrupt(path)
    loader = DataLoader(ds, batch_size=2, num_workers=2, shuffle=False,
                        collate_fn=coseg_collate)
    skipped, delivered = 0, 0
    for batch in loader:
        skipped += _skipped_in_batch(batch)
        for group in batch['data_samples']:
            delivered += 1
            assert all(s.img_path not in bad for s in group)
    assert delivered == ds.num_images  # every item was served
    # Each worker skips the bad groups it meets and reports the count with
    # its next group: the batches carry exactly the skips the workers
    # logged (the main process's dataset copy never ran the pipeline).
    assert ds.num_bad_items == 0
    logged = _read(log).count('skipped bad training item')
    assert skipped == logged >= 1


class _CorruptAfter(Hook):
    """Corrupt every training image of one category before iteration 3."""

    def __init__(self, paths):
        self.paths = paths

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        if runner.iter == 2:
            for path in self.paths:
                _corrupt(path)


def test_training_run_survives_files_going_bad(cfg, data_root, tmp_path):
    paths = _images(data_root, 'circle')
    run_cfg = copy.deepcopy(cfg)
    loader = run_cfg.train_dataloader
    loader.update(batch_size=2, num_workers=0, persistent_workers=False)
    loader.dataset.update(data_root=data_root,
                          metainfo=dict(classes=CATEGORIES), group_size=N)
    run_cfg.train_cfg.update(max_iters=6, val_interval=100)
    run_cfg.default_hooks.checkpoint.update(interval=6)
    run_cfg.default_hooks.logger.update(interval=1)
    run_cfg.custom_hooks = [dict(type='PlainMessageHubHook'),
                            dict(type='BadItemCounterHook')]
    run_cfg.update(work_dir=str(tmp_path / 'work'), val_dataloader=None,
                   val_cfg=None, val_evaluator=None, visualizer=dict(
                       type='CoSegLocalVisualizer', vis_backends=[]),
                   experiment_name=f'bad_{uuid.uuid4().hex}')
    torch.manual_seed(0)
    runner = Runner.from_cfg(run_cfg)
    runner.register_hook(_CorruptAfter(paths))
    runner.train()
    assert runner.iter == 6
    counter = [h for h in runner.hooks if isinstance(h, BadItemCounterHook)]
    total = counter[0].total
    dataset = runner.train_dataloader.dataset
    # Over 4 iterations of 2 groups after the corruption, half the anchors
    # are circles: some groups were certainly bad and all were replaced.
    assert total == dataset.num_bad_items >= 1
    assert set(dataset.bad_files) <= set(paths)
    assert runner.message_hub.get_info('bad_items_skipped') == total
    ckpt = torch.load(str(tmp_path / 'work' / 'iter_6.pth'))
    assert ckpt['message_hub']['runtime_info']['bad_items_skipped'] == total
    with open(osp.join(runner.log_dir, f'{runner.timestamp}.log')) as f:
        text = f.read()
    assert 'bad training item(s) were skipped' in text
    assert any(p in text for p in paths)
