"""Item 3: image and mask encodings are read right, or rejected/flagged.

Property-based (hypothesis): any binary mask survives every lossless
encoding and simulated JPEG noise; the metric's P and J agree with a
direct computation and keep their invariants. Example-based: images in
every PIL mode (and EXIF-rotated, CMYK JPEG) through the training loader
of the configs match what PIL shows; ambiguous masks warn; broken ones
raise naming the file.
"""
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from mmcv.transforms import LoadImageFromFile
from PIL import Image

import mmcoseg  # noqa: F401  (registers the modules)
from mmcoseg.apis.inference import load_image
from mmcoseg.datasets.mask_io import (
    AmbiguousMaskWarning,
    binarize_mask,
    read_mask,
)
from mmcoseg.evaluation import counts_to_pj, image_pj_counts

SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])

binary_masks = st.integers(2, 12).flatmap(lambda h: st.integers(2, 12).flatmap(
    lambda w: arrays(np.uint8, (h, w), elements=st.integers(0, 1))))


def _encode(truth, encoding, rng):
    if encoding == '0/255':
        return truth * 255
    if encoding == '0/1':
        return truth.copy()
    if encoding == 'bool':
        return truth.astype(bool)
    if encoding == '16-bit 0/65535':
        return truth.astype(np.uint16) * 65535
    if encoding == '16-bit 0/255':
        return truth.astype(np.uint16) * 255
    if encoding == 'RGB grey':
        return np.repeat((truth * 255)[..., None], 3, axis=2)
    if encoding == 'coloured object':
        out = np.zeros(truth.shape + (3, ), np.uint8)
        out[truth == 1] = (0, 200, 30)
        return out
    if encoding == 'float 0/1':
        return truth.astype(np.float32)
    if encoding == 'jpeg noise':
        noise = rng.integers(-100, 101, truth.shape)
        return np.clip(truth.astype(int) * 255 + noise, 0, 255).astype(
            np.uint8)
    raise ValueError(encoding)


ENCODINGS = ['0/255', '0/1', 'bool', '16-bit 0/65535', '16-bit 0/255',
             'RGB grey', 'coloured object', 'float 0/1', 'jpeg noise']


@SETTINGS
@given(truth=binary_masks, encoding=st.sampled_from(ENCODINGS),
       seed=st.integers(0, 2**16))
def test_binarize_recovers_any_mask(truth, encoding, seed):
    rng = np.random.default_rng(seed)
    out = binarize_mask(_encode(truth, encoding, rng))
    assert out.dtype == np.uint8 and out.shape == truth.shape
    np.testing.assert_array_equal(out, truth)


FILE_MODES = ['L', '1', 'P', 'RGBA', 'LA', 'I;16', 'RGB']


def _save_mask(truth, mode, path):
    if mode == 'L':
        img = Image.fromarray(truth * 255)
    elif mode == '1':
        img = Image.fromarray(truth.astype(bool))
    elif mode == 'P':
        img = Image.fromarray(truth * 3, mode='L').convert('P')
        img.putpalette([0, 0, 0, 0, 0, 0, 0, 0, 0, 128, 0, 0] + [0] * 756)
    elif mode == 'RGBA':
        rgba = np.zeros(truth.shape + (4, ), np.uint8)
        rgba[..., 0] = truth * 255
        rgba[..., 3] = 255 - truth * 200  # alpha must not matter
        img = Image.fromarray(rgba, mode='RGBA')
    elif mode == 'LA':
        img = Image.fromarray(truth * 255).convert('LA')
    elif mode == 'I;16':
        img = Image.fromarray(truth.astype(np.uint16) * 65535)
    else:
        img = Image.fromarray(np.repeat((truth * 255)[..., None], 3, 2))
    img.save(path)


@SETTINGS
@given(truth=binary_masks, mode=st.sampled_from(FILE_MODES))
def test_mask_files_of_every_mode(tmp_path, truth, mode):
    path = str(tmp_path / f'm_{mode.replace(";", "")}.png')
    _save_mask(truth, mode, path)
    with warnings.catch_warnings():
        warnings.simplefilter('error', AmbiguousMaskWarning)
        np.testing.assert_array_equal(read_mask(path), truth)


