import copy

import pytest
import torch
from mmengine.registry import init_default_scope
from mmengine.structures import PixelData
from mmseg.structures import SegDataSample

import mmcoseg  # noqa: F401
from mmcoseg.registry import MODELS

init_default_scope('mmcoseg')

IN_CHANNELS = [8, 16, 32, 64]
MODEL = dict(
    type='CoSegEncoderDecoder',
    data_preprocessor=dict(
        type='CoSegDataPreProcessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True,
        size=(64, 64)),
    backbone=dict(
        type='ResNetV1c', depth=18, stem_channels=8, base_channels=8,
        out_indices=(0, 1, 2, 3), norm_cfg=dict(type='BN')),
    spatial_modulator=dict(
        type='SpatialModulator', in_channels=IN_CHANNELS, channels=16),
    semantic_head=dict(
        type='HSPHead', in_channels=64, num_classes=4, channels=16,
        image_sp_channels=8, group_sp_channels=8),
    decode_head=dict(
        type='ModulatedFPNDecoder', in_channels=IN_CHANNELS,
        in_index=[0, 1, 2, 3], channels=16, norm_cfg=dict(type='BN')))


def _batch(group_sizes, size=64, ori=(50, 70)):
    inputs, samples = [], []
    for g, n in enumerate(group_sizes):
        inputs.append([
            torch.randint(0, 256, (3, size, size), dtype=torch.uint8)
            for _ in range(n)
        ])
        group = []
        for i in range(n):
            s = SegDataSample()
            s.gt_sem_seg = PixelData(
                data=torch.randint(0, 2, (1, size, size)))
            s.set_metainfo(
                dict(co_categories=[g % 4], img_shape=(size, size),
                     ori_shape=ori, pad_shape=(size, size)))
            group.append(s)
        samples.append(group)
    return dict(inputs=inputs, data_samples=samples)


def _build(**changes):
    cfg = copy.deepcopy(MODEL)
    cfg.update(changes)
    model = MODELS.build(cfg)
    model.init_weights()
    return model


@pytest.mark.parametrize('group_sizes', [[5], [2, 3], [4, 4, 4]])
def test_loss_predict_tensor(group_sizes):
    torch.manual_seed(0)
    model = _build()
    data = model.data_preprocessor(_batch(group_sizes), True)
    losses = model(**data, mode='loss')
    assert {'loss_seg', 'loss_spa', 'loss_sem', 'acc_seg'} <= set(losses)
    total = sum(v for k, v in losses.items() if k.startswith('loss'))
    total.backward()
    assert model.spatial_modulator.theta_spa.weight.grad.abs().sum() > 0
    assert model.semantic_head.classifier.weight.grad.abs().sum() > 0

    model.eval()
    data = model.data_preprocessor(_batch(group_sizes), False)
    with torch.no_grad():
        results = model(**data, mode='predict')
        logits = model(data['inputs'], data['data_samples'], mode='tensor')
    assert len(results) == sum(group_sizes)
    for r in results:
        # back at the original image size, binary
        assert r.pred_sem_seg.shape == (50, 70)
        assert set(r.pred_sem_seg.data.unique().tolist()) <= {0, 1}
    assert logits.shape == (sum(group_sizes), 1, 16, 16)


def test_prediction_depends_on_the_group():
    """The same image is segmented differently in a different group."""
    torch.manual_seed(0)
    model = _build().eval()
    batch = _batch([3, 3])
    data = model.data_preprocessor(batch, False)
    with torch.no_grad():
        logits = model(data['inputs'], data['data_samples'], mode='tensor')
        # a flat batch without group structure is refused...
        with pytest.raises(ValueError, match='without group structure'):
            model(data['inputs'], None, mode='tensor')
        # ...unless the caller says it is one group (six instead of 3 + 3)
        model.test_cfg.ungrouped = 'single'
        flat = model(data['inputs'], None, mode='tensor')
    assert not torch.allclose(logits[:3], flat[:3])


@pytest.mark.parametrize('fusion', ['add', 'channel'])
def test_consensus_modulator_model(fusion):
    """The improved f_spa: a supervised consensus map, trained through the
    decoder, with each way of fusing S into the decoder levels."""
    torch.manual_seed(0)
    model = _build(
        spatial_modulator=dict(
            type='ConsensusModulator', in_channels=IN_CHANNELS, channels=16,
            in_index=(1, 2), in_strides=(8, 16), target_stride=8),
        decode_head=dict(MODEL['decode_head'], spatial_fusion=fusion))
    data = model.data_preprocessor(_batch([3, 2]), True)
    losses = model(**data, mode='loss')
    assert {'loss_seg', 'loss_spa', 'loss_sem'} <= set(losses)
    model.zero_grad()
    losses['loss_seg'].backward()
    # the segmentation loss alone reaches theta through S
    assert model.spatial_modulator.theta[0].weight.grad.abs().sum() > 0
    model.eval()
    data = model.data_preprocessor(_batch([3, 2]), False)
    with torch.no_grad():
        results = model(**data, mode='predict')
    assert len(results) == 5


@pytest.mark.parametrize('ablation,present,absent', [
    (dict(spatial_modulator=None), {'loss_sem'}, {'loss_spa'}),
    (dict(semantic_head=None), {'loss_spa'}, {'loss_sem'}),
    (dict(spatial_modulator=None, semantic_head=None), set(),
     {'loss_spa', 'loss_sem'}),
])
def test_ablations(ablation, present, absent):
    model = _build(**ablation)
    data = model.data_preprocessor(_batch([2, 2]), True)
    losses = model(**data, mode='loss')
    assert 'loss_seg' in losses and present <= set(losses)
    assert not absent & set(losses)


def test_config_errors():
    with pytest.raises(ValueError, match='channels'):
        _build(semantic_head=dict(
            type='HSPHead', in_channels=64, num_classes=4, channels=32))
    with pytest.raises(ValueError, match='whole'):
        _build(test_cfg=dict(mode='slide', crop_size=(32, 32),
                             stride=(16, 16)))
