"""The GPU check script: its dry run prints the whole plan and runs
nothing; its report turns the tools' JSON outputs into one table."""
import importlib.util
import json
import os
import os.path as osp
import subprocess

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
SCRIPT = osp.join('tools', 'analysis_tools', 'gpu_check.sh')


def test_dry_run_prints_the_plan(tmp_path):
    out = tmp_path / 'out'
    proc = subprocess.run(['bash', SCRIPT, '--dry-run'], cwd=REPO_ROOT,
                          env=dict(os.environ, OUT=str(out)),
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          universal_newlines=True, timeout=60)
    assert proc.returncode == 0, proc.stdout
    text = proc.stdout
    assert not out.exists()  # nothing run, nothing written
    assert 'nothing was run' in text
    assert '--target .site .whl/*.whl' in text
    steps = [line for line in text.splitlines() if line.startswith('+ ')]
    e2e = [s for s in steps if ' -m pytest ' in s]
    assert len(e2e) == 1 and 'CUDA_VISIBLE_DEVICES=' in e2e[0]
    assert 'tests/test_tools/test_train_test_cli.py' in e2e[0]
    bench = [s for s in steps if 'benchmark.py' in s]
    assert len(bench) == 6
    for s in bench:
        assert '--device cuda --mode both --batch-groups 4 --group-size 5 '\
               '--size 224x224' in s
        assert 'hrnet-w18' in s and '--json' in s
    assert sum('--amp' in s for s in bench) == 3
    assert sum('--baseline-fpn' in s for s in bench) == 2
    assert sum('ssnm-consensus_hrnet' in s for s in bench) == 2
    solve = [s for s in steps if 'bench_spatial.py' in s]
    assert [('float64' in s, 'float32' in s) for s in solve] == [
        (True, False), (False, True)]
    assert all('--device cuda' in s for s in solve)
    assert 'gpu_check_report.py' in steps[-1]
    assert all(s.startswith('+ timeout ') for s in steps[1:])


def test_steps_select_what_runs(tmp_path):
    proc = subprocess.run(['bash', SCRIPT, '--dry-run'], cwd=REPO_ROOT,
                          env=dict(os.environ, OUT=str(tmp_path / 'o'),
                                   STEPS='b'),
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          universal_newlines=True, timeout=60)
    assert proc.returncode == 0, proc.stdout
    steps = [line for line in proc.stdout.splitlines()
             if line.startswith('+ timeout ')]
    assert sum('benchmark.py' in s for s in steps) == 6
    assert not any(' -m pytest ' in s or 'bench_spatial.py' in s
                   for s in steps)
    assert 'gpu_check_report.py' in steps[-1]  # reads what OUT holds


def _bench(path, device, rows):
    with open(path, 'w') as f:
        json.dump(dict(config='c.py', device=device, rows=[
            {'model': 'm', 'mode': mode, 'sec/iter': str(sec),
             'img/s': '1', 'peak MB': '9', 'step/backbone': '1.50'}
            for mode, sec in rows]), f)


def test_report_table(tmp_path):
    spec = importlib.util.spec_from_file_location(
        'gpu_check_report',
        osp.join(REPO_ROOT, 'tools', 'analysis_tools',
                 'gpu_check_report.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    (tmp_path / 'e2e.json').write_text('{"rc": 0, "seconds": 95}')
    (tmp_path / 'nvidia-smi.csv').write_text(
        'name, driver_version, memory.total [MiB]\n'
        'NVIDIA H200, 570.1, 143771 MiB\n')
    _bench(tmp_path / 'bench-default.json', 'NVIDIA H200',
           [('infer', 0.05), ('train', 0.18)])
    _bench(tmp_path / 'bench-fpn.json', 'NVIDIA H200',
           [('infer', 0.04), ('train', 0.15)])
    with open(tmp_path / 'solve-float64.json', 'w') as f:
        json.dump(dict(device='NVIDIA H200', solve_dtype='float64', rows=[
            {'M': '15680', 'd': '256', 'exact ms': '2.50',
             'exact lam/lam_max': '1.000000', 'released ms': '80.0'}]), f)
    text = module.main([str(tmp_path)])
    assert (tmp_path / 'gpu_check.md').read_text() == text + '\n'
    assert 'device: NVIDIA H200, 570.1, 143771 MiB' in text
    lines = text.splitlines()
    assert lines[2].startswith('| check | setting | precision | mode |')
    assert any('passed, 95 s' in line for line in lines)
    train = [line for line in lines
             if 'SSNM default' in line and '| train |' in line
             and 'float32' in line][0]
    # 0.18 / 0.15 = 1.20 x the FPN baseline; 200k x 0.18 s = 10.0 h
    assert '| 1.20 |' in train and '200k iterations: 10.0 h' in train
    assert any('M = 15680, d = 256 | float64' in line and '0.00250' in line
               for line in lines)
    # what did not run is listed as such
    assert any('SSNM consensus' in line and 'not run' in line
               for line in lines)
    assert any('float32 | - | - |' in line and 'not run' in line
               for line in lines if '(c)' in line)
