"""Item 5: interrupted training.

* ``tools/train.py`` killed with SIGKILL after a checkpoint resumes with
  ``--resume`` from that checkpoint's iteration and logs the same losses
  as an uninterrupted run (seed 0, deterministic mode).
* A process dying while it writes a checkpoint never leaves a corrupt or
  dangling ``last_checkpoint`` with ``AtomicCheckpointHook``; mmengine's
  ``CheckpointHook`` does (the contrast is asserted too).
"""
import glob
import json
import os
import os.path as osp
import re
import signal
import subprocess
import sys
import time

import pytest
import torch
from mmengine.fileio import LocalBackend

import mmcoseg  # noqa: F401  (registers the modules)
from mmcoseg.datasets.synthetic_coseg import make_synthetic_coseg
from mmcoseg.engine import AtomicCheckpointHook, atomic_write_text

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = osp.join('configs', 'ssnm',
                  'ssnm_r18-c16_1x4g5-1500i_synthetic-128x128.py')
MAX_ITERS = 6
LOSS_KEYS = ('loss', 'loss_seg', 'loss_spa', 'loss_sem')
TIMEOUT = 600


# --------------------------------------------------- SIGKILL and --resume
# The small CPU config with the reliability hooks switched on, as
# configs/_base_/default_runtime.py and the schedules are meant to.
HARDENED_CONFIG = """
_base_ = [{base!r}]
custom_hooks = [
    dict(type='PlainMessageHubHook'),
    dict(type='NonFiniteLossHook', action='raise'),
    dict(type='BadItemCounterHook'),
]
default_hooks = dict(checkpoint=dict(type='AtomicCheckpointHook'))
"""


@pytest.fixture(scope='module')
def data_root(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('coseg'))
    make_synthetic_coseg(root, num_train=4, num_test=1, image_size=(48, 64),
                         seed=0, categories=('circle', 'square'))
    with open(osp.join(root, 'hardened.py'), 'w') as f:
        f.write(HARDENED_CONFIG.format(base=osp.join(REPO, CONFIG)))
    return root


def _args(data_root, work_dir, resume=False):
    opts = [
        f'train_dataloader.dataset.data_root={data_root}',
        'train_dataloader.dataset.metainfo.classes=[circle,square]',
        f'val_dataloader.dataset.data_root={data_root}',
        'val_dataloader.dataset.metainfo.classes=[circle,square]',
        f'test_dataloader.dataset.data_root={data_root}',
        'test_dataloader.dataset.metainfo.classes=[circle,square]',
        'train_dataloader.num_workers=0',
        'train_dataloader.persistent_workers=False',
        'val_dataloader.num_workers=0',
        'val_dataloader.persistent_workers=False',
        'train_dataloader.batch_size=2',
        f'train_cfg.max_iters={MAX_ITERS}', 'train_cfg.val_interval=1000',
        'default_hooks.checkpoint.interval=2',
        'default_hooks.checkpoint.max_keep_ckpts=1',
        'default_hooks.logger.interval=1',
        'randomness.seed=0', 'randomness.deterministic=True',
    ]
    args = [sys.executable, 'tools/train.py',
            osp.join(data_root, 'hardened.py'), '--work-dir', work_dir]
    if resume:
        args.append('--resume')
    return args + ['--cfg-options', *opts]


def _env():
    return dict(os.environ, PYTHONWARNINGS='ignore', OMP_NUM_THREADS='1')


def _run(run_script, args):
    """The training's command line (``args`` after ``python``) in this
    process, one thread as with ``OMP_NUM_THREADS=1``: only the run that is
    killed needs a process of its own."""
    proc = run_script(*args[1:], cwd=REPO)
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log[-5000:]
    return log


def _losses(work_dir, known=()):
    """``{iter: {loss key: value}}`` of the run dirs not in ``known``."""
    out = {}
    for path in sorted(glob.glob(osp.join(work_dir, '*', 'vis_data',
                                          'scalars.json'))):
        if osp.dirname(osp.dirname(path)) in known:
            continue
        with open(path) as f:
            for line in f:
                entry = json.loads(line)
                if 'iter' in entry and 'loss' in entry:
                    out[entry['iter']] = {k: entry[k] for k in LOSS_KEYS}
    return out


def _last_checkpoint(work_dir):
    path = osp.join(work_dir, 'last_checkpoint')
    if not osp.isfile(path):
        return None
    with open(path) as f:
        target = f.read().strip()
    return target if target and osp.isfile(target) else None


@pytest.fixture(scope='module')
def reference(data_root, tmp_path_factory, run_script):
    work_dir = str(tmp_path_factory.mktemp('reference'))
    _run(run_script, _args(data_root, work_dir))
    return _losses(work_dir)


