"""Item 4: degenerate inputs give finite S, gamma, losses and predictions,
and ``NonFiniteLossHook`` stops (or skips) a non-finite loss before the
optimizer step, naming the iteration."""
import copy

import pytest
import torch
from mmengine.registry import init_default_scope
from mmengine.structures import PixelData
from mmseg.structures import SegDataSample

import mmcoseg  # noqa: F401  (registers the modules)
from mmcoseg.engine import NonFiniteLossError, NonFiniteLossHook
from mmcoseg.models.modulators.spatial_modulator import SpatialModulator
from mmcoseg.registry import MODELS

IN_CHANNELS = [8, 16, 32, 64]
MODEL = dict(
    type='CoSegEncoderDecoder',
    data_preprocessor=dict(
        type='CoSegDataPreProcessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True,
        size=(32, 32)),
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
        in_index=[0, 1, 2, 3], channels=16, norm_cfg=dict(type='BN'),
        loss_decode=dict(type='CoSegLoss', weighting='paper')))

SIZE = 32


def _group(kind, n=3, seed=0):
    """Images (uint8 C x H x W) and masks of one degenerate group."""
    gen = torch.Generator().manual_seed(seed)
    rand = torch.randint(0, 256, (n, 3, SIZE, SIZE), generator=gen,
                         dtype=torch.uint8)
    masks = torch.zeros(n, 1, SIZE, SIZE, dtype=torch.long)
    masks[:, :, 8:24, 8:24] = 1
    if kind == 'black':
        images = torch.zeros_like(rand)
    elif kind == 'white':
        images = torch.full_like(rand, 255)
    elif kind == 'identical':
        images = rand[:1].expand_as(rand).clone()
    elif kind == 'all_background':
        images, masks = rand, torch.zeros_like(masks)
    elif kind == 'all_foreground':
        images, masks = rand, torch.ones_like(masks)
    elif kind == 'all_ignored':
        images, masks = rand, torch.full_like(masks, 255)
    else:
        images = rand
    return images, masks


def _batch(kinds):
    inputs, samples = [], []
    for g, kind in enumerate(kinds):
        images, masks = _group(kind, seed=g)
        inputs.append(list(images))
        group = []
        for mask in masks:
            s = SegDataSample()
            s.gt_sem_seg = PixelData(data=mask)
            s.set_metainfo(
                dict(co_categories=[g % 4], img_shape=(SIZE, SIZE),
                     ori_shape=(SIZE, SIZE), pad_shape=(SIZE, SIZE)))
            group.append(s)
        samples.append(group)
    return dict(inputs=inputs, data_samples=samples)


@pytest.fixture(scope='module')
def model():
    init_default_scope('mmcoseg')
    torch.manual_seed(0)
    model = MODELS.build(copy.deepcopy(MODEL))
    model.init_weights()
    return model


KINDS = ['black', 'white', 'identical', 'all_background', 'all_foreground',
         'all_ignored']


@pytest.mark.parametrize('kind', KINDS)
def test_degenerate_group_is_finite(model, kind):
    # paired with a normal group, as in a real batch
    for kinds in ([kind, 'random'], [kind, kind]):
        model.train()
        data = model.data_preprocessor(_batch(kinds), True)
        feats = model.extract_feat(data['inputs'])
        metas = [s.metainfo for s in data['data_samples']]
        layout = model.group_layout(metas, len(metas))
        mod = model.modulate(feats, layout, with_loss=True)
        assert torch.isfinite(mod.spatial).all(), kind
        assert torch.isfinite(mod.gamma).all(), kind
        assert torch.isfinite(mod.losses['loss_spa'])
        assert torch.isfinite(mod.losses['loss_sem'])
        losses = model(**data, mode='loss')
        total = sum(v for k, v in losses.items() if k.startswith('loss'))
        assert torch.isfinite(total), (kind, losses)
        model.zero_grad()
        total.backward()
        for name, param in model.named_parameters():
            if param.grad is not None:
                assert torch.isfinite(param.grad).all(), (kind, name)
        model.eval()
        data = model.data_preprocessor(_batch(kinds), False)
        with torch.no_grad():
            logits = model(data['inputs'], data['data_samples'],
                           mode='tensor')
            results = model(**data, mode='predict')
        assert torch.isfinite(logits).all(), kind
        for r in results:
            assert set(r.pred_sem_seg.data.unique().tolist()) <= {0, 1}


