"""Print a Markdown table of the test metrics of several runs.

Each run folder holds ``test/<timestamp>/<timestamp>.json`` (and ``.log``)
as written by ``tools/test.py --work-dir RUN/test``; the newest one is used.
Where the run folder also holds them, the table adds the group sensitivity
(``gs.json`` from ``tools/analysis_tools/group_sensitivity.py --out``: J in
mixed-category groups and the drop from proper groups), the distractor
benchmark (``test_distractors/``, as ``test/``) and the training wall time
(first to last iteration of the training log). ``--per-class`` adds one
table with a P / J column pair per run and a row per category, read from
the per-category table that CoSegMetric logs.

``--eval-dir NAME`` reads the evaluations from the subfolder ``NAME`` of
every run instead (a run evaluated again, e.g. with another test size:
``evaluate_run.sh CONFIG RUN/NAME RUN/iter_2000.pth``); the training time
still comes from the run folder.

Example::

    python tools/analysis_tools/summarize_runs.py work_dirs/demo
    python tools/analysis_tools/summarize_runs.py work_dirs/voc_unseen \\
        --per-class
"""
import argparse
import glob
import json
import os.path as osp
import re
from typing import Dict, List, Optional, Tuple

#: A row of CoSegMetric's table: | name | #img | P | J |
TABLE_ROW = re.compile(r'^\|\s*(\S[^|]*?)\s*\|\s*(\d+)\s*\|'
                       r'\s*([\d.]+|nan)\s*\|\s*([\d.]+|nan)\s*\|$')


#: Timestamp at the start of an mmengine log line: [2026/]12/01 06:12:56
LOG_TIME = re.compile(
    r'^(?:\d{4}/)?(\d\d)/(\d\d) (\d\d):(\d\d):(\d\d) - mmengine')


def _latest(run_dir: str, suffix: str, test: str = 'test') -> Optional[str]:
    files = sorted(glob.glob(osp.join(run_dir, test, '*', '*' + suffix)))
    return files[-1] if files else None


def latest_metrics(run_dir: str, test: str = 'test') -> Optional[dict]:
    """Metrics of the newest test of ``run_dir`` (in its folder ``test``),
    or None."""
    path = _latest(run_dir, '.json', test)
    if path is None:
        return None
    with open(path) as f:
        return json.loads(f.readline())


def latest_per_class(run_dir: str) -> Dict[str, Tuple[float, float]]:
    """Category -> (P, J) from the newest test log of ``run_dir`` (the
    last table in it; empty when there is none)."""
    path = _latest(run_dir, '.log')
    rows: Dict[str, Tuple[float, float]] = {}
    if path is None:
        return rows
    with open(path) as f:
        for line in f:
            match = TABLE_ROW.match(line.strip())
            if match is None:
                continue
            name = match.group(1)
            if name == 'Category':
                continue
            if name in rows and name != 'Ave.':
                rows = {}  # a later table starts
            rows[name] = (float(match.group(3)), float(match.group(4)))
    return rows


def group_sensitivity(run_dir: str) -> Optional[dict]:
    """J per grouping from ``run_dir/gs.json``, or None."""
    path = osp.join(run_dir, 'gs.json')
    if not osp.isfile(path):
        return None
    with open(path) as f:
        return {mode: r['J'] for mode, r in json.load(f)['results'].items()}


def train_minutes(run_dir: str) -> Optional[float]:
    """Wall time from the first to the last training iteration logged in
    ``run_dir/<timestamp>/<timestamp>.log`` (the newest), in minutes."""
    logs = sorted(glob.glob(osp.join(run_dir, '*', '*.log')))
    logs = [p for p in logs if re.fullmatch(
        r'\d{8}_\d{6}', osp.basename(osp.dirname(p)))]
    if not logs:
        return None
    stamps = []
    with open(logs[-1]) as f:
        for line in f:
            match = LOG_TIME.match(line)
            if match and 'Iter(train)' in line:
                mo, d, h, mi, s = map(int, match.groups())
                stamps.append((((mo * 31 + d) * 24 + h) * 60 + mi) * 60 + s)
    return (stamps[-1] - stamps[0]) / 60 if len(stamps) > 1 else None


def _cell(value: Optional[float], fmt: str = '{:.1f}') -> str:
    return '-' if value is None else fmt.format(value)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('root', help='folder holding one folder per run')
    parser.add_argument('--per-class', action='store_true',
                        help='also print a per-category P/J table')
    parser.add_argument('--eval-dir', default='',
                        help='subfolder of every run holding its '
                        'evaluations (default: the run folder itself)')
    args = parser.parse_args()
    rows: List[Tuple[str, dict, str]] = []
    for run in sorted(glob.glob(osp.join(args.root, '*', ''))):
        metrics = latest_metrics(osp.join(run, args.eval_dir))
        if metrics is not None:
            rows.append((osp.basename(osp.normpath(run)), metrics, run))
    if not rows:
        where = osp.join(args.root, '*', args.eval_dir, 'test')
        raise SystemExit(f'No test results under {where}/.')
    print('| run | P (%) | J (%) | J mixed groups | drop | J single '
          '| distractors P / J | train min |')
    print('|---|---|---|---|---|---|---|---|')
    for name, m, run in rows:
        evals = osp.join(run, args.eval_dir)
        gs = group_sensitivity(evals) or {}
        drop = (gs['category'] - gs['mixed']
                if 'category' in gs and 'mixed' in gs else None)
        dist = latest_metrics(evals, 'test_distractors')
        dist_cell = (f"{dist['P']:.1f} / {dist['J']:.1f}"
                     if dist is not None else '-')
        print(f"| {name} | {m['P']:.1f} | {m['J']:.1f} | "
              f"{_cell(gs.get('mixed'))} | {_cell(drop)} | "
              f"{_cell(gs.get('single'))} | {dist_cell} | "
              f"{_cell(train_minutes(run), '{:.0f}')} |")
    if not args.per_class:
        return
    tables = [(name, latest_per_class(osp.join(run, args.eval_dir)))
              for name, _, run in rows]
    categories: List[str] = []
    for _, table in tables:
        categories += [c for c in table if c not in categories]
    categories = [c for c in categories if c != 'Ave.'] + ['Ave.']
    print()
    print('| category | ' + ' | '.join(f'{n} P | {n} J'
                                         for n, _ in tables) + ' |')
    print('|---|' + '---|---|' * len(tables))
    for category in categories:
        cells = []
        for _, table in tables:
            p, j = table.get(category, (None, None))
            cells += ['' if p is None else f'{p:.1f}',
                      '' if j is None else f'{j:.1f}']
        print(f'| {category} | ' + ' | '.join(cells) + ' |')


if __name__ == '__main__':
    main()
