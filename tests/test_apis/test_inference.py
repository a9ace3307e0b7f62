"""Tests of the inference APIs and ``tools/cosegment.py``.

A randomly initialised small model (no checkpoint) is built once per
session (``conftest.py``); the CLI loads a tiny checkpoint saved from it.
"""
import os

import numpy as np
import pytest
import torch
from PIL import Image

from mmcoseg.apis import (
    CoSegInferencer,
    cosegment,
    init_model,
    load_image,
    split_into_groups,
)
from mmcoseg.visualization import group_grid


def _rgb(h, w, seed=0):
    rng = np.random.default_rng(seed)
    img = rng.integers(0, 60, (h, w, 3), dtype=np.uint8)
    img[h // 4:3 * h // 4, w // 4:3 * w // 4] = (200, 40, 40)
    return img


@pytest.mark.parametrize('n, size, expected', [
    (2, None, [[0, 1]]),
    (5, None, [[0, 1, 2, 3, 4]]),
    (7, 5, [[0, 1, 2, 3], [4, 5, 6]]),
    (10, 5, [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]]),
    (11, 5, [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10]]),
    (4, 2, [[0, 1], [2, 3]]),
    (3, 2, [[0, 1, 2]]),
    (5, 2, [[0, 1, 2], [3, 4]]),
    (3, 10, [[0, 1, 2]]),
])
def test_split_into_groups(n, size, expected):
    groups = split_into_groups(n, size)
    assert groups == expected
    assert sorted(sum(groups, [])) == list(range(n))
    assert all(len(g) >= 2 for g in groups)


def test_split_into_groups_errors():
    with pytest.raises(ValueError, match='at least two'):
        split_into_groups(1)
    with pytest.raises(ValueError, match='at least two'):
        split_into_groups(0, allow_single=True)
    with pytest.raises(ValueError, match='group_size'):
        split_into_groups(4, 1)
    assert split_into_groups(1, allow_single=True) == [[0]]


def test_cosegment_mixed_sizes(model):
    gray = _rgb(30, 45, 3)[..., 0]
    floating = _rgb(50, 70, 4).astype(np.float32) / 255
    images = [_rgb(40, 60, 0), _rgb(80, 50, 1), _rgb(64, 64, 2), gray,
              floating]
    shapes = [(40, 60), (80, 50), (64, 64), (30, 45), (50, 70)]
    results = cosegment(model, images, group_size=3)
    assert [r['group'] for r in results] == [0, 0, 0, 1, 1]
    for res, shape in zip(results, shapes):
        assert res['mask'].shape == shape and res['prob'].shape == shape
        assert res['mask'].dtype == np.uint8
        assert set(np.unique(res['mask'])) <= {0, 1}
        assert res['prob'].dtype == np.float32
        assert 0 <= res['prob'].min() and res['prob'].max() <= 1
        thr = model.decode_head.threshold
        np.testing.assert_array_equal(res['mask'], res['prob'] > thr)
    # Threshold override; one group by default.
    low = cosegment(model, images[:2], threshold=-1.0)
    assert [r['group'] for r in low] == [0, 0]
    assert all(r['mask'].all() for r in low)


def test_cosegment_single_image(model):
    with pytest.raises(ValueError, match='at least two images'):
        cosegment(model, [_rgb(32, 40)])
    (res, ) = cosegment(model, [_rgb(32, 40)], allow_single=True)
    assert res['mask'].shape == (32, 40) and res['group'] == 0


def test_load_image_files(tmp_path):
    gray = np.arange(20 * 30, dtype=np.uint8).reshape(20, 30)
    Image.fromarray(gray, 'L').save(tmp_path / 'gray.png')
    img = load_image(str(tmp_path / 'gray.png'))
    assert img.shape == (20, 30, 3) and img.dtype == np.uint8
    np.testing.assert_array_equal(img[..., 1], gray)

    rgba = np.zeros((10, 12, 4), np.uint8)
    rgba[..., 0], rgba[..., 3] = 200, 128
    Image.fromarray(rgba, 'RGBA').save(tmp_path / 'rgba.png')
    img = load_image(str(tmp_path / 'rgba.png'))
    assert img.shape == (10, 12, 3) and (img[..., 0] == 200).all()

    deep = np.full((8, 9), 0x8000, np.uint16)
    Image.fromarray(deep).save(tmp_path / 'deep.png')
    img = load_image(str(tmp_path / 'deep.png'))
    assert img.shape == (8, 9, 3) and (img == 128).all()

    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90 CW to display
    Image.fromarray(_rgb(20, 40)).save(tmp_path / 'rot.jpg', exif=exif)
    assert load_image(str(tmp_path / 'rot.jpg')).shape == (40, 20, 3)

    (tmp_path / 'broken.jpg').write_bytes(b'\xff\xd8\xff not a jpeg')
    with pytest.raises(ValueError, match='broken.jpg'):
        load_image(str(tmp_path / 'broken.jpg'))
    with pytest.raises(ValueError, match='missing.png'):
        load_image(str(tmp_path / 'missing.png'))


def test_load_image_arrays():
    assert load_image(np.zeros((5, 6), np.uint16)).shape == (5, 6, 3)
    assert load_image(np.ones((5, 6, 4), np.float32)).max() == 255
    with pytest.raises(ValueError):
        load_image(np.zeros((5, 6, 2), np.uint8))


