import pytest
import torch
from mmseg.structures import SegDataSample

from mmcoseg.structures import LAYOUT_KEY, GroupLayout, layout_from_metas


def _samples(cats):
    out = []
    for c in cats:
        s = SegDataSample()
        s.set_metainfo(dict(co_categories=[c]))
        out.append(s)
    return out


def test_from_groups_and_helpers():
    layout = GroupLayout.from_groups([_samples([2, 2]), _samples([5] * 3)])
    assert layout.sizes == (2, 3) and layout.categories == ((2, ), (5, ))
    assert layout.num_groups == 2 and layout.num_images == 5
    assert not layout.uniform
    assert layout.group_index().tolist() == [0, 0, 1, 1, 1]
    assert layout.expand(torch.tensor([[1.], [2.]])).flatten().tolist() == \
        [1, 1, 2, 2, 2]
    assert [t.shape[0] for t in layout.split(torch.zeros(5, 3))] == [2, 3]
    assert not layout.share_category(0, 1)
    assert GroupLayout((2, 2)).share_category(0, 1)  # unknown: assume so


@pytest.mark.parametrize('sizes', [(2, 3), (2, 2, 2), (1, )])
def test_sum_groups(sizes):
    layout = GroupLayout(sizes)
    x = torch.randn(layout.num_images, 3, 2, requires_grad=True)
    summed = layout.sum_groups(x)
    assert torch.allclose(
        summed, torch.stack([g.sum(0) for g in layout.split(x)]))
    summed.sum().backward()
    assert torch.equal(x.grad, torch.ones_like(x))


def test_invalid_layouts():
    with pytest.raises(ValueError, match='>= 1 image'):
        GroupLayout((3, 0))
    with pytest.raises(ValueError, match='category entries'):
        GroupLayout((3, 2), ((1, ), ))
    with pytest.raises(ValueError, match='describes 5 images'):
        GroupLayout((3, 2)).check(6)


def test_layout_from_metas():
    layout = GroupLayout((2, 1))
    metas = [{LAYOUT_KEY: layout}] * 3
    assert layout_from_metas(metas, 3) is layout
    with pytest.raises(ValueError, match='describes 3 images'):
        layout_from_metas(metas, 4)
    with pytest.raises(ValueError, match='without group structure'):
        layout_from_metas([{}] * 4, 4)
    with pytest.raises(ValueError, match='without group structure'):
        layout_from_metas(None, 4)
    assert layout_from_metas(None, 4, 'single').sizes == (4, )
    with pytest.raises(ValueError, match='ungrouped'):
        layout_from_metas(None, 4, 'guess')
