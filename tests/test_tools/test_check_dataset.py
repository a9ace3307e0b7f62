"""Tests of ``tools/misc/check_dataset.py`` on fabricated datasets."""
import os.path as osp
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TOOL = osp.join('tools', 'misc', 'check_dataset.py')
BASE = osp.join(REPO_ROOT, 'configs', '_base_', 'datasets', 'coseg_groups.py')


def _image(path, size=(32, 24)):
    rng = np.random.default_rng(0)
    array = rng.integers(0, 255, (size[1], size[0], 3), dtype=np.uint8)
    Image.fromarray(array).save(path)


def _mask(path, size=(32, 24), value=255):
    array = np.zeros((size[1], size[0]), dtype=np.uint8)
    array[4:12, 8:20] = value
    Image.fromarray(array).save(path)


def make_dataset(root, layout):
    """``layout``: {category: [stem, ...]} - an image and a mask each."""
    for category, stems in layout.items():
        (root / 'images' / category).mkdir(parents=True)
        (root / 'masks' / category).mkdir(parents=True)
        for stem in stems:
            _image(root / 'images' / category / f'{stem}.jpg')
            _mask(root / 'masks' / category / f'{stem}.png')
    return root


def write_config(tmp_path, data_root):
    cfg = tmp_path / 'check_cfg.py'
    cfg.write_text(
        f'_base_ = {BASE!r}\n'
        'test_dataloader = dict(dataset=dict(\n'
        f'    data_root={str(data_root)!r},\n'
        "    data_prefix=dict(img_path='images', seg_map_path='masks')))\n")
    return cfg


def _run_in_a_fresh_process(cfg, *extra):
    proc = subprocess.run(
        [sys.executable, TOOL, str(cfg), *extra],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300)
    return proc.returncode, proc.stdout + proc.stderr


@pytest.fixture
def run_tool(run_script):
    """The tool's command line, run in this process (it runs in a fresh
    one in :func:`test_clean_dataset`)."""

    def run(cfg, *extra):
        proc = run_script(TOOL, str(cfg), *extra, cwd=REPO_ROOT)
        return proc.returncode, proc.stdout + proc.stderr

    return run


def test_clean_dataset(tmp_path):
    """As a user runs it: ``python tools/misc/check_dataset.py CONFIG``."""
    root = make_dataset(tmp_path / 'data',
                        dict(cat_a=['a0', 'a1', 'a2'], cat_b=['b0', 'b1']))
    rc, out = _run_in_a_fresh_process(write_config(tmp_path, root))
    assert rc == 0, out
    assert 'Categories (2):' in out
    lines = out.splitlines()
    assert any(line.split() == ['cat_a', '3', 'images'] for line in lines)
    assert any(line.split() == ['cat_b', '2', 'images'] for line in lines)
    assert any(line.split() == ['total', '5', 'images'] for line in lines)
    assert 'Image sizes: W 32-32, H 24-24' in out
    assert 'L {0,255}: 5 masks' in out
    assert 'Errors: none' in out and 'Warnings: none' in out
    assert 'Result: OK' in out


def test_problems_are_named(tmp_path, run_tool):
    root = make_dataset(tmp_path / 'data',
                        dict(cat_a=['a0', 'a1', 'a2'], cat_b=['b0', 'b1']))
    (root / 'masks' / 'cat_a' / 'a2.png').unlink()  # image without mask
    _mask(root / 'masks' / 'cat_b' / 'orphan.png')  # mask without image
    (root / 'images' / 'cat_a' / 'a1.jpg').write_bytes(b'not an image')
    _mask(root / 'masks' / 'cat_b' / 'b0.png', size=(16, 16))  # mismatch
    (root / 'masks' / 'cat_b' / 'b1.png').write_bytes(b'broken')
    rc, out = run_tool(write_config(tmp_path, root))
    assert rc == 1, out
    errors = [line for line in out.splitlines() if 'ERROR' in line]
    assert any('have no mask' in e and 'a2.jpg' in e for e in errors)
    assert any('mask without image' in e and 'orphan.png' in e
               for e in errors)
    assert any('unreadable image' in e and 'a1.jpg' in e for e in errors)
    assert any('size mismatch' in e and 'b0.jpg' in e and '16x16' in e
               for e in errors)
    assert any('unreadable mask' in e and 'b1.png' in e for e in errors)
    # the index is still reported despite the build failure
    assert any(line.split() == ['total', '5', 'images']
               for line in out.splitlines())
    assert 'Result: FAILED' in out


def test_empty_and_full_masks_warn(tmp_path, run_tool):
    root = make_dataset(tmp_path / 'data', dict(cat_a=['a0', 'a1', 'a2']))
    _mask(root / 'masks' / 'cat_a' / 'a1.png', value=0)
    Image.fromarray(np.full((24, 32), 255, np.uint8)).save(
        root / 'masks' / 'cat_a' / 'a2.png')
    rc, out = run_tool(write_config(tmp_path, root))
    assert rc == 0, out
    assert 'Errors: none' in out
    assert any('WARNING empty mask' in line and 'a1.png' in line
               for line in out.splitlines())
    assert any('WARNING full mask' in line and 'a2.png' in line
               for line in out.splitlines())


