"""Tests of ``tools/dataset_converters/coco_seg.py`` on a tiny COCO."""
import json
import os
import os.path as osp
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TOOL = osp.join('tools', 'dataset_converters', 'coco_seg.py')
SIZE = 80


def _rect(x0, y0, x1, y1):
    """Polygon segmentation of an axis-aligned rectangle."""
    return [[x0, y0, x1, y0, x1, y1, x0, y1]]


def _ann(ann_id, img_id, cat_id, box, area, iscrowd=0):
    x0, y0, x1, y1 = box
    return dict(id=ann_id, image_id=img_id, category_id=cat_id,
                segmentation=_rect(*box), area=area, iscrowd=iscrowd,
                bbox=[x0, y0, x1 - x0, y1 - y0])


# (category id, image id) -> boxes in the masks, checked below.
BOX_A1 = (5, 5, 25, 25)      # traffic light, img 1, area 400
BOX_A2 = (40, 40, 60, 55)    # traffic light, img 1, area 300
BOX_A3 = (10, 10, 35, 30)    # traffic light, img 2, area 500
BOX_C3 = (20, 20, 50, 50)    # cat, img 3, area 900
BOX_C3S = (60, 60, 67, 67)   # cat, img 3, area 49 (small, still in union)
BOX_C4 = (0, 0, 40, 20)      # cat, img 4, area 800
BOX_CROWD = (50, 0, 80, 40)  # cat, img 4, crowd (not in union)


def make_coco(root):
    """Write a tiny COCO set exercising every filtering rule."""
    img_dir = root / 'coco' / 'train2017'
    img_dir.mkdir(parents=True)
    images = []
    rng = np.random.default_rng(0)
    for img_id in range(1, 5):
        name = f'{img_id:012d}.jpg'
        array = rng.integers(0, 255, (SIZE, SIZE, 3), dtype=np.uint8)
        Image.fromarray(array).save(img_dir / name)
        images.append(dict(id=img_id, file_name=name, height=SIZE,
                           width=SIZE))
    annotations = [
        # traffic light: img 1 (two instances -> union), img 2 kept;
        # img 3 only crowd and img 4 only small -> not kept.
        _ann(1, 1, 1, BOX_A1, 400),
        _ann(2, 1, 1, BOX_A2, 300),
        _ann(3, 2, 1, BOX_A3, 500),
        _ann(4, 3, 1, (0, 0, 60, 60), 3600, iscrowd=1),
        _ann(5, 4, 1, (0, 0, 9, 9), 81),
        # dog: one qualifying image only (img 2; img 4 crowd) -> dropped.
        _ann(6, 2, 2, (40, 40, 70, 70), 900),
        _ann(7, 4, 2, (0, 40, 40, 80), 1600, iscrowd=1),
        # cat: img 3 and img 4 kept.
        _ann(8, 3, 3, BOX_C3, 900),
        _ann(9, 3, 3, BOX_C3S, 49),
        _ann(10, 4, 3, BOX_C4, 800),
        _ann(11, 4, 3, BOX_CROWD, 1200, iscrowd=1),
    ]
    categories = [
        dict(id=1, name='traffic light', supercategory='outdoor'),
        dict(id=2, name='dog', supercategory='animal'),
        dict(id=3, name='cat', supercategory='animal'),
        dict(id=4, name='zebra', supercategory='animal'),
    ]
    ann_file = root / 'coco' / 'instances_train2017.json'
    ann_file.write_text(json.dumps(dict(
        images=images, annotations=annotations, categories=categories)))
    return ann_file, img_dir


EXPECTED = {
    ('traffic_light', '000000000001'): [BOX_A1, BOX_A2],
    ('traffic_light', '000000000002'): [BOX_A3],
    ('cat', '000000000003'): [BOX_C3, BOX_C3S],
    ('cat', '000000000004'): [BOX_C4],
}


def _args(ann_file, img_dir, out_dir, *extra):
    return [str(ann_file), str(img_dir), str(out_dir), '--min-area', '100',
            '--min-images', '2', *extra]


