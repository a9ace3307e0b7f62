"""Print a Markdown table of the test metrics of several runs.

Each run folder holds ``test/<timestamp>/<timestamp>.json`` as written by
``tools/test.py --work-dir RUN/test``; the newest one is used.

Example::

    python tools/analysis_tools/summarize_runs.py work_dirs/demo
"""
import argparse
import glob
import json
import os.path as osp
from typing import Optional


def latest_metrics(run_dir: str) -> Optional[dict]:
    """Metrics of the newest test of ``run_dir``, or None."""
    files = sorted(glob.glob(osp.join(run_dir, 'test', '*', '*.json')))
    if not files:
        return None
    with open(files[-1]) as f:
        return json.loads(f.readline())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('root', help='folder holding one folder per run')
    args = parser.parse_args()
    rows = []
    for run in sorted(glob.glob(osp.join(args.root, '*', ''))):
        metrics = latest_metrics(run)
        if metrics is not None:
            rows.append((osp.basename(osp.normpath(run)), metrics))
    if not rows:
        raise SystemExit(f'No test results under {args.root}/*/test/.')
    print('| run | P (%) | J (%) |')
    print('|---|---|---|')
    for name, m in rows:
        print(f"| {name} | {m['P']:.1f} | {m['J']:.1f} |")


if __name__ == '__main__':
    main()
