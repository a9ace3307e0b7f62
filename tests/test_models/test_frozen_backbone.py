"""FrozenBackbone: exact features, frozen weights, an exact bounded cache."""
import pytest
import torch

import mmcoseg  # noqa: F401
from mmcoseg.models import FrozenBackbone
from mmcoseg.registry import MODELS

RESNET = dict(type='ResNetV1c', depth=18, stem_channels=8, base_channels=8,
              out_indices=(0, 1, 2, 3))


def _pair(cache_size=16):
    torch.manual_seed(0)
    frozen = FrozenBackbone(RESNET, cache_size=cache_size)
    plain = MODELS.build(RESNET)
    plain.load_state_dict(frozen.backbone.state_dict())
    plain.eval()
    return frozen, plain


def test_features_equal_the_wrapped_backbone_in_eval_mode():
    frozen, plain = _pair()
    frozen.train()  # the wrapper trains; the backbone must not
    assert not frozen.backbone.training
    x = torch.randn(3, 3, 32, 32)
    with torch.no_grad():
        want = plain(x)
    for _ in range(2):  # computed, then from the cache
        got = frozen(x)
        assert len(got) == 4
        for a, b in zip(got, want):
            torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-6)
            assert not a.requires_grad
    assert (frozen.cache_misses, frozen.cache_hits) == (3, 3)
    assert all(not p.requires_grad for p in frozen.parameters())


def test_batch_norm_statistics_do_not_move():
    frozen, _ = _pair()
    frozen.train()
    before = {k: v.clone() for k, v in frozen.state_dict().items()}
    frozen(torch.randn(4, 3, 32, 32) * 5 + 3)
    for key, value in frozen.state_dict().items():
        assert torch.equal(value, before[key]), key


def test_cache_is_exact_and_per_image():
    frozen, plain = _pair()
    x = torch.randn(2, 3, 32, 32)
    frozen(x)
    y = x.clone()
    y[1, 0, 5, 5] += 1e-3  # one changed value: a different image
    got = frozen(torch.cat([y, x[:1]]))  # and a duplicate in the batch
    assert (frozen.cache_misses, frozen.cache_hits) == (3, 2)
    with torch.no_grad():
        want = plain(torch.cat([y, x[:1]]))
    for a, b in zip(got, want):
        torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-6)


def test_cache_is_bounded_and_cleared_on_load():
    frozen, _ = _pair(cache_size=2)
    frozen(torch.randn(3, 3, 32, 32))
    assert len(frozen._cache) == 2
    frozen.load_state_dict(frozen.state_dict())
    assert len(frozen._cache) == 0 and frozen.cache_misses == 0


def test_without_cache():
    frozen, plain = _pair(cache_size=0)
    x = torch.randn(2, 3, 32, 32)
    frozen(x)
    frozen(x)
    assert len(frozen._cache) == 0
    with pytest.raises(ValueError, match='cache_size'):
        FrozenBackbone(RESNET, cache_size=-1)
