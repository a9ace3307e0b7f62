"""Deterministic synthetic co-segmentation dataset (no downloads).

Every image holds one (sometimes two) object(s) of its own category, which
is the foreground, plus one or two equally salient distractor objects of
other categories, on a cluttered textured background. Only the category
shared by the group (the folder) is foreground in the mask, so a
single-image saliency model cannot solve the task.

A category has its own shape, texture pattern and hue family (the primary
colour's hue is jittered around a per-category value; the secondary colour
is random), so a small network trained for minutes on a CPU can learn the
categories; the distractors are drawn the same way, so recognising objects
is not enough: only the category that recurs in every image of the group is
foreground.

Layout written under ``out_dir``::

    train/images/<category>/<category>_<NNNN>.jpg   (JPEG, quality 95)
    train/masks/<category>/<category>_<NNNN>.png    (8-bit L, values 0/255)
    test/...                                        (same)
    meta.json                                       (written last)

Every sample is drawn from its own ``numpy.random.default_rng`` seeded by
``(seed, split, category, index)``, so the files do not depend on the order
of generation nor on the number of images requested.
"""
from __future__ import annotations

import functools
import json
import math
import os
import os.path as osp
import shutil
import zlib
from collections.abc import Sequence

import numpy as np
from PIL import Image, ImageDraw

GENERATOR_VERSION = 2
SPLITS = ('train', 'test')
META_FILE = 'meta.json'
JPEG_QUALITY = 95

DEFAULT_CATEGORIES = ('disc', 'square', 'triangle', 'star', 'ring', 'cross',
                      'hexagon', 'crescent')

# Texture family and parameters (pixel units) per category. Families are
# shared between some categories on purpose: only shape + texture together
# identify a category.
TEXTURES: dict[str, tuple[str, dict]] = {
    'disc': ('stripes', {'period': 6.0, 'angle': 0.0}),
    'square': ('checker', {'period': 8.0}),
    'triangle': ('dots', {'period': 7.0, 'radius': 2.0}),
    'star': ('solid', {}),
    'ring': ('stripes', {'period': 11.0, 'angle': 90.0}),
    'cross': ('grid', {'period': 7.0, 'width': 2.0}),
    'hexagon': ('dots', {'period': 11.0, 'radius': 3.5}),
    'crescent': ('waves', {
        'period': 8.0,
        'amplitude': 3.0,
        'wavelength': 14.0
    }),
}
# Texture used for a user-supplied category name without an entry above,
# chosen by a stable hash of the name.
_FALLBACK_TEXTURES = tuple(TEXTURES.values())

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

Polygon = np.ndarray  # (K, 2) float array of unit-frame points


# --------------------------------------------------------------------------
# Shapes
# --------------------------------------------------------------------------
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


def texture_spec(category: str) -> tuple[str, dict]:
    """Return the texture family and parameters of a category.

    Args:
        category (str): Category name.

    Returns:
        tuple[str, dict]: Family name and its parameters.
    """
    if category in TEXTURES:
        return TEXTURES[category]
    return _FALLBACK_TEXTURES[_stable_hash(category) % len(_FALLBACK_TEXTURES)]


def _stable_hash(text: str) -> int:
    """Return a process-independent 32-bit hash of ``text``."""
    return zlib.crc32(text.encode('utf-8'))


# --------------------------------------------------------------------------
# Textures and colours
# --------------------------------------------------------------------------
def _texture_pattern(family: str, params: dict, u: np.ndarray,
                     v: np.ndarray) -> np.ndarray:
    """Evaluate a texture pattern in the object frame.

    Args:
        family (str): Texture family, e.g. ``'stripes'``.
        params (dict): Family parameters in pixel units.
        u (np.ndarray): Object-frame x coordinate of every pixel.
        v (np.ndarray): Object-frame y coordinate of every pixel.

    Returns:
        np.ndarray: Mixing weight in ``[0, 1]`` per pixel (0 selects the
        primary colour, 1 the secondary one).
    """
    if family == 'solid':
        # Soft shading only, so the object is (nearly) one colour.
        return np.clip(0.15 + 0.1 * u / (np.abs(u).max() + 1e-6), 0, 1)
    if family == 'stripes':
        a = math.radians(params['angle'])
        s = u * math.cos(a) + v * math.sin(a)
        return (np.mod(s / params['period'], 1.0) < 0.5).astype(np.float64)
    if family == 'checker':
        p = params['period']
        return ((np.floor(u / p) + np.floor(v / p)) % 2).astype(np.float64)
    if family == 'dots':
        p = params['period']
        du = np.mod(u, p) - p / 2
        dv = np.mod(v, p) - p / 2
        return (du * du + dv * dv <= params['radius']**2).astype(np.float64)
    if family == 'grid':
        p, w = params['period'], params['width']
        on = (np.mod(u, p) < w) | (np.mod(v, p) < w)
        return on.astype(np.float64)
    if family == 'waves':
        s = v + params['amplitude'] * np.sin(
            2 * np.pi * u / params['wavelength'])
        return (np.mod(s / params['period'], 1.0) < 0.5).astype(np.float64)
    raise ValueError(f'unknown texture family {family!r}')


