"""End-to-end tests of ``tools/train.py`` and ``tools/test.py``.

A tiny synthetic co-segmentation set is generated once per module; the
small CPU config is trained for 4 iterations on it, tested (with painted
images and saved predictions), resumed to 6 iterations, and its
checkpoints are loaded with ``torch.load``'s default ``weights_only=True``.
Every CLI runs from the repository root, as its command line runs it
(``__main__``, ``sys.argv``); ``tools/train.py`` and ``tools/test.py`` in
the test's process (the imports paid once: they run in fresh processes
from a user's folder in ``test_downstream.py`` and
``test_cosod_test_cli.py``), ``render_groups.py`` in a fresh one.
"""
import glob
import json
import math
import os
import os.path as osp
import re
import runpy
import subprocess
import sys

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.runner import load_checkpoint
from PIL import Image

import mmcoseg  # noqa: F401  (registers modules and the safe globals)
from mmcoseg.datasets.synthetic_coseg import (
    DEFAULT_CATEGORIES,
    make_synthetic_coseg,
)
from mmcoseg.registry import MODELS

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = osp.join('configs', 'ssnm',
                  'ssnm_r18-c16_1x4g5-1500i_synthetic-128x128.py')
NUM_TRAIN = 6
NUM_TEST = 3
NUM_SCORED = NUM_TEST * len(DEFAULT_CATEGORIES)
LOSS_KEYS = ('loss', 'loss_seg', 'loss_spa', 'loss_sem')
CLI_TIMEOUT = 600
TABLE_ROW = re.compile(r'^\|\s*(\S[^|]*?)\s*\|\s*(\d+)\s*\|'
                       r'\s*([\d.]+|nan)\s*\|\s*([\d.]+|nan)\s*\|$')


def _data_options(data_root):
    """``--cfg-options`` for the tiny set, no workers, one-step logging."""
    opts = []
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        opts += [
            f'{loader}.dataset.data_root={data_root}',
            f'{loader}.num_workers=0',
            f'{loader}.persistent_workers=False',
        ]
    return opts


def _train_options(data_root, max_iters):
    return _data_options(data_root) + [
        f'train_cfg.max_iters={max_iters}',
        'train_cfg.val_interval=4',
        'default_hooks.checkpoint.interval=2',
        'default_hooks.logger.interval=1',
        'train_dataloader.batch_size=2',
    ]


def _run_in_process(run_script, args):
    """Run a tool's command line from the repository root in this process
    (the imports paid once); return the completed process, its stdout
    holding both streams."""
    proc = run_script(*args, cwd=REPO_ROOT)
    proc.stdout += proc.stderr
    assert proc.returncode == 0, (
        f'{" ".join(args[:2])} exited with {proc.returncode}:\n'
        f'{proc.stdout[-6000:]}')
    return proc


def _run(args):
    """Run a tool from the repository root in a fresh process; return the
    completed process."""
    env = dict(os.environ, PYTHONWARNINGS='ignore')
    proc = subprocess.run([sys.executable, *args],
                          cwd=REPO_ROOT,
                          env=env,
                          stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT,
                          universal_newlines=True,
                          timeout=CLI_TIMEOUT)
    assert proc.returncode == 0, (
        f'{" ".join(args[:2])} exited with {proc.returncode}:\n'
        f'{proc.stdout[-6000:]}')
    return proc


def _timestamp_dirs(work_dir):
    """The ``<work_dir>/<timestamp>`` folders mmengine's runners create."""
    return sorted(
        d for d in glob.glob(osp.join(work_dir, '*'))
        if osp.isdir(d) and re.fullmatch(r'\d{8}_\d{6}', osp.basename(d)))


def _read_scalars(run_dir):
    path = osp.join(run_dir, 'vis_data', 'scalars.json')
    assert osp.isfile(path), f'no scalars log at {path}'
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def _train_entries(scalars):
    return [e for e in scalars if 'iter' in e]


def _val_entries(scalars):
    return [e for e in scalars if 'P' in e and 'J' in e]


def _read_log(run_dir):
    logs = glob.glob(osp.join(run_dir, '*.log'))
    assert len(logs) == 1, logs
    with open(logs[0]) as f:
        return f.read()


def _run_snapshot(work_dir, known_runs=()):
    """Files, scalars and log of the one run not in ``known_runs``."""
    runs = [d for d in _timestamp_dirs(work_dir) if d not in known_runs]
    assert len(runs) == 1, runs
    return dict(
        run_dir=runs[0],
        files=sorted(os.listdir(work_dir)),
        scalars=_read_scalars(runs[0]),
        log=_read_log(runs[0]))


