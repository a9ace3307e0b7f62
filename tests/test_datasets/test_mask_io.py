"""Tests of mask decoding/binarisation and ``LoadCoSegAnnotation``."""
import numpy as np
import pytest
from PIL import Image

from mmcoseg.datasets import binarize_mask, read_mask
from mmcoseg.datasets.transforms import LoadCoSegAnnotation

H, W = 20, 30


@pytest.fixture(scope='module')
def truth():
    """A (H, W) {0, 1} mask: a filled disc plus a rectangle."""
    yy, xx = np.mgrid[:H, :W]
    mask = ((yy - 10)**2 + (xx - 10)**2 <= 36) | \
        ((yy >= 3) & (yy < 12) & (xx >= 20) & (xx < 27))
    return mask.astype(np.uint8)


def _save(tmp_path, name, image, **kwargs):
    path = str(tmp_path / name)
    image.save(path, **kwargs)
    return path


def _check(mask, truth):
    assert mask.dtype == np.uint8
    assert mask.shape == truth.shape
    assert set(np.unique(mask).tolist()) <= {0, 1}
    np.testing.assert_array_equal(mask, truth)


# ------------------------------------------------------------ binarize_mask
def test_binarize_arrays(truth):
    _check(binarize_mask(truth * 255), truth)
    _check(binarize_mask(truth.copy()), truth)
    _check(binarize_mask(truth.astype(bool)), truth)
    _check(binarize_mask(truth.astype(np.uint16) * 65535), truth)
    _check(binarize_mask(truth.astype(np.uint16) * 255), truth)
    _check(binarize_mask(truth.astype(np.float32)), truth)
    # colour: per-pixel maximum over channels (object coloured on black)
    rgb = np.zeros((H, W, 3), np.uint8)
    rgb[..., 2] = truth * 200
    _check(binarize_mask(rgb), truth)
    # explicit threshold
    grey = truth * 100
    _check(binarize_mask(grey, threshold=50), truth)
    assert binarize_mask(grey).sum() == 0  # 100 < 127.5 by default
    # empty
    _check(binarize_mask(np.zeros((H, W), np.uint8)),
           np.zeros((H, W), np.uint8))
    with pytest.raises(ValueError, match='shape'):
        binarize_mask(np.zeros((2, H, W, 3), np.uint8))


# ----------------------------------------------------------------- read_mask
def test_read_l_png_0_255(tmp_path, truth):
    path = _save(tmp_path, 'm.png', Image.fromarray(truth * 255, mode='L'))
    _check(read_mask(path), truth)


def test_read_l_png_0_1(tmp_path, truth):
    path = _save(tmp_path, 'm.png', Image.fromarray(truth, mode='L'))
    _check(read_mask(path), truth)


def test_read_1bit_png(tmp_path, truth):
    img = Image.fromarray(truth * 255, mode='L').convert('1')
    path = _save(tmp_path, 'm.png', img)
    with Image.open(path) as check:
        assert check.mode == '1'
    _check(read_mask(path), truth)


def test_read_palette_png(tmp_path, truth):
    img = Image.fromarray(truth, mode='P')
    # a palette whose colours would mislead a grey conversion
    palette = [0, 0, 0, 128, 0, 0] + [255, 255, 255] * 254
    img.putpalette(palette)
    path = _save(tmp_path, 'm.png', img)
    with Image.open(path) as check:
        assert check.mode == 'P'
    _check(read_mask(path), truth)


def test_read_rgb_grey_png(tmp_path, truth):
    rgb = np.repeat((truth * 255)[..., None], 3, axis=2)
    path = _save(tmp_path, 'm.png', Image.fromarray(rgb, mode='RGB'))
    _check(read_mask(path), truth)


def test_read_rgba_png(tmp_path, truth):
    rgba = np.zeros((H, W, 4), np.uint8)
    rgba[..., :3] = (truth * 255)[..., None]
    rgba[..., 3] = 255  # fully opaque everywhere: alpha must be ignored
    path = _save(tmp_path, 'm.png', Image.fromarray(rgba, mode='RGBA'))
    with Image.open(path) as check:
        assert check.mode == 'RGBA'
    _check(read_mask(path), truth)


