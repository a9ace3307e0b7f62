"""Compact an MMEngine console log to the lines a reader needs.

A console log of ``tools/train.py`` / ``tools/test.py`` /
``tools/analysis_tools/group_sensitivity.py`` holds the environment, the
whole config, the hook order, one line per parameter group and one line per
logged iteration. This tool keeps:

- the ``Iter(train)`` scalar lines (loss terms, lr, time), at most one every
  ``--every`` iterations, plus the last line of every run (also of a run that
  was interrupted and resumed);
- the final ``Iter(val)`` / ``Iter(test)`` line of an evaluation
  (``[N/N]``) and the metric tables around it (``+----`` / ``| ... |``
  rows, the ``per category`` / ``per image results`` lines);
- ``Saving checkpoint``, ``Epoch(...)``, checkpoint loading, errors and
  tracebacks, the first occurrence of every warning;
- plain output of the scripts (the group-sensitivity summary), the
  ``/usr/bin/time -v`` totals, and config lines matching ``--keep``
  (by default the test grouping and the seed, which tell the runs of a
  group-sensitivity log apart).

Dropped: the environment and config dumps, the hook order, the
``paramwise_options`` lines, per-iteration test lines
(``Iter(test) [ 10/338]``), progress bars and repeated warnings.

Compacting is idempotent: a compacted log compacts to itself.

Example::

    python tools/misc/compact_log.py work_dirs/run/train.log > train.log
    git ls-files 'docs/logs/*.log' | \
        xargs python tools/misc/compact_log.py --in-place
"""
from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterable, Sequence

TIMESTAMP = re.compile(
    r'^\d{2}/\d{2} \d{2}:\d{2}:\d{2} - \S+ - (\w+) - ?(.*)$')
ITER = re.compile(r'Iter\((train|val|test)\)\s*\[\s*(\d+)\s*/\s*(\d+)\s*\]')
EPOCH = re.compile(
    r'Epoch\((train|val|test)\)\s*\[\s*\d+\s*\]\s*\[\s*(\d+)\s*/\s*(\d+)\s*\]')
TABLE_ROW = re.compile(r'^\s*[|+]')
# MMEngine's ProgressBar: "[>>>>   ] 12/338, 3.4 task/s, elapsed: 3s, ETA: 96s"
PROGRESS = re.compile(r'\[[>\s]*\]\s*\d+/\d+|task/s')
EXCEPTION = re.compile(r'^[A-Za-z_][\w.]*(Error|Exception|Interrupt|Exit)\b')
TIME_V_KEEP = re.compile(
    r'Command being timed|User time|System time|Percent of CPU|Elapsed'
    r'|Maximum resident|Exit status')
DEFAULT_KEEP = (r'test_grouping=', r'^randomness = ')
# Timestamped messages that open a block of untimestamped lines to drop.
BLOCK_OPENERS = ('Config:', 'Hooks will be executed in the following order:')
DROP_MESSAGES = ('paramwise_options --',
                 'Distributed training is not used')


def _train_iters_to_keep(lines: Sequence[str], every: int) -> set[int]:
    """Indices of the ``Iter(train)`` lines to keep: the first line at least
    ``every`` iterations after the last kept one, and the last line of each
    run (a run ends where the next logged iteration does not increase, or at
    the end of the log)."""
    train = []
    for idx, line in enumerate(lines):
        m = TIMESTAMP.match(line)
        it = ITER.search(m.group(2)) if m else None
        if it and it.group(1) == 'train':
            train.append((idx, int(it.group(2))))
    keep: set[int] = set()
    last_kept = 0
    for k, (idx, it) in enumerate(train):
        nxt = train[k + 1][1] if k + 1 < len(train) else None
        if it < last_kept:  # a new run (or a resume from an earlier point)
            last_kept = 0
        if it - last_kept >= every or nxt is None or nxt <= it:
            keep.add(idx)
            last_kept = it
    return keep


