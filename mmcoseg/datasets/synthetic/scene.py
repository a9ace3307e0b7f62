"""Object layout and painting: one synthetic co-segmentation sample.

:func:`generate_sample` draws one image, its co-segmentation mask and its
object list. Every image holds one (sometimes two) object(s) of its own
category, the foreground, plus one or two equally salient distractor
objects of other categories (:func:`_sample_objects`), placed so that they
overlap only partially (:func:`_place`, :func:`_compose`) and painted with
their category's texture (:func:`_paint`) on a cluttered background.

Every sample is drawn from its own ``numpy.random.default_rng`` seeded by
``(seed, split, category, index)``, so the files do not depend on the order
of generation nor on the number of images requested.
"""
from __future__ import annotations

import math
import os
from collections.abc import Sequence

import numpy as np
from PIL import Image, ImageDraw

from .shapes import (
    DEFAULT_CATEGORIES,
    _stable_hash,
    shape_parts,
    shape_radius_factor,
)
from .textures import (
    _background,
    _object_colours,
    _texture_pattern,
    texture_spec,
)

# Object size as a fraction of the shorter image side: the diameter of the
# bounding circle of a square; other shapes are scaled to the same area, so
# that size does not tell categories apart.
SCALE_RANGE = (0.3, 0.55)
# Minimum visible fraction of every object after occlusion.
MIN_VISIBLE = 0.55
# Minimum distance between two object centres, as a fraction of the sum of
# their radii (< 1: bounding circles may overlap).
MIN_CENTER_GAP = 0.65
_MAX_LAYOUT_TRIES = 30
_MIN_IMAGE_SIDE = 32


def _check_categories(categories: Sequence[str]) -> None:
    """Raise ValueError unless ``categories`` are >= 2 unique safe names."""
    if len(categories) < 2:
        raise ValueError('need at least 2 categories (distractors come from '
                         f'the other categories), got {list(categories)}')
    if len(set(categories)) != len(categories):
        raise ValueError(f'duplicate categories in {list(categories)}')
    for name in categories:
        if not name or os.sep in name or '/' in name or name.startswith('.'):
            raise ValueError(f'invalid category name {name!r}')


def _check_image_size(image_size: Sequence[int]) -> tuple[int, int]:
    """Validate ``image_size`` and return it as ``(min, max)`` ints."""
    if len(image_size) != 2:
        raise ValueError(f'image_size must be (min, max), got {image_size}')
    lo, hi = (int(s) for s in image_size)
    if lo < _MIN_IMAGE_SIDE or hi < lo:
        raise ValueError(f'image_size must be (min, max) with '
                         f'{_MIN_IMAGE_SIDE} <= min <= max, got {image_size}')
    return lo, hi


def _object_mask(category: str, height: int, width: int, center: tuple,
                 radius: float, angle: float, aspect: float) -> np.ndarray:
    """Rasterise one object's full (unoccluded) silhouette.

    Args:
        category (str): Category name (selects the shape).
        height (int): Image height.
        width (int): Image width.
        center (tuple): ``(x, y)`` centre in pixels.
        radius (float): Bounding-circle radius in pixels.
        angle (float): Rotation in degrees.
        aspect (float): Ratio of the x to the y scale in the object frame.

    Returns:
        np.ndarray: ``(height, width)`` bool mask.
    """
    a = math.radians(angle)
    rot = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
    scale = np.array([radius * math.sqrt(aspect), radius / math.sqrt(aspect)])
    canvas = Image.new('L', (width, height), 0)
    draw = ImageDraw.Draw(canvas)
    for poly, fill in shape_parts(category):
        pts = (poly * scale) @ rot.T + np.asarray(center)
        draw.polygon([tuple(p) for p in pts], fill=255 if fill else 0)
    return np.asarray(canvas) > 0


