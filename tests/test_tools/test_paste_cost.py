"""tools/analysis_tools/paste_cost.py as a user runs it, on a distractor
set made by tools/dataset_converters/make_distractor_set.py."""
import importlib.util
import json
import os
import os.path as osp
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from mmcoseg.datasets import read_mask

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TOOL = osp.join(REPO, 'tools', 'analysis_tools', 'paste_cost.py')
MAKE = osp.join(REPO, 'tools', 'dataset_converters',
                'make_distractor_set.py')
#: Grey levels only: JPEG keeps luminance edges sharp (it subsamples
#: colour), so the pasted pixels are exactly the changed ones.
COLOURS = {'bus': (250, 250, 250), 'cow': (5, 5, 5)}


def _write_set(root):
    """Grey images, each with one white or black square (its mask)."""
    for cat, colour in COLOURS.items():
        os.makedirs(osp.join(root, cat))
        for i in range(3):
            img = np.full((120, 160, 3), 128, np.uint8)
            img[20 + i:75, 25:95 + i] = colour
            mask = np.zeros((120, 160), np.uint8)
            mask[20 + i:75, 25:95 + i] = 255
            Image.fromarray(img).save(osp.join(root, cat, f'{i}.jpg'),
                                      quality=100)
            Image.fromarray(mask).save(osp.join(root, cat, f'{i}.png'))


def _salient(img_path):
    """A segmenter that takes every white or black pixel: the shared
    square and every pasted one."""
    img = np.asarray(Image.open(img_path).convert('RGB')).astype(int)
    return (np.abs(img - 128).max(axis=2) > 64).astype(np.uint8) * 255


@pytest.fixture
def predictions(tmp_path, run_script):
    src, dis = str(tmp_path / 'src'), str(tmp_path / 'dis')
    _write_set(src)
    proc = run_script(MAKE, src, dis, '--seed', '1', '--jpeg-quality', '100')
    assert proc.returncode == 0, proc.stderr
    with open(osp.join(dis, 'manifest.json')) as f:
        images = json.load(f)['images']
    clean, pasted = str(tmp_path / 'pred_clean'), str(tmp_path / 'pred_dis')
    for key, info in images.items():
        source_mask = osp.splitext(osp.join(src, info['source']))[0] + '.png'
        for folder, pred in (
                (clean, (read_mask(source_mask) == 1).astype(np.uint8) * 255),
                (pasted, _salient(osp.join(dis, key + '.jpg')))):
            os.makedirs(osp.join(folder, key.split('/')[0]), exist_ok=True)
            Image.fromarray(pred).save(osp.join(folder, key + '.png'))
    return src, dis, clean, pasted


def test_a_salient_segmenter_loses_exactly_the_pasted_objects(
        predictions, tmp_path):
    """Clean predictions are the labels; on the distractor images the
    salient segmenter takes every pasted pixel, so removing the pasted
    pixels gives (up to the JPEG's blurred edges) J 100 again."""
    src, dis, clean, pasted = predictions
    out = tmp_path / 'cost.json'
    proc = subprocess.run(
        [sys.executable, TOOL, src, dis, clean, pasted, '--out', str(out)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert '| distractors, pasted pixels removed |' in proc.stdout
    result = json.loads(out.read_text())
    assert result['images'] == 6
    assert result['clean'] == 100.0
    assert result['clean, pasted pixels removed'] >= 99.0
    assert result['distractors, pasted pixels removed'] >= 95.0
    assert result['distractors'] < \
        result['distractors, pasted pixels removed'] - 10
    assert result['pasted kept'] >= 95.0


def test_pasted_pixels_are_the_changed_ones(predictions):
    """Where a pasted square covered the shared one, the distractor label
    became background: those pixels are found as pasted (but for the
    corners the median filter rounds), and the found region is no larger
    than the pasted objects' pixels of the manifest."""
    spec = importlib.util.spec_from_file_location('paste_cost', TOOL)
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    src, dis, _, _ = predictions
    with open(osp.join(dis, 'manifest.json')) as f:
        images = json.load(f)['images']
    lost_found = lost_all = 0
    for key, info in images.items():
        source = osp.join(src, info['source'])
        found = tool.pasted_pixels(
            np.asarray(Image.open(source).convert('RGB'))[..., ::-1],
            np.asarray(Image.open(osp.join(dis, key + '.jpg')).convert(
                'RGB'))[..., ::-1])
        lost = (read_mask(osp.splitext(source)[0] + '.png') == 1) & (
            read_mask(osp.join(dis, key + '.png')) == 0)
        lost_found += int(found[lost].sum())
        lost_all += int(lost.sum())
        assert found.sum() <= sum(p['pixels'] for p in info['pastes']), key
    assert lost_all > 0 and lost_found >= 0.98 * lost_all