def _parse_table(text):
    """Rows ``name -> (#img, P, J)`` of the per-category table."""
    rows = {}
    for line in text.splitlines():
        match = TABLE_ROW.match(line.strip())
        if match and match.group(1) != 'Category':
            name, num, p, j = match.groups()
            rows[name] = (int(num), float(p), float(j))
    return rows


def _test_images(data_root):
    """``{basename: (width, height)}`` of every test image."""
    paths = glob.glob(osp.join(data_root, 'test', 'images', '*', '*.jpg'))
    sizes = {}
    for path in paths:
        with Image.open(path) as img:
            sizes[osp.basename(path)] = img.size
    return sizes


@pytest.fixture(scope='module')
def data_root(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('coseg_data'))
    summary = make_synthetic_coseg(
        root,
        num_train=NUM_TRAIN,
        num_test=NUM_TEST,
        image_size=(48, 64),
        seed=0)
    assert summary['counts']['test'] == NUM_SCORED
    return root


@pytest.fixture(scope='module')
def trained(tmp_path_factory, data_root, run_script):
    """Train 4 iterations; snapshot the work dir before any resume."""
    work_dir = str(tmp_path_factory.mktemp('train'))
    proc = _run_in_process(run_script, [
        'tools/train.py', CONFIG, '--work-dir', work_dir, '--cfg-options',
        *_train_options(data_root, 4)
    ])
    snapshot = _run_snapshot(work_dir)
    with open(osp.join(work_dir, 'last_checkpoint')) as f:
        snapshot['last_checkpoint'] = f.read().strip()
    snapshot.update(work_dir=work_dir, stdout=proc.stdout)
    return snapshot


@pytest.fixture(scope='module')
def tested(tmp_path_factory, data_root, trained, run_script):
    """Run ``tools/test.py`` on ``iter_4.pth`` with --show-dir and --out."""
    base = tmp_path_factory.mktemp('test')
    work_dir, show_dir, out_dir = (str(base / name)
                                   for name in ('work', 'show', 'out'))
    proc = _run_in_process(run_script, [
        'tools/test.py', CONFIG,
        osp.join(trained['work_dir'], 'iter_4.pth'), '--work-dir', work_dir,
        '--show-dir', show_dir, '--out', out_dir, '--cfg-options',
        *_data_options(data_root),
        # mmseg's SegVisualizationHook draws every 50th batch by default.
        'default_hooks.visualization.interval=1'
    ])
    return dict(
        work_dir=work_dir,
        show_dir=show_dir,
        out_dir=out_dir,
        stdout=proc.stdout)


@pytest.fixture(scope='module')
def resumed(trained, data_root, run_script):
    """Resume the training run in its work dir up to 6 iterations."""
    work_dir = trained['work_dir']
    proc = _run_in_process(run_script, [
        'tools/train.py', CONFIG, '--work-dir', work_dir, '--resume',
        '--cfg-options', *_train_options(data_root, 6)
    ])
    snapshot = _run_snapshot(work_dir, known_runs=[trained['run_dir']])
    snapshot.update(work_dir=work_dir, stdout=proc.stdout)
    return snapshot


def test_train_cli(trained):
    files = trained['files']
    for name in ('iter_2.pth', 'iter_4.pth', 'last_checkpoint'):
        assert name in files, files
    assert osp.basename(trained['last_checkpoint']) == 'iter_4.pth'

    scalars = trained['scalars']
    train = _train_entries(scalars)
    assert [e['iter'] for e in train] == [1, 2, 3, 4]
    for entry in train:
        for key in LOSS_KEYS:
            assert key in entry, entry
            assert math.isfinite(entry[key]), entry
        # mmseg's total loss is the sum of the loss terms.
        terms = sum(v for k, v in entry.items() if k.startswith('loss_'))
        assert entry['loss'] == pytest.approx(terms, rel=1e-4, abs=1e-4)
    assert train[-1]['lr'] < train[0]['lr']  # PolyLR steps

    val = _val_entries(scalars)
    assert len(val) == 1, val
    assert val[0]['step'] == 4
    for key in ('P', 'J'):
        assert 0 <= val[0][key] <= 100, val[0]
    assert 'per category results' in trained['log']
    assert 'Ave.' in trained['log']