def test_inferencer(cfg, checkpoint, tmp_path):
    inf = CoSegInferencer(cfg, checkpoint, group_size=2)
    images = [_rgb(40, 60, 0), _rgb(80, 50, 1), _rgb(64, 64, 2),
              _rgb(30, 30, 3)]
    out = inf(images, return_vis=True, out_dir=str(tmp_path))
    preds, grids = out['predictions'], out['visualization']
    assert [p['group'] for p in preds] == [0, 0, 1, 1]
    assert len(grids) == 2
    for k, grid in enumerate(grids):
        members = images[2 * k:2 * k + 2]
        expected = group_grid([members, members])
        assert grid.shape == expected.shape == (2 * 160 + 4,
                                                expected.shape[1], 3)
        assert grid.dtype == np.uint8
    for i, img in enumerate(images):
        stem = f'image_{i:04d}'
        mask = np.asarray(Image.open(tmp_path / 'masks' / f'{stem}.png'))
        assert mask.shape == img.shape[:2]
        np.testing.assert_array_equal(mask, preds[i]['mask'] * 255)
        assert (tmp_path / 'overlays' / f'{stem}.jpg').is_file()
    assert sorted(os.listdir(tmp_path / 'groups')) == ['group_0.jpg',
                                                       'group_1.jpg']
    assert 'visualization' not in inf(images[:2])


def test_cli(config_file, checkpoint, repo_root, tmp_path, run_script):
    """tools/cosegment.py's command line, run in this process (it runs in a
    fresh one from a user's folder in ``test_downstream.py``)."""
    folder = tmp_path / 'images'
    folder.mkdir()
    sizes = {'a': (40, 60), 'b': (70, 50), 'c': (64, 64)}
    for name, (h, w) in sizes.items():
        Image.fromarray(_rgb(h, w)).save(folder / f'{name}.jpg')
    (folder / 'corrupt.jpg').write_bytes(b'garbage')
    (folder / 'notes.txt').write_text('not an image')
    out_dir = tmp_path / 'out'
    proc = run_script('tools/cosegment.py', config_file, checkpoint,
                      str(folder), '--out-dir', str(out_dir),
                      '--group-size', '5', cwd=repo_root)
    assert proc.returncode == 3, proc.stderr
    assert 'corrupt.jpg' in proc.stderr
    # a folder's other files are listed, but only a bad image exits 3
    assert 'ignored' in proc.stderr and 'notes.txt' in proc.stderr
    assert '3 images, 1 groups, 1 skipped, 1 ignored' in proc.stdout
    for name, (h, w) in sizes.items():
        mask = np.asarray(Image.open(out_dir / 'masks' / f'{name}.png'))
        assert mask.shape == (h, w)
        assert set(np.unique(mask)) <= {0, 255}
        assert Image.open(out_dir / 'overlays' / f'{name}.jpg').size == (w, h)
    assert (out_dir / 'groups' / 'group_0.jpg').is_file()

    # Only non-image files besides the images: exit 0.
    (folder / 'corrupt.jpg').unlink()
    proc = run_script('tools/cosegment.py', config_file, checkpoint,
                      str(folder), '--out-dir', str(out_dir), cwd=repo_root)
    assert proc.returncode == 0, proc.stderr
    assert '3 images, 1 groups, 0 skipped, 1 ignored' in proc.stdout

    # Fewer than two readable images: usage error.
    proc = run_script('tools/cosegment.py', config_file, checkpoint,
                      str(folder / 'a.jpg'), '--out-dir', str(out_dir),
                      cwd=repo_root)
    assert proc.returncode == 2
    assert 'at least two' in proc.stderr


def test_cosegment_files_of_every_mode(model, tmp_path):
    """Grey, RGBA, 16-bit and EXIF-rotated files: masks at display size."""
    Image.fromarray(np.arange(600, dtype=np.uint8).reshape(20, 30)).save(
        tmp_path / 'gray.png')
    Image.fromarray(np.full((10, 12, 4), 200, np.uint8), 'RGBA').save(
        tmp_path / 'rgba.png')
    Image.fromarray(np.full((8, 9), 0x8000, np.uint16)).save(
        tmp_path / 'deep.png')
    exif = Image.Exif()
    exif[0x0112] = 6
    Image.fromarray(_rgb(20, 40)).save(tmp_path / 'rot.jpg', exif=exif)
    files = [str(tmp_path / n) for n in
             ('gray.png', 'rgba.png', 'deep.png', 'rot.jpg')]
    results = cosegment(model, files)
    expected = [(20, 30), (10, 12), (8, 9), (40, 20)]
    for result, shape in zip(results, expected):
        assert result['mask'].shape == shape
        assert result['mask'].dtype == np.uint8
        assert result['prob'].shape == shape
        assert result['prob'].dtype == np.float32


def test_init_model_strict_refuses_another_models_checkpoint(
        cfg, model, tmp_path):
    """strict=True refuses mismatched weights; the default only warns."""
    state = dict(model.state_dict())
    key = next(k for k, v in state.items() if v.dim() == 4)
    state[key] = torch.zeros(3, 3)
    path = str(tmp_path / 'other.pth')
    torch.save({'state_dict': state}, path)
    with pytest.raises(RuntimeError, match=f'size mismatch for {key}'):
        init_model(cfg, path, strict=True)
    loaded = init_model(cfg, path)
    assert loaded.state_dict()[key].shape == model.state_dict()[key].shape