@pytest.mark.parametrize('peak', [65535, 255])
def test_read_16bit_png(tmp_path, truth, peak):
    img = Image.fromarray(truth.astype(np.uint16) * peak)
    path = _save(tmp_path, 'm.png', img)
    with Image.open(path) as check:
        assert check.mode.startswith('I')
    _check(read_mask(path), truth)


def test_read_bmp(tmp_path, truth):
    path = _save(tmp_path, 'm.bmp', Image.fromarray(truth * 255, mode='L'))
    _check(read_mask(path), truth)


def test_read_lossy_jpeg(tmp_path, truth):
    img = Image.fromarray(truth * 255, mode='L')
    path = _save(tmp_path, 'm.jpg', img, quality=60)
    raw = np.asarray(Image.open(path))
    assert not set(np.unique(raw).tolist()) <= {0, 255}  # really lossy
    mask = read_mask(path)
    assert mask.dtype == np.uint8 and mask.shape == truth.shape
    assert set(np.unique(mask).tolist()) <= {0, 1}
    assert (mask != truth).sum() <= 6


def test_read_empty_mask(tmp_path):
    zeros = np.zeros((H, W), np.uint8)
    path = _save(tmp_path, 'm.png', Image.fromarray(zeros, mode='L'))
    _check(read_mask(path), zeros)


def test_read_threshold(tmp_path, truth):
    path = _save(tmp_path, 'm.png', Image.fromarray(truth * 60, mode='L'))
    assert read_mask(path).sum() == 0
    _check(read_mask(path, threshold=30), truth)


def test_read_unreadable(tmp_path):
    path = tmp_path / 'broken.png'
    path.write_bytes(b'this is not an image')
    with pytest.raises(ValueError, match='broken.png'):
        read_mask(str(path))


# ------------------------------------------------------- LoadCoSegAnnotation
def test_load_annotation(tmp_path, truth):
    path = _save(tmp_path, 'm.png', Image.fromarray(truth * 255, mode='L'))
    results = LoadCoSegAnnotation()(
        dict(seg_map_path=path, img_path='img.jpg', ori_shape=(H, W),
             seg_fields=[]))
    _check(results['gt_seg_map'], truth)
    assert results['seg_fields'] == ['gt_seg_map']
    # no ori_shape: nothing to check against
    results = LoadCoSegAnnotation()(dict(seg_map_path=path))
    assert results['seg_fields'] == ['gt_seg_map']
    _check(results['gt_seg_map'], truth)


def test_load_annotation_size_mismatch(tmp_path, truth):
    path = _save(tmp_path, 'mask_a.png',
                 Image.fromarray(truth * 255, mode='L'))
    results = dict(seg_map_path=path, img_path='/some/image_b.jpg',
                   ori_shape=(H + 1, W))
    with pytest.raises(ValueError) as err:
        LoadCoSegAnnotation()(dict(results))
    assert path in str(err.value)
    assert '/some/image_b.jpg' in str(err.value)
    # check_size=False skips the check
    out = LoadCoSegAnnotation(check_size=False)(dict(results))
    assert out['gt_seg_map'].shape == (H, W)


def test_read_voc_style_palette_png(tmp_path, truth):
    """Class index 15 is the object, 255 the void border (background)."""
    indices = truth.astype(np.uint8) * 15
    indices[0, :] = 255  # a void border row
    img = Image.fromarray(indices, mode='P')
    img.putpalette([0, 0, 0] * 15 + [192, 128, 128] + [0, 0, 0] * 239 +
                   [224, 224, 192])
    mask = read_mask(_save(tmp_path, 'voc.png', img))
    expected = truth.astype(np.uint8)
    expected[0, :] = 0
    np.testing.assert_array_equal(mask, expected)


def test_read_palette_0_255_only(tmp_path, truth):
    img = Image.fromarray(truth.astype(np.uint8) * 255, mode='P')
    img.putpalette([0, 0, 0] * 255 + [255, 255, 255])
    _check(read_mask(_save(tmp_path, 'p255.png', img)), truth)
