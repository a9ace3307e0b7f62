"""Tests of ``tools/analysis_tools/browse_group_dataset.py``."""
import os.path as osp
import subprocess
import sys

import numpy as np
from PIL import Image

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TOOL = osp.join('tools', 'analysis_tools', 'browse_group_dataset.py')
CONFIG = osp.join('configs', '_base_', 'datasets', 'icoseg.py')
GRID_HEIGHT = 2 * 160 + 4


def make_icoseg(root, layout):
    """``layout``: {group: number of images}; JPG images, PNG masks."""
    rng = np.random.default_rng(0)
    for group, count in layout.items():
        (root / 'images' / group).mkdir(parents=True)
        (root / 'ground_truth' / group).mkdir(parents=True)
        for i in range(count):
            size = (40 + 4 * i, 30)
            image = rng.integers(0, 255, (size[1], size[0], 3), np.uint8)
            Image.fromarray(image).save(root / 'images' / group /
                                        f'{i:03d}.jpg')
            mask = np.zeros((size[1], size[0]), np.uint8)
            mask[5:20, 10:30] = 255
            Image.fromarray(mask).save(root / 'ground_truth' / group /
                                       f'{i:03d}.png')
    return root


def run_tool(out_dir, *extra):
    proc = subprocess.run(
        [sys.executable, TOOL, CONFIG, '--out-dir', str(out_dir), *extra],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_browse_writes_one_grid_per_category(tmp_path):
    # cheetah: 7 images -> groups of 5: [0-4], [5, 6 + 3 padding]
    root = make_icoseg(tmp_path / 'icoseg', dict(bear2=3, cheetah=7))
    out_dir = tmp_path / 'out'
    stdout = run_tool(
        out_dir, '--cfg-options',
        f'test_dataloader.dataset.data_root={root}',
        "test_dataloader.dataset.metainfo.classes=['bear2','cheetah']")
    # one group per category: bear2 is group 0, cheetah starts at group 1
    expected = [out_dir / 'bear2_0.jpg', out_dir / 'cheetah_1.jpg']
    lines = [line for line in stdout.splitlines() if line.strip()]
    assert len(lines) == 2
    for path, line in zip(expected, lines):
        assert path.is_file()
        assert str(path) in line
        with Image.open(path) as img:
            assert img.height == GRID_HEIGHT
            width = img.width
        # 5 tiles of 160 x (w * 160 / 30) plus 4 gaps
        assert width > 5 * 160
    assert not (out_dir / 'cheetah_2.jpg').exists()
    assert '(2 padding)' in lines[0]


def test_browse_num_groups_and_val_split(tmp_path):
    root = make_icoseg(tmp_path / 'icoseg', dict(bear2=2, cheetah=2))
    out_dir = tmp_path / 'out'
    stdout = run_tool(
        out_dir, '--split', 'val', '--num-groups', '1', '--cfg-options',
        f'val_dataloader.dataset.data_root={root}',
        "val_dataloader.dataset.metainfo.classes=['cheetah','bear2']")
    assert len(stdout.strip().splitlines()) == 1
    assert (out_dir / 'cheetah_0.jpg').is_file()
    assert not (out_dir / 'bear2_1.jpg').exists()