def test_test_cli_metrics(tested, trained):
    output = tested['stdout']
    rows = _parse_table(output)
    assert set(rows) == set(DEFAULT_CATEGORIES) | {'Ave.'}, output[-4000:]
    for category in DEFAULT_CATEGORIES:
        assert rows[category][0] == NUM_TEST
    assert rows['Ave.'][0] == NUM_SCORED

    runs = _timestamp_dirs(tested['work_dir'])
    assert len(runs) == 1, runs
    metric_files = glob.glob(osp.join(runs[0], '*.json'))
    assert len(metric_files) == 1, metric_files
    with open(metric_files[0]) as f:
        metrics = json.loads(f.read().strip().splitlines()[-1])
    for key in ('P', 'J'):
        assert 0 <= metrics[key] <= 100, metrics
    assert metrics['P'] == pytest.approx(rows['Ave.'][1], abs=0.01)
    assert metrics['J'] == pytest.approx(rows['Ave.'][2], abs=0.01)
    # Same weights and data as the validation at iteration 4 of training.
    val = _val_entries(trained['scalars'])[0]
    assert metrics['P'] == pytest.approx(val['P'], abs=0.1)
    assert metrics['J'] == pytest.approx(val['J'], abs=0.1)


def test_test_cli_show_dir(tested, data_root):
    sizes = _test_images(data_root)
    assert len(sizes) == NUM_SCORED
    pictures = [
        p for p in glob.glob(
            osp.join(tested['show_dir'], '**', '*'), recursive=True)
        if p.lower().endswith(('.png', '.jpg'))
    ]
    grids = [p for p in pictures if osp.basename(p).startswith('test_group_')]
    painted = [p for p in pictures if p not in grids]
    # One group grid per test group (each category of 3 images is one
    # group of 5 with 2 padding images): rows input, truth, prediction.
    assert len(grids) == len(DEFAULT_CATEGORIES), grids
    for path in grids:
        assert any(f'_{c}_' in osp.basename(path) for c in DEFAULT_CATEGORIES)
        with Image.open(path) as img:
            assert img.size[1] == 3 * 160 + 2 * 4, path
    # One painted image per scored test image (padding images of a group
    # are drawn under the same name and overwrite it).
    assert len(painted) == NUM_SCORED, painted
    for path in painted:
        match = re.fullmatch(r'test_(.+\.jpg)_\d+\.png', osp.basename(path))
        assert match and match.group(1) in sizes, path
        width, height = sizes[match.group(1)]
        with Image.open(path) as img:
            # Ground truth and prediction side by side, at the image size.
            assert img.size == (2 * width, height), path


def test_test_cli_out(tested, data_root):
    masks = glob.glob(osp.join(tested['out_dir'], '*', '*.png'))
    assert len(masks) == NUM_SCORED, masks
    sizes = _test_images(data_root)
    for path in masks:
        category = osp.basename(osp.dirname(path))
        assert category in DEFAULT_CATEGORIES
        name = osp.splitext(osp.basename(path))[0] + '.jpg'
        with Image.open(path) as img:
            assert img.mode == 'L'
            assert img.size == sizes[name]
            assert set(np.unique(np.asarray(img))) <= {0, 255}


def test_resume(resumed, trained):
    assert osp.join(trained['work_dir'], 'iter_4.pth') in resumed['log']
    assert re.search(r'resumed from the latest checkpoint \S*iter_4\.pth',
                     resumed['log'])
    assert 'resumed epoch: 0, iter: 4' in resumed['log']
    assert 'iter_6.pth' in resumed['files']

    train = _train_entries(resumed['scalars'])
    assert [e['iter'] for e in train] == [5, 6]
    for entry in train:
        for key in LOSS_KEYS:
            assert math.isfinite(entry[key]), entry
    # The LR schedule continues from iteration 4 instead of restarting.
    first_run = _train_entries(trained['scalars'])
    assert train[0]['lr'] < first_run[-1]['lr']
    val = _val_entries(resumed['scalars'])
    assert [v['step'] for v in val] == [6]
    with open(osp.join(trained['work_dir'], 'last_checkpoint')) as f:
        assert osp.basename(f.read().strip()) == 'iter_6.pth'


@pytest.mark.parametrize('name', ['iter_4.pth', 'iter_6.pth'])
def test_checkpoints_load_weights_only(resumed, name):
    path = osp.join(resumed['work_dir'], name)
    # torch's default (weights_only=True since torch 2.6), and explicitly.
    ckpt = torch.load(path, map_location='cpu')
    torch.load(path, map_location='cpu', weights_only=True)
    for key in ('meta', 'state_dict', 'message_hub', 'optimizer',
                'param_schedulers'):
        assert key in ckpt, sorted(ckpt)
    iteration = int(re.search(r'\d+', name).group())
    assert ckpt['meta']['iter'] == iteration

    cfg = Config.fromfile(osp.join(REPO_ROOT, CONFIG))
    init_default_scope('mmcoseg')
    model = MODELS.build(cfg.model)
    load_checkpoint(model, path, map_location='cpu', strict=True)
    state = model.state_dict()
    assert set(state) == set(ckpt['state_dict'])
    for key, value in ckpt['state_dict'].items():
        assert torch.equal(state[key], value), key