def compact_lines(lines: Sequence[str], every: int = 100,
                  keep_patterns: Iterable[str] = DEFAULT_KEEP) -> list[str]:
    """Return the lines of a console log worth keeping (see the module
    docstring). ``lines`` carry no line ends."""
    keep_res = [re.compile(p) for p in keep_patterns]
    train_keep = _train_iters_to_keep(lines, every)
    out: list[str] = []
    seen_warnings: set[str] = set()
    in_block = False       # inside an environment / config / hook dump
    in_traceback = False
    for idx, line in enumerate(lines):
        m = TIMESTAMP.match(line)
        if m:
            in_block = in_traceback = False
            level, msg = m.group(1), m.group(2).strip()
            if not msg or msg.startswith(BLOCK_OPENERS):
                # An empty message opens the environment dump or precedes
                # a table (the table rows are kept on their own).
                in_block = True
                continue
            if msg.startswith(DROP_MESSAGES) or PROGRESS.search(msg):
                continue
            it = ITER.search(msg)
            if it:
                kind, i, n = it.group(1), int(it.group(2)), int(it.group(3))
                if kind == 'train' and idx in train_keep:
                    out.append(line)
                elif kind != 'train' and i == n:
                    out.append(line)
                continue
            ep = EPOCH.search(msg)
            if ep:
                kind, i, n = ep.group(1), int(ep.group(2)), int(ep.group(3))
                if i == n or (kind == 'train' and i % every == 0):
                    out.append(line)
                continue
            if level == 'WARNING':
                if msg in seen_warnings:
                    continue
                seen_warnings.add(msg)
            out.append(line)
            continue
        if line.startswith('Traceback (most recent call last)'):
            in_traceback = True
            out.append(line)
            continue
        if in_traceback:
            out.append(line)
            if EXCEPTION.match(line):
                in_traceback = False
            continue
        if TABLE_ROW.match(line):
            # Table rows are kept anywhere, except the dashes of the
            # environment dump ('----' lines do not start with | or +).
            out.append(line)
            in_block = False
            continue
        if any(r.search(line) for r in keep_res):
            out.append(line)
            continue
        if PROGRESS.search(line):
            continue
        if line.startswith('\t'):
            if TIME_V_KEEP.search(line):
                out.append(line)
            continue
        if in_block or line.startswith((' ', '-')):
            continue
        if line.strip() in ('System environment:', 'Runtime environment:'):
            in_block = True
            continue
        if line.startswith('Loads checkpoint by'):
            continue  # repeated by the timestamped "Load checkpoint from"
        if not line.strip():
            if out and out[-1].strip():
                out.append('')
            continue
        out.append(line)
    while out and not out[-1].strip():
        out.pop()
    return out


def compact_text(text: str, every: int = 100,
                 keep_patterns: Iterable[str] = DEFAULT_KEEP) -> str:
    """Compact a whole log given as one string."""
    # A terminal shows what follows the last carriage return of a line
    # (progress bars redraw themselves with \r).
    lines = [line.rsplit('\r', 1)[-1]
             for line in text.replace('\r\n', '\n').split('\n')]
    kept = compact_lines(lines, every=every, keep_patterns=keep_patterns)
    return '\n'.join(kept) + '\n' if kept else ''


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Keep the scalar lines, final metric tables, errors and '
        'checkpoint lines of MMEngine console logs.')
    parser.add_argument('logs', nargs='+', help='console log files')
    parser.add_argument(
        '--every', type=int, default=100,
        help='keep an Iter(train) line at most every EVERY iterations '
        '(plus the last one of every run; default: 100)')
    parser.add_argument(
        '--keep', action='append', default=None, metavar='REGEX',
        help='also keep lines matching REGEX (repeatable; default: '
        + ', '.join(repr(p) for p in DEFAULT_KEEP) + ')')
    parser.add_argument('--in-place', action='store_true',
                        help='rewrite each file instead of printing it')
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.every < 1:
        raise SystemExit('--every must be >= 1')
    keep = args.keep if args.keep is not None else DEFAULT_KEEP
    for path in args.logs:
        with open(path, encoding='utf-8', errors='replace') as f:
            text = f.read()
        new = compact_text(text, every=args.every, keep_patterns=keep)
        if args.in_place:
            with open(path, 'w', encoding='utf-8') as f:
                f.write(new)
            print(f'{path}: {len(text)} -> {len(new)} characters',
                  file=sys.stderr)
        else:
            sys.stdout.write(new)
    return 0


if __name__ == '__main__':
    sys.exit(main())
