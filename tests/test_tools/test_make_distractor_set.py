"""tools/dataset_converters/make_distractor_set.py as a user runs it."""
import json
import os
import os.path as osp
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from mmcoseg.datasets import GroupDataset, read_mask

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TOOL = osp.join(REPO, 'tools', 'dataset_converters',
                'make_distractor_set.py')
PASCAL = osp.join(REPO, '..', 'shared', 'data', 'pascal_voc_coseg')
COLOURS = {'bus': (250, 0, 0), 'cow': (0, 250, 0), 'dog': (0, 0, 250)}


def _write_set(root, per_class=4):
    """Grey images holding one saturated square of the category's colour
    (its mask) at a fixed place."""
    for cat, colour in COLOURS.items():
        os.makedirs(osp.join(root, cat))
        for i in range(per_class):
            img = np.full((48, 64, 3), 128, np.uint8)
            img[10:30, 12:40] = colour
            mask = np.zeros((48, 64), np.uint8)
            mask[10:30, 12:40] = 255
            Image.fromarray(img).save(osp.join(root, cat, f'{i}.jpg'),
                                      quality=100)
            Image.fromarray(mask).save(osp.join(root, cat, f'{i}.png'))
    return root


def _run_in_a_fresh_process(*args):
    return subprocess.run([sys.executable, TOOL, *map(str, args)],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, timeout=300)


@pytest.fixture
def _run(run_script):
    """The tool's command line, run in this process (it runs in a fresh
    one in :func:`test_distractors_pasted_and_masks_updated`)."""
    return lambda *args: run_script(TOOL, *args)


def test_distractors_pasted_and_masks_updated(tmp_path):
    src = _write_set(str(tmp_path / 'src'))
    out = tmp_path / 'out'
    proc = _run_in_a_fresh_process(src, out, '--seed', '3')
    assert proc.returncode == 0, proc.stderr
    assert '12 images in 3 categories' in proc.stdout
    with open(out / 'manifest.json') as f:
        manifest = json.load(f)
    assert len(manifest['images']) == 12 and manifest['seed'] == 3
    for key, entry in manifest['images'].items():
        cat = key.split('/')[0]
        assert 1 <= len(entry['pastes']) <= 2
        # distractors come from the other categories only
        assert all(p['category'] != cat for p in entry['pastes'])
        img = np.asarray(Image.open(out / f'{key}.jpg').convert('RGB'))
        mask = read_mask(str(out / f'{key}.png'))
        # the mask is the square minus what the pastes hide
        square = np.zeros((48, 64), bool)
        square[10:30, 12:40] = True
        assert not (mask.astype(bool) & ~square).any()
        assert mask.sum() >= 0.5 * square.sum()  # at most half hidden
        # the other categories' colours now appear in the image
        others = [np.asarray(c) for name, c in COLOURS.items() if name != cat]
        near = [(np.abs(img.astype(int) - c).sum(2) < 60).any()
                for c in others]
        assert any(near)
    # GroupDataset reads the output like the source
    ds = GroupDataset(data_root=str(out),
                      data_prefix=dict(img_path='', seg_map_path=''),
                      img_suffix='.jpg', seg_map_suffix='.png',
                      test_mode=True, group_size=4, pipeline=[])
    assert ds.metainfo['classes'] == ('bus', 'cow', 'dog') and len(ds) == 3


def test_deterministic_resumable_and_robust(tmp_path, _run):
    src = _write_set(str(tmp_path / 'src'))
    a, b = tmp_path / 'a', tmp_path / 'b'
    assert _run(src, a, '--classes', 'bus', 'dog').returncode == 0
    assert _run(src, b, '--classes', 'bus', 'dog').returncode == 0
    for name in ('bus/0.png', 'dog/3.png', 'manifest.json'):
        assert (a / name).read_bytes() == (b / name).read_bytes()
    assert not (a / 'cow').exists()
    # a rerun finds everything done
    proc = _run(src, a, '--classes', 'bus', 'dog')
    assert '0 written, 8 already there' in proc.stdout
    # a corrupt image is reported and skipped, the rest is written
    with open(osp.join(src, 'cow', '1.jpg'), 'wb') as f:
        f.write(b'not a jpeg')
    proc = _run(src, tmp_path / 'c')
    assert proc.returncode == 3
    assert 'cow/1.jpg' in proc.stderr
    assert (tmp_path / 'c' / 'cow' / '0.png').is_file()
    # one category is not a distractor benchmark
    proc = _run(src, tmp_path / 'd', '--classes', 'bus')
    assert proc.returncode != 0 and 'at least two categories' in (
        proc.stdout + proc.stderr)


@pytest.mark.skipif(not osp.isdir(PASCAL),
                    reason='the shared PASCAL-VOC co-seg copy (../shared) is '
                    'not on this machine')
def test_on_real_pascal_classes(tmp_path, _run):
    proc = _run(PASCAL, tmp_path / 'out', '--classes', 'Bus', 'Cow')
    assert proc.returncode == 0, proc.stderr
    assert 'images in 2 categories' in proc.stdout
    with open(tmp_path / 'out' / 'manifest.json') as f:
        images = json.load(f)['images']
    assert all(p['category'] == ('Cow' if key.startswith('Bus') else 'Bus')
               for key, e in images.items() for p in e['pastes'])
    # pasted pixels are background: each mask lost at most half
    changed = 0
    for key in list(images)[:10]:
        src = read_mask(osp.join(PASCAL, key + '.png'))
        new = read_mask(str(tmp_path / 'out' / f'{key}.png'))
        assert not (new & ~src).any()
        assert new.sum() >= 0.5 * src.sum()
        changed += int((new != src).any())
    assert changed > 0
