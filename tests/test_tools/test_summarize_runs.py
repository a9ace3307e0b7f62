"""tools/analysis_tools/summarize_runs.py as a user runs it, on run folders
laid out as tools/experiments/evaluate_run.sh writes them."""
import json
import os
import os.path as osp
import subprocess
import sys

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TOOL = osp.join(REPO, 'tools', 'analysis_tools', 'summarize_runs.py')
STAMP = '20261205_010203'


def _evaluation(folder, p, j, mixed, distractor_j):
    """test/, gs.json and test_distractors/ as evaluate_run.sh leaves them."""
    for step, metrics in (('test', dict(P=p, J=j)),
                          ('test_distractors', dict(P=p - 5, J=distractor_j))):
        os.makedirs(osp.join(folder, step, STAMP))
        with open(osp.join(folder, step, STAMP, STAMP + '.json'), 'w') as f:
            f.write(json.dumps(metrics) + '\n')
    with open(osp.join(folder, 'gs.json'), 'w') as f:
        json.dump(dict(results=dict(category=dict(J=j), mixed=dict(J=mixed),
                                    single=dict(J=mixed + 1))), f)


def _run(args, cwd):
    out = subprocess.run([sys.executable, TOOL, *args], cwd=cwd,
                         capture_output=True, text=True)
    return out.returncode, out.stdout + out.stderr


def test_table_of_runs_and_of_their_eval_dirs(tmp_path):
    """Each run's row comes from its own evaluations; with --eval-dir from
    the named subfolder of each run (a later evaluation of the same
    checkpoint), and a run without that subfolder is left out."""
    root = tmp_path / 'runs'
    _evaluation(str(root / 'model_a'), 90.0, 56.0, 16.0, 44.0)
    _evaluation(str(root / 'model_a' / 'test448'), 91.0, 57.5, 15.0, 46.5)
    _evaluation(str(root / 'model_b'), 88.0, 50.0, 50.0, 37.0)
    code, out = _run([str(root)], str(tmp_path))
    assert code == 0, out
    rows = [line for line in out.splitlines() if line.startswith('| model')]
    assert rows == [
        '| model_a | 90.0 | 56.0 | 16.0 | 40.0 | 17.0 | 85.0 / 44.0 | - |',
        '| model_b | 88.0 | 50.0 | 50.0 | 0.0 | 51.0 | 83.0 / 37.0 | - |',
    ]
    code, out = _run([str(root), '--eval-dir', 'test448'], str(tmp_path))
    assert code == 0, out
    rows = [line for line in out.splitlines() if line.startswith('| model')]
    assert rows == [
        '| model_a | 91.0 | 57.5 | 15.0 | 42.5 | 16.0 | 86.0 / 46.5 | - |']
    code, out = _run([str(root), '--eval-dir', 'test512'], str(tmp_path))
    assert code != 0 and 'test512' in out