def _object_frame(shape: tuple, center: tuple,
                  angle: float) -> tuple[np.ndarray, np.ndarray]:
    """Return the object-frame coordinates of every pixel.

    Args:
        shape (tuple): ``(height, width)`` of the image.
        center (tuple): ``(x, y)`` object centre in pixels.
        angle (float): Object rotation in degrees.

    Returns:
        tuple[np.ndarray, np.ndarray]: ``u`` and ``v`` coordinate arrays.
    """
    ys, xs = np.mgrid[0:shape[0], 0:shape[1]].astype(np.float64)
    dx, dy = xs - center[0], ys - center[1]
    a = math.radians(angle)
    u = dx * math.cos(a) + dy * math.sin(a)
    v = -dx * math.sin(a) + dy * math.cos(a)
    return u, v


def _sample_objects(rng: np.random.Generator, category: str,
                    categories: Sequence[str]) -> list[dict]:
    """Choose the categories of the objects in one image.

    Args:
        rng (np.random.Generator): Sample generator.
        category (str): Foreground category of the image.
        categories (Sequence[str]): All categories.

    Returns:
        list[dict]: One dict per object with ``category`` and
        ``foreground``, in drawing order.
    """
    others = [c for c in categories if c != category]
    num_fg = 2 if rng.random() < 0.2 else 1
    num_bg = min(len(others), 2 if rng.random() < 0.5 else 1)
    picked = rng.choice(len(others), size=num_bg, replace=False)
    objects = [{'category': category, 'foreground': True}] * num_fg
    objects += [{'category': others[i], 'foreground': False} for i in picked]
    order = rng.permutation(len(objects))
    return [dict(objects[i]) for i in order]


def _far_enough(center: tuple, radius: float, placed: list[dict]) -> bool:
    """Return whether a circle overlaps placed objects only partially."""
    return all(
        math.dist(center, o['center']) >= MIN_CENTER_GAP *
        (radius + o['radius']) for o in placed)


def _place(rng: np.random.Generator, objects: list[dict], height: int,
           width: int, shrink: float) -> None:
    """Draw position, size, rotation and aspect of every object in place.

    Centres are kept apart so that objects overlap only partially.

    Args:
        rng (np.random.Generator): Sample generator.
        objects (list[dict]): Objects to place; gain ``center``,
            ``radius``, ``angle`` and ``aspect``.
        height (int): Image height.
        width (int): Image width.
        shrink (float): Factor on the drawn sizes (lowered on retries).
    """
    side = min(height, width)
    placed: list[dict] = []
    for obj in objects:
        radius = (0.5 * side * shrink * rng.uniform(*SCALE_RANGE) *
                  shape_radius_factor(obj['category']))
        radius = min(radius, 0.5 * side - 1)
        for _ in range(20):
            center = (rng.uniform(radius, width - radius),
                      rng.uniform(radius, height - radius))
            if _far_enough(center, radius, placed):
                break
        obj.update(center=center, radius=radius,
                   angle=rng.uniform(0, 360), aspect=rng.uniform(0.85, 1.18))
        placed.append(obj)


def _compose(objects: list[dict], height: int,
             width: int) -> np.ndarray | None:
    """Rasterise the objects and return their visible label map.

    Args:
        objects (list[dict]): Placed objects in drawing order; gain
            ``mask`` (full silhouette), ``area`` and ``visible``.
        height (int): Image height.
        width (int): Image width.

    Returns:
        np.ndarray | None: ``(height, width)`` int map holding ``k + 1``
        where object ``k`` is visible and 0 elsewhere, or None when some
        object is occluded by more than ``1 - MIN_VISIBLE``.
    """
    labels = np.zeros((height, width), dtype=np.int32)
    for k, obj in enumerate(objects):
        obj['mask'] = _object_mask(obj['category'], height, width,
                                   obj['center'], obj['radius'], obj['angle'],
                                   obj['aspect'])
        labels[obj['mask']] = k + 1
    for k, obj in enumerate(objects):
        obj['area'] = int(obj['mask'].sum())
        obj['visible'] = int((labels == k + 1).sum())
        if obj['area'] == 0 or obj['visible'] < MIN_VISIBLE * obj['area']:
            return None
    return labels


