"""Print a Markdown table of the test metrics of several runs.

Each run folder holds ``test/<timestamp>/<timestamp>.json`` (and ``.log``)
as written by ``tools/test.py --work-dir RUN/test``; the newest one is used.
``--per-class`` adds one table with a P / J column pair per run and a row
per category, read from the per-category table that CoSegMetric logs.

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


def _latest(run_dir: str, suffix: str) -> Optional[str]:
    files = sorted(glob.glob(osp.join(run_dir, 'test', '*', '*' + suffix)))
    return files[-1] if files else None


def latest_metrics(run_dir: str) -> Optional[dict]:
    """Metrics of the newest test of ``run_dir``, or None."""
    path = _latest(run_dir, '.json')
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('root', help='folder holding one folder per run')
    parser.add_argument('--per-class', action='store_true',
                        help='also print a per-category P/J table')
    args = parser.parse_args()
    rows: List[Tuple[str, dict, str]] = []
    for run in sorted(glob.glob(osp.join(args.root, '*', ''))):
        metrics = latest_metrics(run)
        if metrics is not None:
            rows.append((osp.basename(osp.normpath(run)), metrics, run))
    if not rows:
        raise SystemExit(f'No test results under {args.root}/*/test/.')
    print('| run | P (%) | J (%) |')
    print('|---|---|---|')
    for name, m, _ in rows:
        print(f"| {name} | {m['P']:.1f} | {m['J']:.1f} |")
    if not args.per_class:
        return
    tables = [(name, latest_per_class(run)) for name, _, run in rows]
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
