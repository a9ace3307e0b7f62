"""``tools/test.py --show-dir`` where only the test set is on disk.

A user evaluates a model on their test set without the training set the
config names. The visualization hook must not ask ``runner.iter`` in test
mode: that builds the training loop and its dataset, which fails on the
missing ``train/images`` folder (MMSeg issue #3471, fixed upstream after
1.2.2 by a test-mode counter). The run goes from a temporary folder holding
only ``data/synthetic_coseg/test`` (the config's relative ``data_root``),
with a checkpoint of the freshly built model; the tool's command line runs
in the test's process (it runs in a fresh one from a user's folder in
``test_cosod_test_cli.py``).
"""
import glob
import os.path as osp
import shutil

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope

from mmcoseg.datasets.synthetic_coseg import (
    DEFAULT_CATEGORIES,
    make_synthetic_coseg,
)
from mmcoseg.registry import MODELS

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = osp.join(REPO, 'configs', 'ssnm',
                  'ssnm_r18-c16_1x4g5-1500i_synthetic-128x128.py')
NUM_TEST = 2  # per category: one group of 2 each
TIMEOUT = 600


@pytest.fixture(scope='module')
def user_dir(tmp_path_factory):
    """A folder with the config's test set only, and a checkpoint."""
    root = tmp_path_factory.mktemp('test_set_only')
    data = root / 'data' / 'synthetic_coseg'
    make_synthetic_coseg(str(data), num_train=1, num_test=NUM_TEST,
                         image_size=(40, 56), seed=0)
    shutil.rmtree(data / 'train')
    cfg = Config.fromfile(CONFIG)
    init_default_scope('mmcoseg')
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.init_weights()
    torch.save(dict(state_dict=model.state_dict()), root / 'init.pth')
    return root


def test_show_dir_without_training_data(user_dir, run_script):
    assert not (user_dir / 'data' / 'synthetic_coseg' / 'train').exists()
    show = user_dir / 'show'
    proc = run_script(
        osp.join(REPO, 'tools', 'test.py'), CONFIG, 'init.pth',
        '--work-dir', 'work', '--show-dir', str(show), '--cfg-options',
        'test_dataloader.num_workers=0',
        'test_dataloader.persistent_workers=False',
        f'test_dataloader.dataset.group_size={NUM_TEST}', cwd=user_dir)
    proc.stdout += proc.stderr
    assert proc.returncode == 0, proc.stdout[-6000:]
    num_groups = len(DEFAULT_CATEGORIES)
    assert f'Iter(test) [{num_groups}/{num_groups}]' in proc.stdout
    pictures = [osp.basename(p) for p in glob.glob(
        str(show / 'vis_data' / 'vis_image' / '*.png'))]
    grids = [p for p in pictures if p.startswith('test_group_')]
    assert len(grids) == num_groups, pictures
    assert len(pictures) - len(grids) == NUM_TEST * num_groups, pictures
    # The first test run of the runner's hook draws at step 0, as before.
    assert all(p.endswith('_0.png') for p in pictures), pictures
