"""Deterministic synthetic co-segmentation dataset (no downloads).

Kept as the import path used by the tools, tests and the ``generator``
field of ``meta.json``; the code lives in :mod:`mmcoseg.datasets.synthetic`
(one module per job: shapes, textures, scene, writer).
"""
from .synthetic import (
    DEFAULT_CATEGORIES,
    GENERATOR_VERSION,
    JPEG_QUALITY,
    META_FILE,
    MIN_CENTER_GAP,
    MIN_VISIBLE,
    SCALE_RANGE,
    SPLITS,
    TEXTURES,
    Polygon,
    category_hue,
    generate_sample,
    make_synthetic_coseg,
    sample_name,
    shape_parts,
    shape_radius_factor,
    texture_spec,
)

__all__ = [
    'DEFAULT_CATEGORIES', 'GENERATOR_VERSION', 'JPEG_QUALITY', 'META_FILE',
    'MIN_CENTER_GAP', 'MIN_VISIBLE', 'Polygon', 'SCALE_RANGE', 'SPLITS',
    'TEXTURES', 'category_hue', 'generate_sample', 'make_synthetic_coseg',
    'sample_name', 'shape_parts', 'shape_radius_factor', 'texture_spec'
]
