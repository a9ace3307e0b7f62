"""How much does a co-segmentation model use the group?

Evaluates one model on the same test images grouped three ways (see
:mod:`mmcoseg.datasets.groupings`) and prints P / J per mode:

* ``category``: proper groups (the benchmark protocol);
* ``mixed``: every group drawn from different categories, nothing shared;
* ``single``: each image alone, paired with its mirrored copy.

A model that segments the object the group shares must lose J in mixed
groups (its evidence for "shared" is gone); a single-image segmenter (the
plain FPN control, no modulator) gives the same masks in every mode, so its
drop is ~0. The drop ``category - mixed`` is the group sensitivity.

Example::

    python tools/analysis_tools/group_sensitivity.py \\
        configs/ssnm/ssnm_r18-c16_1x4g5-1500i_synthetic-128x128.py \\
        work_dirs/demo/ssnm/iter_1500.pth --out work_dirs/demo/ssnm/gs.json
"""
import argparse
import json
import os.path as osp
import tempfile
from typing import Dict, List, Optional, Sequence

from mmengine.config import Config, DictAction
from mmengine.runner import Runner

import mmcoseg  # noqa: F401
from mmcoseg.datasets.groupings import TEST_GROUPINGS
from mmcoseg.utils.markdown import markdown_table


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    """Command-line arguments."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', help='model config file')
    parser.add_argument(
        'checkpoint',
        nargs='?',
        help='checkpoint; omit it for a training-free model')
    parser.add_argument(
        '--modes',
        nargs='+',
        default=list(TEST_GROUPINGS),
        choices=TEST_GROUPINGS,
        help='groupings to evaluate (default: all)')
    parser.add_argument('--work-dir', help='where the runs log')
    parser.add_argument('--out', help='write the results as JSON here')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config settings, as for tools/test.py')
    return parser.parse_args(argv)


def evaluate(cfg: Config, checkpoint: Optional[str], mode: str) -> Dict:
    """P / J of the model on the test set grouped by ``mode``.

    Args:
        cfg (Config): The model config (not changed).
        checkpoint (str, optional): Checkpoint file.
        mode (str): One of :data:`TEST_GROUPINGS`.

    Returns:
        dict: The evaluator's metrics (``P``, ``J``, ``P_img``, ``J_img``)
        and ``groups``, the number of test groups.
    """
    cfg = cfg.copy()
    cfg.test_dataloader.dataset.test_grouping = mode
    cfg.load_from = checkpoint
    cfg.work_dir = osp.join(cfg.work_dir, mode)
    cfg.default_hooks.pop('visualization', None)
    runner = Runner.from_cfg(cfg)
    if checkpoint is None:
        getattr(runner.model, 'module', runner.model).init_weights()
    metrics = runner.test()
    metrics = {k.split('/')[-1]: v for k, v in metrics.items()}
    metrics['groups'] = len(runner.test_dataloader.dataset)
    return metrics


def sensitivity_table(results: Dict[str, Dict]) -> List[Dict]:
    """Rows of the printed table: mode, groups, P, J and the J change
    against proper category groups.

    Args:
        results (dict): Metrics per mode, as returned by :func:`evaluate`.

    Returns:
        list[dict]: One row per mode.
    """
    base = results.get('category', {}).get('J')
    rows = []
    for mode, metrics in results.items():
        delta = ('-' if base is None or mode == 'category' else
                 f'{metrics["J"] - base:+.2f}')
        rows.append(
            dict(mode=mode, groups=metrics['groups'], P=metrics['P'],
                 J=metrics['J'], **{'J - J(category)': delta}))
    return rows


def main(argv: Optional[Sequence[str]] = None) -> None:
    """Evaluate every mode and print the table."""
    args = parse_args(argv)
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    cfg.work_dir = args.work_dir or cfg.get('work_dir') or tempfile.mkdtemp(
        prefix='group_sensitivity_')
    results = {mode: evaluate(cfg, args.checkpoint, mode)
               for mode in args.modes}
    rows = sensitivity_table(results)
    print(f'\nGroup sensitivity of {osp.basename(args.config)} '
          f'({args.checkpoint or "no checkpoint"}):\n')
    print(markdown_table(rows, list(rows[0])))
    if 'category' in results and 'mixed' in results:
        drop = results['category']['J'] - results['mixed']['J']
        print(f'\ngroup sensitivity (J drop, category -> mixed): '
              f'{drop:.2f}')
    if args.out:
        with open(args.out, 'w') as f:
            json.dump(dict(config=args.config, checkpoint=args.checkpoint,
                           results=results), f, indent=2)


if __name__ == '__main__':
    main()
