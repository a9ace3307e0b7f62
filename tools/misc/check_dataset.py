"""Check a co-segmentation dataset as a config indexes it.

Builds ``<split>_dataloader.dataset`` of the config (without its pipeline),
then reports the categories, image counts, image sizes, mask encodings and
every problem: images without mask, masks without image, unreadable files,
image/mask size mismatches (errors) and empty or full masks (warnings).

Example::

    python tools/misc/check_dataset.py \
        configs/_base_/datasets/pascal_voc_coseg.py --split test \
        --cfg-options \
        test_dataloader.dataset.data_root=../shared/data/pascal_voc_coseg

Exit status 1 when an error was found, else 0 (warnings allowed).
"""
import argparse
import copy
import os.path as osp
import sys
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from typing import Dict, List, Optional, Tuple

from mmengine import fileio
from mmengine.config import Config, DictAction
from mmengine.dataset import BaseDataset
from mmengine.registry import init_default_scope
from PIL import Image

from mmcoseg.datasets.mask_io import read_mask
from mmcoseg.registry import DATASETS, SCOPE


def parse_args() -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(
        description='Check the images and masks of a co-segmentation '
        'dataset config.')
    parser.add_argument('config', help='config file')
    parser.add_argument(
        '--split',
        choices=['train', 'val', 'test'],
        default='test',
        help='which <split>_dataloader.dataset to check '
        '(default: %(default)s)')
    parser.add_argument(
        '--workers',
        type=int,
        default=8,
        help='reader threads (default: %(default)s)')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config settings, key=value')
    return parser.parse_args()


def _values(values: List[int]) -> str:
    if len(values) <= 4:
        return '{' + ','.join(str(int(v)) for v in values) + '}'
    return f'{len(values)} values {int(values[0])}-{int(values[-1])}'


def mask_encoding(img: Image.Image) -> str:
    """Describe a mask's encoding, e.g. ``'L {0,255}'``."""
    mode = img.mode
    if mode in ('P', '1'):
        return mode
    colors = img.getcolors(maxcolors=256)  # C-side histogram, no numpy
    if colors is None:
        return f'{mode} >256 values'
    values = [c for _, c in colors]
    if isinstance(values[0], tuple):
        if all(len(set(v[:3])) == 1 for v in values):
            return f'{mode} grey {_values(sorted(v[0] for v in values))}'
        return f'{mode} colour'
    return f'{mode} {_values(sorted(values))}'


def check_image(path: str) -> Tuple[Optional[tuple], Optional[str]]:
    """Size (W, H) of an image from its header, or the read error."""
    try:
        with Image.open(path) as img:
            return img.size, None
    except Exception as err:  # noqa: BLE001 - any failure is a problem
        return None, f'{type(err).__name__}: {err}'


def check_mask(path: str) -> dict:
    """Size, encoding and foreground fraction of a mask, or the error."""
    try:
        with Image.open(path) as img:
            size = img.size
            encoding = mask_encoding(img)
        fg = float(read_mask(path).mean())
    except Exception as err:  # noqa: BLE001 - any failure is a problem
        return dict(error=f'{type(err).__name__}: {err}')
    return dict(size=size, encoding=encoding, fg=fg)


def index_images(dataset, errors: List[str]) -> List[dict]:
    """The dataset's image index; falls back to listing on build errors.

    ``GroupDataset`` refuses to build when masks are missing; the fallback
    lists the same images with the dataset's own rules so that every
    missing mask (and every other problem) can be named.
    """
    try:
        dataset.full_init()
        return [
            BaseDataset.get_data_info(dataset, i)
            for i in range(dataset.num_images)
        ]
    except (FileNotFoundError, ValueError) as err:
        errors.append(f'dataset build failed: {err}')
    img_dir = dataset.data_prefix['img_path']
    seg_dir = dataset.data_prefix.get('seg_map_path')
    same = seg_dir is not None and \
        osp.normpath(seg_dir) == osp.normpath(img_dir)
    try:
        categories = dataset._categories(img_dir)
    except FileNotFoundError as err:
        if not errors or str(err) not in errors[-1]:
            errors.append(str(err))
        return []
    infos = []
    for label, category in enumerate(categories):
        cat_dir = osp.join(img_dir, category)
        if not osp.isdir(cat_dir):
            continue  # reported by the build error
        for name in dataset._list_images(cat_dir, same):
            mask = None if seg_dir is None else osp.join(
                seg_dir, category,
                osp.splitext(name)[0] + dataset.seg_map_suffix)
            infos.append(
                dict(
                    img_path=osp.join(cat_dir, name),
                    seg_map_path=mask,
                    category=label,
                    category_name=category))
    return infos