def _hsv_to_rgb(h: float, s: float, v: float) -> np.ndarray:
    """Convert one HSV colour (all in ``[0, 1]``) to RGB in ``[0, 255]``."""
    i = int(h * 6) % 6
    f = h * 6 - math.floor(h * 6)
    p, q, t = v * (1 - s), v * (1 - f * s), v * (1 - (1 - f) * s)
    rgb = [(v, t, p), (q, v, p), (p, v, t), (p, q, v), (t, p, v),
           (v, p, q)][i]
    return np.array(rgb) * 255.0


def category_hue(category: str) -> float:
    """Centre of the primary hue of a category, in ``[0, 1)``.

    Default categories get evenly spaced hues; others a hashed one.
    """
    if category in DEFAULT_CATEGORIES:
        return DEFAULT_CATEGORIES.index(category) / len(DEFAULT_CATEGORIES)
    return (_stable_hash(category) % 1000) / 1000.0


def _object_colours(rng: np.random.Generator,
                    category: str) -> tuple[np.ndarray, np.ndarray]:
    """Draw the two contrasting colours of one object instance.

    Args:
        rng (np.random.Generator): Sample generator.
        category (str): The object's category (sets the primary hue).

    Returns:
        tuple[np.ndarray, np.ndarray]: Primary and secondary RGB colours.
    """
    h = (category_hue(category) + rng.uniform(-0.03, 0.03)) % 1.0
    c1 = _hsv_to_rgb(h, rng.uniform(0.55, 1.0), rng.uniform(0.7, 1.0))
    if rng.random() < 0.5:
        # Same hue, much darker.
        c2 = _hsv_to_rgb(h, rng.uniform(0.4, 1.0), rng.uniform(0.1, 0.35))
    else:
        # Another hue, clearly apart from the first.
        h2 = (h + rng.uniform(0.25, 0.75)) % 1.0
        c2 = _hsv_to_rgb(h2, rng.uniform(0.5, 1.0), rng.uniform(0.2, 0.6))
    return c1, c2


# --------------------------------------------------------------------------
# Background
# --------------------------------------------------------------------------
def _smooth_noise(rng: np.random.Generator, height: int, width: int,
                  cells: int, channels: int = 3) -> np.ndarray:
    """Return smooth random noise in ``[0, 1]`` by bicubic upsampling.

    Args:
        rng (np.random.Generator): Sample generator.
        height (int): Output height.
        width (int): Output width.
        cells (int): Number of random cells along the longer side.
        channels (int): Number of channels.

    Returns:
        np.ndarray: ``(height, width, channels)`` float array.
    """
    gh = max(2, round(cells * height / max(height, width)))
    gw = max(2, round(cells * width / max(height, width)))
    out = np.empty((height, width, channels))
    for c in range(channels):
        grid = Image.fromarray(rng.random((gh, gw)).astype(np.float32),
                               mode='F')
        out[..., c] = np.asarray(
            grid.resize((width, height), Image.BICUBIC))
    return np.clip(out, 0.0, 1.0)


