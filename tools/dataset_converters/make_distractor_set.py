"""Build a distractor co-segmentation benchmark from a folder-per-category set.

Every image receives 1-2 (``--min-objects`` / ``--max-objects``) objects of
*other* categories of the same set, cut out with their own masks from
random images and pasted at a random scale and position (the same code as
the training transform ``GroupCopyPaste``). The mask stays the image's own
category minus what the pastes occlude; placements hiding more than half of
the object are avoided. A salient-object segmenter marks the pasted objects
too; only a model that uses the group can leave them out.

Deterministic: the pastes of an image depend only on ``--seed`` and the
image's category and file name. The output is a normal folder-per-category
set (``<out>/<category>/<stem>.jpg`` + ``.png`` masks, 0/255) that
``GroupDataset`` reads, plus ``manifest.json`` naming every paste.
Finished images are skipped when the command is run again (the mask is
written last); an unreadable file is reported and skipped, the rest goes
on (exit code 3).

PASCAL-VOC co-seg, fold A (models trained on Aero..Cow are tested on the
other ten classes, so the distractors come from those ten)::

    python tools/dataset_converters/make_distractor_set.py \\
        data/pascal_voc_coseg data/pascal_voc_coseg_distractors/fold-a \\
        --classes Dog Horse Mbike Monitor Person Plant Sheep Sofa Table Train
"""
import argparse
import json
import os
import os.path as osp
import sys
import zlib
from typing import Dict, List, Optional, Sequence, Tuple

import cv2
import mmcv
import numpy as np
from mmengine import ProgressBar
from mmengine.dataset import BaseDataset

from mmcoseg.datasets import GroupDataset, read_mask
from mmcoseg.datasets.copy_paste import cut_object, paste_object

