import pytest
import torch

from mmcoseg.models.modulators import HSPHead, SecondOrderPooling
from mmcoseg.structures import GroupLayout


@pytest.mark.parametrize('sizes', [[5], [5, 5, 5, 5], [2, 3], [1, 4, 7]])
@pytest.mark.parametrize('in_channels,channels,c1,c2', [(64, 32, 16, 8),
                                                         (144, 128, 64, 32)])
def test_hsp_shapes(sizes, in_channels, channels, c1, c2):
    head = HSPHead(in_channels=in_channels, num_classes=6, channels=channels,
                   image_sp_channels=c1, group_sp_channels=c2)
    feats = [torch.randn(sum(sizes), in_channels, 4, 5)]
    gamma, logits = head(feats, sizes)
    assert gamma.shape == (len(sizes), channels)
    assert logits.shape == (len(sizes), 6)
    assert ((gamma > 0) & (gamma < 1)).all()  # sigmoid channel weights


def test_gamma_is_per_group_and_order_invariant_within_group():
    torch.manual_seed(0)
    head = HSPHead(in_channels=16, num_classes=3, channels=8,
                   image_sp_channels=4, group_sp_channels=4).eval()
    x = torch.randn(5, 16, 3, 3)
    gamma, _ = head([x], [5])
    gamma_perm, _ = head([x[[4, 2, 0, 1, 3]]], [5])
    # second-order pooling over the group is a set function
    assert torch.allclose(gamma, gamma_perm, atol=1e-5)
    # two groups are pooled separately
    y = torch.randn(5, 16, 3, 3)
    gamma2, _ = head([torch.cat([x, y])], [5, 5])
    assert torch.allclose(gamma2[0], gamma[0], atol=1e-5)
    assert not torch.allclose(gamma2[1], gamma[0])


def _reference_pool(sp, z):
    g = (z @ z.transpose(1, 2) / z.shape[2]).flatten(1)
    g = torch.sign(g) * torch.sqrt(g.abs() + 1e-6)
    return sp.fc(torch.nn.functional.normalize(g, dim=1))


def test_second_order_pooling_by_hand():
    torch.manual_seed(1)
    sp = SecondOrderPooling(4, 3, 2).eval()
    x = torch.randn(2, 4, 6)
    z = sp.reduce(x)
    assert torch.allclose(sp(x), _reference_pool(sp, z), atol=1e-6)
    # the normalised second-order vector does not depend on the scale
    sp.reduce[1].running_var.fill_(4.0)
    assert torch.allclose(sp(x), sp(3 * x), atol=1e-5)


def test_forward_sets_matches_per_set_pooling_with_shared_bn():
    torch.manual_seed(2)
    sp = SecondOrderPooling(4, 3, 2).train()
    vectors = torch.randn(7, 4)
    out = sp.forward_sets(vectors, [1, 2, 4])  # a set of one is fine
    assert out.shape == (3, 2)
    # BN statistics come from all 7 vectors, not from each set alone
    z = sp.reduce(vectors.T.unsqueeze(0))[0]
    expected = torch.cat([
        _reference_pool(sp, part.unsqueeze(0))
        for part in torch.split(z, [1, 2, 4], dim=1)
    ])
    assert torch.allclose(out, expected, atol=1e-6)


def test_targets_and_loss_by_hand():
    head = HSPHead(in_channels=4, num_classes=3, channels=4,
                   image_sp_channels=2, group_sp_channels=2)
    layout = GroupLayout((2, 3), ((2, ), (0, 1)))
    targets = head.group_targets(layout, torch.device('cpu'))
    assert targets.tolist() == [[0, 0, 1], [1, 1, 0]]
    logits = torch.tensor([[0.0, 1.0, -1.0], [2.0, 0.5, 0.0]])
    p = torch.sigmoid(logits)
    expected = -(targets * p.log() + (1 - targets) * (1 - p).log())
    expected = expected.sum(1).mean()
    assert torch.allclose(head.loss_by_feat(logits, targets), expected)


def test_bad_targets_are_reported():
    head = HSPHead(in_channels=4, num_classes=3, channels=4)
    with pytest.raises(ValueError, match='num_classes=3'):
        head.group_targets(GroupLayout((1, ), ((5, ), )),
                           torch.device('cpu'))
    with pytest.raises(ValueError, match='co_categories'):
        head.group_targets(GroupLayout((1, )), torch.device('cpu'))