def orphan_masks(dataset, infos: List[dict]) -> List[str]:
    """Mask files in the mask folders without an image of the same stem."""
    seg_dir = dataset.data_prefix.get('seg_map_path')
    if seg_dir is None:
        return []
    suffix = dataset.seg_map_suffix.lower()
    img_dir = dataset.data_prefix['img_path']
    same = osp.normpath(seg_dir) == osp.normpath(img_dir)
    stems: Dict[str, set] = defaultdict(set)
    for info in infos:
        stems[info['category_name']].add(
            osp.splitext(osp.basename(info['img_path']))[0])
    categories = set(stems)
    if not same and osp.isdir(seg_dir):
        # mask folders of categories that have no image folder
        categories |= {
            d
            for d in fileio.list_dir_or_file(
                seg_dir, list_dir=True, list_file=False)
            if dataset._metainfo.get('classes') is None or d in stems
        }
    orphans = []
    for category in sorted(categories):
        folder = osp.join(seg_dir, category)
        if not osp.isdir(folder):
            continue
        for name in sorted(fileio.list_dir_or_file(folder, list_dir=False)):
            if name.lower().endswith(suffix) and \
                    osp.splitext(name)[0] not in stems[category]:
                orphans.append(osp.join(folder, name))
    return orphans


def main() -> int:
    """Run the check; returns the exit status."""
    args = parse_args()
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    init_default_scope(cfg.get('default_scope', SCOPE))
    loader = cfg.get(f'{args.split}_dataloader')
    if loader is None or 'dataset' not in loader:
        print(f'{args.config} has no {args.split}_dataloader.dataset')
        return 1
    ds_cfg = copy.deepcopy(loader['dataset'])
    ds_cfg['pipeline'] = []
    ds_cfg['lazy_init'] = True
    dataset = DATASETS.build(ds_cfg)

    errors: List[str] = []
    warnings: List[str] = []
    infos = index_images(dataset, errors)
    print(f'Dataset {type(dataset).__name__} ({args.split} split)')
    print(f'  data_root:    {dataset.data_root}')
    print(f'  img_path:     {dataset.data_prefix.get("img_path")}')
    print(f'  seg_map_path: {dataset.data_prefix.get("seg_map_path")}')

    with ThreadPoolExecutor(max(1, args.workers)) as pool:
        images = list(pool.map(check_image, [i['img_path'] for i in infos]))
        has_mask = [
            i['seg_map_path'] is not None and osp.isfile(i['seg_map_path'])
            for i in infos
        ]
        masks = list(
            pool.map(check_mask, [
                i['seg_map_path'] for i, ok in zip(infos, has_mask) if ok
            ]))
    masks_iter = iter(masks)

    counts: Counter = Counter()
    sizes, encodings = [], Counter()
    for info, (size, img_err), ok in zip(infos, images, has_mask):
        counts[info['category_name']] += 1
        img, seg = info['img_path'], info['seg_map_path']
        if img_err:
            errors.append(f'unreadable image: {img} ({img_err})')
        else:
            sizes.append(size)
        if seg is None:
            continue
        if not ok:
            errors.append(f'image without mask: {img} (expected {seg})')
            continue
        mask = next(masks_iter)
        if 'error' in mask:
            errors.append(f'unreadable mask: {seg} ({mask["error"]})')
            continue
        encodings[mask['encoding']] += 1
        if size is not None and mask['size'] != size:
            errors.append(f'size mismatch: {img} is {size[0]}x{size[1]}, '
                          f'{seg} is {mask["size"][0]}x{mask["size"][1]}')
        if mask['fg'] == 0:
            warnings.append(f'empty mask (all background): {seg}')
        elif mask['fg'] == 1:
            warnings.append(f'full mask (all foreground): {seg}')
    for orphan in orphan_masks(dataset, infos):
        errors.append(f'mask without image: {orphan}')

    print(f'Categories ({len(counts)}):')
    width = max([len(c) for c in counts] + [5])
    for category in dataset._metainfo.get('classes') or sorted(counts):
        print(f'  {category:<{width}} {counts[category]:6d} images')
    print(f'  {"total":<{width}} {sum(counts.values()):6d} images')
    if sizes:
        ws, hs = [s[0] for s in sizes], [s[1] for s in sizes]
        print(f'Image sizes: W {min(ws)}-{max(ws)}, H {min(hs)}-{max(hs)} '
              f'({len(set(sizes))} distinct)')
    if encodings:
        print('Mask encodings:')
        for encoding, n in encodings.most_common():
            print(f'  {encoding}: {n} masks')
    elif dataset.data_prefix.get('seg_map_path') is None:
        print('Mask encodings: no masks configured (no seg_map_path)')
    print(f'Errors ({len(errors)}):' if errors else 'Errors: none')
    for line in errors:
        print(f'  ERROR {line}')
    print(f'Warnings ({len(warnings)}):' if warnings else 'Warnings: none')
    for line in warnings:
        print(f'  WARNING {line}')
    print('Result: FAILED' if errors else 'Result: OK')
    return 1 if errors else 0


if __name__ == '__main__':
    sys.exit(main())
