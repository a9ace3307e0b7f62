"""Checkpoints of the shipped model families keep loading.

``tests/fixtures/state_dict_keys_before_modulators_move.json.gz`` holds the
state-dict keys and shapes of these configs' models as they were built
before the modulators moved into ``mmcoseg/models/modulators/`` (and before
any later refactoring). A checkpoint with exactly those tensors is written
and loaded into the freshly built model through MMEngine's
``load_checkpoint`` with ``strict=True``, the function behind
``tools/test.py`` and ``runner.load_checkpoint``: a renamed attribute, a
removed or added parameter or a changed shape fails here. Registry names
(``type=...``) are checked by building the models from the configs.
"""
import gzip
import json
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.runner import load_checkpoint

import mmcoseg  # noqa: F401
from mmcoseg.registry import MODELS

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
MANIFEST = osp.join(ROOT, 'tests', 'fixtures',
                    'state_dict_keys_before_modulators_move.json.gz')

with gzip.open(MANIFEST, 'rt') as f:
    KEYS = json.load(f)


def build(name: str) -> torch.nn.Module:
    """The model of ``configs/ssnm/<name>.py``, nothing downloaded."""
    init_default_scope('mmcoseg')
    cfg = Config.fromfile(osp.join(ROOT, 'configs', 'ssnm', f'{name}.py'))
    cfg.model.pop('pretrained', None)
    return MODELS.build(cfg.model)  # no init_weights: no checkpoint read


def saved_checkpoint(path: str, shapes: dict) -> None:
    """A checkpoint as MMEngine saves it, with the manifest's tensors."""
    torch.save(
        dict(meta=dict(iter=1), state_dict={
            key: torch.zeros(shape) for key, shape in shapes.items()
        }), path)


@pytest.mark.parametrize('name', sorted(KEYS))
def test_old_checkpoint_loads_strictly(name, tmp_path):
    model = build(name)
    shapes = KEYS[name]
    now = {k: list(v.shape) for k, v in model.state_dict().items()}
    assert sorted(set(now) - set(shapes)) == [], 'new keys'
    assert sorted(set(shapes) - set(now)) == [], 'keys gone'
    assert {k: v for k, v in now.items() if shapes[k] != v} == {}, 'shapes'
    path = str(tmp_path / 'iter_1.pth')
    saved_checkpoint(path, shapes)
    load_checkpoint(model, path, map_location='cpu', strict=True)


def test_a_renamed_key_fails_to_load(tmp_path):
    """The loading check itself catches a rename."""
    name = 'ssnm-paper_r18-c16_1x4g5-1500i_synthetic-128x128'
    shapes = dict(KEYS[name])
    shapes['spatial_modulator.theta.weight'] = shapes.pop(
        'spatial_modulator.theta_spa.weight')
    path = str(tmp_path / 'renamed.pth')
    saved_checkpoint(path, shapes)
    with pytest.raises(RuntimeError, match='theta'):
        load_checkpoint(build(name), path, map_location='cpu', strict=True)
