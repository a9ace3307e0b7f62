"""The modulator seam: a new modulator plugs in through config alone.

``USER_MODULATOR`` is what a user writes in their own project (a module on
their PYTHONPATH): a :class:`BaseModulator` subclass registered in mmcoseg's
MODELS. A config that derives from the demo config lists it in
``model.modulators`` and imports it with ``custom_imports``; tools/train.py
trains it with f_spa and f_sem, its loss term is logged under its name, and
its parameters are in the checkpoint. Also: the contributions combine as
documented, and each term is weighted by its modulator's ``loss_weight``.
"""
import glob
import json
import os.path as osp
import sys

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope

import mmcoseg  # noqa: F401
from mmcoseg.datasets.synthetic_coseg import make_synthetic_coseg
from mmcoseg.models import CoSegEncoderDecoder, CoSegLoss
from mmcoseg.models.modulators import Modulation, ModulatorOutput
from mmcoseg.registry import MODELS
from mmcoseg.structures import GroupLayout

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
DEMO = osp.join(REPO_ROOT, 'configs', 'ssnm',
                'ssnm_r18-c16_1x4g5-1500i_synthetic-128x128.py')

USER_MODULATOR = '''
import torch
import torch.nn as nn
import torch.nn.functional as F

from mmcoseg.models.modulators import BaseModulator, ModulatorOutput
from mmcoseg.registry import MODELS


@MODELS.register_module()
class GroupMeanModulator(BaseModulator):
    """S: each pixel's cosine similarity to its group's mean descriptor."""

    def __init__(self, in_channels, in_index=-1, channels=16,
                 loss_name='loss_mean', loss_weight=0.5, init_cfg=None):
        super().__init__(loss_name, loss_weight, init_cfg)
        self.in_index = in_index
        self.proj = nn.Conv2d(in_channels, channels, 1)

    def modulate(self, feats, layout, gt=None, with_loss=False):
        x = F.normalize(self.proj(feats[self.in_index]), dim=1)
        sizes = x.new_tensor(layout.sizes)[:, None]
        mean = layout.sum_groups(x.mean((2, 3))) / sizes
        s = (x * layout.expand(mean)[:, :, None, None]).sum(1, keepdim=True)
        losses = {}
        if with_loss and gt is not None:
            target = F.interpolate((gt == 1).float()[:, None],
                                   size=s.shape[2:], mode='nearest')
            losses[self.loss_name] = F.binary_cross_entropy_with_logits(
                4 * s, target)
        return ModulatorOutput(spatial=s, losses=losses)
'''


def test_a_new_modulator_trains_from_a_user_config(tmp_path, monkeypatch,
                                                   run_script):
    """tools/train.py's command line from the user's project folder, the
    project on ``sys.path`` as PYTHONPATH puts it (in this process: the
    tool runs in a fresh one from a user's folder in
    ``test_downstream.py``)."""
    data_root = str(tmp_path / 'data')
    make_synthetic_coseg(data_root, num_train=6, num_test=2,
                         image_size=(48, 64), seed=0)
    project = tmp_path / 'project'
    project.mkdir()
    (project / 'my_modulator.py').write_text(USER_MODULATOR)
    config = project / 'ssnm_plus_mean.py'
    config.write_text(
        f'_base_ = {DEMO!r}\n'
        "custom_imports = dict(imports=['my_modulator'], "
        'allow_failed_imports=False)\n'
        "model = dict(modulators=[dict(type='GroupMeanModulator', "
        'in_channels=128)])\n')
    work_dir = str(tmp_path / 'work')
    opts = [f'{loader}.dataset.data_root={data_root}'
            for loader in ('train_dataloader', 'val_dataloader',
                           'test_dataloader')]
    opts += ['train_dataloader.num_workers=0',
             'train_dataloader.persistent_workers=False',
             'train_dataloader.batch_size=2', 'train_cfg.max_iters=2',
             'train_cfg.val_interval=100',
             'default_hooks.checkpoint.interval=2',
             'default_hooks.logger.interval=1']
    monkeypatch.syspath_prepend(str(project))
    try:
        proc = run_script(osp.join(REPO_ROOT, 'tools', 'train.py'),
                          str(config), '--work-dir', work_dir,
                          '--cfg-options', *opts, cwd=project)
    finally:  # the user's module and class stay out of later tests
        sys.modules.pop('my_modulator', None)
        MODELS._module_dict.pop('GroupMeanModulator', None)
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-6000:]

    state = torch.load(osp.join(work_dir, 'iter_2.pth'), map_location='cpu',
                       weights_only=True)['state_dict']
    assert 'extra_modulators.0.proj.weight' in state
    assert 'spatial_modulator.theta.0.weight' in state  # f_spa still there
    assert 'semantic_head.classifier.weight' in state  # and f_sem
    scalars, = glob.glob(osp.join(work_dir, '*', 'vis_data',
                                  'scalars.json'))
    with open(scalars) as f:
        steps = [json.loads(line) for line in f if 'loss' in line]
    assert [e['iter'] for e in steps] == [1, 2]
    for entry in steps:
        for key in ('loss_seg', 'loss_spa', 'loss_sem', 'loss_mean'):
            assert torch.isfinite(torch.tensor(entry[key])), (key, entry)


