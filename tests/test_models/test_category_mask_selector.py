"""CategoryMaskSelector: the partial-label BCE of the category masks, the
sigmoid probabilities and the pixel step by ``pixel_threshold``."""
import pytest
import torch
import torch.nn.functional as F

from mmcoseg.models import CategoryMaskSelector
from mmcoseg.structures import GroupLayout

LEVELS = [(8, 4), (8, 8), (16, 16), (32, 32)]  # (channels, stride)


def _selector(**kwargs):
    kwargs.setdefault('num_classes', 4)
    return CategoryMaskSelector(in_channels=[c for c, _ in LEVELS],
                                channels=8, **kwargs)


def _bce(logit, target):
    return float(F.binary_cross_entropy_with_logits(
        torch.tensor(logit), torch.tensor(target)))


def test_loss_is_the_partial_label_bce():
    """Image of category 1, 2x2: one foreground pixel, one ignored. Channel
    1 is the mask over the 3 valid pixels; channels 0, 2 and 3 are pushed
    to 0 on the foreground pixel only."""
    sel = _selector()
    logits = torch.randn(1, 4, 2, 2)
    gt = torch.tensor([[[1, 0], [0, 255]]])
    loss = sel.loss_by_feat(logits, gt, GroupLayout((1, ), ((1, ), )))
    lg = logits[0].tolist()
    own = (_bce(lg[1][0][0], 1.0) + _bce(lg[1][0][1], 0.0)
           + _bce(lg[1][1][0], 0.0)) / 3
    other = sum(_bce(lg[k][0][0], 0.0) for k in (0, 2, 3)) / 3
    assert loss.item() == pytest.approx(own + other, rel=1e-5)
    # another channel's background and every ignored pixel carry no loss
    changed = logits.clone()
    changed[0, [0, 2, 3], 0, 1] = 9.0
    changed[0, :, 1, 1] = -9.0
    assert torch.allclose(
        sel.loss_by_feat(changed, gt, GroupLayout((1, ), ((1, ), ))), loss)
    # the group's own channel learns its background
    changed[0, 1, 0, 1] = 9.0
    assert sel.loss_by_feat(changed, gt,
                            GroupLayout((1, ), ((1, ), ))) > loss + 1


def test_loss_stays_exact_for_large_logits():
    """The same partial-label BCE with logits up to about 60 in size, where a
    BCE computed carelessly overflows or cancels."""
    sel = _selector()
    logits = torch.randn(2, 4, 3, 3,
                         generator=torch.Generator().manual_seed(0)) * 30
    gt = torch.tensor([[[1, 0, 255]] * 3, [[0, 1, 1]] * 3])
    layout = GroupLayout((2, ), ((1, ), ))
    fg = (gt == 1).float()[:, None].expand_as(logits)
    valid = (gt != 255).float()[:, None]
    bce_fg = F.binary_cross_entropy_with_logits(logits, fg, reduction='none')
    bce_zero = F.binary_cross_entropy_with_logits(
        logits, torch.zeros_like(logits), reduction='none')
    own = (bce_fg[:, 1:2] * valid).sum((1, 2, 3)) / valid.sum((1, 2, 3))
    fgm = fg[:, :1]
    other = (bce_zero[:, [0, 2, 3]] * fgm).sum((2, 3)) / fgm.sum((2, 3))
    expected = (own + other.mean(1)).mean()
    assert torch.allclose(sel.loss_by_feat(logits, gt, layout), expected,
                          rtol=1e-6, atol=1e-5)


def test_loss_with_several_co_categories_and_an_empty_image():
    """Two co-categories: both channels are the mask (averaged); an image
    without foreground teaches its own channels its background only."""
    sel = _selector()
    logits = torch.randn(2, 4, 1, 2)
    gt = torch.tensor([[[1, 0]], [[0, 0]]])
    loss = sel.loss_by_feat(logits, gt, GroupLayout((2, ), ((0, 3), )))
    lg = logits.tolist()
    first = sum(_bce(lg[0][k][0][0], 1.0) + _bce(lg[0][k][0][1], 0.0)
                for k in (0, 3)) / 4 + sum(
                    _bce(lg[0][k][0][0], 0.0) for k in (1, 2)) / 2
    second = sum(_bce(lg[1][k][0][0], 0.0) + _bce(lg[1][k][0][1], 0.0)
                 for k in (0, 3)) / 4
    assert loss.item() == pytest.approx((first + second) / 2, rel=1e-5)


