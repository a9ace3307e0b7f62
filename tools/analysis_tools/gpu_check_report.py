"""One Markdown table from the outputs of ``gpu_check.sh``.

Reads ``OUT/e2e.json``, ``OUT/bench-*.json`` (``benchmark.py --json``),
``OUT/solve-*.json`` (``bench_spatial.py --json``) and
``OUT/nvidia-smi.csv`` when present, writes ``OUT/gpu_check.md`` and
prints it. Missing outputs show as missing rows, so a partial run still
reports what it measured.

Example::

    python tools/analysis_tools/gpu_check_report.py gpu_check_out
"""
import argparse
import json
import os.path as osp
from typing import Dict, List, Optional, Sequence

from mmcoseg.utils.markdown import markdown_table

COLUMNS = ('check', 'setting', 'precision', 'mode', 'sec/iter', 'img/s',
           'peak MB', 'step / backbone', 'SSNM / FPN', 'note')
#: The paper's schedule, for the projected training time.
PAPER_ITERS = 200_000
MODELS = (('default', "SSNM default (the paper's eigenvector f_spa)"),
          ('consensus', 'SSNM consensus f_spa'),
          ('fpn', 'plain FPN, same backbone'))


def _load(path: str) -> Optional[dict]:
    if not osp.isfile(path):
        return None
    with open(path) as f:
        return json.load(f)


def e2e_rows(out: str) -> List[Dict[str, str]]:
    """The row of check (a)."""
    result = _load(osp.join(out, 'e2e.json'))
    if result is None:
        return [dict(check='(a) train/test/resume', note='not run')]
    passed = result['rc'] == 0
    return [dict(check='(a) train/test/resume',
                 setting='tests/test_tools/test_train_test_cli.py',
                 note=('passed' if passed else f"FAILED (exit {result['rc']})")
                 + f", {result['seconds']} s")]


def bench_rows(out: str) -> List[Dict[str, str]]:
    """The rows of check (b), with the ratio to the FPN baseline and the
    projected time of the paper's 200k-iteration schedule."""
    rows = []
    for tag in ('', '-amp'):
        runs = {name: _load(osp.join(out, f'bench-{name}{tag}.json'))
                for name, _ in MODELS}
        device = next((r['device'] for r in runs.values() if r), '')
        # benchmark.py --amp autocasts to float16 on CUDA, bfloat16 on CPU
        precision = ('float32' if not tag else
                     'AMP bf16' if device.startswith('CPU') else 'AMP fp16')
        fpn = {r['mode']: float(r['sec/iter'])
               for r in (runs['fpn'] or {}).get('rows', [])}
        for name, label in MODELS:
            if runs[name] is None:
                rows.append(dict(check='(b) throughput', setting=label,
                                 precision=precision, note='not run'))
                continue
            for r in runs[name]['rows']:
                seconds = float(r['sec/iter'])
                row = {k: r[k] for k in ('mode', 'sec/iter', 'img/s',
                                         'peak MB')}
                row.update(check='(b) throughput', setting=label,
                           precision=precision,
                           **{'step / backbone': r.get('step/backbone', '-')})
                if name != 'fpn' and r['mode'] in fpn:
                    row['SSNM / FPN'] = f"{seconds / fpn[r['mode']]:.2f}"
                if r['mode'] == 'train':
                    hours = PAPER_ITERS * seconds / 3600
                    row['note'] = (f'{PAPER_ITERS // 1000}k iterations: '
                                   f'{hours:.1f} h')
                rows.append(row)
    return rows


def solve_rows(out: str) -> List[Dict[str, str]]:
    """The rows of check (c)."""
    rows = []
    for dtype in ('float64', 'float32'):
        result = _load(osp.join(out, f'solve-{dtype}.json'))
        if result is None:
            rows.append(dict(check='(c) exact solve', precision=dtype,
                             note='not run'))
            continue
        for r in result['rows']:
            seconds = float(r['exact ms']) / 1e3
            rows.append(dict(
                check='(c) exact solve',
                setting=f"M = {r['M']}, d = {r['d']}",
                precision=dtype,
                **{'sec/iter': f'{seconds:.5f}'},
                note=(f"lam/lam_max {r['exact lam/lam_max']}; released "
                      f"approach {r['released ms']} ms")))
    return rows


def report(out: str) -> str:
    """The Markdown report of a ``gpu_check.sh`` output folder.

    Args:
        out (str): The folder.

    Returns:
        str: A title line, the device line and the table.
    """
    device = '?'
    smi = osp.join(out, 'nvidia-smi.csv')
    if osp.isfile(smi):
        with open(smi) as f:
            lines = f.read().strip().splitlines()
        device = '; '.join(lines[1:]) or device
    else:
        for name in ('bench-default.json', 'solve-float64.json'):
            loaded = _load(osp.join(out, name))
            if loaded:
                device = loaded['device']
                break
    rows = e2e_rows(out) + bench_rows(out) + solve_rows(out)
    return (f'GPU check (tools/analysis_tools/gpu_check.sh); device: '
            f'{device}\n\n' + markdown_table(rows, COLUMNS))


def main(argv: Optional[Sequence[str]] = None) -> str:
    """Write ``OUT/gpu_check.md`` and print it.

    Args:
        argv (Sequence[str], optional): Arguments; ``sys.argv`` if None.

    Returns:
        str: The report.
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('out', help='the output folder of gpu_check.sh')
    args = parser.parse_args(argv)
    text = report(args.out)
    with open(osp.join(args.out, 'gpu_check.md'), 'w') as f:
        f.write(text + '\n')
    print(text)
    return text


if __name__ == '__main__':
    main()