def test_sigkill_then_resume_continues_identically(data_root, reference,
                                                   tmp_path, run_script):
    assert sorted(reference) == list(range(1, MAX_ITERS + 1))
    work_dir = str(tmp_path / 'work')
    proc = subprocess.Popen(_args(data_root, work_dir), cwd=REPO, env=_env(),
                            stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + TIMEOUT
        while _last_checkpoint(work_dir) is None:
            assert proc.poll() is None, 'the run ended before a checkpoint'
            assert time.time() < deadline
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL
    killed_runs = set(
        d for d in glob.glob(osp.join(work_dir, '*')) if osp.isdir(d))
    ckpt = _last_checkpoint(work_dir)
    saved_iter = int(re.search(r'iter_(\d+)\.pth$', ckpt).group(1))
    assert saved_iter < MAX_ITERS, 'killed too late to test anything'
    # the checkpoint named by last_checkpoint is complete
    assert torch.load(ckpt)['meta']['iter'] == saved_iter

    log = _run(run_script, _args(data_root, work_dir, resume=True))
    assert f'resumed epoch: 0, iter: {saved_iter}' in log
    resumed = _losses(work_dir, known=killed_runs)
    assert sorted(resumed) == list(range(saved_iter + 1, MAX_ITERS + 1))
    for iteration, losses in resumed.items():
        for key in LOSS_KEYS:
            assert losses[key] == pytest.approx(
                reference[iteration][key], rel=1e-5, abs=1e-6), (
                    iteration, key, losses, reference[iteration])
    assert osp.basename(_last_checkpoint(work_dir)) == f'iter_{MAX_ITERS}.pth'
    # max_keep_ckpts=1: only the last checkpoint, no partial file
    names = sorted(os.listdir(work_dir))
    assert [n for n in names if n.endswith('.pth')] == [
        f'iter_{MAX_ITERS}.pth']
    assert not [n for n in names if n.endswith('.partial')]


# ------------------------------------------ dying in the middle of a save
class _Killed(BaseException):
    """Stands for the process being killed (not caught by ``except
    Exception``)."""


@pytest.fixture
def runner_of(toy_runner):
    """``make(work_dir, hook_type, resume=False)``: the toy runner, 4
    iterations, with checkpoint hook ``hook_type`` every 2 keeping 1."""
    return lambda work_dir, hook_type, resume=False: toy_runner(
        work_dir, resume=resume, checkpoint=dict(
            type=hook_type, interval=2, by_epoch=False, max_keep_ckpts=1))


def _die_while_writing(monkeypatch, name):
    """Make the write of checkpoint ``name`` stop half-way."""
    original = LocalBackend.put

    def put(self, obj, filepath):
        if name in osp.basename(str(filepath)):
            with open(filepath, 'wb') as f:
                f.write(obj[:len(obj) // 2])
            raise _Killed(filepath)
        return original(self, obj, filepath)

    monkeypatch.setattr(LocalBackend, 'put', put)


def test_atomic_hook_survives_death_during_save(tmp_path, monkeypatch,
                                                runner_of):
    _die_while_writing(monkeypatch, 'iter_4.pth')
    with pytest.raises(_Killed):
        runner_of(tmp_path, 'AtomicCheckpointHook').train()
    # last_checkpoint still names the complete iter_2.pth (kept although
    # max_keep_ckpts=1: it is deleted only after iter_4.pth is complete).
    latest = _last_checkpoint(str(tmp_path))
    assert osp.basename(latest) == 'iter_2.pth'
    assert torch.load(latest)['meta']['iter'] == 2
    assert not osp.exists(tmp_path / 'iter_4.pth')
    partial = tmp_path / '.iter_4.pth.partial'
    assert partial.exists()
    monkeypatch.undo()
    runner = runner_of(tmp_path, 'AtomicCheckpointHook', resume=True)
    runner.train()
    assert runner.iter == 4
    assert not partial.exists()  # cleaned up when training started
    assert osp.basename(_last_checkpoint(str(tmp_path))) == 'iter_4.pth'
    assert torch.load(str(tmp_path / 'iter_4.pth'))['meta']['iter'] == 4
    assert not osp.exists(tmp_path / 'iter_2.pth')


def test_plain_checkpoint_hook_leaves_a_dangling_latest(tmp_path,
                                                        monkeypatch,
                                                        runner_of):
    """The failure the atomic hook prevents (mmengine 0.10.7 behaviour)."""
    _die_while_writing(monkeypatch, 'iter_4.pth')
    with pytest.raises(_Killed):
        runner_of(tmp_path, 'CheckpointHook').train()
    with open(tmp_path / 'last_checkpoint') as f:
        latest = f.read().strip()
    # iter_2.pth was deleted before iter_4.pth was written, and iter_4.pth
    # is truncated: nothing to resume from.
    assert osp.basename(latest) == 'iter_2.pth' and not osp.exists(latest)
    with pytest.raises(Exception):
        torch.load(str(tmp_path / 'iter_4.pth'))


def test_last_checkpoint_written_atomically(tmp_path, monkeypatch):
    path = str(tmp_path / 'last_checkpoint')
    atomic_write_text(path, '/old/iter_2.pth')

    def die(src, dst):
        raise _Killed(dst)

    monkeypatch.setattr(os, 'replace', die)
    with pytest.raises(_Killed):
        atomic_write_text(path, '/new/iter_4.pth')
    monkeypatch.undo()
    with open(path) as f:
        assert f.read() == '/old/iter_2.pth'
    atomic_write_text(path, '/new/iter_4.pth')
    with open(path) as f:
        assert f.read() == '/new/iter_4.pth'


def test_hook_is_registered():
    from mmcoseg.registry import HOOKS
    assert HOOKS.get('AtomicCheckpointHook') is AtomicCheckpointHook
