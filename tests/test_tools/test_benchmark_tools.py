"""Tests of ``tools/analysis_tools/benchmark.py`` and ``bench_spatial.py``
on tiny settings: they run, print the table rows they promise, and the
exact spatial solve reaches lambda_max while the released approach does
not exceed it."""
import importlib
import json
import math
import os.path as osp
import re
import subprocess
import sys

import pytest
import torch
from torch import nn

from mmcoseg.models.modulators import BaseModulator, ModulatorOutput

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TOOLS = osp.join(REPO_ROOT, 'tools', 'analysis_tools')
CONFIG = osp.join('configs', 'ssnm',
                  'ssnm_r18-c16_1x4g5-1500i_synthetic-128x128.py')


def _load_tool(name):
    """A module of tools/analysis_tools, imported as running the script
    does: with the script's folder first on ``sys.path``."""
    if TOOLS not in sys.path:
        sys.path.insert(0, TOOLS)
    return importlib.import_module(name)


def _table_rows(text, first_column):
    """Data rows (lists of cells) of the Markdown tables in ``text``."""
    rows = []
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip('|').split('|')]
        if line.startswith('|') and cells[0] == first_column:
            rows.append(cells)
    return rows


@pytest.fixture(scope='module')
def bench_spatial():
    return _load_tool('bench_spatial')


def test_bench_spatial_table(bench_spatial, capsys):
    rows = bench_spatial.main([
        '--ms', '245,600', '--dims', '16', '--repeats', '1',
        '--released-steps', '200', '--dense-max-mb', '16',
        '--released-dense-max-mb', '0.5'
    ])
    out = capsys.readouterr().out
    header = '| ' + ' | '.join(bench_spatial.COLUMNS) + ' |'
    assert header in out
    assert 'released: 200 Adam steps, lr 0.01' in out
    assert len(rows) == 2
    for row, m in zip(rows, (245, 600)):
        raw = row['_raw']
        # The exact reduced solve reaches lambda_max.
        assert raw['exact_frac'] == pytest.approx(1.0, abs=1e-6)
        assert row['exact lam/lam_max'] == '1.000000'
        # It agrees with the dense eigen-decomposition of G.
        assert raw['dense_rel_err'] < 1e-10
        # The released approach never exceeds lambda_max.
        assert raw['released_frac'] <= 1.0 + 1e-9
        for key in ('exact_s', 'dense_s', 'released_s'):
            assert raw[key] > 0
        printed = _table_rows(out, str(m))
        assert printed and printed[0][1] == '16'
    # G of M=600 is 1.4 MiB in float32: beyond the 0.5 MiB cap the
    # released iterates are computed matrix-free.
    assert [r['released G'] for r in rows] == ['dense', 'matrix-free']


def test_bench_spatial_dense_cap(bench_spatial):
    row = bench_spatial.bench_one(
        400, 8,
        bench_spatial.parse_args(
            ['--repeats', '1', '--dense-max-mb', '0.1',
             '--released-steps', '5']))
    assert row['dense eigh ms'] == 'does not fit'
    assert 'dense_s' not in row['_raw']


def test_released_solve_matches_dense_and_matrix_free(bench_spatial):
    x = bench_spatial.make_descriptors(245, 16, seed=3)
    dense = bench_spatial.released_solve(x, steps=50, dense=True)
    free = bench_spatial.released_solve(x, steps=50, dense=False)
    assert torch.allclose(dense, free, rtol=1e-3, atol=1e-5)
    # All-positive start of unit norm, as released.
    start = bench_spatial.released_solve(x, steps=0)
    assert torch.allclose(start, torch.full((245, ), 245**-0.5))