def _run_in_a_fresh_process(*args):
    proc = subprocess.run(
        [sys.executable, TOOL, *_args(*args)],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout + proc.stderr


@pytest.fixture
def run_tool(run_script):
    """The tool's command line, run in this process (the first build of
    :func:`test_build_and_resume` runs it in a fresh one)."""

    def run(*args):
        proc = run_script(TOOL, *_args(*args), cwd=REPO_ROOT)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        return proc.stdout + proc.stderr

    return run


def outputs(out_dir, sub, ext):
    root = out_dir / sub
    return {(cat, osp.splitext(name)[0])
            for cat in os.listdir(root)
            for name in os.listdir(root / cat) if name.endswith(ext)}


def expected_mask(boxes):
    """Interior pixels of the boxes (edges are rasteriser-dependent)."""
    inside = np.zeros((SIZE, SIZE), dtype=bool)
    edge = np.zeros((SIZE, SIZE), dtype=bool)
    for x0, y0, x1, y1 in boxes:
        inside[y0 + 1:y1 - 1, x0 + 1:x1 - 1] = True
        edge[max(y0 - 1, 0):y1 + 1, max(x0 - 1, 0):x1 + 1] = True
    return inside, edge


def check_outputs(out_dir, img_dir, copy=False):
    assert outputs(out_dir, 'images', '.jpg') == set(EXPECTED)
    assert outputs(out_dir, 'masks', '.png') == set(EXPECTED)
    for (cat, stem), boxes in EXPECTED.items():
        img = out_dir / 'images' / cat / f'{stem}.jpg'
        src = img_dir / f'{stem}.jpg'
        assert img.is_symlink() != copy
        if not copy:
            assert os.readlink(img) == str(src.resolve())
        assert img.read_bytes() == src.read_bytes()
        mask = Image.open(out_dir / 'masks' / cat / f'{stem}.png')
        assert mask.mode == 'L'
        array = np.asarray(mask)
        assert set(np.unique(array)) == {0, 255}
        inside, edge = expected_mask(boxes)
        assert (array[inside] == 255).all()
        assert (array[~edge] == 0).all()


def snapshot(out_dir):
    return {p: p.read_bytes() for p in sorted((out_dir / 'masks').rglob('*'))
            if p.is_file()}


def test_build_and_resume(tmp_path, run_tool):
    ann_file, img_dir = make_coco(tmp_path)
    out_dir = tmp_path / 'coco_seg'
    log = _run_in_a_fresh_process(ann_file, img_dir, out_dir)
    check_outputs(out_dir, img_dir)
    assert 'Categories: 2' in log
    assert '(category, image) pairs: 4' in log
    assert '  cat: 2\n  traffic_light: 2' in log
    assert 'Written: 4' in log
    assert 'Skipped (already done): 0' in log
    assert not (out_dir / 'images' / 'dog').exists()

    before = snapshot(out_dir)
    mtimes = {p: p.stat().st_mtime_ns for p in before}
    log = run_tool(ann_file, img_dir, out_dir)
    assert 'Written: 0' in log
    assert 'Skipped (already done): 4' in log
    assert snapshot(out_dir) == before
    assert {p: p.stat().st_mtime_ns for p in before} == mtimes
    check_outputs(out_dir, img_dir)


def test_resume_redoes_missing_mask(tmp_path, run_tool):
    ann_file, img_dir = make_coco(tmp_path)
    out_dir = tmp_path / 'coco_seg'
    run_tool(ann_file, img_dir, out_dir)
    (out_dir / 'masks' / 'cat' / '000000000003.png').unlink()
    log = run_tool(ann_file, img_dir, out_dir)
    assert 'Written: 1' in log
    assert 'Skipped (already done): 3' in log
    check_outputs(out_dir, img_dir)


@pytest.mark.parametrize('extra', [('--copy',), ('--nproc', '2')])
def test_copy_and_parallel(tmp_path, extra, run_tool):
    ann_file, img_dir = make_coco(tmp_path)
    out_dir = tmp_path / 'coco_seg'
    log = run_tool(ann_file, img_dir, out_dir, *extra)
    assert 'Written: 4' in log
    check_outputs(out_dir, img_dir, copy='--copy' in extra)
