"""The group consensus map: what the group shares scores high."""
import pytest
import torch
import torch.nn.functional as F

from mmcoseg.models.modulators import ConsensusModulator, group_consensus
from mmcoseg.structures import GroupLayout


def _scene(n, shared, d=64, h=4, w=4, seed=0):
    """Unit descriptors of n images: random background, the vector
    ``shared`` at pixel (0, 0) of every image and a distractor vector of
    its own at pixel (3, 3) of each image."""
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, d, h, w, generator=g)
    x[:, :, 0, 0] = shared
    for i in range(n):
        x[i, :, 3, 3] = torch.randn(d, generator=g) * 5
    return F.normalize(x, dim=1)


def test_shared_object_beats_distractor():
    shared = torch.randn(64)
    phi = _scene(5, shared)
    c = group_consensus(phi, GroupLayout((5, )))
    assert c.shape == (5, 1, 4, 4)
    assert torch.allclose(c[:, 0, 0, 0], torch.ones(5), atol=1e-5)
    # the distractor of each image is matched worse than the shared object
    assert (c[:, 0, 3, 3] < c[:, 0, 0, 0] - 0.2).all()
    assert c.min() >= -1 - 1e-5 and c.max() <= 1 + 1e-5


def test_groups_do_not_see_each_other():
    """Two groups in one batch give the maps of each group alone; uniform
    and mixed group sizes agree."""
    a = _scene(3, torch.randn(64), seed=1)
    b = _scene(2, torch.randn(64), seed=2)
    both = group_consensus(torch.cat([a, b]), GroupLayout((3, 2)))
    assert torch.allclose(both[:3], group_consensus(a, GroupLayout((3, ))))
    assert torch.allclose(both[3:], group_consensus(b, GroupLayout((2, ))))
    c = _scene(3, torch.randn(64), seed=3)
    uniform = group_consensus(torch.cat([a, c]), GroupLayout((3, 3)))
    assert torch.allclose(uniform[3:], group_consensus(c, GroupLayout((3, ))))


def test_mixed_group_scores_lower():
    """The same image in a group that shares its object vs. in a group of
    images without it: the object's consensus drops."""
    shared = torch.randn(64)
    proper = _scene(4, shared, seed=4)
    mixed = torch.cat([proper[:1], _scene(3, torch.randn(64), seed=5)])
    c_proper = group_consensus(proper, GroupLayout((4, )))
    c_mixed = group_consensus(mixed, GroupLayout((4, )))
    assert c_mixed[0, 0, 0, 0] < c_proper[0, 0, 0, 0] - 0.2


def test_single_image_group_is_zero():
    phi = _scene(1, torch.randn(64))
    assert group_consensus(phi, GroupLayout((1, ))).abs().sum() == 0


def test_modulator_loss_and_gradient():
    torch.manual_seed(0)
    mod = ConsensusModulator([8, 16], channels=8, in_index=(0, 1),
                             in_strides=(8, 16), target_stride=8)
    feats = [torch.randn(4, 8, 8, 8, requires_grad=True),
             torch.randn(4, 16, 4, 4, requires_grad=True)]
    gt = torch.randint(0, 2, (4, 64, 64))
    gt[0, :4] = 255  # ignored pixels are fine
    maps, loss = mod(feats, GroupLayout((2, 2)), gt)
    assert maps.shape == (4, 1, 8, 8)
    assert loss.ndim == 0 and torch.isfinite(loss)
    loss.backward()
    assert feats[0].grad.abs().sum() > 0
    assert mod.scale.grad is not None
    _, no_loss = mod(feats, GroupLayout((2, 2)))
    assert no_loss is None


def test_config_errors():
    with pytest.raises(ValueError, match='same length'):
        ConsensusModulator([8, 16], in_index=(0, 1), in_strides=(8, ))
