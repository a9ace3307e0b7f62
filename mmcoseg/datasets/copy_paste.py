"""Cut an object out of one image with its mask and paste it into another.

Shared by the training transform :class:`GroupCopyPaste` and the distractor
benchmark builder ``tools/dataset_converters/make_distractor_set.py``, so
training distractors and test distractors are made the same way.
"""
from typing import Optional, Tuple

import mmcv
import numpy as np

#: Placements tried before the least occluding one is taken.
_MAX_TRIES = 20


def cut_object(img: np.ndarray,
               mask: np.ndarray) -> Optional[Tuple[np.ndarray, np.ndarray]]:
    """Crop an image and its foreground mask to the mask's bounding box.

    Args:
        img (np.ndarray): Image, H x W x C.
        mask (np.ndarray): Mask, H x W; foreground is ``== 1`` (other
            values, e.g. 255 for void, are not part of the object).

    Returns:
        tuple[np.ndarray, np.ndarray] | None: The crop and its boolean
        object mask, or None when the mask has no foreground.
    """
    fg = mask == 1
    rows = np.flatnonzero(fg.any(axis=1))
    cols = np.flatnonzero(fg.any(axis=0))
    if rows.size == 0:
        return None
    r0, r1, c0, c1 = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
    return img[r0:r1, c0:c1].copy(), fg[r0:r1, c0:c1].copy()


def paste_object(img: np.ndarray,
                 mask: np.ndarray,
                 obj: Tuple[np.ndarray, np.ndarray],
                 rng: np.random.Generator,
                 label: int = 0,
                 scale_range: Tuple[float, float] = (0.3, 0.6),
                 max_occlusion: float = 0.5) -> np.ndarray:
    """Paste an object at a random scale and position (in place).

    The object's longer side becomes ``s * min(H, W)`` with ``s`` drawn
    from ``scale_range``; it lies wholly inside the image. Pixels under the
    object take the object's colour and the mask value ``label`` (0: a
    distractor of another category, labelled background; 1: an object of
    the target category). Placements that would hide more than
    ``max_occlusion`` of the existing foreground are avoided when possible
    (up to a few tries, then the least occluding one is used).

    Args:
        img (np.ndarray): Target image, H x W x C, changed in place.
        mask (np.ndarray): Target mask, H x W, changed in place.
        obj (tuple[np.ndarray, np.ndarray]): Object crop and boolean mask
            from :func:`cut_object`.
        rng (np.random.Generator): Source of randomness.
        label (int): Mask value of the pasted pixels.
        scale_range (tuple[float, float]): Range of the object's longer
            side as a fraction of the image's shorter side.
        max_occlusion (float): Largest wanted fraction of the existing
            foreground covered by the paste.

    Returns:
        np.ndarray: Boolean H x W map of the pasted pixels.
    """
    h, w = mask.shape[:2]
    crop, crop_mask = obj
    scale = rng.uniform(*scale_range) * min(h, w) / max(crop.shape[:2])
    oh = int(np.clip(round(crop.shape[0] * scale), 1, h))
    ow = int(np.clip(round(crop.shape[1] * scale), 1, w))
    crop = mmcv.imresize(crop, (ow, oh), interpolation='bilinear')
    crop_mask = mmcv.imresize(
        crop_mask.astype(np.uint8), (ow, oh),
        interpolation='nearest').astype(bool)
    fg = mask == 1
    fg_total = max(int(fg.sum()), 1)
    best = None
    for _ in range(_MAX_TRIES):
        top = int(rng.integers(0, h - oh + 1))
        left = int(rng.integers(0, w - ow + 1))
        hidden = (fg[top:top + oh, left:left + ow] & crop_mask).sum()
        occlusion = hidden / fg_total
        if best is None or occlusion < best[0]:
            best = (occlusion, top, left)
        if occlusion <= max_occlusion:
            break
    _, top, left = best
    region = np.zeros((h, w), dtype=bool)
    region[top:top + oh, left:left + ow] = crop_mask
    img[region] = crop[crop_mask].reshape(-1, *img.shape[2:])
    mask[region] = label
    return region