@pytest.mark.parametrize('case', ['some_zero', 'one_nonzero_pixel'])
def test_partly_zero_norm_descriptors(case):
    torch.manual_seed(0)
    mod = SpatialModulator(in_channels=IN_CHANNELS, channels=16)
    feats = [torch.randn(3, c, 32 // 2**i, 32 // 2**i)
             for i, c in enumerate(IN_CHANNELS)]
    if case == 'some_zero':
        feats = [torch.cat([f[:1], torch.zeros_like(f[1:])]) for f in feats]
    else:
        feats = [torch.zeros_like(f) for f in feats]
        feats[0][0, :, 0, 0] = 1.0
    for f in feats:
        f.requires_grad_(True)
    maps, loss = mod(feats, [3])
    loss.backward()
    assert torch.isfinite(maps).all() and torch.isfinite(loss)
    for f in feats:
        assert torch.isfinite(f.grad).all()


@pytest.mark.parametrize('dtype', [torch.float16, torch.bfloat16])
def test_low_precision_features(dtype):
    """fp16 / bf16 descriptors (as under AMP) are solved in float64."""
    torch.manual_seed(0)
    mod = SpatialModulator(in_channels=IN_CHANNELS, channels=16).to(dtype)
    feats = [(torch.randn(4, c, 16 // 2**i, 16 // 2**i) * 1e3).to(dtype)
             for i, c in enumerate(IN_CHANNELS)]
    feats.append(None)
    maps, loss = mod(feats[:4], [4])
    assert torch.isfinite(maps.float()).all() and torch.isfinite(loss)
    tiny = [(torch.randn_like(f.float()) * 1e-6).to(dtype)
            for f in feats[:4]]  # underflows towards zero in fp16
    maps, loss = mod(tiny, [2, 2])
    assert torch.isfinite(maps.float()).all() and torch.isfinite(loss)


def test_autocast_bf16_forward(model):
    model.train()
    data = model.data_preprocessor(_batch(['random', 'black']), True)
    with torch.autocast('cpu', dtype=torch.bfloat16):
        losses = model(**data, mode='loss')
    for key, value in losses.items():
        assert torch.isfinite(value.float()).all(), key


# ----------------------------------------------------- NonFiniteLossHook
@pytest.fixture
def runner_of(toy_runner):
    """``make(work_dir, hook, bad=None)``: the toy runner, 5 iterations of
    batch size 1, a checkpoint every 2, with ``hook``; the input of
    iteration 3 is ``bad``."""
    return lambda work_dir, hook, bad=None: toy_runner(
        work_dir, max_iters=5, batch_size=1, hooks=[hook], bad=bad,
        checkpoint=dict(type='CheckpointHook', interval=2, by_epoch=False))


@pytest.mark.parametrize('bad', [float('nan'), float('inf')])
def test_non_finite_loss_raises_naming_the_iteration(tmp_path, bad,
                                                     runner_of):
    runner = runner_of(tmp_path, dict(type='NonFiniteLossHook'), bad)
    with pytest.raises(NonFiniteLossError) as err:
        runner.train()
    message = str(err.value)
    assert 'iteration 3 of 5' in message
    assert 'loss_mse=' in message and 'loss_reg=' in message
    assert 'iter_2.pth' in message  # where to restart from
    # stopped before the step: the weights are finite
    for param in runner.model.parameters():
        assert torch.isfinite(param).all()


def test_non_finite_loss_skipped(tmp_path, runner_of):
    runner = runner_of(tmp_path, dict(type='NonFiniteLossHook', action='skip'),
                       float('nan'))
    runner.train()
    assert runner.iter == 5
    for param in runner.model.parameters():
        assert torch.isfinite(param).all()
    assert runner.message_hub.get_info('nonfinite_loss_skipped') == 1
    hook = [h for h in runner.hooks if isinstance(h, NonFiniteLossHook)][0]
    assert hook.num_skipped == 1
    # the wrappers are removed after training
    assert 'update_params' not in vars(runner.optim_wrapper)
    with open(f'{runner.log_dir}/{runner.timestamp}.log') as f:
        assert 'Non-finite loss at iteration 3 of 5' in f.read()


def test_skip_limit_and_bad_action(tmp_path, runner_of):
    runner = runner_of(tmp_path, dict(type='NonFiniteLossHook', action='skip',
                                      max_skips=0), float('nan'))
    with pytest.raises(NonFiniteLossError, match='max_skips=0'):
        runner.train()
    with pytest.raises(ValueError, match='action'):
        NonFiniteLossHook(action='ignore')


def test_without_the_hook_nan_reaches_the_weights(tmp_path, toy_runner):
    """What the hook prevents: a plain run writes NaN into the weights."""
    runner = toy_runner(tmp_path, max_iters=3, batch_size=1,
                        bad=float('nan'))
    runner.train()
    assert not torch.isfinite(runner.model.linear.weight).all()
