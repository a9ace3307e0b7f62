"""Read one uploaded file as an image, with the demo's size limit."""
import os.path as osp

import numpy as np
from PIL import Image, UnidentifiedImageError

from mmcoseg.apis.inference import load_image


def read_upload(path: str, max_pixels: int) -> np.ndarray:
    """Read an uploaded file as an RGB uint8 image.

    The pixel count is read from the file header first, so an image over
    the limit is refused before it is decoded.

    Args:
        path (str): The uploaded file.
        max_pixels (int): Largest accepted width x height.

    Returns:
        np.ndarray: The RGB image, as :func:`~mmcoseg.apis.load_image`
        reads it.

    Raises:
        ValueError: The file is not a readable image or is too large; the
            message names the file (its base name) and says why.
    """
    name = osp.basename(path)
    try:
        with Image.open(path) as pil:
            width, height = pil.size
    except (OSError, UnidentifiedImageError, SyntaxError, ValueError,
            Image.DecompressionBombError) as exc:
        raise ValueError(f'{name}: not a readable image ({exc})') from exc
    if width * height > max_pixels:
        raise ValueError(
            f'{name}: {width} x {height} pixels '
            f'({width * height / 1e6:.1f} MP) is more than the limit of '
            f'{max_pixels / 1e6:.1f} MP; downscale it first')
    try:
        return load_image(path)
    except ValueError as exc:
        cause = exc.__cause__ if exc.__cause__ is not None else exc
        raise ValueError(f'{name}: not a readable image ({cause})') from exc