def test_benchmark_cli_table():
    proc = subprocess.run([
        sys.executable, 'tools/analysis_tools/benchmark.py', CONFIG,
        '--mode', 'both', '--group-sizes', '2,3', '--size', '48x64',
        '--warmup', '0', '--repeats', '1', '--breakdown', '--threads', '1'
    ],
                          cwd=REPO_ROOT,
                          stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT,
                          universal_newlines=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stdout[-4000:]
    out = proc.stdout
    assert ('| model | mode | N | groups | size | sec/iter | iter/s | img/s '
            '| peak MB | backbone s | modulators s | step/backbone |') in out
    assert 'device: CPU, 1 threads' in out
    rows = _table_rows(out, 'CoSegEncoderDecoder')
    # Each row is printed as it is measured, then in the final table.
    assert len(rows) == 8, out[-3000:]
    final = rows[4:]
    assert [(r[1], r[2]) for r in final] == [('infer', '2'), ('infer', '3'),
                                             ('train', '2'), ('train', '3')]
    for row in final:
        assert row[3] == '1' and row[4] == '48x64'
        seconds, per_s, img_s, peak = (float(v) for v in row[5:9])
        assert seconds > 0 and peak > 0
        # sec/iter is printed to 4 decimals, the rates to 3 and 2, all from
        # the unrounded time: they agree up to that rounding (for a 5 ms
        # step, 0.00005 s is already 1%)
        low, high = seconds - 5e-5, seconds + 5e-5
        assert 1 / high - 5e-4 <= per_s <= 1 / low + 5e-4
        images = int(row[2])
        assert images / high - 5e-3 <= img_s <= images / low + 5e-3
        backbone, modulators, ratio = (float(v) for v in row[9:12])
        assert backbone > 0 and modulators > 0 and ratio > 0
    # One breakdown table per setting, every part of the model in it: the
    # modulators f_spa and f_sem of `model.modulators`.
    assert out.count('\nBreakdown (CoSegEncoderDecoder, ') == 4
    assert len(_table_rows(out, 'whole step')) == 4
    for part in ('preprocess', 'backbone', 'f_spa', 'f_sem', 'decoder',
                 'sum of parts', 'not in a part'):
        assert len(_table_rows(out, part)) == 4, part
    assert len(_table_rows(out, 'loss')) == len(
        _table_rows(out, 'optimizer')) == 2
    assert len(_table_rows(out, 'postprocess')) == 2
    for row in _table_rows(out, 'decoder'):
        fwd, bwd, both = row[1:4]
        assert float(fwd) > 0 and (bwd == '-' or float(both) > float(fwd))
    assert out.count('train step / backbone fwd+bwd = ') == 2
    assert out.count('infer step / backbone fwd = ') == 2
    assert '(target <= 1.25)' in out and '(target <= 1.15)' in out


def _synthetic_set(tmp_path, num_train=5):
    from mmcoseg.datasets.synthetic_coseg import make_synthetic_coseg
    root = str(tmp_path / 'data')
    make_synthetic_coseg(root, num_train=num_train, num_test=1,
                         image_size=(40, 48), seed=0,
                         categories=('disc', 'square'))
    return root


def test_breakdown_profile_json(tmp_path):
    """--profile-top lists operators; the breakdown's ratios are those of
    its table; --json holds what was printed."""
    benchmark = _load_tool('benchmark')
    rows = benchmark.main([
        osp.join(REPO_ROOT, CONFIG), '--mode', 'train', '--size', '32x32',
        '--group-size', '2', '--warmup', '0', '--repeats', '1',
        '--breakdown', '--profile-top', '3', '--json',
        str(tmp_path / 'out.json')
    ])
    row, = rows
    table, summary = row['_breakdown']
    seconds = {r['part']: float(r['fwd+bwd s']) for r in table}
    assert seconds['whole step'] > 0 and seconds['backbone'] > 0
    # the table prints 4 decimals: each ratio lies within what the printed
    # values allow (half a unit of the last digit per printed value)
    def within(ratio, num, num_terms, den):
        eps = 5e-5
        lo = (num - num_terms * eps) / (den + eps)
        hi = (num + num_terms * eps) / (den - eps)
        return lo <= ratio <= hi

    assert within(summary['step / backbone'], seconds['whole step'], 1,
                  seconds['backbone'])
    coseg = sum(seconds[p] for p in ('f_spa', 'f_sem', 'decoder', 'loss'))
    assert within(summary['co-seg / backbone'], coseg, 4,
                  seconds['backbone'])
    assert float(row['modulators s']) == pytest.approx(
        seconds['f_spa'] + seconds['f_sem'], abs=2e-4)
    assert len(row['_profile']) == 3
    assert all(r['operator'] for r in row['_profile'])
    with open(tmp_path / 'out.json') as f:
        saved = json.load(f)
    assert saved['rows'][0]['sec/iter'] == row['sec/iter']
    assert saved['real_steps'] == []


class _Gate(BaseModulator):
    """A channel-weight modulator beyond f_spa and f_sem, with a loss."""

    def __init__(self, in_channels=128, channels=64):
        super().__init__(loss_name='loss_gate', loss_weight=0.5)
        self.fc = nn.Linear(in_channels, channels)

    def modulate(self, feats, layout, gt=None, with_loss=False):
        gamma = torch.sigmoid(self.fc(feats[-1].mean((2, 3))))
        losses = {'loss_gate': gamma.mean()} if with_loss else {}
        return ModulatorOutput(gamma=gamma, losses=losses)


def test_breakdown_every_modulator_frozen_backbone():
    """The breakdown times every modulator of `model.modulators` (an extra
    one too) and runs with a FrozenBackbone, whose features require no
    gradient, as the step does."""
    from mmengine.config import Config
    from mmengine.registry import init_default_scope

    from mmcoseg.registry import MODELS
    breakdown = _load_tool('benchmark_utils.breakdown')
    init_default_scope('mmcoseg')
    cfg = Config.fromfile(osp.join(REPO_ROOT, CONFIG)).model
    cfg.backbone = dict(type='FrozenBackbone', backbone=cfg.backbone)
    model = MODELS.build(cfg)
    model.extra_modulators.append(_Gate())
    assert breakdown.modulator_names(model) == ['f_spa', 'f_sem', '_Gate']
    benchmark = _load_tool('benchmark')
    data = benchmark.make_batch(2, 2, (32, 32), num_classes=8)
    optim = benchmark.build_optim(model, Config.fromfile(
        osp.join(REPO_ROOT, CONFIG)))
    before = model.extra_modulators[0].fc.weight.detach().clone()
    parts = breakdown.train_parts(model, data, optim)
    assert list(parts) == [
        'step', 'preprocess fwd', 'backbone fwd', 'backbone fwd+bwd',
        'f_spa fwd', 'f_spa fwd+bwd', 'f_sem fwd', 'f_sem fwd+bwd',
        '_Gate fwd', '_Gate fwd+bwd', 'decoder fwd', 'decoder fwd+bwd',
        'loss fwd', 'loss fwd+bwd', 'optimizer fwd'
    ]
    grads = []
    model.extra_modulators[0].fc.weight.register_hook(grads.append)
    for name, fn in parts.items():
        fn()
    # The extra modulator's backward ran on its own part (and the step).
    assert len(grads) == 2 and grads[0].abs().sum() > 0
    assert not torch.equal(before, model.extra_modulators[0].fc.weight)
    times = {name: 1.0 for name in parts}
    _, summary = breakdown.summarize(times)
    assert summary['modulators s'] == 3.0
    infer = breakdown.infer_parts(model, data)
    assert [k for k in infer if k.endswith(' fwd')][2:5] == [
        'f_spa fwd', 'f_sem fwd', '_Gate fwd']
    for fn in infer.values():
        fn()


FROZEN_CONFIG = """
_base_ = {base!r}
model = dict(
    data_preprocessor=dict(size=(32, 32)),
    backbone=dict(_delete_=True, type='FrozenBackbone',
                  backbone=_base_.model.backbone))
# Deterministic: after one pass every image's features are cached.
train_dataloader = dict(dataset=dict(pipeline=[
    dict(type='GroupTransforms', transforms=[
        dict(type='LoadImageFromFile'), dict(type='LoadCoSegAnnotation'),
        dict(type='Resize', scale=(32, 32), keep_ratio=False)]),
    dict(type='PackCoSegInputs')]))
"""


def test_real_steps_compare_configs(tmp_path, capsys):
    """--mode real --data-loading: real training steps of two configs on
    their own loaders in one table; the FrozenBackbone's cache is filled
    first, so every timed step hits it."""
    root = _synthetic_set(tmp_path)
    frozen = tmp_path / 'frozen.py'
    frozen.write_text(FROZEN_CONFIG.format(
        base=osp.join(REPO_ROOT, CONFIG)))
    benchmark = _load_tool('benchmark')
    rows = benchmark.main([
        osp.join(REPO_ROOT, CONFIG), str(frozen), '--mode', 'real',
        '--data-loading', '2', '--rounds', '2', '--warmup', '0',
        '--threads', '1', '--json', str(tmp_path / 'out.json'),
        '--cfg-options', f'train_dataloader.dataset.data_root={root}',
        'train_dataloader.num_workers=0',
        'train_dataloader.persistent_workers=False',
        'train_dataloader.batch_size=1'
    ])
    out = capsys.readouterr().out
    assert [r['config'] for r in rows] == [
        osp.splitext(osp.basename(CONFIG))[0], 'frozen']
    plain, cached = rows
    assert plain['cache hit'] == '-' and cached['cache hit'] == '100.0%'
    for row in rows:
        assert row['workers'] == '0' and row['batch'] == '1'
        assert row['img/iter'] == '5'
        per_iter = float(row['s/iter'])
        assert per_iter > 0
        # the rates come from the unrounded time, s/iter is printed to 4
        # decimals: they agree up to that rounding
        low, high = max(per_iter - 5e-5, 1e-9), per_iter + 5e-5
        assert 3600 / high - 0.5 <= float(row['iter/h']) <= 3600 / low + 0.5
        assert (5 * 3600 / high - 0.5 <= float(row['img/h'])
                <= 5 * 3600 / low + 0.5)
    assert plain['vs first'] == '1.00'
    assert float(cached['vs first']) == pytest.approx(
        cached['_iter_h'] / plain['_iter_h'], abs=0.01)
    header = '| ' + ' | '.join(benchmark.real_steps.COLUMNS) + ' |'
    assert header in out
    assert len(_table_rows(out, 'frozen')) == 1
    with open(tmp_path / 'out.json') as f:
        saved = json.load(f)
    assert saved['rows'] == []
    assert [r['iter/h'] for r in saved['real_steps']] == [
        r['iter/h'] for r in rows]


def test_real_steps_interleaved():
    """Every model fills its cache and times its loader first, then the
    timed chunks alternate between the models."""
    real_steps = _load_tool('benchmark_utils.real_steps')
    calls = []

    class Run:

        def __init__(self, name):
            self.name = name

        def fill(self, epochs):
            calls.append((self.name, 'fill', epochs))

        def time_loading(self, iters):
            calls.append((self.name, 'load', iters))

        def run(self, iters, warmup):
            calls.append((self.name, 'run', iters, warmup))

        def row(self):
            return {'_iter_h': 100.0 if self.name == 'a' else 250.0}

    rows = real_steps.compare([Run('a'), Run('b')], iters=5, rounds=2,
                              warmup=3, fill_epochs=2)
    assert calls == [('a', 'fill', 2), ('a', 'load', 5), ('b', 'fill', 2),
                     ('b', 'load', 5), ('a', 'run', 3, 3),
                     ('b', 'run', 3, 3), ('a', 'run', 3, 1),
                     ('b', 'run', 3, 1)]
    assert [r['vs first'] for r in rows] == ['1.00', '2.50']


def test_benchmark_fpn_baseline(capsys):
    benchmark = _load_tool('benchmark')
    rows = benchmark.main([
        osp.join(REPO_ROOT, CONFIG), '--baseline-fpn', '--mode', 'both',
        '--group-size', '2', '--size', '32x32', '--warmup', '0',
        '--repeats', '1'
    ])
    out = capsys.readouterr().out
    assert [r['mode'] for r in rows] == ['infer', 'train']
    for row in rows:
        assert row['model'] == 'FPN baseline'
        assert math.isfinite(float(row['sec/iter']))
    assert re.search(r'\| FPN baseline \| train \| 2 \| 1 \| 32x32 \|', out)


def test_fpn_baseline_cfg_uses_same_backbone():
    benchmark = _load_tool('benchmark')
    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    init_default_scope('mmcoseg')
    cfg = Config.fromfile(osp.join(REPO_ROOT, CONFIG))
    model_cfg = cfg.model.to_dict()
    baseline = benchmark.fpn_baseline_cfg(model_cfg)
    assert baseline['type'] == 'EncoderDecoder'
    assert baseline['backbone'] == model_cfg['backbone']
    assert baseline['neck']['in_channels'] == [16, 32, 64, 128]
    assert baseline['decode_head']['feature_strides'] == [4, 8, 16, 32]
    assert baseline['decode_head']['channels'] == \
        model_cfg['decode_head']['channels']
    assert baseline['data_preprocessor']['size'] == (128, 128)


def test_bench_spatial_float32_solve(bench_spatial):
    row = bench_spatial.bench_one(
        600, 32,
        bench_spatial.parse_args([
            '--repeats', '1', '--solve-dtype', 'float32', '--dense-max-mb',
            '0', '--released-steps', '10'
        ]))
    # lambda_max is still the float64 one; the float32 vector reaches it
    # to float32 accuracy.
    assert row['_raw']['exact_frac'] == pytest.approx(1.0, abs=1e-5)
    assert row['dense eigh ms'] == 'does not fit'


def test_calibrated_norms_keep_float16_inference_finite():
    # Untrained HRNet-W18 with the initial norm statistics overflows
    # float16 in eval mode (what CUDA autocast runs), so its SSNM stops in
    # the eigen-solve; the benchmark's calibration (the batch's statistics)
    # keeps it finite. CPU float16 autocast reproduces the CUDA overflow.
    benchmark = _load_tool('benchmark')
    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    init_default_scope('mmcoseg')
    cfg = Config.fromfile(osp.join(
        REPO_ROOT, 'configs', 'ssnm',
        'ssnm_hrnet-w18_1x4g5-200k_coco-seg-224x224.py'))
    torch.manual_seed(0)
    args = benchmark.parse_args([CONFIG, '--device', 'cpu'])
    model = benchmark.build_model(cfg, args)
    data = benchmark.make_batch(1, 3, (64, 64),
                                model.semantic_head.num_classes)

    def fp16():
        return torch.autocast('cpu', dtype=torch.float16)

    model.eval()
    with torch.no_grad(), fp16(), pytest.raises(FloatingPointError,
                                                match='NaN or inf'):
        model.test_step(data)
    norms = [m for m in model.modules()
             if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    momenta = [m.momentum for m in norms]
    assert benchmark.calibrate_norm_stats(model, data, fp16) == len(norms)
    assert not model.training  # its mode is restored...
    assert [m.momentum for m in norms] == momenta  # ...and its momenta
    assert all(int(m.num_batches_tracked) == 1 for m in norms)
    with torch.no_grad(), fp16():
        out = model.test_step(data)
    assert all(torch.isfinite(s.seg_logits.data).all() for s in out)


def test_configs_that_train_in_mixed_precision_are_timed_under_autocast(
        monkeypatch):
    """A config whose optimizer wrapper is AmpOptimWrapper (what
    tools/train.py --amp selects) has its real training steps timed under
    autocast, the others in float32 unless --amp is given."""
    from mmengine.config import Config
    benchmark = _load_tool('benchmark')
    fp32 = Config(dict(optim_wrapper=dict(type='OptimWrapper'),
                       train_dataloader=dict()))
    amp = Config(dict(optim_wrapper=dict(type='AmpOptimWrapper',
                                         loss_scale='dynamic'),
                      train_dataloader=dict()))
    seen = []

    def fake_steps(name, model, optim, loader, context):
        with context():
            seen.append((name, torch.is_autocast_enabled('cpu')))

    monkeypatch.setattr(benchmark.real_steps, 'RealSteps', fake_steps)
    monkeypatch.setattr(benchmark.real_steps, 'compare', lambda *a: [])
    monkeypatch.setattr(benchmark, 'build_optim', lambda model, cfg: None)
    monkeypatch.setattr(benchmark.Runner, 'build_dataloader',
                        lambda *a, **k: None)
    for flags, expected in (([], [False, True]), (['--amp'], [True, True])):
        seen.clear()
        args = benchmark.parse_args([CONFIG, '--mode', 'real',
                                     '--data-loading', '1'] + flags)
        benchmark.real_rows([('fp32', None, fp32), ('amp', None, amp)], args)
        assert seen == list(zip(['fp32', 'amp'], expected))