def _background(rng: np.random.Generator, height: int,
                width: int) -> np.ndarray:
    """Render a cluttered, textured background.

    Smooth colour noise over a gradient, then random lines and small blobs
    (too small to be mistaken for an object).

    Args:
        rng (np.random.Generator): Sample generator.
        height (int): Image height.
        width (int): Image width.

    Returns:
        np.ndarray: ``(height, width, 3)`` float RGB image in ``[0, 255]``.
    """
    ys = np.linspace(0.0, 1.0, height)[:, None, None]
    xs = np.linspace(0.0, 1.0, width)[None, :, None]
    a = math.radians(rng.uniform(0, 360))
    ramp = (math.cos(a) * xs + math.sin(a) * ys)
    ramp = (ramp - ramp.min()) / (ramp.max() - ramp.min() + 1e-6)
    c0, c1 = rng.uniform(40, 215, size=(2, 3))
    img = c0 + (c1 - c0) * ramp
    img = img + 110 * (_smooth_noise(rng, height, width,
                                     int(rng.integers(3, 7))) - 0.5)
    img = img + 50 * (_smooth_noise(rng, height, width,
                                    int(rng.integers(14, 28))) - 0.5)

    canvas = Image.fromarray(np.clip(img, 0, 255).astype(np.uint8), 'RGB')
    draw = ImageDraw.Draw(canvas)
    side = min(height, width)
    for _ in range(int(rng.integers(2, 7))):
        pts = rng.uniform(0, 1, size=(2, 2)) * [width, height]
        draw.line([tuple(p) for p in pts],
                  fill=tuple(int(c) for c in rng.integers(0, 256, 3)),
                  width=int(rng.integers(1, 4)))
    for _ in range(int(rng.integers(4, 13))):
        cx, cy = rng.uniform(0, 1, 2) * [width, height]
        rx, ry = rng.uniform(0.01, 0.05, 2) * side
        draw.ellipse([cx - rx, cy - ry, cx + rx, cy + ry],
                     fill=tuple(int(c) for c in rng.integers(0, 256, 3)))
    return np.asarray(canvas, dtype=np.float64)


# --------------------------------------------------------------------------
# Objects and layout
# --------------------------------------------------------------------------
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


# --------------------------------------------------------------------------
# Dataset on disk
# --------------------------------------------------------------------------
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


def sample_name(category: str, index: int) -> str:
    """Return the file stem of image ``index`` of ``category``."""
    return f'{category}_{index:04d}'


def _params(num_train: int, num_test: int, image_size: Sequence[int],
            seed: int, categories: Sequence[str]) -> dict:
    """Return the JSON-able generation parameters recorded in meta.json."""
    return {
        'version': GENERATOR_VERSION,
        'num_train': int(num_train),
        'num_test': int(num_test),
        'image_size': [int(s) for s in image_size],
        'seed': int(seed),
        'categories': list(categories),
    }


def _summary(out_dir: str, params: dict, reused: bool) -> dict:
    """Return the summary dict returned by :func:`make_synthetic_coseg`."""
    n = len(params['categories'])
    return {
        'out_dir': out_dir,
        'categories': list(params['categories']),
        'num_per_category': {
            'train': params['num_train'],
            'test': params['num_test'],
        },
        'counts': {
            'train': n * params['num_train'],
            'test': n * params['num_test'],
        },
        'image_size': tuple(params['image_size']),
        'seed': params['seed'],
        'reused': reused,
    }


def _files_complete(out_dir: str, params: dict) -> bool:
    """Return whether every image and mask file named by ``params`` exists."""
    for split in SPLITS:
        for cat in params['categories']:
            for i in range(params[f'num_{split}']):
                stem = sample_name(cat, i)
                image = osp.join(out_dir, split, 'images', cat, stem + '.jpg')
                mask = osp.join(out_dir, split, 'masks', cat, stem + '.png')
                if not (osp.isfile(image) and osp.isfile(mask)):
                    return False
    return True


def _read_params(meta_path: str) -> dict:
    """Return the parameters recorded in a meta.json ({} if unreadable)."""
    try:
        with open(meta_path) as f:
            params = json.load(f).get('params')
    except (OSError, ValueError, AttributeError):
        return {}
    return params if isinstance(params, dict) else {}


def _describe_diff(old: dict, new: dict) -> str:
    """Describe how two parameter dicts differ, key by key."""
    if not old:
        return 'unreadable meta.json'
    keys = sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))
    return ', '.join(f'{k}: existing {old.get(k)!r}, requested {new.get(k)!r}'
                     for k in keys)


def _clear(out_dir: str) -> None:
    """Remove what this generator writes under ``out_dir`` (only that)."""
    meta = osp.join(out_dir, META_FILE)
    if osp.isfile(meta):
        os.remove(meta)
    for split in SPLITS:
        path = osp.join(out_dir, split)
        if osp.isdir(path):
            shutil.rmtree(path)