def test_loss_trains_the_head():
    sel = _selector(loss_weight=0.3)
    g = torch.Generator().manual_seed(0)
    feats = [torch.randn(2, c, 64 // s, 64 // s, generator=g)
             for c, s in LEVELS]
    gt = (torch.rand(2, 64, 64, generator=g) > 0.6).long()
    out = sel.modulate(feats, GroupLayout((2, ), ((2, ), )), gt,
                       with_loss=True)
    out.losses['loss_cat'].backward()
    assert sel.projection.weight.grad.abs().sum() > 0


def test_probabilities_are_sigmoids():
    logits = torch.randn(2, 4, 3, 3)
    assert torch.allclose(_selector().probabilities(logits),
                          logits.sigmoid())


@pytest.mark.parametrize('threshold', [0.0, 0.5, 0.9])
def test_pixel_threshold_cuts_what_the_category_mask_rejects(
        monkeypatch, threshold):
    """One connected part of category 3, the group's: rows 1-4 with Q_3 =
    0.95, rows 5-6 with Q_3 = 0.27 (the decoder spilled there). The part
    stays; pixels below the threshold go."""
    sel = _selector(pixel_threshold=threshold).eval()
    fg = torch.full((1, 1, 8, 8), -4.0)
    fg[..., 1:7, 1:7] = 5.0
    cats = torch.full((1, 4, 8, 8), -6.0)
    cats[0, 3, 1:5] = 3.0
    cats[0, 3, 5:7] = -1.0
    monkeypatch.setattr(sel, 'forward', lambda feats: cats)
    out = sel.refine_logits(fg, None, GroupLayout((1, )))
    kept_core = threshold < 0.95
    kept_spill = threshold < 0.27
    assert torch.equal(out[..., 1:5, 1:7] == fg[..., 1:5, 1:7],
                       torch.full((1, 1, 4, 6), kept_core))
    assert torch.equal(out[..., 5:7, 1:7] == fg[..., 5:7, 1:7],
                       torch.full((1, 1, 2, 6), kept_spill))
    assert (out <= fg).all()


def test_the_group_vote_uses_the_masks(monkeypatch):
    """Two images: category 2's mask covers both objects, category 1's one
    of them; the group keeps category 2 and nothing is removed."""
    sel = _selector().eval()
    fg = torch.full((2, 1, 8, 8), -4.0)
    fg[..., 2:6, 2:6] = 4.0
    cats = torch.full((2, 4, 8, 8), -6.0)
    cats[:, 2, 2:6, 2:6] = 4.0
    cats[0, 1, 2:6, 2:6] = 4.0
    monkeypatch.setattr(sel, 'forward', lambda feats: cats)
    layout = GroupLayout((2, ))
    assert sel.group_categories(cats.sigmoid(), fg.sigmoid(),
                                layout).tolist() == [2]
    assert torch.equal(sel.refine_logits(fg, None, layout), fg)


@pytest.mark.parametrize('weight', [0.0, 0.5, 1.0])
def test_fusion_weight_blends_the_decoder_with_the_groups_mask(
        monkeypatch, weight):
    """Group of category 2 (the vote). Rows 0-3: the decoder is sure
    (P = 0.8) where Q_2 = 0.05 (an object of another category); rows 4-7:
    it missed (P = 0.3) where Q_2 = 0.95. The output is the logit of
    (1 - w) P + w Q_2; the open-set gate keeps an unsure group's P."""
    sel = _selector(pixel_threshold=0.0, fusion_weight=weight).eval()
    fg = torch.logit(torch.tensor(0.8)).expand(2, 1, 8, 8).clone()
    fg[..., 4:, :] = torch.logit(torch.tensor(0.3))
    cats = torch.full((2, 4, 8, 8), -6.0)
    cats[:, 2, :4] = torch.logit(torch.tensor(0.05))
    cats[:, 2, 4:] = torch.logit(torch.tensor(0.95))
    monkeypatch.setattr(sel, 'forward', lambda feats: cats)
    layout = GroupLayout((2, ))
    out = sel.refine_logits(fg, None, layout).sigmoid()
    expected = (1 - weight) * fg.sigmoid() + weight * cats[:, 2:3].sigmoid()
    assert torch.allclose(out, expected, atol=1e-5)
    kept = out > 0.5  # 0.8 - 0.75 w > 0.5 and 0.3 + 0.65 w > 0.5
    assert bool(kept[..., :4, :].all()) == (weight < 0.4)
    assert bool(kept[..., :4, :].any()) == (weight < 0.4)
    assert bool(kept[..., 4:, :].all()) == (weight > 0.31)
    assert bool(kept[..., 4:, :].any()) == (weight > 0.31)
    sel.min_confidence = 0.99  # max_k Q_k is at most 0.95: unknown
    assert torch.equal(sel.refine_logits(fg, None, layout), fg)


def test_arguments_are_checked():
    with pytest.raises(ValueError, match='pixel_threshold'):
        _selector(pixel_threshold=1.5)
    with pytest.raises(ValueError, match='fusion_weight'):
        _selector(fusion_weight=-0.1)
    with pytest.raises(ValueError, match='pixel_ratio must be 0'):
        _selector(pixel_ratio=0.2)
