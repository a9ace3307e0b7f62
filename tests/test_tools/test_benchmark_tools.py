"""Tests of ``tools/analysis_tools/benchmark.py`` and ``bench_spatial.py``
on tiny settings: they run, print the table rows they promise, and the
exact spatial solve reaches lambda_max while the released approach does
not exceed it."""
import importlib.util
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
            '| peak MB | backbone s | f_spa s |') in out
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
    for row in final[:2]:  # the inference breakdown
        backbone, spa = float(row[9]), float(row[10])
        assert backbone > 0 and spa > 0
    assert all(r[9] == r[10] == '-' for r in final[2:])


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
