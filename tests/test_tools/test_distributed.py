"""Distributed (DDP) sampling and evaluation of image groups, on CPU.

* Sampler sharding: MMEngine's ``InfiniteSampler`` (training) and
  ``DefaultSampler`` (testing) are built on a :class:`GroupDataset` as rank
  0 and rank 1 of a world of 2 (``get_dist_info`` patched, no processes):
  the ranks train on different groups, and the test groups are sharded
  without loss, the one padded duplicate being the only overlap.
* End to end: ``tools/test.py`` is run once in one process (its command
  line in the test's process) and twice as a 2-process ``torchrun`` (gloo
  backend) on a tiny synthetic set with an odd number of test groups (so
  the distributed sampler pads); the P/J of the 2-process runs equal the
  1-process ones and every image is scored, and written by ``--out``,
  exactly once; the tools release the process group before they exit
  (``teardown_distributed``).

MMEngine 0.10.7 calls ``torch.cuda.set_device`` unconditionally when it
initialises a ``pytorch`` launch, which raises on a machine without GPU;
the launch therefore goes through a small shim (written by the test) that
makes that call a no-op when CUDA is unavailable, then runs the tool.
"""
import glob
import json
import os
import os.path as osp
import re
import socket
import subprocess
import sys
from unittest import mock

import pytest
import torch
from mmengine.config import Config
from mmengine.dataset import DefaultSampler, InfiniteSampler
from mmengine.registry import init_default_scope

import mmcoseg  # noqa: F401
from mmcoseg.datasets import GroupDataset
from mmcoseg.datasets.synthetic_coseg import (
    DEFAULT_CATEGORIES,
    make_synthetic_coseg,
)
from mmcoseg.registry import MODELS

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
# The paper's model: freshly initialised, it already predicts a non-trivial
# mix of foreground and background, which makes the comparison of
# distributed and single-process masks meaningful (an untrained improved
# model starts at all-background).
CONFIG = osp.join('configs', 'ssnm',
                  'ssnm-paper_r18-c16_1x4g5-1500i_synthetic-128x128.py')
CATEGORIES = DEFAULT_CATEGORIES[:3]
NUM_TEST = 5  # per category: groups of 2 -> 2 + 2 + (1 + 1 padding)
GROUP_SIZE = 2
NUM_GROUPS = len(CATEGORIES) * 3  # 9, odd: the 2-rank sampler pads one
NUM_SCORED = len(CATEGORIES) * NUM_TEST
CLI_TIMEOUT = 600
TABLE_ROW = re.compile(r'^\|\s*(\S[^|]*?)\s*\|\s*(\d+)\s*\|'
                       r'\s*([\d.]+|nan)\s*\|\s*([\d.]+|nan)\s*\|$')

@pytest.fixture(scope='module')
def data_root(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('coseg_dist_data'))
    make_synthetic_coseg(
        root,
        num_train=4,
        num_test=NUM_TEST,
        image_size=(40, 56),
        seed=1,
        categories=CATEGORIES)
    return root


def _dataset(data_root, test_mode):
    split = 'test' if test_mode else 'train'
    return GroupDataset(
        data_root=data_root,
        data_prefix=dict(
            img_path=f'{split}/images', seg_map_path=f'{split}/masks'),
        group_size=GROUP_SIZE if test_mode else 3,
        test_mode=test_mode,
        pipeline=[])


def _shards(sampler_cls, dataset, num, **kwargs):
    """First ``num`` indices each rank of a world of 2 draws."""
    shards = []
    for rank in range(2):
        with mock.patch('mmengine.dataset.sampler.get_dist_info',
                        return_value=(rank, 2)):
            sampler = sampler_cls(dataset, **kwargs)
        it = iter(sampler)
        shards.append([next(it) for _ in range(num)])
    return shards


def test_train_ranks_see_different_groups(data_root):
    dataset = _dataset(data_root, test_mode=False)
    assert len(dataset) == 4 * len(CATEGORIES)
    half = len(dataset) // 2
    rank0, rank1 = _shards(
        InfiniteSampler, dataset, half, shuffle=True, seed=0)
    # One epoch of anchors, split without overlap between the ranks.
    assert not set(rank0) & set(rank1)
    assert sorted(rank0 + rank1) == list(range(len(dataset)))
    # The groups built on these anchors differ between the ranks too.
    for i0, i1 in zip(rank0, rank1):
        group0 = [x['img_path'] for x in dataset.get_data_info(i0)['images']]
        group1 = [x['img_path'] for x in dataset.get_data_info(i1)['images']]
        assert group0[0] != group1[0]
        assert group0 != group1


