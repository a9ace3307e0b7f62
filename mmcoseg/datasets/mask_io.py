"""Reading and binarising co-segmentation masks of any common encoding."""
import io
import warnings
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
            lossy = img.format == 'JPEG'
            if img.mode in ('RGBA', 'LA', 'PA'):
                img = img.convert('RGB' if img.mode == 'RGBA' else 'L')
            elif img.mode == 'CMYK':
                img = img.convert('RGB')
            elif img.mode == 'P':
                return binarize_palette_indices(np.asarray(img))
            array = np.asarray(img)
    except (OSError, SyntaxError) as err:
        raise ValueError(f'Cannot read mask {path}: {err}') from err
    mask = binarize_mask(array, threshold)
    if threshold is None and not lossy:
        warn_ambiguous_mask(path, array, mask)
    return mask


class AmbiguousMaskWarning(UserWarning):
    """A mask whose automatic binarisation is probably not what is meant."""


def warn_ambiguous_mask(path: str, array: np.ndarray,
                        mask: np.ndarray) -> Optional[str]:
    """Warn when the automatic threshold likely misreads a lossless mask.

    Two encodings are ambiguous: non-zero values that all fall below the
    automatic threshold (e.g. class indices ``{0, 15}`` saved as grey,
    read as all background), and 8-bit masks that mix 255 with small
    values (e.g. VOC ``{0, 1, 255}`` with 255 as the void border, read as
    the border only). Such masks are still read with the documented
    threshold, but never silently: the warning names the file, its values
    and the fix.

    Args:
        path (str): The mask file, for the message.
        array (np.ndarray): The decoded values.
        mask (np.ndarray): The binarised mask.

    Returns:
        str | None: The warning message, or None when there was none.
    """
    if array.ndim == 3:
        array = array.max(axis=2)
    if array.dtype == bool or not np.issubdtype(array.dtype, np.integer):
        return None
    peak = int(array.max()) if array.size else 0
    if peak <= 1:
        return None
    message = None
    if not mask.any():
        message = (f'all its non-zero values (max {peak}) are below the '
                   'automatic threshold, so it reads as all background')
    elif array.dtype == np.uint8 and peak == 255:
        counts = np.bincount(array.ravel(), minlength=256)
        small = np.flatnonzero(counts[1:128]) + 1
        if small.size:
            message = (f'it mixes 255 with small values '
                       f'{small[:8].tolist()}; only the values above 127 '
                       'are read as foreground')
    if message is None:
        return None
    message = (f'Mask {path}: {message}. If its non-zero values are labels '
               '(and 255 a void border), save it as a palette PNG or 0/255, '
               'or set LoadCoSegAnnotation(threshold=...) explicitly.')
    warnings.warn(message, AmbiguousMaskWarning, stacklevel=3)
    return message
