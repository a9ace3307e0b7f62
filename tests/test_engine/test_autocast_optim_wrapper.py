"""Mixed precision on a machine without a GPU: ``--amp`` (AmpOptimWrapper)
becomes bfloat16 autocast without loss scaling, and an SSNM model trains
under it with finite losses and float32 weights."""
import copy

import pytest
import torch
from mmengine.optim import build_optim_wrapper
from mmengine.registry import init_default_scope

import mmcoseg  # noqa: F401
from mmcoseg.engine import AutocastOptimWrapper, amp_without_accelerator
from mmcoseg.registry import MODELS

init_default_scope('mmcoseg')
# the levels of the demo backbone (tests/conftest.py)
IN_CHANNELS = [16, 32, 64, 128]


def test_amp_config_becomes_autocast_without_accelerator(monkeypatch):
    from mmcoseg.engine.optimizers import autocast_optim_wrapper as module
    monkeypatch.setattr(module, 'is_cuda_available', lambda: False)
    cfg = dict(type='AmpOptimWrapper', loss_scale='dynamic',
               optimizer=dict(type='SGD', lr=0.1))
    assert amp_without_accelerator(cfg)
    assert cfg == dict(type='mmcoseg.AutocastOptimWrapper',
                       optimizer=dict(type='SGD', lr=0.1),
                       dtype='bfloat16', device_type='cpu')
    plain = dict(type='OptimWrapper', optimizer=dict(type='SGD', lr=0.1))
    assert not amp_without_accelerator(plain)
    assert plain['type'] == 'OptimWrapper'
    monkeypatch.setattr(module, 'is_cuda_available', lambda: True)
    amp = dict(type='AmpOptimWrapper', optimizer=dict(type='SGD'))
    assert not amp_without_accelerator(amp)


def test_wrapper_autocasts_and_loads_amp_state():
    layer = torch.nn.Linear(4, 2)
    wrapper = build_optim_wrapper(
        layer,
        dict(type='mmcoseg.AutocastOptimWrapper', device_type='cpu',
             optimizer=dict(type='SGD', lr=0.1)))
    assert isinstance(wrapper, AutocastOptimWrapper)
    with wrapper.optim_context(layer):
        assert layer(torch.randn(3, 4)).dtype == torch.bfloat16
    assert layer(torch.randn(3, 4)).dtype == torch.float32
    state = wrapper.state_dict()
    assert 'loss_scaler' not in state
    wrapper.load_state_dict(dict(state, loss_scaler={'scale': 1.0}))
    with pytest.raises(TypeError, match='dtype'):
        AutocastOptimWrapper(
            dtype=16, optimizer=torch.optim.SGD(layer.parameters(), lr=1))


@pytest.mark.parametrize('spatial', [
    dict(type='SpatialModulator', in_channels=IN_CHANNELS, channels=16),
    dict(type='ConsensusModulator', in_channels=IN_CHANNELS, channels=16,
         in_index=(1, 2, 3), in_strides=(8, 16, 32), target_stride=8),
])
def test_ssnm_trains_in_bfloat16(spatial, tiny_ssnm_cfg, coseg_groups):
    torch.manual_seed(0)
    model = MODELS.build(tiny_ssnm_cfg(spatial))
    model.init_weights()
    wrapper = build_optim_wrapper(
        model,
        dict(type='mmcoseg.AutocastOptimWrapper', device_type='cpu',
             optimizer=dict(type='Adam', lr=1e-3)))
    before = copy.deepcopy(model.state_dict())
    data = coseg_groups([3, 3])
    for _ in range(2):
        log_vars = model.train_step(copy.deepcopy(data), wrapper)
        for key in ('loss', 'loss_seg', 'loss_spa', 'loss_sem'):
            assert torch.isfinite(log_vars[key]), (key, log_vars)
    for name, param in model.named_parameters():
        assert param.dtype == torch.float32, name
    changed = [k for k, v in model.state_dict().items()
               if v.is_floating_point() and not torch.equal(v, before[k])]
    assert any(k.startswith('spatial_modulator.') for k in changed)
    assert any(k.startswith('backbone.') for k in changed)
