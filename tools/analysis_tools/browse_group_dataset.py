"""Browse a co-segmentation dataset: images and ground-truth masks by group.

Writes, for the first group of each category (up to ``--num-groups``),
``OUT_DIR/<category>_<group_id>.jpg``: the group's images on the first row
and their masks drawn over them on the second. Images that only fill up
the last group of a category (padding, never scored) are titled 'pad'.
No pipeline runs: the files are read as the dataset indexes them, which
makes this a quick check of a newly downloaded benchmark.

Example::

    python tools/analysis_tools/browse_group_dataset.py \
        configs/_base_/datasets/icoseg.py --split test \
        --out-dir work_dirs/browse/icoseg \
        --cfg-options test_dataloader.dataset.data_root=/data/icoseg
"""
import argparse
import os
import os.path as osp

import cv2
import mmcv
import numpy as np
from mmengine.config import Config, DictAction
from mmengine.registry import init_default_scope
from mmengine.structures import PixelData

from mmcoseg.datasets.mask_io import read_mask
from mmcoseg.registry import DATASETS, SCOPE
from mmcoseg.visualization import CoSegLocalVisualizer, group_grid


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config', help='config file')
    parser.add_argument(
        '--split', default='test', choices=['train', 'val', 'test'],
        help='which dataloader\'s dataset to browse (default: test)')
    parser.add_argument('--out-dir', required=True, help='output folder')
    parser.add_argument(
        '--num-groups', type=int, default=8,
        help='number of groups, the first of each category in dataset '
        'order (default: 8)')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override config settings, as in tools/test.py')
    return parser.parse_args()


def build_dataset(cfg: Config, split: str):
    """The split's dataset with no pipeline."""
    ds_cfg = cfg[f'{split}_dataloader'].dataset.copy()
    ds_cfg['pipeline'] = []
    return DATASETS.build(ds_cfg)


def pick_groups(dataset, num_groups: int) -> list:
    """First group of each category, in order, up to ``num_groups``."""
    picked, seen = [], set()
    for idx in range(len(dataset)):
        if len(picked) >= num_groups:
            break
        category = dataset.get_data_info(idx)['category']
        if category not in seen:
            seen.add(category)
            picked.append(idx)
    return picked


def _mark(image: np.ndarray, text: str) -> np.ndarray:
    """Copy of ``image`` with ``text`` at the bottom-left, sized so that it
    reads the same after ``group_grid`` resizes the tile to 160 pixels."""
    image = image.copy()
    scale = image.shape[0] / 160
    cv2.putText(image, text, (max(1, round(4 * scale)),
                              image.shape[0] - max(1, round(6 * scale))),
                cv2.FONT_HERSHEY_SIMPLEX, 0.5 * scale, (255, 255, 0),
                max(1, round(scale)), cv2.LINE_AA)
    return image


def render_group(group: dict, drawer: CoSegLocalVisualizer) -> np.ndarray:
    """Grid of a group's images (top) and mask overlays (bottom).

    Padding images are titled 'pad' on their input tile.
    """
    images, overlays = [], []
    for info in group['images']:
        image = mmcv.imread(info['img_path'], channel_order='rgb')
        if info.get('seg_map_path'):
            mask = read_mask(info['seg_map_path'])
            overlays.append(
                drawer.draw_coseg(
                    image, PixelData(data=mask[None]), color=(0, 200, 0)))
        else:
            overlays.append(image)
        images.append(_mark(image, 'pad') if info.get('is_padding') else
                      image)
    return group_grid([images, overlays])


def main() -> None:
    args = parse_args()
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    init_default_scope(cfg.get('default_scope', SCOPE))
    dataset = build_dataset(cfg, args.split)
    drawer = CoSegLocalVisualizer(alpha=0.5)
    os.makedirs(args.out_dir, exist_ok=True)
    for idx in pick_groups(dataset, args.num_groups):
        group = dataset.get_data_info(idx)
        grid = render_group(group, drawer)
        out = osp.join(args.out_dir,
                       f"{group['category_name']}_{group['group_id']}.jpg")
        mmcv.imwrite(mmcv.rgb2bgr(grid), out)
        num_pad = sum(bool(i.get('is_padding')) for i in group['images'])
        print(f"{out}: {group['category_name']} group {group['group_id']}, "
              f"{len(group['images'])} images ({num_pad} padding)")


if __name__ == '__main__':
    main()
