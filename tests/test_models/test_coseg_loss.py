import math

import pytest
import torch

from mmcoseg.models.losses import CoSegLoss, weighted_bce_per_image


def _bce(logit: float, y: int) -> float:
    p = 1 / (1 + math.exp(-logit))
    return -math.log(p) if y == 1 else -math.log(1 - p)


def test_weighted_bce_by_hand():
    # one image 1x4: labels fg, bg, bg, ignore -> delta = 1/3
    logits = torch.tensor([[[[2.0, -1.0, 0.5, 9.0]]]])
    label = torch.tensor([[[1, 0, 0, 255]]])
    delta = 1 / 3
    terms = [_bce(2.0, 1), _bce(-1.0, 0), _bce(0.5, 0)]
    paper = (delta * terms[0] + (1 - delta) * (terms[1] + terms[2])) / 3
    balanced = ((1 - delta) * terms[0] + delta * (terms[1] + terms[2])) / 3
    plain = sum(terms) / 3
    for weighting, expected in [('paper', paper), ('balanced', balanced),
                                ('none', plain)]:
        got = weighted_bce_per_image(logits, label, weighting)
        assert got.shape == (1, )
        assert abs(float(got) - expected) < 1e-6


def test_per_image_delta_and_total():
    logits = torch.zeros(2, 1, 2, 2)
    label = torch.tensor([[[1, 1], [1, 0]], [[0, 0], [0, 0]]])
    per_image = weighted_bce_per_image(logits, label, 'paper')
    ln2 = math.log(2)
    # image 0: delta 3/4 -> (3 * 3/4 + 1 * 1/4) / 4 * ln2
    assert abs(float(per_image[0]) - (2.5 / 4) * ln2) < 1e-6
    # image 1: delta 0 -> background weight 1
    assert abs(float(per_image[1]) - ln2) < 1e-6

    loss = CoSegLoss(weighting='paper', loss_weight=2.0)
    out = loss(logits, label,
               aux_losses=dict(loss_spa=torch.tensor(-0.4),
                               loss_sem=torch.tensor(1.5)),
               aux_weights=dict(loss_spa=0.5, loss_sem=3.0))
    assert set(out) == {'loss_seg', 'loss_spa', 'loss_sem'}
    assert torch.allclose(out['loss_seg'], 2.0 * per_image.mean())
    assert torch.allclose(out['loss_spa'], torch.tensor(-0.2))
    assert torch.allclose(out['loss_sem'], torch.tensor(4.5))
    # ablations: absent terms are not reported
    assert set(loss(logits, label)) == {'loss_seg'}


def test_no_second_source_of_modulator_weights():
    """w_spa and w_sem are the modulators' ``loss_weight`` only."""
    with pytest.raises(TypeError):
        CoSegLoss(spa_weight=0.5)
    with pytest.raises(TypeError):
        CoSegLoss(sem_weight=0.5)


def test_all_ignored_image_contributes_zero():
    logits = torch.randn(1, 1, 2, 2)
    label = torch.full((1, 2, 2), 255)
    assert float(weighted_bce_per_image(logits, label)) == 0.0


def test_invalid_weighting():
    with pytest.raises(ValueError, match='weighting'):
        CoSegLoss(weighting='focal')


def test_balanced_weighting_of_an_image_without_foreground():
    """An image its group does not share (an empty target) still teaches
    background under the balanced weighting (weight 1, not delta = 0)."""
    from mmcoseg.models.losses.coseg_loss import weighted_bce_per_image
    logits = torch.full((1, 1, 2, 2), 2.0)
    empty = torch.zeros(1, 2, 2, dtype=torch.long)
    loss = weighted_bce_per_image(logits, empty, 'balanced')
    want = torch.nn.functional.softplus(torch.tensor(2.0))
    torch.testing.assert_close(loss, want[None])
    half = torch.tensor([[[1, 1], [0, 0]]])
    loss = weighted_bce_per_image(logits, half, 'balanced')
    bce_pos = torch.nn.functional.softplus(torch.tensor(-2.0))
    torch.testing.assert_close(loss, ((2 * 0.5 * bce_pos + 2 * 0.5 * want)
                                      / 4)[None])
