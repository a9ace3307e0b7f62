"""Category maps: the decoder segments the category its group shares.

The HSP head gives each image its group's category weights (the true
co-categories in training, its own prediction at test time) and the decoder
sums its per-category logit maps with them; ``loss_cat`` trains each map on
its own category and keeps it off the objects of the others."""
import pytest
import torch
from mmengine.registry import init_default_scope
from mmengine.structures import PixelData
from mmseg.structures import SegDataSample

from mmcoseg.models.decode_heads import HSPHead, ModulatedFPNDecoder
from mmcoseg.models.utils import Modulation
from mmcoseg.structures import GroupLayout

init_default_scope('mmcoseg')
IN_CHANNELS = (8, 16, 32, 64)


def _decoder(category_maps=3):
    return ModulatedFPNDecoder(
        in_channels=list(IN_CHANNELS), in_index=[0, 1, 2, 3], channels=16,
        norm_cfg=dict(type='BN'), dropout_ratio=0.0,
        category_maps=category_maps,
        loss_decode=dict(type='CoSegLoss', weighting='none')).eval()


def _feats(n, size=16):
    return [torch.randn(n, c, size // 2**i, size // 2**i)
            for i, c in enumerate(IN_CHANNELS)]


def _samples(categories, labels, exchanged=()):
    samples = []
    for i, (category, label) in enumerate(zip(categories, labels)):
        sample = SegDataSample()
        sample.gt_sem_seg = PixelData(data=label[None])
        sample.set_metainfo(dict(category=category,
                                 is_exchanged=i in exchanged))
        samples.append(sample)
    return samples


def test_foreground_is_the_weighted_sum_of_the_maps():
    torch.manual_seed(0)
    head = _decoder()
    feats = _feats(2)
    maps = head.forward_maps(feats)
    assert maps.shape == (2, 3, 16, 16)
    weights = torch.tensor([[0., 1., 0.], [0.2, 0.3, 0.5]])
    out = head(feats, Modulation(categories=weights))
    assert out.shape == (2, 1, 16, 16)
    torch.testing.assert_close(out[0, 0], maps[0, 1])
    torch.testing.assert_close(
        out[1, 0], 0.2 * maps[1, 0] + 0.3 * maps[1, 1] + 0.5 * maps[1, 2])
    with pytest.raises(ValueError, match='category_maps=3 needs'):
        head(feats, Modulation())
    with pytest.raises(ValueError, match='category_maps=3 needs'):
        head(feats, Modulation(categories=torch.ones(2, 4) / 4))
    assert _decoder(0)(feats).shape == (2, 1, 16, 16)  # no maps, no weights


def test_category_loss_by_hand():
    head = _decoder()
    label = torch.zeros(4, 4, dtype=torch.long)
    label[:2] = 1  # the top half is the object of category 2
    label[3, 3] = 255
    maps = torch.zeros(1, 3, 4, 4)
    maps[0, 2] = 3.0  # its own map: confident everywhere
    maps[0, 0, :2] = 1.0  # another map lights up on the object
    loss = head.category_loss(maps, _samples([2], [label]), label[None])
    bce_pos = torch.nn.functional.softplus(torch.tensor(-3.0))
    bce_neg = torch.nn.functional.softplus(torch.tensor(3.0))
    positive = (8 * bce_pos + 7 * bce_neg) / 15  # 'none' weighting
    # maps 0 and 1 on the 8 object pixels: softplus(1) and softplus(0)
    negative = (8 * torch.nn.functional.softplus(torch.tensor(1.0))
                + 8 * torch.nn.functional.softplus(torch.tensor(0.0))) / 16
    torch.testing.assert_close(loss, positive + negative)


def test_exchanged_images_and_missing_categories():
    head = _decoder()
    label = torch.ones(1, 4, 4, dtype=torch.long)
    maps = torch.randn(1, 3, 4, 4, requires_grad=True)
    loss = head.category_loss(maps, _samples([1], label, exchanged=(0, )),
                              label)
    assert loss.item() == 0.0
    loss.backward()  # still part of the graph
    sample = SegDataSample()
    with pytest.raises(ValueError, match='own `category`'):
        head.category_loss(maps, [sample], label)


def test_training_loss_has_loss_cat():
    torch.manual_seed(0)
    head = _decoder().train()
    labels = (torch.rand(2, 16, 16) > 0.5).long()
    mod = Modulation(categories=torch.tensor([[1., 0., 0.], [1., 0., 0.]]))
    losses = head.loss(_feats(2), _samples([0, 1], labels), {}, mod)
    assert {'loss_seg', 'loss_cat', 'acc_seg'} <= set(losses)
    losses['loss_cat'].backward()
    assert head.conv_seg.weight.grad.abs().sum() > 0


def test_hsp_head_selects_true_categories_in_training_only():
    torch.manual_seed(0)
    head = HSPHead(in_channels=16, num_classes=3, channels=8,
                   image_sp_channels=4, group_sp_channels=4,
                   select_categories=True)
    layout = GroupLayout((2, 3), ((2, ), (0, 1)))
    feats = [torch.randn(5, 16, 3, 3)]
    out = head.modulate(feats, layout, with_loss=True)
    assert out.categories.tolist() == [[0, 0, 1], [0, 0, 1],
                                       [.5, .5, 0], [.5, .5, 0], [.5, .5, 0]]
    # at test time the true co-categories are not used: the prediction is
    _, logits = head(feats, layout)
    out = head.modulate(feats, layout)
    want = layout.expand(logits.softmax(1))
    torch.testing.assert_close(out.categories, want)
    assert HSPHead(in_channels=16, num_classes=3, channels=8).modulate(
        feats, layout).categories is None
