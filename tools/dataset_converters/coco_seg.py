"""Build the COCO-SEG co-segmentation set from COCO 2017 instances.

Recipe (Wang et al. 2019, "Robust and Efficient Object Co-segmentation"):

* A (category, image) pair is kept when the image holds at least one
  **non-crowd** instance of the category whose annotation ``area`` field
  exceeds ``--min-area`` (default 4000 px).
* A category is kept when it has at least ``--min-images`` (default 100)
  such images.
* The mask of a kept pair is the union of **all non-crowd** instances of
  the category in the image, small ones included (crowd regions are
  excluded because their outlines are coarse and cover many objects).

Output layout read by ``GroupDataset``::

    OUT_DIR/images/<category_name>/<image_stem>.jpg   # symlink (or copy)
    OUT_DIR/masks/<category_name>/<image_stem>.png    # 8-bit L, 0/255

Category folder names are the COCO names with spaces replaced by ``_``.
Running the tool on ``instances_val2017.json`` with the ``val2017`` image
folder builds the set from val2017 instead (lower ``--min-images`` there,
since val2017 is ~25x smaller).  Re-running resumes: pairs whose mask PNG
and image link already exist are skipped.

Example::

    python tools/dataset_converters/coco_seg.py \\
        data/coco/annotations/instances_train2017.json \\
        data/coco/train2017 data/coco_seg --nproc 8
"""
import argparse
import os
import os.path as osp
import shutil
from collections import defaultdict

import numpy as np
from mmengine.utils import (
    mkdir_or_exist,
    track_iter_progress,
    track_parallel_progress,
)
from PIL import Image
from pycocotools.coco import COCO


def parse_args(argv=None):
    """Parse command line arguments.

    Args:
        argv (list[str], optional): Arguments; ``sys.argv`` when None.

    Returns:
        argparse.Namespace: Parsed arguments.
    """
    parser = argparse.ArgumentParser(
        description='Build COCO-SEG (co-segmentation groups) from COCO '
        'instance annotations. Use instances_val2017.json + val2017 to '
        'build from val2017 instead of train2017.')
    parser.add_argument('ann_json', help='COCO instances JSON, e.g. '
                        'annotations/instances_train2017.json')
    parser.add_argument('img_dir', help='folder of the COCO images, '
                        'e.g. train2017')
    parser.add_argument('out_dir', help='output root (images/, masks/)')
    parser.add_argument(
        '--min-area', type=float, default=4000,
        help='a pair needs a non-crowd instance with area > this '
        '(default: 4000)')
    parser.add_argument(
        '--min-images', type=int, default=100,
        help='keep categories with at least this many images '
        '(default: 100)')
    parser.add_argument(
        '--copy', action='store_true',
        help='copy the images; by default OUT/images holds absolute '
        'symlinks to the COCO images')
    parser.add_argument(
        '--nproc', type=int, default=1,
        help='worker processes for writing masks (default: 1)')
    return parser.parse_args(argv)


def folder_name(category_name):
    """Return the output folder name of a COCO category name.

    Args:
        category_name (str): COCO category name, e.g. ``'traffic light'``.

    Returns:
        str: The name with spaces replaced by ``_``.
    """
    return category_name.replace(' ', '_')


def select_pairs(coco, min_area, min_images):
    """Select the kept (category, image) pairs.

    Args:
        coco (COCO): Loaded annotations.
        min_area (float): An instance must have ``area`` above this.
        min_images (int): A category needs at least this many images.

    Returns:
        dict[int, list[int]]: Kept category id -> sorted image ids.
    """
    images = defaultdict(set)
    for ann in coco.dataset.get('annotations', []):
        if not ann.get('iscrowd', 0) and ann['area'] > min_area:
            images[ann['category_id']].add(ann['image_id'])
    return {
        cat_id: sorted(img_ids)
        for cat_id, img_ids in images.items() if len(img_ids) >= min_images
    }


def pair_paths(out_dir, category, file_name):
    """Return the output image and mask paths of a pair.

    Args:
        out_dir (str): Output root.
        category (str): Category folder name.
        file_name (str): COCO image file name.

    Returns:
        tuple[str, str]: Image path and mask path.
    """
    stem = osp.splitext(osp.basename(file_name))[0]
    return (osp.join(out_dir, 'images', category, f'{stem}.jpg'),
            osp.join(out_dir, 'masks', category, f'{stem}.png'))


def is_done(img_out, mask_out):
    """Whether a pair was already written by a previous run.

    Args:
        img_out (str): Output image path (link or copy).
        mask_out (str): Output mask path.

    Returns:
        bool: True when both exist (a link must resolve).
    """
    return osp.isfile(mask_out) and osp.exists(img_out)