@SETTINGS
@given(pred=binary_masks, seed=st.integers(0, 2**16))
def test_metric_matches_direct_computation(pred, seed):
    rng = np.random.default_rng(seed)
    gt = rng.integers(0, 2, pred.shape)
    gt[rng.random(pred.shape) < 0.2] = 255  # ignored pixels
    tp, fp, fn, tn = image_pj_counts(pred, gt)
    valid = gt != 255
    p_fg, g_fg = pred.astype(bool) & valid, (gt == 1) & valid
    assert tp == int((p_fg & g_fg).sum())
    assert tp + fp + fn + tn == int(valid.sum())
    precision, jaccard = counts_to_pj(tp, fp, fn, tn)
    union = int((p_fg | g_fg).sum())
    if valid.any():
        assert precision == pytest.approx(
            float((p_fg == g_fg)[valid].mean()))
        assert 0.0 <= precision <= 1.0
    else:
        assert np.isnan(precision)
    expected_j = (p_fg & g_fg).sum() / union if union else 1.0
    assert jaccard == pytest.approx(expected_j)
    assert 0.0 <= jaccard <= 1.0
    assert (jaccard == 1.0) == bool((p_fg == g_fg)[valid].all())
    # P and J are symmetric in prediction and truth without ignored pixels
    clean = np.where(valid, gt, 0)
    assert counts_to_pj(*image_pj_counts(pred, clean)) == pytest.approx(
        counts_to_pj(*image_pj_counts(clean, pred)))


# ------------------------------------------------------------- images
H, W = 20, 30


@pytest.fixture(scope='module')
def rgb():
    img = np.zeros((H, W, 3), np.uint8)
    img[:, :W // 2] = (200, 30, 60)
    img[:, W // 2:] = (20, 180, 240)
    img[H // 2:, :5] = (255, 255, 255)
    return img


def _image(rgb, mode, path):
    base = Image.fromarray(rgb)
    if mode == 'I;16':
        grey = np.asarray(base.convert('L')).astype(np.uint16) * 257
        Image.fromarray(grey).save(path)
    elif mode == 'EXIF':
        rotated = np.ascontiguousarray(np.rot90(rgb, 1))  # stored sideways
        img = Image.fromarray(rotated)
        exif = img.getexif()
        exif[0x0112] = 6  # viewer turns it 90 degrees clockwise
        img.save(path, exif=exif.tobytes(), quality=95)
    elif path.endswith('.jpg'):
        base.convert(mode).save(path, quality=95)
    else:
        base.convert(mode).save(path)


IMAGE_CASES = [('L', 'png'), ('RGBA', 'png'), ('P', 'png'), ('1', 'png'),
               ('I;16', 'png'), ('CMYK', 'jpg'), ('EXIF', 'jpg'),
               ('RGB', 'bmp'), ('L', 'jpg')]


@pytest.mark.parametrize('mode,ext', IMAGE_CASES)
def test_training_loader_reads_every_image_mode(tmp_path, rgb, mode, ext):
    """The configs' ``LoadImageFromFile`` (OpenCV) gives, for every mode,
    the picture PIL shows (EXIF orientation applied)."""
    path = str(tmp_path / f'img.{ext}')
    _image(rgb, mode, path)
    expected = load_image(path).astype(int)
    if mode == 'EXIF':
        assert expected.shape == (H, W, 3)  # upright again
    loaded = LoadImageFromFile()(dict(img_path=path))
    got = loaded['img'][..., ::-1].astype(int)  # BGR -> RGB
    assert loaded['ori_shape'] == expected.shape[:2]
    assert np.abs(got - expected).mean() < 3.0, mode


def test_ambiguous_masks_warn(tmp_path):
    labels = np.zeros((H, W), np.uint8)
    labels[5:10, 5:15] = 15  # a class index saved as grey
    path = str(tmp_path / 'labels.png')
    Image.fromarray(labels).save(path)
    with pytest.warns(AmbiguousMaskWarning, match='labels.png'):
        assert read_mask(path).sum() == 0
    np.testing.assert_array_equal(read_mask(path, threshold=0),
                                  (labels > 0).astype(np.uint8))
    voc = labels.copy()
    voc[voc == 15] = 1
    voc[4, :] = 255  # void border
    path = str(tmp_path / 'voc_as_grey.png')
    Image.fromarray(voc).save(path)
    with pytest.warns(AmbiguousMaskWarning, match='mixes 255'):
        read_mask(path)
    # the same as a palette PNG is read right, silently
    path = str(tmp_path / 'voc.png')
    Image.fromarray(voc).convert('P').save(path)
    with warnings.catch_warnings():
        warnings.simplefilter('error', AmbiguousMaskWarning)
        np.testing.assert_array_equal(read_mask(path), (voc == 1) * 1)


@pytest.mark.parametrize('content', [b'', b'GIF89a broken',
                                     b'\x89PNG\r\n\x1a\n' + b'\x00' * 20])
def test_broken_masks_raise_naming_the_file(tmp_path, content):
    path = tmp_path / 'broken_mask.png'
    path.write_bytes(content)
    with pytest.raises(ValueError, match='broken_mask.png'):
        read_mask(str(path))


def test_lossy_jpeg_mask_reads_without_warning(tmp_path):
    truth = np.zeros((H, W), np.uint8)
    truth[4:16, 6:24] = 1
    path = str(tmp_path / 'mask.jpg')
    Image.fromarray(truth * 255).save(path, quality=50)
    with warnings.catch_warnings():
        warnings.simplefilter('error', AmbiguousMaskWarning)
        mask = read_mask(path)
    assert (mask != truth).sum() <= 4