def test_test_groups_sharded_without_loss(data_root):
    dataset = _dataset(data_root, test_mode=True)
    assert len(dataset) == NUM_GROUPS
    per_rank = (NUM_GROUPS + 1) // 2
    rank0, rank1 = _shards(
        DefaultSampler, dataset, per_rank, shuffle=False)
    assert len(rank0) == len(rank1) == per_rank
    # Every group is tested; the only one tested twice is the padding.
    assert set(rank0) | set(rank1) == set(range(NUM_GROUPS))
    assert len(rank0) + len(rank1) == NUM_GROUPS + 1
    assert len(set(rank0) & set(rank1)) == 1
    # mmengine's collect_results interleaves the ranks and keeps
    # len(dataset) entries: with one group per batch this drops exactly the
    # padded duplicate.
    interleaved = [i for pair in zip(rank0, rank1) for i in pair]
    assert interleaved[:NUM_GROUPS] == list(range(NUM_GROUPS))


def _free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def _run(args, **env_vars):
    env = dict(os.environ, PYTHONWARNINGS='ignore', OMP_NUM_THREADS='1',
               **env_vars)
    proc = subprocess.run(
        args,
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        universal_newlines=True,
        timeout=CLI_TIMEOUT)
    assert proc.returncode == 0, (
        f'{" ".join(args[:6])} exited with {proc.returncode}:\n'
        f'{proc.stdout[-6000:]}')
    return proc.stdout


def _parse_table(text):
    rows = {}
    for line in text.splitlines():
        match = TABLE_ROW.match(line.strip())
        if match and match.group(1) != 'Category':
            name, num, p, j = match.groups()
            rows[name] = (int(num), float(p), float(j))
    return rows


def _metrics_json(work_dir):
    files = glob.glob(osp.join(work_dir, '*', '*.json'))
    assert len(files) == 1, files
    with open(files[0]) as f:
        return json.loads(f.read().strip().splitlines()[-1])


@pytest.fixture(scope='module')
def checkpoint(tmp_path_factory):
    """A freshly initialised SSNM of the CLI config, saved as a checkpoint."""
    cfg = Config.fromfile(osp.join(REPO_ROOT, CONFIG))
    init_default_scope('mmcoseg')
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.init_weights()
    # Spread the logits so that the predictions mix foreground and
    # background (the default init predicts background everywhere).
    model.decode_head.conv_seg.weight.data.normal_(0, 1)
    path = str(tmp_path_factory.mktemp('ckpt') / 'init.pth')
    torch.save(dict(state_dict=model.state_dict()), path)
    return path


def _test_opts(data_root, batch_size):
    opts = [
        f'test_dataloader.dataset.data_root={data_root}',
        f'test_dataloader.dataset.group_size={GROUP_SIZE}',
        f'test_dataloader.batch_size={batch_size}',
        'test_dataloader.num_workers=0',
        'test_dataloader.persistent_workers=False',
    ]
    return opts


@pytest.fixture(scope='module')
def single(tmp_path_factory, data_root, checkpoint, run_script):
    """tools/test.py in one process: its command line run in this one (the
    tool runs in a fresh process in ``test_train_test_cli.py``)."""
    base = tmp_path_factory.mktemp('single')
    work_dir, out_dir = str(base / 'work'), str(base / 'out')
    proc = run_script('tools/test.py', CONFIG, checkpoint, '--work-dir',
                      work_dir, '--out', out_dir, '--cfg-options',
                      *_test_opts(data_root, 1), cwd=REPO_ROOT)
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log[-6000:]
    return dict(log=log, work_dir=work_dir, out_dir=out_dir)


