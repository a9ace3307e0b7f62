"""Reading and binarising co-segmentation masks of any common encoding."""
import io
from typing import Optional

import numpy as np
from mmengine import fileio
from PIL import Image


def binarize_mask(mask: np.ndarray,
                  threshold: Optional[float] = None) -> np.ndarray:
    """Turn a decoded mask into {0, 1}.

    Handles 0/255, 0/1, boolean (1-bit PNG), palette indices, 16-bit and
    lossy JPEG masks. Colour masks are reduced to their per-pixel maximum
    over channels (R=G=B grey masks and coloured objects on black alike).

    Args:
        mask (np.ndarray): Mask of shape (H, W) or (H, W, C).
        threshold (float, optional): Values above it are foreground. By
            default 0.5 when all values are <= 1, half of 255 when the
            maximum is <= 255 (8-bit, also for lossy JPEG), else half of
            65535.

    Returns:
        np.ndarray: uint8 array of shape (H, W) with values 0 and 1.
    """
    if mask.ndim == 3:
        mask = mask.max(axis=2)
    if mask.ndim != 2:
        raise ValueError(f'Expected a mask of shape (H, W) or (H, W, C), got '
                         f'{mask.shape}.')
    if mask.dtype == bool:
        return mask.astype(np.uint8)
    if threshold is None:
        peak = float(mask.max()) if mask.size else 0.0
        threshold = 0.5 if peak <= 1 else 127.5 if peak <= 255 else 32767.5
    return (mask > threshold).astype(np.uint8)


def binarize_palette_indices(indices: np.ndarray) -> np.ndarray:
    """Foreground of a palette (indexed) mask.

    Index 0 is background. When other indices than 0 and 255 occur,
    255 is the VOC-style "void" border and counts as background too;
    a mask holding only 0 and 255 uses 255 as foreground.

    Args:
        indices (np.ndarray): Palette indices, shape (H, W).

    Returns:
        np.ndarray: uint8 array (H, W) in {0, 1}.
    """
    values = np.unique(indices)
    fg = indices != 0
    if np.any((values != 0) & (values != 255)):
        fg &= indices != 255
    return fg.astype(np.uint8)


def read_mask(path: str,
              threshold: Optional[float] = None,
              backend_args: Optional[dict] = None) -> np.ndarray:
    """Read a mask file and binarise it.

    Palette images are read as their palette indices (see
    :func:`binarize_palette_indices`); alpha channels are dropped.

    Args:
        path (str): Mask file.
        threshold (float, optional): See :func:`binarize_mask`.
        backend_args (dict, optional): mmengine file backend arguments.

    Returns:
        np.ndarray: uint8 array (H, W) in {0, 1}.

    Raises:
        ValueError: When the file cannot be decoded as an image.
    """
    try:
        with Image.open(io.BytesIO(fileio.get(path, backend_args))) as img:
            if img.mode in ('RGBA', 'LA', 'PA'):
                img = img.convert('RGB' if img.mode == 'RGBA' else 'L')
            elif img.mode == 'CMYK':
                img = img.convert('RGB')
            elif img.mode == 'P':
                return binarize_palette_indices(np.asarray(img))
            array = np.asarray(img)
    except (OSError, SyntaxError) as err:
        raise ValueError(f'Cannot read mask {path}: {err}') from err
    return binarize_mask(array, threshold)
