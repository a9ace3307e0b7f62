"""A tiny co-segmentation model shared by the API and web-demo tests.

The small synthetic-data config with random weights (no training); its
checkpoint is saved once per test session.
"""
import os.path as osp

import pytest
import torch
from mmengine.config import Config

import mmcoseg  # noqa: F401  (registers modules; before mmseg.models)
from mmcoseg.apis import init_model

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


@pytest.fixture(scope='session')
def repo_root():
    """The repository root (the working directory of the tools)."""
    return REPO_ROOT


@pytest.fixture(scope='session')
def config_file():
    """The small synthetic-data config of the demo."""
    return osp.join(REPO_ROOT, 'configs', 'ssnm',
                    'ssnm_r18-c16_1x4g5-1500i_synthetic-128x128.py')


@pytest.fixture(scope='session')
def cfg(config_file):
    return Config.fromfile(config_file)


@pytest.fixture(scope='session')
def model(cfg):
    torch.manual_seed(0)
    return init_model(cfg, checkpoint=None)


@pytest.fixture(scope='session')
def checkpoint(model, tmp_path_factory):
    """A checkpoint of :func:`model`, as a trained run would save it."""
    path = str(tmp_path_factory.mktemp('ckpt') / 'tiny.pth')
    torch.save({'state_dict': model.state_dict(), 'meta': {}}, path)
    return path
