"""Check a co-segmentation dataset as a config indexes it.

Builds ``<split>_dataloader.dataset`` of the config (without its pipeline),
lists its files with the dataset's own listing
(:class:`mmcoseg.datasets.category_folders.CategoryFolders`, which does not
stop at the first problem), then reports the categories, image counts, image
sizes, mask encodings and every problem: images without mask, masks without
image, unreadable files, image/mask size mismatches (errors; image sizes
with their EXIF rotation applied, as the image loader and the dataset's
validation see them) and empty or full masks and unsupported files
(warnings).

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
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import List, Tuple

from mmengine.config import Config, DictAction
from mmengine.registry import init_default_scope
from PIL import Image

from mmcoseg.datasets.mask_io import read_mask
from mmcoseg.datasets.validation import probe_image
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


def list_files(dataset, errors: List[str],
               warnings: List[str]) -> Tuple[List[str], List[dict]]:
    """The dataset's own listing of its categories, images and masks.

    The listing is the dataset's (:meth:`GroupDataset.category_folders`),
    which never stops at a missing file, so that every problem is named,
    also those that keep the dataset from building.
    """
    if not hasattr(dataset, 'category_folders'):
        raise SystemExit(f'{type(dataset).__name__} is not a folder-per-'
                         'category co-segmentation dataset (GroupDataset).')
    folders = dataset.category_folders()
    try:
        listing = folders.scan()
    except FileNotFoundError as err:
        errors.append(str(err))
        return [], []
    if folders.seg_dir is not None and not osp.isdir(folders.seg_dir):
        errors.append(f'missing mask folder: {folders.seg_dir} '
                      '(data_root + data_prefix.seg_map_path)')
    errors.extend(f'{kind}: {what}' for kind, what in listing.errors.errors)
    errors.extend(f'mask without image: {path}'
                  for path in listing.orphan_masks)
    warnings.extend(f'file with an unsupported suffix (ignored): {path}'
                    for path in listing.unsupported)
    return listing.categories, listing.infos


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
    categories, infos = list_files(dataset, errors, warnings)
    print(f'Dataset {type(dataset).__name__} ({args.split} split)')
    print(f'  data_root:    {dataset.data_root}')
    print(f'  img_path:     {dataset.data_prefix.get("img_path")}')
    print(f'  seg_map_path: {dataset.data_prefix.get("seg_map_path")}')

    # Images: the oriented size (EXIF rotation applied, as the loader and
    # the dataset's validation see it); masks: their stored size.
    with_mask = [
        i for i in infos
        if i['seg_map_path'] is not None and not i.get('_bad')
    ]
    with ThreadPoolExecutor(max(1, args.workers)) as pool:
        images = list(pool.map(probe_image, [i['img_path'] for i in infos]))
        masks = dict(
            zip((i['img_path'] for i in with_mask),
                pool.map(check_mask, [i['seg_map_path']
                                      for i in with_mask])))

    counts: Counter = Counter()
    sizes, encodings = [], Counter()
    for info, (size, img_err) in zip(infos, images):
        counts[info['category_name']] += 1
        img, seg = info['img_path'], info['seg_map_path']
        if img_err:
            errors.append(f'unreadable image: {img} ({img_err})')
        else:
            sizes.append(size)
        mask = masks.get(img)
        if mask is None:
            continue  # no masks configured, or reported as missing
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

    print(f'Categories ({len(counts)}):')
    width = max([len(c) for c in counts] + [5])
    for category in categories:
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
