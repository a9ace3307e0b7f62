"""Writer of the synthetic co-segmentation set on disk.

Layout written under ``out_dir`` by :func:`make_synthetic_coseg`::

    train/images/<category>/<category>_<NNNN>.jpg   (JPEG, quality 95)
    train/masks/<category>/<category>_<NNNN>.png    (8-bit L, values 0/255)
    test/...                                        (same)
    meta.json                                       (written last)

A complete set already there with the same parameters (recorded in
``meta.json``) is reused as is.
"""
from __future__ import annotations

import json
import os
import os.path as osp
import shutil
from collections.abc import Sequence

from PIL import Image

from .scene import _check_categories, _check_image_size, generate_sample
from .shapes import DEFAULT_CATEGORIES

GENERATOR_VERSION = 2
SPLITS = ('train', 'test')
META_FILE = 'meta.json'
JPEG_QUALITY = 95


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
