"""Textures, colours and backgrounds of the synthetic co-segmentation set.

Every category has a texture family with its parameters
(:func:`texture_spec`) and a primary hue (:func:`category_hue`); each
object instance draws its two colours around that hue
(:func:`_object_colours`). :func:`_background` renders the cluttered,
textured background every image is drawn on.
"""
from __future__ import annotations

import math

import numpy as np
from PIL import Image, ImageDraw

from .shapes import DEFAULT_CATEGORIES, _stable_hash

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