def build_tasks(coco, pairs, img_dir, out_dir, copy):
    """Build one task per kept pair not done yet.

    Args:
        coco (COCO): Loaded annotations.
        pairs (dict[int, list[int]]): Output of :func:`select_pairs`.
        img_dir (str): Folder of the COCO images.
        out_dir (str): Output root.
        copy (bool): Copy images instead of linking them.

    Returns:
        tuple[list[dict], int]: Pending tasks and the number skipped.
    """
    tasks, skipped = [], 0
    for cat_id, img_ids in pairs.items():
        category = folder_name(coco.cats[cat_id]['name'])
        for img_id in img_ids:
            img = coco.imgs[img_id]
            img_out, mask_out = pair_paths(out_dir, category,
                                           img['file_name'])
            if is_done(img_out, mask_out):
                skipped += 1
                continue
            anns = coco.loadAnns(
                coco.getAnnIds(imgIds=[img_id], catIds=[cat_id]))
            tasks.append(
                dict(
                    img=img,
                    anns=[a for a in anns if not a.get('iscrowd', 0)],
                    src=osp.abspath(osp.join(img_dir, img['file_name'])),
                    img_out=img_out,
                    mask_out=mask_out,
                    copy=copy))
    return tasks, skipped


def union_mask(img, anns):
    """Rasterise the union of instances with ``COCO.annToMask``.

    Args:
        img (dict): COCO image record (``id``, ``height``, ``width``).
        anns (list[dict]): Instances to merge.

    Returns:
        np.ndarray: uint8 mask of shape (H, W) with values 0/255.
    """
    coco = COCO()
    coco.imgs = {img['id']: img}
    mask = np.zeros((img['height'], img['width']), dtype=bool)
    for ann in anns:
        mask |= coco.annToMask(ann).astype(bool)
    return mask.astype(np.uint8) * 255


def place_image(src, dst, copy):
    """Link or copy a COCO image into the output tree.

    Args:
        src (str): Absolute source path.
        dst (str): Destination path; a stale entry is replaced.
        copy (bool): Copy instead of creating a symlink.
    """
    if osp.lexists(dst):
        os.remove(dst)
    if copy:
        shutil.copyfile(src, dst)
    else:
        os.symlink(src, dst)


def process_pair(task):
    """Write the image link and the mask of one pair.

    The mask is written last (atomically), so its presence marks the pair
    as done for resuming.

    Args:
        task (dict): A task from :func:`build_tasks`.

    Returns:
        str: The written mask path.
    """
    mkdir_or_exist(osp.dirname(task['img_out']))
    mkdir_or_exist(osp.dirname(task['mask_out']))
    place_image(task['src'], task['img_out'], task['copy'])
    mask = union_mask(task['img'], task['anns'])
    tmp = task['mask_out'] + '.tmp'
    Image.fromarray(mask).save(tmp, format='PNG')
    os.replace(tmp, task['mask_out'])
    return task['mask_out']


def run_tasks(tasks, nproc):
    """Process tasks with a progress bar.

    Args:
        tasks (list[dict]): Pending tasks.
        nproc (int): Number of worker processes.
    """
    if not tasks:
        return
    if nproc > 1:
        track_parallel_progress(process_pair, tasks, nproc)
    else:
        for task in track_iter_progress(tasks):
            process_pair(task)


def print_summary(coco, pairs, written, skipped):
    """Print the counts of the built set.

    Args:
        coco (COCO): Loaded annotations.
        pairs (dict[int, list[int]]): Kept pairs.
        written (int): Pairs written by this run.
        skipped (int): Pairs skipped as already done.
    """
    counts = sorted(((folder_name(coco.cats[c]['name']), len(ids))
                     for c, ids in pairs.items()),
                    key=lambda item: (-item[1], item[0]))
    print(f'\nCategories: {len(pairs)}')
    print(f'(category, image) pairs: {sum(n for _, n in counts)}')
    for name, num in counts:
        print(f'  {name}: {num}')
    print(f'Written: {written}')
    print(f'Skipped (already done): {skipped}')


def main(argv=None):
    """Entry point.

    Args:
        argv (list[str], optional): Arguments; ``sys.argv`` when None.
    """
    args = parse_args(argv)
    coco = COCO(args.ann_json)
    pairs = select_pairs(coco, args.min_area, args.min_images)
    tasks, skipped = build_tasks(coco, pairs, args.img_dir, args.out_dir,
                                 args.copy)
    run_tasks(tasks, args.nproc)
    print_summary(coco, pairs, len(tasks), skipped)


if __name__ == '__main__':
    main()
