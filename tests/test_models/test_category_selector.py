"""CategorySelector: the category loss over foreground pixels, the group's
foreground-weighted vote, the removal of foreground parts of another
category, and its place in the segmentor (after the decoder)."""
import math

import pytest
import torch
import torch.nn.functional as F
from mmengine.registry import init_default_scope

from mmcoseg.models import CategorySelector, CoSegEncoderDecoder
from mmcoseg.structures import GroupLayout

LEVELS = [(8, 4), (8, 8), (16, 16), (32, 32)]  # (channels, stride)


def _feats(n, size=64, seed=0):
    g = torch.Generator().manual_seed(seed)
    return [torch.randn(n, c, size // s, size // s, generator=g)
            for c, s in LEVELS]


def _selector(**kwargs):
    kwargs.setdefault('num_classes', 4)
    return CategorySelector(in_channels=[c for c, _ in LEVELS],
                            channels=8, **kwargs)


def test_loss_is_the_foreground_cross_entropy():
    sel = _selector()
    logits = torch.randn(2, 4, 6, 6)
    gt = torch.zeros(2, 6, 6, dtype=torch.long)
    gt[0, :2, :3] = 1
    gt[1, 3:, 3:] = 1
    gt[1, 0, 0] = 255  # ignored
    layout = GroupLayout((2, ), ((2, ), ))
    loss = sel.loss_by_feat(logits, gt, layout)
    log_p = F.log_softmax(logits, dim=1)[:, 2]
    expected = torch.stack([-log_p[i][gt[i] == 1].mean() for i in range(2)])
    assert torch.allclose(loss, expected.mean())
    # background and ignored pixels carry no loss
    changed = logits.clone()
    changed[:, :, gt[0] != 1] = torch.randn_like(changed[:, :, gt[0] != 1])
    changed[1][:, gt[1] != 1] = 5.0
    changed[0][:, gt[0] == 1] = logits[0][:, gt[0] == 1]
    changed[1][:, gt[1] == 1] = logits[1][:, gt[1] == 1]
    assert torch.allclose(sel.loss_by_feat(changed, gt, layout), loss)


def test_loss_with_several_co_categories_and_empty_images():
    sel = _selector()
    logits = torch.randn(2, 4, 3, 3)
    gt = torch.zeros(2, 3, 3, dtype=torch.long)
    gt[0, 1, 1] = 1  # image 1 has no foreground: left out of the mean
    layout = GroupLayout((2, ), ((0, 3), ))
    p = logits[0, :, 1, 1].softmax(0)
    expected = -math.log(float(p[0] + p[3]))
    assert sel.loss_by_feat(logits, gt, layout).item() == pytest.approx(
        expected, rel=1e-5)
    empty = torch.zeros_like(gt)
    assert sel.loss_by_feat(logits, empty, layout).item() == 0.0


def test_loss_needs_categories():
    sel = _selector()
    with pytest.raises(ValueError, match=r'co_categories \[\]'):
        sel.loss_by_feat(torch.randn(1, 4, 2, 2),
                         torch.ones(1, 2, 2, dtype=torch.long),
                         GroupLayout((1, )))
    with pytest.raises(ValueError, match='num_classes=4'):
        sel.loss_by_feat(torch.randn(1, 4, 2, 2),
                         torch.ones(1, 2, 2, dtype=torch.long),
                         GroupLayout((1, ), ((7, ), )))


def test_modulate_trains_the_head_and_adds_nothing_to_the_decoder():
    sel = _selector(loss_weight=0.3)
    feats = _feats(4)
    gt = (torch.rand(4, 64, 64) > 0.6).long()
    layout = GroupLayout((2, 2), ((1, ), (3, )))
    out = sel.modulate(feats, layout, gt, with_loss=True)
    assert out.spatial is None and out.gamma is None
    out.losses['loss_cat'].backward()
    assert sel.projection.weight.grad.abs().sum() > 0
    assert sel.modulate(feats, layout).losses == {}
    assert sel(feats).shape == (4, 4, 4, 4)  # stride 16 of 64


def test_loss_stride_subsamples_the_labels(monkeypatch):
    """loss_stride=4: the loss of the labels subsampled every 4th pixel
    (nearest), on logits resized to that size; an ignored label stays
    ignored."""
    sel = _selector(loss_stride=4)
    feats = _feats(2)
    gt = (torch.rand(2, 64, 64) > 0.5).long()
    gt[0, :8] = 255
    layout = GroupLayout((2, ), ((1, ), ))
    seen = {}
    original = CategorySelector.loss_by_feat

    def spy(self, logits, labels, lay):
        seen['logits'], seen['labels'] = logits, labels
        return original(self, logits, labels, lay)

    monkeypatch.setattr(CategorySelector, 'loss_by_feat', spy)
    loss = sel.modulate(feats, layout, gt, with_loss=True).losses['loss_cat']
    assert seen['labels'].shape == (2, 16, 16)
    assert torch.equal(seen['labels'], gt[:, ::4, ::4])
    assert seen['logits'].shape == (2, 4, 16, 16)
    expected = original(
        sel, F.interpolate(sel(feats), size=(16, 16), mode='bilinear'),
        gt[:, ::4, ::4], layout)
    assert torch.allclose(loss, expected)
    with pytest.raises(ValueError, match='loss_stride'):
        _selector(loss_stride=0)


def _two_parts():
    """Foreground logits of one 8x8 image with two separate parts."""
    fg = torch.full((1, 1, 8, 8), -4.0)
    fg[..., 1:3, 1:3] = 4.0  # part A
    fg[..., 5:7, 5:7] = 3.0  # part B
    return fg


def _category_logits(parts):
    """Logits (1, 4, 8, 8): each (rows, cols, category) region confidently
    that category, elsewhere uniform."""
    logits = torch.zeros(1, 4, 8, 8)
    for rows, cols, cat in parts:
        logits[0, cat, rows, cols] = 6.0
    return logits


def test_refine_removes_the_part_of_another_category(monkeypatch):
    sel = _selector().eval()
    fg = _two_parts()
    cats = _category_logits([(slice(1, 3), slice(1, 3), 2),
                             (slice(5, 7), slice(5, 7), 1)])
    # a group of two copies: category 2 has more foreground mass (part A)
    fg2, layout = torch.cat([fg, fg]), GroupLayout((2, ))
    monkeypatch.setattr(sel, 'forward', lambda feats: torch.cat([cats] * 2))
    out = sel.refine_logits(fg2, None, layout)
    assert torch.equal(out[:, :, 1:3, 1:3], fg2[:, :, 1:3, 1:3])  # kept
    assert (out[:, :, 5:7, 5:7] < 0).all()  # B removed
    assert torch.equal(out[:, :, 5:7, 5:7], -fg2[:, :, 5:7, 5:7])
    background = torch.ones(8, 8, dtype=torch.bool)
    background[1:3, 1:3] = background[5:7, 5:7] = False
    assert torch.equal(out[:, :, background], fg2[:, :, background])


def test_refine_follows_the_group_vote(monkeypatch):
    """Image 0 shows category 2 large and category 1 small; the other two
    images show category 1: the group keeps category 1 and drops A."""
    sel = _selector().eval()
    fg = torch.cat([_two_parts()] * 3)
    cats = torch.cat([
        _category_logits([(slice(1, 3), slice(1, 3), 2),
                          (slice(5, 7), slice(5, 7), 1)]),
        _category_logits([(slice(1, 3), slice(1, 3), 1),
                          (slice(5, 7), slice(5, 7), 1)]),
        _category_logits([(slice(1, 3), slice(1, 3), 1),
                          (slice(5, 7), slice(5, 7), 1)]),
    ])
    monkeypatch.setattr(sel, 'forward', lambda feats: cats)
    layout = GroupLayout((3, ))
    prob = cats.softmax(1)
    assert sel.group_categories(prob, fg.sigmoid(), layout).tolist() == [1]
    out = sel.refine_logits(fg, None, layout)
    assert (out[0, :, 1:3, 1:3] < 0).all()
    assert torch.equal(out[0, :, 5:7, 5:7], fg[0, :, 5:7, 5:7])
    assert torch.equal(out[1:], fg[1:])
    # two groups decide separately
    layout = GroupLayout((1, 2))
    out = sel.refine_logits(fg, None, layout)
    # image 0 alone: category 2 has more foreground mass (A: logit 4 > 3)
    assert torch.equal(out[0, :, 1:3, 1:3], fg[0, :, 1:3, 1:3])
    assert (out[0, :, 5:7, 5:7] < 0).all()
    assert torch.equal(out[1:], fg[1:])


@pytest.mark.parametrize('ratio,removed', [(0.0, False), (0.5, False),
                                           (1.0, True)])
def test_keep_ratio(monkeypatch, ratio, removed):
    """Part A (larger, category 3) sets the group's category; part B is
    60% category 0 and 40% category 3 (ratio 2/3 to its top category)."""
    sel = _selector(keep_ratio=ratio).eval()
    fg = torch.full((1, 1, 8, 8), -4.0)
    fg[..., 0:3, 0:3] = 8.0
    fg[..., 5:7, 5:7] = 3.0
    cats = _category_logits([(slice(0, 3), slice(0, 3), 3)])
    cats[0, :, 5:7, 5:7] = -30.0
    cats[0, 0, 5:7, 5:7] = math.log(0.6)
    cats[0, 3, 5:7, 5:7] = math.log(0.4)
    monkeypatch.setattr(sel, 'forward', lambda feats: cats)
    out = sel.refine_logits(fg, None, GroupLayout((1, )))
    assert torch.equal(out[..., 0:3, 0:3], fg[..., 0:3, 0:3])
    assert bool((out[..., 5:7, 5:7] < 0).all()) is removed


def test_every_image_keeps_its_best_part(monkeypatch):
    """Image 1 shows only category 1 in a group of category 2: its part is
    not the group's, but it is the image's best part and stays; image 0
    loses its category-1 part B and keeps A."""
    sel = _selector().eval()
    one = torch.full((1, 1, 8, 8), -4.0)
    one[..., 5:7, 5:7] = 3.0
    big = _two_parts()
    big[..., 0:4, 0:4] = 4.0  # A: 16 pixels, the group's vote goes to 2
    fg = torch.cat([big, one])
    cats = torch.cat([
        _category_logits([(slice(0, 4), slice(0, 4), 2),
                          (slice(5, 7), slice(5, 7), 1)]),
        _category_logits([(slice(5, 7), slice(5, 7), 1)])])
    monkeypatch.setattr(sel, 'forward', lambda feats: cats)
    out = sel.refine_logits(fg, None, GroupLayout((2, )))
    assert torch.equal(out[1], fg[1])
    assert torch.equal(out[0, :, 0:4, 0:4], fg[0, :, 0:4, 0:4])
    assert (out[0, :, 5:7, 5:7] < 0).all()


@pytest.mark.parametrize('ratio', [0.0, 0.5])
def test_pixel_ratio_cuts_a_touching_object(monkeypatch, ratio):
    """One connected part: rows 1-4 of category 3 (the group's: more
    mass), rows 5-6 of category 0 touching them. Part selection keeps the
    whole part; pixel_ratio > 0 removes the category-0 rows only."""
    sel = _selector(pixel_ratio=ratio).eval()
    fg = torch.full((1, 1, 8, 8), -4.0)
    fg[..., 1:7, 1:7] = 5.0
    cats = _category_logits([(slice(1, 5), slice(1, 7), 3),
                             (slice(5, 7), slice(1, 7), 0)])
    monkeypatch.setattr(sel, 'forward', lambda feats: cats)
    out = sel.refine_logits(fg, None, GroupLayout((1, )))
    assert torch.equal(out[..., 1:5, 1:7], fg[..., 1:5, 1:7])
    if ratio:
        assert torch.equal(out[..., 5:7, 1:7], -fg[..., 5:7, 1:7])
    else:
        assert torch.equal(out, fg)


def test_group_confidence_is_the_foreground_weighted_top_probability():
    """Group 0: image 0 all foreground with top probability 0.7, image 1
    half foreground with 0.5 / 0.7 -> (64 * top0 + 32 * top1) / 96; group 1
    has no foreground -> 1 (nothing to gate)."""
    sel = _selector()
    prob = torch.full((3, 4, 8, 8), 0.1)
    prob[0, 2] = 0.7
    prob[1, :2] = 0.25
    prob[1, 1, :4] = 0.5
    prob[1, 0, :4] = 0.0
    prob = prob / prob.sum(1, keepdim=True)
    fg = torch.zeros(3, 1, 8, 8)
    fg[0] = 1.0
    fg[1, :, :4] = 1.0
    top0 = float(prob[0, :, 0, 0].max())
    top1 = float(prob[1, :, 0, 0].max())
    conf = sel.group_confidence(prob, fg, GroupLayout((2, 1)))
    assert conf.tolist() == pytest.approx([(64 * top0 + 32 * top1) / 96, 1.0])


@pytest.mark.parametrize('min_confidence,gated', [(0.0, False), (0.5, False),
                                                   (0.9, True)])
def test_min_confidence_gates_an_unsure_group(monkeypatch, min_confidence,
                                              gated):
    """The setting of test_refine_removes_the_part_of_another_category with
    less confident categories (top probability e^4 / (e^4 + 3) ~ 0.95 in
    the parts, 0.25 in the background, where P is near 0): below the gate
    the group keeps the decoder's logits."""
    sel = _selector(min_confidence=min_confidence).eval()
    fg = _two_parts()
    cats = _category_logits([(slice(1, 3), slice(1, 3), 2),
                             (slice(5, 7), slice(5, 7), 1)]) * (4 / 6)
    monkeypatch.setattr(sel, 'forward', lambda feats: cats)
    conf = float(sel.group_confidence(cats.softmax(1), fg.sigmoid(),
                                      GroupLayout((1, ))))
    assert 0.5 < conf < 0.9
    out = sel.refine_logits(fg, None, GroupLayout((1, )))
    assert torch.equal(out[..., 1:3, 1:3], fg[..., 1:3, 1:3])
    if gated:
        assert torch.equal(out, fg)
    else:
        assert torch.equal(out[..., 5:7, 5:7], -fg[..., 5:7, 5:7])


def test_ratios_are_checked():
    for name in ('keep_ratio', 'guard_ratio', 'pixel_ratio',
                 'min_confidence'):
        with pytest.raises(ValueError, match=name):
            _selector(**{name: 1.5})


def test_segmentor_refines_after_the_decoder(monkeypatch):
    """``encode_decode`` passes the decoder's logits through every
    modulator's ``refine_logits``."""
    init_default_scope('mmcoseg')
    model = CoSegEncoderDecoder(
        backbone=dict(type='ResNetV1c', depth=18, stem_channels=8,
                      base_channels=8, out_indices=(0, 1, 2, 3)),
        decode_head=dict(type='ModulatedFPNDecoder',
                         in_channels=[8, 16, 32, 64], in_index=[0, 1, 2, 3],
                         channels=8),
        modulators=[dict(type='CategorySelector',
                         in_channels=[8, 16, 32, 64], num_classes=3,
                         channels=8)],
        test_cfg=dict(mode='whole', ungrouped='single')).eval()
    sel = model.extra_modulators[0]
    calls = []

    def refine(logits, feats, layout):
        calls.append(layout.sizes)
        return torch.full_like(logits, -7.0)

    monkeypatch.setattr(sel, 'refine_logits', refine)
    metas = [dict(img_shape=(64, 64), pad_shape=(64, 64),
                  ori_shape=(64, 64))] * 2
    logits = model.encode_decode(torch.randn(2, 3, 64, 64), metas)
    assert calls == [(2, )]
    assert torch.all(logits == -7.0)