def test_side_by_side_masks_and_encodings(tmp_path, run_tool):
    """Masks beside the images; RGB grey, palette and 1-bit masks."""
    root = tmp_path / 'data'
    (root / 'cat').mkdir(parents=True)
    for stem in ('x0', 'x1', 'x2'):
        _image(root / 'cat' / f'{stem}.jpg')
    grey = np.zeros((24, 32, 3), np.uint8)
    grey[2:9, 3:9] = 255
    Image.fromarray(grey).save(root / 'cat' / 'x0.png')
    pal = Image.fromarray((grey[..., 0] > 0).astype(np.uint8), mode='L')
    pal.convert('P').save(root / 'cat' / 'x1.png')
    Image.fromarray(grey[..., 0] > 0).save(root / 'cat' / 'x2.png')
    (root / 'manifest.csv').write_text('category,image\n')  # not a category
    cfg = tmp_path / 'side.py'
    cfg.write_text(
        f'_base_ = {BASE!r}\n'
        'test_dataloader = dict(dataset=dict(\n'
        f'    data_root={str(root)!r},\n'
        "    data_prefix=dict(img_path='', seg_map_path=''),\n"
        "    img_suffix='.jpg', seg_map_suffix='.png'))\n")
    rc, out = run_tool(cfg)
    assert rc == 0, out
    assert 'Categories (1):' in out
    assert 'RGB grey {0,255}: 1 masks' in out
    assert 'P: 1 masks' in out
    assert '1: 1 masks' in out


def test_split_option_and_cfg_options(tmp_path, run_tool):
    root = make_dataset(tmp_path / 'data', dict(cat_a=['a0', 'a1']))
    cfg = write_config(tmp_path, tmp_path / 'nowhere')
    rc, out = run_tool(cfg, '--cfg-options',
                       f'test_dataloader.dataset.data_root={root}')
    assert rc == 0, out
    rc, out = run_tool(cfg, '--split', 'val')  # val has no data_root: fails
    assert rc == 1, out


def _exif_rotated_image(path, stored_size):
    """A JPEG stored ``stored_size`` (W, H) with EXIF orientation 6."""
    img = Image.fromarray(
        np.zeros((stored_size[1], stored_size[0], 3), np.uint8))
    exif = img.getexif()
    exif[0x0112] = 6  # rotate 90: the loader shows it H x W
    img.save(path, exif=exif.tobytes())


def test_agrees_with_the_dataset_on_exif_rotated_images(
        tmp_path, run_tool):
    """The tool and ``GroupDataset`` validation size images the same way.

    An image stored 24x32 with EXIF orientation 6 is 32x24 upright (as the
    loader decodes it), so a 32x24 mask fits it and a 24x32 mask does not.
    """
    from mmengine.registry import init_default_scope

    from mmcoseg.datasets import DatasetValidationError, GroupDataset

    root = make_dataset(tmp_path / 'data', dict(cat_a=['a0', 'a1']))
    _exif_rotated_image(root / 'images' / 'cat_a' / 'a0.jpg', (24, 32))
    rc, out = run_tool(write_config(tmp_path, root))
    assert rc == 0, out
    assert 'Image sizes: W 32-32, H 24-24 (1 distinct)' in out

    init_default_scope('mmcoseg')
    GroupDataset(data_root=str(root), group_size=2, test_mode=True,
                 lazy_init=False)  # builds: the dataset agrees

    _mask(root / 'masks' / 'cat_a' / 'a0.png', size=(24, 32))
    rc, out = run_tool(write_config(tmp_path, root))
    assert rc == 1, out
    assert any('size mismatch' in line and 'a0.jpg is 32x24' in line
               for line in out.splitlines())
    with pytest.raises(DatasetValidationError, match='a0.jpg is 32x24'):
        GroupDataset(data_root=str(root), group_size=2, test_mode=True,
                     lazy_init=False)


def test_mask_folder_without_image_folder_and_unsupported_files(
        tmp_path, run_tool):
    """Listed by the dataset's own listing: both are named by the tool."""
    root = make_dataset(tmp_path / 'data', dict(cat_a=['a0', 'a1']))
    (root / 'masks' / 'ghost').mkdir()
    _mask(root / 'masks' / 'ghost' / 'g0.png')
    (root / 'images' / 'cat_a' / 'notes.txt').write_text('hello')
    rc, out = run_tool(write_config(tmp_path, root))
    assert rc == 1, out
    lines = out.splitlines()
    assert any('ERROR mask without image' in line and 'g0.png' in line
               for line in lines)
    assert any('WARNING file with an unsupported suffix' in line
               and 'notes.txt' in line for line in lines)
    assert 'Categories (1):' in out
