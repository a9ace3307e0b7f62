"""What the pasted objects of a distractor set cost a model, and why.

Compares a model's predictions on a distractor set
(``tools/dataset_converters/make_distractor_set.py``) with its predictions
on the clean source images (both written by ``tools/test.py --out DIR``:
``DIR/<category>/<stem>.png``) and prints J (the paper protocol: the mean
over categories of the per-image Jaccard) of:

* ``distractors``: the distractor predictions (what the benchmark reports);
* ``distractors, pasted pixels removed``: the same with every pasted pixel
  set to background, i.e. a model that leaves every pasted object out
  perfectly and segments the rest as it does;
* ``clean, pasted pixels removed``: the clean predictions with the pasted
  pixels removed, scored against the distractor labels: a model the pastes
  do not disturb at all;
* ``clean``: the clean predictions on the clean labels;

and the share of the pasted pixels predicted foreground. The gap between
the first two is what the model loses by segmenting pasted objects; the
gap between the next two, what the pastes cost its segmentation of the
shared object itself.

The pasted pixels are found as the pixels that differ between the
distractor image and its source (largest channel difference above
``--diff-threshold`` after a 5x5 median filter, then a 7x7 closing), as the
set's manifest does not store the pasted masks: JPEG noise stays below the
threshold, a pasted pixel of nearly the source's colour is missed, and
JPEG's colour subsampling can add a ring of about a pixel around a pasted
object of a strong colour (about 0.5 J on the PASCAL sets).

Example::

    python tools/test.py CONFIG CKPT --out work_dirs/pred/clean
    python tools/test.py CONFIG CKPT --out work_dirs/pred/distractors \\
        --cfg-options test_dataloader.dataset.data_root=DISTRACTOR_ROOT \\
        test_dataloader.dataset.split=None
    python tools/analysis_tools/paste_cost.py data/pascal_voc_coseg \\
        DISTRACTOR_ROOT work_dirs/pred/clean work_dirs/pred/distractors
"""
import argparse
import json
import os.path as osp
from collections import defaultdict
from typing import Dict, List, Optional, Sequence

import cv2
import numpy as np

from mmcoseg.datasets.mask_io import read_mask
from mmcoseg.evaluation.functional import image_pj_counts, summarize_pj
from mmcoseg.utils.markdown import markdown_table

#: Row names, in the printed order.
ROWS = ('distractors', 'distractors, pasted pixels removed',
        'clean, pasted pixels removed', 'clean')


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    """Command-line arguments."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('source_root', help='the clean set the distractor '
                        'set was made from (its manifest names images '
                        'relative to it)')
    parser.add_argument('distractor_root', help='the distractor set')
    parser.add_argument('clean_pred', help='tools/test.py --out folder of '
                        'the clean test images')
    parser.add_argument('distractor_pred', help='tools/test.py --out folder '
                        'of the distractor set')
    parser.add_argument('--seg-map-suffix', default='.png',
                        help="the source set's mask suffix (as "
                        'make_distractor_set.py was given it)')
    parser.add_argument('--diff-threshold', type=int, default=40,
                        help='grey levels that make a pixel pasted')
    parser.add_argument('--out', help='also write the results as JSON')
    return parser.parse_args(argv)


def pasted_pixels(source: np.ndarray, distractor: np.ndarray,
                  threshold: int = 40) -> np.ndarray:
    """Pixels where an object was pasted over the source image.

    Args:
        source (np.ndarray): Source image, H x W x 3, uint8.
        distractor (np.ndarray): The same image with pasted objects.
        threshold (int): Smallest channel difference of a pasted pixel.

    Returns:
        np.ndarray: Bool mask, H x W.
    """
    if source.shape != distractor.shape:
        raise ValueError(f'image sizes differ: {source.shape} (source) vs '
                         f'{distractor.shape} (distractor)')
    diff = np.abs(source.astype(np.int16) - distractor.astype(np.int16))
    diff = cv2.medianBlur(diff.max(axis=2).astype(np.uint8), 5)
    # outside the image is not pasted (OpenCV's default border would let
    # the closing's erosion fill the gap between an object and the edge)
    closed = cv2.morphologyEx((diff > threshold).astype(np.uint8),
                              cv2.MORPH_CLOSE, np.ones((7, 7), np.uint8),
                              borderType=cv2.BORDER_CONSTANT, borderValue=0)
    return closed.astype(bool)


def _read(path: str, flag: int = cv2.IMREAD_UNCHANGED) -> np.ndarray:
    img = cv2.imread(path, flag)
    if img is None:
        raise FileNotFoundError(f'cannot read {path}')
    return img


def paste_cost(source_root: str,
               distractor_root: str,
               clean_pred: str,
               distractor_pred: str,
               threshold: int = 40,
               seg_map_suffix: str = '.png') -> Dict[str, float]:
    """J of the four rows of :data:`ROWS` and the pasted share kept.

    Args:
        source_root (str): The clean set.
        distractor_root (str): The distractor set (with ``manifest.json``).
        clean_pred (str): Predictions on the clean images.
        distractor_pred (str): Predictions on the distractor images.
        threshold (int): See :func:`pasted_pixels`.
        seg_map_suffix (str): Mask suffix of the source set.

    Returns:
        dict: Each row's J in percent, ``pasted kept`` (the mean over
        images of the share of pasted pixels predicted foreground, in
        percent) and ``images``.
    """
    manifest_path = osp.join(distractor_root, 'manifest.json')
    with open(manifest_path) as f:
        images = json.load(f)['images']
    records: Dict[str, Dict[str, List[dict]]] = {
        row: defaultdict(list) for row in ROWS}
    kept = []
    for key, info in sorted(images.items()):
        category, stem = key.split('/')
        source = osp.join(source_root, info['source'])
        pasted = pasted_pixels(
            _read(source, cv2.IMREAD_COLOR),
            _read(osp.join(distractor_root, key + '.jpg'), cv2.IMREAD_COLOR),
            threshold)
        gt_dis = read_mask(osp.join(distractor_root, key + '.png'))
        gt_clean = read_mask(osp.splitext(source)[0] + seg_map_suffix)
        dis = _read(osp.join(distractor_pred, key + '.png')) > 0
        clean = _read(osp.join(clean_pred, key + '.png')) > 0
        for row, pred, gt in zip(ROWS, (dis, dis & ~pasted, clean & ~pasted,
                                        clean),
                                 (gt_dis, gt_dis, gt_dis, gt_clean)):
            tp, fp, fn, tn = image_pj_counts(pred.astype(np.uint8), gt)
            records[row][category].append(dict(tp=tp, fp=fp, fn=fn, tn=tn))
        if pasted.any():
            kept.append((dis & pasted).sum() / pasted.sum())
    # J as CoSegMetric reports it (the paper protocol)
    result = {
        row: round(100 * summarize_pj(records[row], 'paper').ave[1], 2)
        for row in ROWS
    }
    result['pasted kept'] = round(100 * float(np.mean(kept)), 1)
    result['images'] = len(images)
    return result


def main(argv: Optional[Sequence[str]] = None) -> None:
    args = parse_args(argv)
    result = paste_cost(args.source_root, args.distractor_root,
                        args.clean_pred, args.distractor_pred,
                        args.diff_threshold, args.seg_map_suffix)
    print(markdown_table([{'predictions': row, 'J': result[row]}
                          for row in ROWS], ['predictions', 'J']))
    print(f'pasted pixels predicted foreground: {result["pasted kept"]}% '
          f'(mean over {result["images"]} images)')
    if args.out:
        with open(args.out, 'w') as f:
            json.dump(result, f, indent=2)


if __name__ == '__main__':
    main()