def _distributed(tmp_path_factory, data_root, checkpoint, batch_size):
    """tools/dist_test.sh with 2 processes; without a GPU the tools switch
    to gloo and CPU DDP themselves (mmcoseg.utils.dist_utils). Results are
    gathered through a temporary folder (not ./.dist_test)."""
    base = tmp_path_factory.mktemp(f'dist_bs{batch_size}')
    work_dir, out_dir = str(base / 'work'), str(base / 'out')
    log = _run([
        'bash', 'tools/dist_test.sh', CONFIG, checkpoint, '2', '--work-dir',
        work_dir, '--out', out_dir, '--cfg-options',
        *_test_opts(data_root, batch_size),
        f'test_evaluator.collect_dir={base / "collect"}'
    ], PYTHON=sys.executable, PORT=str(_free_port()))
    return dict(log=log, work_dir=work_dir, out_dir=out_dir)


@pytest.mark.parametrize('batch_size', [1, 2])
def test_two_process_test_matches_single_process(tmp_path_factory,
                                                 data_root, checkpoint,
                                                 single, batch_size):
    dist = _distributed(tmp_path_factory, data_root, checkpoint, batch_size)
    assert 'Distributed training: True' in dist['log'], dist['log'][-3000:]
    assert 'GPU number: 2' in dist['log']  # the world size
    # Every rank released the process group before exiting (a gloo thread
    # alive at exit can abort a rank after correct results).
    assert 'destroying the process group' in dist['log'], dist['log'][-3000:]
    if batch_size == 2:
        # Batches of 2 groups: the padded duplicate group (2 images) is
        # gathered and dropped by CoSegMetric's (category, img_path) check.
        assert 'skipped 2 duplicated image result(s)' in dist['log']

    rows1 = _parse_table(single['log'])
    rows2 = _parse_table(dist['log'])
    assert set(rows1) == set(CATEGORIES) | {'Ave.'}, single['log'][-3000:]
    assert 0 < rows1['Ave.'][2] < 100  # a non-trivial J
    # Each image scored once: per-category and total image counts.
    assert rows2 == rows1, dist['log'][-3000:]
    for category in CATEGORIES:
        assert rows2[category][0] == NUM_TEST
    assert rows2['Ave.'][0] == NUM_SCORED

    metrics1 = _metrics_json(single['work_dir'])
    metrics2 = _metrics_json(dist['work_dir'])
    for key in ('P', 'J', 'P_img', 'J_img'):
        assert metrics2[key] == pytest.approx(metrics1[key], abs=1e-6), key

    masks1 = sorted(
        osp.relpath(p, single['out_dir'])
        for p in glob.glob(osp.join(single['out_dir'], '*', '*.png')))
    masks2 = sorted(
        osp.relpath(p, dist['out_dir'])
        for p in glob.glob(osp.join(dist['out_dir'], '*', '*.png')))
    assert len(masks1) == NUM_SCORED
    assert masks2 == masks1


def test_two_process_training(tmp_path_factory, data_root):
    work_dir = str(tmp_path_factory.mktemp('dist_train'))
    opts = []
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        opts += [
            f'{loader}.dataset.data_root={data_root}',
            f'{loader}.num_workers=0',
            f'{loader}.persistent_workers=False',
        ]
    opts += [
        'val_dataloader.dataset.group_size=2', 'train_dataloader.batch_size=2',
        'train_cfg.max_iters=3', 'train_cfg.val_interval=3',
        'default_hooks.logger.interval=1',
        'default_hooks.checkpoint.interval=3',
        f'model.semantic_head.num_classes={len(CATEGORIES)}',
        f'val_evaluator.collect_dir={osp.join(work_dir, "collect")}'
    ]
    log = _run([
        'bash', 'tools/dist_train.sh', CONFIG, '2', '--work-dir', work_dir,
        '--cfg-options', *opts
    ], PYTHON=sys.executable, PORT=str(_free_port()))
    assert 'gloo backend' in log
    assert 'GPU number: 2' in log
    assert 'destroying the process group' in log, log[-3000:]
    iters = re.findall(r'Iter\(train\) \[(\d)/3\].*loss: ([\d.]+)', log)
    assert [i for i, _ in iters] == ['1', '2', '3'], log[-3000:]
    # The validation inside DDP training scores every test image once.
    rows = _parse_table(log)
    assert rows['Ave.'][0] == NUM_SCORED, log[-3000:]
    assert osp.isfile(osp.join(work_dir, 'iter_3.pth'))