def test_contributions_combine():
    a = torch.rand(2, 1, 4, 4)
    b = torch.rand(2, 1, 2, 2)
    gamma = torch.rand(2, 3)
    mod = Modulation()
    mod.add(ModulatorOutput(spatial=a, losses={'loss_spa': torch.tensor(1.)}))
    mod.add(ModulatorOutput(gamma=gamma,
                            losses={'loss_sem': torch.tensor(2.)}),
            loss_weight=0.3)
    mod.add(ModulatorOutput(spatial=b, gamma=gamma))
    up = torch.nn.functional.interpolate(b, size=(4, 4), mode='bilinear',
                                         align_corners=False)
    assert torch.allclose(mod.spatial, a + up)
    assert torch.allclose(mod.gamma, gamma * gamma)
    assert mod.losses == {'loss_spa': 1, 'loss_sem': 2}
    assert mod.loss_weights == {'loss_spa': 1.0, 'loss_sem': 0.3}
    with pytest.raises(ValueError, match="named 'loss_spa'"):
        mod.add(ModulatorOutput(losses={'loss_spa': torch.tensor(0.)}))


def test_loss_weights_are_the_modulators():
    loss = CoSegLoss(weighting='none')
    logits = torch.zeros(1, 1, 2, 2)
    label = torch.ones(1, 2, 2, dtype=torch.long)
    terms = dict(loss_spa=torch.tensor(1.0), loss_sem=torch.tensor(1.0),
                 loss_mean=torch.tensor(1.0))
    out = loss(logits, label, aux_losses=terms,
               aux_weights=dict(loss_spa=2.0, loss_sem=0.5))
    assert out['loss_spa'] == 2.0 and out['loss_sem'] == 0.5
    assert out['loss_mean'] == 1.0  # no weight given: 1
    assert list(out) == ['loss_seg', 'loss_spa', 'loss_sem', 'loss_mean']


def test_config_weights_reach_the_loss_terms():
    """A shipped config's modulator ``loss_weight`` is what weights its
    term (w_sem = 0.2 and w_spa = 1 in the synthetic demo config)."""
    init_default_scope('mmcoseg')
    model = MODELS.build(Config.fromfile(DEMO).model)
    assert model.spatial_modulator.loss_weight == 1.0
    assert model.semantic_head.loss_weight == 0.2
    mod = model.modulate(
        [torch.randn(4, c, 32 // 2**i, 32 // 2**i)
         for i, c in enumerate((16, 32, 64, 128))],
        GroupLayout((2, 2), categories=((0,), (1,))),
        torch.randint(0, 2, (4, 128, 128)), with_loss=True)
    assert mod.loss_weights == {'loss_spa': 1.0, 'loss_sem': 0.2}


def test_a_non_modulator_is_refused():
    init_default_scope('mmcoseg')
    with pytest.raises(TypeError, match=r'modulators\[0\]: Conv2d is not a '
                       'modulator'):
        CoSegEncoderDecoder(
            backbone=dict(type='ResNetV1c', depth=18, base_channels=16,
                          stem_channels=16),
            decode_head=dict(type='ModulatedFPNDecoder',
                             in_channels=[16, 32, 64, 128],
                             in_index=[0, 1, 2, 3], channels=16,
                             num_classes=2),
            modulators=[dict(type='Conv2d', in_channels=1, out_channels=1,
                             kernel_size=1)])