def _paint(rng: np.random.Generator, image: np.ndarray, objects: list[dict],
           labels: np.ndarray) -> None:
    """Paint every object's texture on its visible pixels, in place.

    Args:
        rng (np.random.Generator): Sample generator.
        image (np.ndarray): ``(H, W, 3)`` float image.
        objects (list[dict]): Composed objects.
        labels (np.ndarray): Visible label map from :func:`_compose`.
    """
    for k, obj in enumerate(objects):
        family, params = texture_spec(obj['category'])
        c1, c2 = _object_colours(rng, obj['category'])
        # Random texture phase so the pattern is not locked to the centre.
        u, v = _object_frame(labels.shape, obj['center'], obj['angle'])
        u = u + rng.uniform(0, 32)
        v = v + rng.uniform(0, 32)
        weight = _texture_pattern(family, params, u, v)[..., None]
        texture = c1 * (1 - weight) + c2 * weight
        visible = labels == k + 1
        image[visible] = texture[visible]


def generate_sample(split: str, category: str, index: int,
                    categories: Sequence[str] = DEFAULT_CATEGORIES,
                    image_size: tuple[int, int] = (128, 192),
                    seed: int = 0) -> tuple[np.ndarray, np.ndarray,
                                            list[dict]]:
    """Generate one image, its co-segmentation mask and its object list.

    The result depends only on the arguments (not on any other sample).

    Args:
        split (str): Split name, e.g. ``'train'``.
        category (str): Foreground category of the image.
        index (int): Index of the image within its split and category.
        categories (Sequence[str]): All categories (distractors are drawn
            from the others).
        image_size (tuple[int, int]): ``(min, max)`` of the height and of
            the width, each drawn independently.
        seed (int): Dataset seed.

    Returns:
        tuple: ``(image, mask, objects)`` where ``image`` is an
        ``(H, W, 3)`` uint8 RGB array, ``mask`` an ``(H, W)`` uint8 array
        with 255 on the visible pixels of ``category`` objects and 0
        elsewhere, and ``objects`` a list (in drawing order) of dicts with
        ``category``, ``foreground``, ``center`` (x, y), ``radius``,
        ``angle``, ``aspect``, ``area`` (full silhouette pixels) and
        ``visible`` (pixels left after occlusion).
    """
    categories = list(categories)
    _check_categories(categories)
    if category not in categories:
        raise ValueError(f'category {category!r} not in {categories}')
    lo, hi = _check_image_size(image_size)
    rng = np.random.default_rng(
        [seed, _stable_hash(split), _stable_hash(category), index])
    height = int(rng.integers(lo, hi + 1))
    width = int(rng.integers(lo, hi + 1))
    image = _background(rng, height, width)

    objects = _sample_objects(rng, category, categories)
    labels = None
    for attempt in range(_MAX_LAYOUT_TRIES):
        _place(rng, objects, height, width, shrink=0.97**attempt)
        labels = _compose(objects, height, width)
        if labels is not None:
            break
    if labels is None:  # pragma: no cover - needs absurd occlusion luck
        # Keep only the first foreground object and the first distractor,
        # drawn side by side at the smallest size: always valid.
        fg = next(o for o in objects if o['foreground'])
        bg = next(o for o in objects if not o['foreground'])
        objects = [fg, bg]
        side = min(height, width)
        for obj, x in ((fg, 0.25), (bg, 0.75)):
            r = 0.5 * side * SCALE_RANGE[0] * min(
                1.0, shape_radius_factor(obj['category']))
            obj.update(center=(width * x, height * 0.5), radius=r)
        labels = _compose(objects, height, width)

    _paint(rng, image, objects, labels)
    image = image + rng.normal(0.0, 4.0, size=image.shape)
    image = np.clip(np.rint(image), 0, 255).astype(np.uint8)
    fg_ids = [k + 1 for k, o in enumerate(objects) if o['foreground']]
    mask = np.where(np.isin(labels, fg_ids), 255, 0).astype(np.uint8)
    for obj in objects:
        obj.pop('mask', None)
        obj['center'] = tuple(float(c) for c in obj['center'])
    return image, mask, objects
