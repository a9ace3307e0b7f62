"""Render test groups of a dataset as pictures: inputs, truth, prediction.

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


def main() -> None:
    args = parse_args()
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    init_default_scope(cfg.get('default_scope', SCOPE))
    from mmseg.apis import init_model
    model = init_model(cfg, args.checkpoint, device=args.device)
    dataset = DATASETS.build(cfg.test_dataloader.dataset)
    drawer = CoSegLocalVisualizer(alpha=0.55)
    os.makedirs(args.out_dir, exist_ok=True)
    for idx in pick_groups(dataset, args.num_groups):
        samples = model.test_step(coseg_collate([dataset[idx]]))
        images, gts, preds = [], [], []
        scores = []
        for sample in samples:
            image = mmcv.imread(sample.img_path, channel_order='rgb')
            images.append(image)
            gts.append(
                drawer.draw_coseg(image, sample.gt_sem_seg, color=(0, 200, 0)))
            preds.append(drawer.draw_coseg(image, sample.pred_sem_seg))
            if not sample.is_padding:
                counts = image_pj_counts(sample.pred_sem_seg.data,
                                         sample.gt_sem_seg.data)
                scores.append(counts_to_pj(*counts)[1])
        name = samples[0].category_name
        grid = group_grid([images, gts, preds],
                          row_titles=['input', 'truth', 'prediction'])
        out = osp.join(args.out_dir, f'group_{idx:03d}_{name}.png')
        mmcv.imwrite(mmcv.rgb2bgr(grid), out)
        mean_j = 100 * sum(scores) / max(len(scores), 1)
        print(f'{out}: {name}, {len(samples)} images, J {mean_j:.1f}')


if __name__ == '__main__':
    main()