def test_render_groups_compares_models(tmp_path, monkeypatch, data_root,
                                      trained):
    """render_groups.py draws input, truth and one prediction row per model
    (--compare) for the chosen groups."""
    ckpt = osp.join(trained['work_dir'], 'iter_4.pth')
    out = tmp_path / 'groups'
    proc = _run([
        'tools/analysis_tools/render_groups.py', CONFIG, ckpt, '--out-dir',
        str(out), '--groups', '0', '2', '--label', 'first', '--compare',
        CONFIG, ckpt, 'second', '--cfg-options', *_data_options(data_root)
    ])
    pictures = sorted(out.glob('group_*.png'))
    assert [p.name.split('_')[1] for p in pictures] == ['000', '002']
    assert 'first J' in proc.stdout and 'second J' in proc.stdout
    # Without --compare, one prediction row (the tool's main in this
    # process: the command line ran above).
    single = tmp_path / 'single'
    monkeypatch.chdir(REPO_ROOT)
    monkeypatch.setattr(sys, 'argv', [
        'render_groups.py', CONFIG, ckpt, '--out-dir', str(single),
        '--groups', '0', '--cfg-options', *_data_options(data_root)])
    runpy.run_path('tools/analysis_tools/render_groups.py',
                   run_name='__main__')
    # four rows (input, truth, two models) are taller than three
    two = np.asarray(Image.open(pictures[0]))
    one = np.asarray(Image.open(next(single.glob('group_*.png'))))
    assert two.shape[1] == one.shape[1]
    assert (one.shape[0], two.shape[0]) == (3 * 160 + 2 * 4, 4 * 160 + 3 * 4)


def _plain_and_mirrored_j(data_root, ckpt):
    """Paper-protocol J of the merged views, computed without the TTA code.

    Each test group goes through the plain model as loaded by ``tools/``
    (``load_checkpoint``) twice: as is, and with every input mirrored and
    flagged ``flip`` (MMSeg's post-processing turns the prediction back);
    the two foreground maps are averaged and thresholded at 0.5.
    """
    from mmengine.dataset import Compose
    from mmengine.structures import PixelData

    from mmcoseg.datasets import coseg_collate
    from mmcoseg.registry import DATASETS, METRICS

    cfg = Config.fromfile(osp.join(REPO_ROOT, CONFIG))
    init_default_scope('mmcoseg')
    model = MODELS.build(cfg.model).eval()
    load_checkpoint(model, ckpt, map_location='cpu', strict=True)
    ds_cfg = cfg.test_dataloader.dataset
    ds_cfg.data_root = data_root
    dataset = DATASETS.build(ds_cfg)
    metric = METRICS.build(cfg.test_evaluator)
    metric.dataset_meta = dataset.metainfo
    assert isinstance(dataset.pipeline, Compose)
    for idx in range(len(dataset)):
        batch = coseg_collate([dataset[idx]])
        mirrored = coseg_collate([dataset[idx]])
        mirrored['inputs'] = [[img.flip(-1) for img in group]
                              for group in mirrored['inputs']]
        for sample in mirrored['data_samples'][0]:
            sample.set_metainfo(dict(flip=True, flip_direction='horizontal'))
        with torch.no_grad():
            plain = model.test_step(batch)
            flipped = model.test_step(mirrored)
        for a, b in zip(plain, flipped):
            prob = (a.seg_logits.data + b.seg_logits.data) / 2
            a.set_data(dict(pred_sem_seg=PixelData(data=(prob > 0.5).to(prob)),
                            seg_logits=PixelData(data=prob)))
        metric.process({}, [s.to_dict() for s in plain])
    return metric.compute_metrics(metric.results)['J']


def test_test_cli_tta(tmp_path, data_root, trained, run_script):
    """``tools/test.py --tta``: every group also seen mirrored, as a whole
    group, the checkpoint's weights in the wrapped model, the maps merged."""
    ckpt = osp.join(trained['work_dir'], 'iter_4.pth')
    proc = _run_in_process(run_script, [
        'tools/test.py', CONFIG, ckpt, '--tta', '--work-dir',
        str(tmp_path / 'work'), '--out', str(tmp_path / 'out'),
        '--cfg-options', *_data_options(data_root)
    ])
    rows = _parse_table(proc.stdout)
    assert rows['Ave.'][0] == NUM_SCORED, proc.stdout[-3000:]
    assert rows['Ave.'][2] == pytest.approx(
        _plain_and_mirrored_j(data_root, ckpt), abs=0.01)
    masks = glob.glob(str(tmp_path / 'out' / '*' / '*.png'))
    assert len(masks) == NUM_SCORED
