"""tools/misc/compact_log.py as a user runs it, on a fabricated console log."""
import os.path as osp
import subprocess
import sys

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TOOL = osp.join(REPO, 'tools', 'misc', 'compact_log.py')

TS = '12/01 07:49:{:02d} - mmengine - {} - {}'
TABLE = """+---------------------------------+
|         protocol: paper         |
+----------+------+-------+-------+
| Category | #Img |   P   |   J   |
+----------+------+-------+-------+
|   Dog    |  76  | 86.46 | 48.85 |
|   Ave.   |  76  | 86.46 | 48.85 |
+----------+------+-------+-------+"""


def _train_line(i: int, n: int = 450) -> str:
    return TS.format(i % 60, 'INFO', f'Iter(train) [{i:4d}/{n}]  lr: 1.0e-03'
                     f'  time: 0.3000  loss: 0.{i:04d}  loss_seg: 0.0500')


def _fabricated_log() -> str:
    lines = [
        TS.format(0, 'INFO', ''),
        '------------------------------------------------------------',
        'System environment:',
        '    sys.platform: linux',
        '    PyTorch: 2.14.1',
        '',
        'Runtime environment:',
        '    seed: 0',
        '------------------------------------------------------------',
        '',
        TS.format(1, 'INFO', 'Config:'),
        'crop_size = (',
        '    224,',
        ')',
        'randomness = dict(seed=0)',
        'dropout_ratio=0.1,',
        TS.format(2, 'INFO', 'Hooks will be executed in the following '
                  'order:'),
        'before_run:',
        '(VERY_HIGH   ) RuntimeInfoHook',
        TS.format(2, 'INFO', 'paramwise_options -- backbone.conv.weight:'
                  'lr=0.0001'),
        TS.format(3, 'WARNING', 'The prefix is not set in metric class X.'),
        TS.format(3, 'WARNING', 'The prefix is not set in metric class X.'),
        TS.format(3, 'INFO', 'Checkpoints will be saved to /tmp/run.'),
    ]
    for i in range(25, 451, 25):
        lines.append(_train_line(i))
        if i % 200 == 0:
            lines.append(TS.format(5, 'INFO',
                                   f'Saving checkpoint at {i} iterations'))
    lines += [
        '[>>>>>>>>>>>>>            ] 40/102, 5.1 task/s, elapsed: 8s, '
        'ETA:    12s',
        '[>>>>>>>>>>>>>>>>>>>>>>>>>] 102/102, 5.2 task/s, elapsed: 20s, '
        'ETA:     0s',
        TS.format(6, 'INFO', 'Iter(test) [ 20/102]    eta: 0:00:35  '
                  'time: 0.3935'),
        TS.format(6, 'INFO', 'Iter(test) [100/102]    eta: 0:00:00  '
                  'time: 0.3844'),
        TS.format(7, 'INFO', 'per category results (protocol: paper):'),
        TS.format(7, 'INFO', ''),
        *TABLE.splitlines(),
        TS.format(7, 'INFO', 'per image results (protocol: paper, mean over '
                  'images): P_img 86.46, J_img 48.85 (76 images)'),
        TS.format(7, 'INFO', 'Iter(test) [102/102]    P: 86.4600  '
                  'J: 48.8500'),
        'Traceback (most recent call last):',
        '  File "tools/test.py", line 145, in <module>',
        '    main()',
        "FileNotFoundError: [Errno 2] No such file or directory: 'x.py'",
        '',
    ]
    return '\n'.join(lines)


def _run(*args):
    return subprocess.run([sys.executable, TOOL, *map(str, args)],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, timeout=120)


def test_compact_log_keeps_what_a_reader_needs(tmp_path):
    log = tmp_path / 'train.log'
    log.write_text(_fabricated_log())
    res = _run(log)
    assert res.returncode == 0, res.stderr
    out = res.stdout
    lines = out.splitlines()

    # Every 100th training iteration and the last one (450), nothing else.
    kept_iters = [int(line.split('[')[1].split('/')[0])
                  for line in lines if 'Iter(train)' in line]
    assert kept_iters == [100, 200, 300, 400, 450]
    assert 'loss_seg: 0.0500' in out
    assert out.count('Saving checkpoint at') == 2

    # The final metric table, its surrounding lines and the final test line.
    for row in TABLE.splitlines():
        assert row in lines
    assert 'per category results' in out and 'per image results' in out
    assert 'Iter(test) [102/102]' in out
    # Per-iteration test lines and progress bars are gone.
    assert 'Iter(test) [ 20/102]' not in out
    assert 'Iter(test) [100/102]' not in out
    assert 'task/s' not in out and '>>>>' not in out

    # Headers, config dump, hook order and parameter groups are gone; the
    # seed line and the traceback stay; repeated warnings appear once.
    for dropped in ('System environment', 'sys.platform', 'crop_size',
                    'dropout_ratio', 'RuntimeInfoHook', 'paramwise_options'):
        assert dropped not in out, dropped
    assert '-' * 60 not in lines
    assert 'randomness = dict(seed=0)' in lines
    assert out.count('The prefix is not set') == 1
    assert 'Traceback (most recent call last):' in out
    assert lines[-1].startswith('FileNotFoundError')


def test_compact_log_in_place_is_idempotent(tmp_path):
    log = tmp_path / 'train.log'
    log.write_text(_fabricated_log())
    assert _run(log, '--in-place').returncode == 0
    once = log.read_text()
    assert len(once) < len(_fabricated_log())
    assert _run(log, '--in-place').returncode == 0
    assert log.read_text() == once


def test_compact_log_every_option(tmp_path):
    log = tmp_path / 'train.log'
    log.write_text(_fabricated_log())
    res = _run(log, '--every', '200')
    assert res.returncode == 0, res.stderr
    kept_iters = [int(line.split('[')[1].split('/')[0])
                  for line in res.stdout.splitlines() if 'Iter(train)' in line]
    assert kept_iters == [200, 400, 450]
