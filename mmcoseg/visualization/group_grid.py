"""Render a co-segmentation group as one picture."""
from typing import List, Optional, Sequence

import cv2
import numpy as np


def _fit_height(image: np.ndarray, height: int) -> np.ndarray:
    h, w = image.shape[:2]
    width = max(1, round(w * height / h))
    return cv2.resize(image, (width, height), interpolation=cv2.INTER_AREA)


def group_grid(rows: Sequence[Sequence[np.ndarray]],
               height: int = 160,
               gap: int = 4,
               row_titles: Optional[Sequence[str]] = None) -> np.ndarray:
    """Tile the pictures of a group: one row per kind, one column per image.

    Args:
        rows (Sequence[Sequence[np.ndarray]]): Rows of RGB images (e.g.
            inputs, ground-truth overlays, predicted overlays); every row
            has one image per group member, of any size.
        height (int): Height each image is resized to. Defaults to 160.
        gap (int): White gap between tiles in pixels. Defaults to 4.
        row_titles (Sequence[str], optional): Text written at the left of
            each row's first tile.

    Returns:
        np.ndarray: The grid, RGB uint8.
    """
    lines: List[np.ndarray] = []
    for r, row in enumerate(rows):
        tiles = [_fit_height(np.asarray(img, np.uint8), height) for img in row]
        if row_titles is not None:
            tiles[0] = tiles[0].copy()
            cv2.putText(tiles[0], row_titles[r], (4, height - 6),
                        cv2.FONT_HERSHEY_SIMPLEX, 0.45, (255, 255, 255), 1,
                        cv2.LINE_AA)
        spacer = np.full((height, gap, 3), 255, np.uint8)
        parts = []
        for tile in tiles:
            parts += [tile, spacer]
        lines.append(np.concatenate(parts[:-1], axis=1))
    width = max(line.shape[1] for line in lines)
    padded = []
    for line in lines:
        pad = np.full((height, width - line.shape[1], 3), 255, np.uint8)
        padded += [np.concatenate([line, pad], axis=1),
                   np.full((gap, width, 3), 255, np.uint8)]
    return np.concatenate(padded[:-1], axis=0)