def _write_split(out_dir: str, split: str, num: int,
                 categories: Sequence[str], image_size: Sequence[int],
                 seed: int) -> None:
    """Generate and write every image and mask of one split."""
    for cat in categories:
        img_dir = osp.join(out_dir, split, 'images', cat)
        mask_dir = osp.join(out_dir, split, 'masks', cat)
        os.makedirs(img_dir, exist_ok=True)
        os.makedirs(mask_dir, exist_ok=True)
        for i in range(num):
            image, mask, _ = generate_sample(split, cat, i, categories,
                                             image_size, seed)
            stem = sample_name(cat, i)
            Image.fromarray(image, 'RGB').save(
                osp.join(img_dir, stem + '.jpg'),
                quality=JPEG_QUALITY,
                subsampling=0)
            Image.fromarray(mask, 'L').save(osp.join(mask_dir, stem + '.png'))


def make_synthetic_coseg(out_dir: str,
                         num_train: int = 48,
                         num_test: int = 16,
                         image_size: tuple = (128, 192),
                         seed: int = 0,
                         categories: Sequence[str] = DEFAULT_CATEGORIES,
                         overwrite: bool = False) -> dict:
    """Generate the synthetic co-segmentation dataset under ``out_dir``.

    A complete dataset already there with the same parameters (recorded in
    ``<out_dir>/meta.json``, written last) is reused as is. Only
    ``train/``, ``test/`` and ``meta.json`` under ``out_dir`` are ever
    written or removed.

    Args:
        out_dir (str): Output folder (created if missing).
        num_train (int): Training images per category. Defaults to 48.
        num_test (int): Test images per category. Defaults to 16.
        image_size (tuple): ``(min, max)`` of the image height and of the
            width, each drawn independently per image. Defaults to
            ``(128, 192)``.
        seed (int): Dataset seed. Defaults to 0.
        categories (Sequence[str]): Category names, one folder each.
            Defaults to ``DEFAULT_CATEGORIES``.
        overwrite (bool): Regenerate even if a dataset is already there,
            whatever its parameters. Defaults to False.

    Returns:
        dict: Summary with ``out_dir``, ``categories``,
        ``num_per_category`` and ``counts`` (per split), ``image_size``,
        ``seed`` and ``reused`` (True when nothing was generated).

    Raises:
        ValueError: On invalid arguments; or, unless ``overwrite``, when
            ``out_dir`` holds a dataset generated with other parameters,
            or files of an incomplete dataset (no ``meta.json``).
    """
    categories = list(categories)
    _check_categories(categories)
    _check_image_size(image_size)
    if num_train < 0 or num_test < 0:
        raise ValueError('num_train and num_test must be >= 0, got '
                         f'{num_train} and {num_test}')
    params = _params(num_train, num_test, image_size, seed, categories)
    out_dir = osp.abspath(out_dir)
    meta_path = osp.join(out_dir, META_FILE)

    if not overwrite:
        if osp.isfile(meta_path):
            old = _read_params(meta_path)
            if old != params:
                raise ValueError(
                    f'{out_dir} holds a synthetic co-segmentation dataset '
                    'generated with other parameters '
                    f'({_describe_diff(old, params)}); pass overwrite=True '
                    '(--overwrite) to regenerate it, or choose another '
                    'folder.')
            if _files_complete(out_dir, params):
                return _summary(out_dir, params, reused=True)
            # meta.json proves the files are ours: regenerate below.
        elif any(osp.exists(osp.join(out_dir, s)) for s in SPLITS):
            raise ValueError(
                f'{out_dir} holds train/ or test/ but no {META_FILE} (an '
                'interrupted generation or another dataset); pass '
                'overwrite=True (--overwrite) to regenerate it, or choose '
                'another folder.')
    _clear(out_dir)
    os.makedirs(out_dir, exist_ok=True)
    for split in SPLITS:
        _write_split(out_dir, split, params[f'num_{split}'], categories,
                     image_size, seed)
    meta = {
        'generator': 'mmcoseg.datasets.synthetic_coseg',
        'params': params,
        'counts': _summary(out_dir, params, False)['counts'],
    }
    with open(meta_path, 'w') as f:
        json.dump(meta, f, indent=2, sort_keys=True)
        f.write('\n')
    return _summary(out_dir, params, reused=False)
