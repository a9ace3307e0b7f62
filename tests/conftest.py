"""Fixtures shared across test folders: the demo's SSNM model config and
random image groups with box-shaped masks."""
import copy
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.structures import PixelData
from mmseg.structures import SegDataSample

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
DEMO_CONFIG = osp.join(REPO_ROOT, 'configs', 'ssnm',
                       'ssnm_r18-c16_1x4g5-1500i_synthetic-128x128.py')
#: Channels of the demo backbone's levels (strides 4, 8, 16, 32).
DEMO_IN_CHANNELS = [16, 32, 64, 128]


@pytest.fixture
def tiny_ssnm_cfg():
    """``make(spatial_modulator, spatial_fusion)``: the model config of the
    demo (a ResNet-18 of width 16, 8 co-categories), for 64x64 inputs,
    with the given spatial modulator config and decoder fusion."""
    model = Config.fromfile(DEMO_CONFIG).model.to_dict()
    model['data_preprocessor']['size'] = (64, 64)

    def make(spatial_modulator: dict, spatial_fusion: str = 'add') -> dict:
        cfg = copy.deepcopy(model)
        cfg['spatial_modulator'] = copy.deepcopy(spatial_modulator)
        cfg['decode_head']['spatial_fusion'] = spatial_fusion
        return cfg

    return make


@pytest.fixture
def coseg_groups():
    """``make(group_sizes, size=64, seed=0)``: a loader batch of random
    uint8 image groups, each mask a box plus an ignored corner."""

    def make(group_sizes, size: int = 64, seed: int = 0) -> dict:
        gen = torch.Generator().manual_seed(seed)
        inputs, samples = [], []
        for g, n in enumerate(group_sizes):
            inputs.append([
                torch.randint(0, 256, (3, size, size), dtype=torch.uint8,
                              generator=gen) for _ in range(n)
            ])
            group = []
            for _ in range(n):
                label = torch.zeros(1, size, size, dtype=torch.long)
                top, left = torch.randint(0, size // 2, (2, ), generator=gen)
                label[:, top:top + size // 2, left:left + size // 3] = 1
                label[:, :2, :2] = 255
                sample = SegDataSample()
                sample.gt_sem_seg = PixelData(data=label)
                sample.set_metainfo(
                    dict(co_categories=[g % 4], img_shape=(size, size),
                         ori_shape=(size, size), pad_shape=(size, size)))
                group.append(sample)
            samples.append(group)
        return dict(inputs=inputs, data_samples=samples)

    return make
