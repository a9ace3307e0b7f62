"""Render test groups of a dataset as pictures: inputs, truth, prediction.

``--compare CONFIG CHECKPOINT LABEL`` (repeatable) adds one prediction row
per further model, on the same groups (the dataset comes from the first
config), e.g. the paper's SSNM against the improved one on the distractor
benchmark.

Example::

    python tools/analysis_tools/render_groups.py CONFIG CHECKPOINT \
        --out-dir work_dirs/demo/groups --num-groups 4
"""
import argparse
import os
import os.path as osp

import mmcv
from mmengine.config import Config, DictAction
from mmengine.registry import init_default_scope

from mmcoseg.datasets import coseg_collate
from mmcoseg.evaluation import counts_to_pj, image_pj_counts
from mmcoseg.registry import DATASETS, SCOPE
from mmcoseg.visualization import CoSegLocalVisualizer, group_grid


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config', help='config file')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--out-dir', required=True, help='output folder')
    parser.add_argument(
        '--num-groups', type=int, default=4,
        help='number of groups, one per category in dataset order')
    parser.add_argument('--device', default='cpu', help='cpu or cuda')
    parser.add_argument(
        '--label', default='prediction', help='title of the prediction row')
    parser.add_argument(
        '--compare', nargs=3, action='append', default=[],
        metavar=('CONFIG', 'CHECKPOINT', 'LABEL'),
        help='another model whose predictions form one more row')
    parser.add_argument(
        '--groups', type=int, nargs='+',
        help='render these group indices instead of one per category')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override config settings, as in tools/test.py')
    return parser.parse_args()


def pick_groups(dataset, num_groups: int) -> list:
    """First group of each category, in order, up to ``num_groups``."""
    picked, seen = [], set()
    for idx in range(len(dataset)):
        category = dataset.get_data_info(idx)['category']
        if category not in seen:
            seen.add(category)
            picked.append(idx)
        if len(picked) == num_groups:
            break
    return picked


def _config(config: str, cfg_options) -> Config:
    cfg = Config.fromfile(config)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    return cfg


def _row(model, group: dict, drawer) -> tuple:
    """Painted predictions of one group and the mean J of its scored
    images."""
    samples = model.test_step(coseg_collate([group]))
    preds, scores = [], []
    for sample in samples:
        image = mmcv.imread(sample.img_path, channel_order='rgb')
        preds.append(drawer.draw_coseg(image, sample.pred_sem_seg))
        if not sample.is_padding:
            counts = image_pj_counts(sample.pred_sem_seg.data,
                                     sample.gt_sem_seg.data)
            scores.append(counts_to_pj(*counts)[1])
    return samples, preds, 100 * sum(scores) / max(len(scores), 1)


def main() -> None:
    args = parse_args()
    cfg = _config(args.config, args.cfg_options)
    init_default_scope(cfg.get('default_scope', SCOPE))
    from mmseg.apis import init_model
    models = [(init_model(cfg, args.checkpoint, device=args.device),
               args.label)] + [
        (init_model(_config(c, args.cfg_options), k, device=args.device),
         label) for c, k, label in args.compare
    ]
    dataset = DATASETS.build(cfg.test_dataloader.dataset)
    drawer = CoSegLocalVisualizer(alpha=0.55)
    os.makedirs(args.out_dir, exist_ok=True)
    for idx in args.groups or pick_groups(dataset, args.num_groups):
        rows, titles, scores = [], [], []
        for m, label in models:
            samples, preds, mean_j = _row(m, dataset[idx], drawer)
            rows.append(preds)
            titles.append(label)
            scores.append(f'{label} J {mean_j:.1f}')
        images = [mmcv.imread(s.img_path, channel_order='rgb')
                  for s in samples]
        gts = [drawer.draw_coseg(image, s.gt_sem_seg, color=(0, 200, 0))
               for image, s in zip(images, samples)]
        name = samples[0].category_name
        grid = group_grid([images, gts] + rows,
                          row_titles=['input', 'truth'] + titles)
        out = osp.join(args.out_dir, f'group_{idx:03d}_{name}.png')
        mmcv.imwrite(mmcv.rgb2bgr(grid), out)
        print(f'{out}: {name}, {len(samples)} images, ' + ', '.join(scores))


if __name__ == '__main__':
    main()
