"""Categories and shape geometry of the synthetic co-segmentation set.

A category's shape is a union/difference of polygons in the unit disc
(:func:`shape_parts`); :func:`shape_radius_factor` scales each shape to the
area of a square, so that size does not tell categories apart. Category
names outside :data:`DEFAULT_CATEGORIES` get a shape chosen by a stable,
process-independent hash of the name (:func:`_stable_hash`).
"""
from __future__ import annotations

import functools
import math
import zlib

import numpy as np
from PIL import Image, ImageDraw

DEFAULT_CATEGORIES = ('disc', 'square', 'triangle', 'star', 'ring', 'cross',
                      'hexagon', 'crescent')

Polygon = np.ndarray  # (K, 2) float array of unit-frame points


def _stable_hash(text: str) -> int:
    """Return a process-independent 32-bit hash of ``text``."""
    return zlib.crc32(text.encode('utf-8'))


def _regular_polygon(num: int, radius: float = 1.0,
                     phase: float = 0.0) -> Polygon:
    """Return the vertices of a regular polygon centred at the origin.

    Args:
        num (int): Number of vertices.
        radius (float): Circumradius.
        phase (float): Angle of the first vertex, in radians.

    Returns:
        np.ndarray: ``(num, 2)`` array of ``(x, y)`` points.
    """
    t = phase + 2 * np.pi * np.arange(num) / num
    return np.stack([radius * np.cos(t), radius * np.sin(t)], axis=1)


def _star(points: int = 5, outer: float = 1.0, inner: float = 0.45) -> Polygon:
    """Return the vertices of a star polygon with ``points`` tips."""
    t = -np.pi / 2 + np.pi * np.arange(2 * points) / points
    r = np.where(np.arange(2 * points) % 2 == 0, outer, inner)
    return np.stack([r * np.cos(t), r * np.sin(t)], axis=1)


def _cross(width: float = 0.34) -> Polygon:
    """Return the vertices of a plus sign with arms of half-width ``width``."""
    w = width
    return np.array([[-w, -1], [w, -1], [w, -w], [1, -w], [1, w], [w, w],
                     [w, 1], [-w, 1], [-w, w], [-1, w], [-1, -w], [-w, -w]],
                    dtype=np.float64)


def shape_parts(category: str) -> list[tuple[Polygon, bool]]:
    """Return the unit-frame outline of a category's shape.

    The shape fits in the unit disc. It is the union of the parts drawn
    with ``True`` minus the parts drawn with ``False``, in order.

    Args:
        category (str): Category name. Names outside
            ``DEFAULT_CATEGORIES`` get a shape chosen by a stable hash.

    Returns:
        list[tuple[np.ndarray, bool]]: ``(polygon, fill)`` pairs.
    """
    circle = _regular_polygon(64)
    shapes = {
        'disc': [(circle, True)],
        'square': [(_regular_polygon(4, phase=np.pi / 4), True)],
        'triangle': [(_regular_polygon(3, phase=-np.pi / 2), True)],
        'star': [(_star(), True)],
        'ring': [(circle, True), (_regular_polygon(64, 0.55), False)],
        'cross': [(_cross(), True)],
        'hexagon': [(_regular_polygon(6), True)],
        'crescent': [(circle, True),
                     (_regular_polygon(64, 0.85) + [0.45, 0.0], False)],
    }
    if category in shapes:
        return shapes[category]
    names = sorted(shapes)
    return shapes[names[_stable_hash(category) % len(names)]]


@functools.cache
def shape_radius_factor(category: str) -> float:
    """Return the radius factor giving a shape the area of a square.

    Args:
        category (str): Category name.

    Returns:
        float: ``sqrt(area(square) / area(shape))`` for unit-frame shapes.
    """
    res = 256
    canvas = Image.new('L', (res, res), 0)
    draw = ImageDraw.Draw(canvas)
    for poly, fill in shape_parts(category):
        pts = (poly + 1.0) * (res / 2)
        draw.polygon([tuple(p) for p in pts], fill=255 if fill else 0)
    area = np.count_nonzero(np.asarray(canvas)) * (2.0 / res)**2
    return math.sqrt(2.0 / area)
