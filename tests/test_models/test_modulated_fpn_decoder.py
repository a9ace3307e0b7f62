import pytest
import torch
from mmengine.registry import init_default_scope

from mmcoseg.models.decode_heads import ModulatedFPNDecoder
from mmcoseg.models.modulators import Modulation

init_default_scope('mmcoseg')


def _decoder(in_channels=(8, 16, 32, 64), channels=16):
    return ModulatedFPNDecoder(
        in_channels=list(in_channels),
        in_index=list(range(len(in_channels))),
        channels=channels,
        norm_cfg=dict(type='BN'),
        loss_decode=dict(type='CoSegLoss', weighting='paper')).eval()


def _feats(n, in_channels=(8, 16, 32, 64), size=16):
    return [
        torch.randn(n, c, size // 2**i, size // 2**i)
        for i, c in enumerate(in_channels)
    ]


@pytest.mark.parametrize('n', [1, 5, 20])
@pytest.mark.parametrize('in_channels,channels', [((8, 16, 32, 64), 16),
                                                  ((18, 36, 72, 144), 32)])
def test_output_shape(n, in_channels, channels):
    head = _decoder(in_channels, channels)
    out = head(_feats(n, in_channels))
    assert out.shape == (n, 1, 16, 16)
    assert head.out_channels == 1 and head.threshold == 0.5


def test_modulation_follows_eq5():
    torch.manual_seed(0)
    head = _decoder()
    x = torch.randn(3, 16, 4, 4)
    gamma = torch.rand(3, 16)
    spatial = torch.randn(3, 1, 8, 8)
    out = head.modulate(x, Modulation(gamma=gamma, spatial=spatial))
    s = torch.nn.functional.interpolate(spatial, size=(4, 4),
                                        mode='bilinear')
    assert torch.allclose(out, gamma[:, :, None, None] * x + s, atol=1e-6)
    # neutral modulation = no modulation
    feats = _feats(3)
    neutral = Modulation(gamma=torch.ones(3, 16),
                         spatial=torch.zeros(3, 1, 4, 4))
    assert torch.allclose(head(feats, neutral), head(feats), atol=1e-6)
    # each modulator alone changes the output
    assert not torch.allclose(head(feats, Modulation(gamma=gamma)),
                              head(feats))
    assert not torch.allclose(head(feats, Modulation(spatial=spatial)),
                              head(feats))


def test_multiple_select_required():
    with pytest.raises(ValueError, match='multiple_select'):
        ModulatedFPNDecoder(in_channels=8, in_index=0, channels=4,
                            input_transform=None)


@pytest.mark.parametrize('kernel,spread', [(3, True), (1, False)])
def test_fuse_kernel_size_sets_the_refinement_footprint(kernel, spread):
    torch.manual_seed(0)
    head = ModulatedFPNDecoder(
        in_channels=[8, 16], in_index=[0, 1], channels=16,
        fuse_kernel_size=kernel, norm_cfg=dict(type='BN')).eval()
    assert head.fuse_conv.conv.kernel_size == (kernel, kernel)
    feats = _feats(2, (8, 16), size=8)
    bumped = [feats[0].clone(), feats[1]]
    bumped[0][:, :, 4, 4] += 5.0  # one pixel of the first level
    changed = (head(bumped) - head(feats)).abs()[:, 0] > 1e-6
    assert changed[:, 4, 4].all()
    # a 1x1 refinement keeps the change at that pixel; a 3x3 one spreads it
    assert bool(changed[:, 3:6, 3:6].sum() > 2) is spread
    assert changed.sum() == (18 if spread else 2)


@pytest.mark.parametrize('kernel', [0, 2])
def test_fuse_kernel_size_must_be_odd(kernel):
    with pytest.raises(ValueError, match='fuse_kernel_size'):
        ModulatedFPNDecoder(in_channels=[8], in_index=[0], channels=4,
                            fuse_kernel_size=kernel)


def test_acc_seg_counts_the_correct_valid_pixels():
    """acc_seg: the percentage of pixels that are not ignored whose
    thresholded logit (> 0) matches the label; ignored pixels count for
    nothing, whatever the logit."""
    dec = _decoder()
    logits = torch.tensor([[[[2.0, -1.0], [3.0, -2.0]]]])  # fg, bg, fg, bg
    labels = torch.tensor([[[1, 1], [255, 0]]])  # right, wrong, ignored, right
    mod = Modulation(seg_label=labels)
    losses = dec.loss_by_feat(logits, [], mod)
    assert float(losses['acc_seg']) == pytest.approx(100 * 2 / 3)
    none_valid = Modulation(seg_label=torch.full((1, 2, 2), 255))
    assert float(dec.loss_by_feat(logits, [], none_valid)['acc_seg']) == 0