EXIT_SKIPPED = 3
MANIFEST = 'manifest.json'


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    """Command-line arguments."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('src', help='folder-per-category source set')
    parser.add_argument('out', help='output folder')
    parser.add_argument('--classes', nargs='+',
                        help='categories to use (default: all folders)')
    parser.add_argument('--split', nargs=2, metavar=('PART', 'FRACTION'),
                        action='append',
                        help='only one part of every category, as '
                        "GroupDataset's split (e.g. test 0.6667): the "
                        'seen-category protocol; repeated, nested splits '
                        '(--split train 0.6667 --split test 0.75: the '
                        'validation part)')
    parser.add_argument('--img-suffix', default='.jpg')
    parser.add_argument('--seg-map-suffix', default='.png')
    parser.add_argument('--mask-dir',
                        help='mask root if not beside the images')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--min-objects', type=int, default=1)
    parser.add_argument('--max-objects', type=int, default=2)
    parser.add_argument('--scale-range', nargs=2, type=float,
                        default=(0.3, 0.6),
                        help='pasted object longer side / image shorter side')
    parser.add_argument('--jpeg-quality', type=int, default=95)
    args = parser.parse_args(argv)
    if not 1 <= args.min_objects <= args.max_objects:
        parser.error('need 1 <= --min-objects <= --max-objects')
    return args


def list_images(args: argparse.Namespace) -> List[dict]:
    """Image infos (path, mask path, category) of the source set."""
    dataset = GroupDataset(
        data_root=args.src,
        data_prefix=dict(img_path='', seg_map_path=args.mask_dir or ''),
        img_suffix=args.img_suffix,
        seg_map_suffix=args.seg_map_suffix,
        metainfo=dict(classes=args.classes) if args.classes else None,
        split=[(part, float(f)) for part, f in args.split] if args.split
        else None,
        validate='off',
        test_mode=True,
        pipeline=[])
    infos = [BaseDataset.get_data_info(dataset, i)
             for i in range(BaseDataset.__len__(dataset))]
    if len({info['category'] for info in infos}) < 2:
        raise SystemExit('make_distractor_set: need at least two categories '
                         f'under {args.src}, found '
                         f'{sorted({i["category_name"] for i in infos})}.')
    return infos


class ObjectCache:
    """Objects cut from donor images, loaded once each (bounded)."""

    def __init__(self, size: int = 512) -> None:
        self.size = size
        self._items: Dict[str, Optional[Tuple[np.ndarray, np.ndarray]]] = {}

    def get(self, info: dict) -> Optional[Tuple[np.ndarray, np.ndarray]]:
        """The object of a donor image (None: empty mask)."""
        key = info['img_path']
        if key not in self._items:
            if len(self._items) >= self.size:
                self._items.pop(next(iter(self._items)))
            img = mmcv.imread(key)
            if img is None:
                raise ValueError(f'unreadable image {key}')
            self._items[key] = cut_object(img, read_mask(
                info['seg_map_path']))
        return self._items[key]


def make_one(info: dict, donors: Sequence[dict], cache: ObjectCache,
             args: argparse.Namespace) -> Tuple[np.ndarray, np.ndarray, list]:
    """Paste distractors into one image.

    Args:
        info (dict): The image's info.
        donors (Sequence[dict]): Infos of the images of other categories.
        cache (ObjectCache): Donor objects.
        args (argparse.Namespace): Seed, object count and scale.

    Returns:
        tuple: Image, mask (0/1) and the list of pastes made.
    """
    img = mmcv.imread(info['img_path'])
    if img is None:
        raise ValueError(f'unreadable image {info["img_path"]}')
    mask = read_mask(info['seg_map_path'])
    name = f'{info["category_name"]}/{osp.basename(info["img_path"])}'
    rng = np.random.default_rng([args.seed, zlib.crc32(name.encode())])
    pastes = []
    want = int(rng.integers(args.min_objects, args.max_objects + 1))
    for _ in range(8 * want):
        if len(pastes) == want:
            break
        donor = donors[int(rng.integers(len(donors)))]
        obj = cache.get(donor)
        if obj is None:
            continue
        region = paste_object(img, mask, obj, rng, 0,
                              tuple(args.scale_range))
        pastes.append(
            dict(donor=osp.relpath(donor['img_path'], args.src),
                 category=donor['category_name'],
                 pixels=int(region.sum())))
    return img, mask, pastes


def write_manifest(path: str, images: dict,
                   args: argparse.Namespace) -> None:
    """Write the manifest atomically (also during the run, so an
    interrupted run keeps what it finished)."""
    os.makedirs(osp.dirname(path) or '.', exist_ok=True)
    with open(path + '.tmp', 'w') as f:
        json.dump(dict(seed=args.seed, min_objects=args.min_objects,
                       max_objects=args.max_objects,
                       scale_range=list(args.scale_range), images=images),
                  f, indent=1, sort_keys=True)
    os.replace(path + '.tmp', path)


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Build the set; returns the exit code."""
    args = parse_args(argv)
    infos = list_images(args)
    by_category: Dict[int, List[dict]] = {}
    for info in infos:
        by_category.setdefault(info['category'], []).append(info)
    manifest_path = osp.join(args.out, MANIFEST)
    manifest = {}
    if osp.isfile(manifest_path):
        with open(manifest_path) as f:
            manifest = json.load(f)['images']
    others = {c: [d for o, items in by_category.items() if o != c
                  for d in items] for c in by_category}
    cache = ObjectCache()
    skipped, done = {}, 0
    progress = ProgressBar(len(infos), file=sys.stderr)
    for info in infos:
        stem = osp.splitext(osp.basename(info['img_path']))[0]
        folder = osp.join(args.out, info['category_name'])
        out_img = osp.join(folder, stem + '.jpg')
        out_mask = osp.join(folder, stem + '.png')
        key = f'{info["category_name"]}/{stem}'
        if osp.isfile(out_mask) and key in manifest:
            progress.update()
            continue
        try:
            img, mask, pastes = make_one(info, others[info['category']],
                                         cache, args)
        except Exception as err:  # noqa: BLE001 - reported, the rest goes on
            skipped[info['img_path']] = f'{type(err).__name__}: {err}'
            progress.update()
            continue
        os.makedirs(folder, exist_ok=True)
        mmcv.imwrite(img, out_img,
                     params=[cv2.IMWRITE_JPEG_QUALITY, args.jpeg_quality])
        tmp = out_mask + '.tmp.png'
        mmcv.imwrite(mask.astype(np.uint8) * 255, tmp)
        os.replace(tmp, out_mask)
        manifest[key] = dict(source=osp.relpath(info['img_path'], args.src),
                             pastes=pastes)
        done += 1
        if done % 50 == 0:
            write_manifest(manifest_path, manifest, args)
        progress.update()
    write_manifest(manifest_path, manifest, args)
    sys.stderr.write('\n')
    print(f'make_distractor_set: {len(infos)} images in '
          f'{len(by_category)} categories -> {args.out} ({done} written, '
          f'{len(infos) - done - len(skipped)} already there, '
          f'{len(skipped)} skipped)')
    for path, why in skipped.items():
        print(f'  skipped {path}: {why}', file=sys.stderr)
    return EXIT_SKIPPED if skipped else 0


if __name__ == '__main__':
    sys.exit(main())
