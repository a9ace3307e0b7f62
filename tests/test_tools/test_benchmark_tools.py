"""Tests of ``tools/analysis_tools/benchmark.py`` and ``bench_spatial.py``
on tiny settings: they run, print the table rows they promise, and the
exact spatial solve reaches lambda_max while the released approach does
not exceed it."""
import importlib.util
import json
import math
import os.path as osp
import re
import subprocess
import sys

import pytest
import torch

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = osp.join('configs', 'ssnm',
                  'ssnm_r18-c16_1x4g5-1500i_synthetic-128x128.py')


def _load_tool(name):
    path = osp.join(REPO_ROOT, 'tools', 'analysis_tools', f'{name}.py')
    spec = importlib.util.spec_from_file_location(f'_tool_{name}', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


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
            '| peak MB | backbone s | f_spa s | step/backbone |') in out
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
        assert per_s == pytest.approx(1 / seconds, rel=1e-2)
        assert img_s == pytest.approx(int(row[2]) / seconds, rel=1e-2)
        backbone, spa, ratio = (float(v) for v in row[9:12])
        assert backbone > 0 and spa > 0 and ratio > 0
    # One breakdown table per setting, every part of the model in it.
    assert out.count('\nBreakdown (CoSegEncoderDecoder, ') == 4
    parts = [r[0] for r in _table_rows(out, 'whole step')]
    assert len(parts) == 4
    for part in ('preprocess', 'backbone', 'f_spa', 'HSP', 'decoder',
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


def test_breakdown_parts_and_ratios(tmp_path):
    """--profile-top lists operators; --data-loading times the config's
    own loader (here on a tiny generated set, without workers); --json
    holds what was printed."""
    from mmcoseg.datasets.synthetic_coseg import make_synthetic_coseg
    root = str(tmp_path / 'data')
    make_synthetic_coseg(root, num_train=5, num_test=1, image_size=(40, 48),
                         seed=0)
    benchmark = _load_tool('benchmark')
    rows = benchmark.main([
        osp.join(REPO_ROOT, CONFIG), '--mode', 'train', '--size', '32x32',
        '--group-size', '2', '--warmup', '0', '--repeats', '1',
        '--breakdown', '--profile-top', '3', '--data-loading', '2',
        '--json', str(tmp_path / 'out.json'), '--cfg-options',
        f'train_dataloader.dataset.data_root={root}',
        'train_dataloader.num_workers=0',
        'train_dataloader.persistent_workers=False'
    ])
    row = rows[0]
    table, ratios = row['_breakdown']
    seconds = {r['part']: float(r['fwd+bwd s']) for r in table}
    assert seconds['whole step'] > 0 and seconds['backbone'] > 0
    assert ratios['step / backbone'] == pytest.approx(
        seconds['whole step'] / seconds['backbone'], rel=1e-2)
    coseg = sum(seconds[p] for p in ('f_spa', 'HSP', 'decoder', 'loss'))
    assert ratios['co-seg / backbone'] == pytest.approx(
        coseg / seconds['backbone'], rel=1e-2)
    assert len(row['_profile']) == 3
    assert all(r['operator'] for r in row['_profile'])
    loading = row['_loading']
    assert loading['workers'] == '0' and loading['batch'] == '4'
    assert float(loading['step s']) > 0
    assert 0 <= float(loading['wait share'].rstrip('%')) <= 100
    with open(tmp_path / 'out.json') as f:
        saved = json.load(f)
    assert saved['rows'][0]['sec/iter'] == row['sec/iter']


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
