"""Files written by :class:`mmcoseg.evaluation.CoSegMetric`.

* :func:`save_mask_png`: a prediction as an 8-bit 0/255 PNG mask;
* :func:`write_per_image_csv`: the per-image scores as a CSV file, written
  atomically.
"""
import csv
import os
import os.path as osp
from typing import Iterable, Tuple, Union

import numpy as np
from mmengine.utils import mkdir_or_exist
from PIL import Image
from torch import Tensor

from .pj_counts import as_2d_tensor

__all__ = [
    'PER_IMAGE_CSV', 'PER_IMAGE_FIELDS', 'save_mask_png', 'write_per_image_csv'
]

#: Name of the per-image score file written under ``output_dir``.
PER_IMAGE_CSV = 'per_image_scores.csv'

#: Header of :data:`PER_IMAGE_CSV`.
PER_IMAGE_FIELDS = ('category_name', 'img_path', 'P', 'J')


def save_mask_png(pred: Union[Tensor, np.ndarray], path: str) -> None:
    """Write a predicted map as an 8-bit mask (0 background, 255 fg).

    Args:
        pred (Union[Tensor, np.ndarray]): ``(H, W)`` or ``(1, H, W)`` map;
            any non-zero value is foreground.
        path (str): Output PNG path; its folder is created if needed.
    """
    fg = as_2d_tensor(pred, 'pred').cpu().numpy() != 0
    mkdir_or_exist(osp.dirname(path) or '.')
    Image.fromarray(fg.astype(np.uint8) * 255, 'L').save(path)


def write_per_image_csv(rows: Iterable[Tuple[str, str, float, float]],
                        path: str) -> None:
    """Write per-image scores as a CSV file, atomically.

    The rows go to a temporary file in the folder of ``path``, which then
    replaces ``path`` (:func:`os.replace`), so a reader never sees a partial
    file. Scores are written with :func:`repr` precision (not rounded).

    Args:
        rows (Iterable[Tuple[str, str, float, float]]): ``(category_name,
            img_path, P, J)`` rows, P and J in percent.
        path (str): Output CSV path; its folder is created if needed.
    """
    mkdir_or_exist(osp.dirname(osp.abspath(path)))
    # Same folder (os.replace stays on one file system), the usual file
    # permissions (unlike tempfile.mkstemp's 0600).
    tmp_path = f'{path}.{os.getpid()}.tmp'
    try:
        with open(tmp_path, 'w', newline='', encoding='utf-8') as f:
            writer = csv.writer(f)
            writer.writerow(PER_IMAGE_FIELDS)
            for name, img_path, precision, jaccard in rows:
                writer.writerow(
                    [name, img_path,
                     repr(float(precision)),
                     repr(float(jaccard))])
        os.replace(tmp_path, path)
    except BaseException:
        if osp.exists(tmp_path):
            os.remove(tmp_path)
        raise
