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

One module per job:

* :mod:`.shapes`: the categories and their shape geometry;
* :mod:`.textures`: texture patterns, colours and backgrounds;
* :mod:`.scene`: object layout and painting, :func:`generate_sample`;
* :mod:`.writer`: the set on disk, :func:`make_synthetic_coseg`.
"""
from .scene import (
    MIN_CENTER_GAP,
    MIN_VISIBLE,
    SCALE_RANGE,
    generate_sample,
)
from .shapes import (
    DEFAULT_CATEGORIES,
    Polygon,
    shape_parts,
    shape_radius_factor,
)
from .textures import TEXTURES, category_hue, texture_spec
from .writer import (
    GENERATOR_VERSION,
    JPEG_QUALITY,
    META_FILE,
    SPLITS,
    make_synthetic_coseg,
    sample_name,
)

__all__ = [
    'DEFAULT_CATEGORIES', 'GENERATOR_VERSION', 'JPEG_QUALITY', 'META_FILE',
    'MIN_CENTER_GAP', 'MIN_VISIBLE', 'Polygon', 'SCALE_RANGE', 'SPLITS',
    'TEXTURES', 'category_hue', 'generate_sample', 'make_synthetic_coseg',
    'sample_name', 'shape_parts', 'shape_radius_factor', 'texture_spec'
]
