"""Category maps: the decoder segments the category its group shares.

The HSP head gives each image its group's category weights (the true
co-categories in training, its own prediction at test time); the decoder's
foreground is sigmoid(objectness) times the probability of those categories
under its per-pixel category softmax, trained by ``loss_cat`` (objectness
BCE plus the category cross-entropy on the object's pixels)."""
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


def test_foreground_is_objectness_times_the_group_categories():
    torch.manual_seed(0)
    head = _decoder()
    feats = _feats(2)
    maps = head.forward_maps(feats)
    assert maps.shape == (2, 4, 16, 16)  # objectness + 3 categories
    weights = torch.tensor([[0., 1., 0.], [0.2, 0.3, 0.5]])
    out = head(feats, Modulation(categories=weights))
    assert out.shape == (2, 1, 16, 16)
    obj, probs = maps[:, 0].sigmoid(), maps[:, 1:].softmax(1)
    torch.testing.assert_close(out[0, 0].sigmoid(), obj[0] * probs[0, 1])
    torch.testing.assert_close(
        out[1, 0].sigmoid(),
        obj[1] * (0.2 * probs[1, 0] + 0.3 * probs[1, 1] + 0.5 * probs[1, 2]))
    with pytest.raises(ValueError, match='category_maps=3 needs'):
        head(feats, Modulation())
    with pytest.raises(ValueError, match='category_maps=3 needs'):
        head(feats, Modulation(categories=torch.ones(2, 4) / 4))
    assert _decoder(0)(feats).shape == (2, 1, 16, 16)  # no maps, no weights


def test_another_category_is_left_out_however_salient():
    head = _decoder()
    maps = torch.zeros(1, 4, 2, 2)
    maps[0, 0] = 6.0  # everything is a confident object
    maps[0, 2, 0] = 8.0  # top row: category 1
    maps[0, 3, 1] = 8.0  # bottom row: category 2
    group_1 = head.select_category(
        maps, Modulation(categories=torch.tensor([[0., 1., 0.]])))
    assert (group_1[0, 0, 0] > 0).all() and (group_1[0, 0, 1] < 0).all()
    group_2 = head.select_category(
        maps, Modulation(categories=torch.tensor([[0., 0., 1.]])))
    assert (group_2[0, 0, 0] < 0).all() and (group_2[0, 0, 1] > 0).all()
    mixed = head.select_category(  # a group sharing nothing: no category
        maps, Modulation(categories=torch.tensor([[1 / 3] * 3])))
    assert (mixed < 0).all()


def test_category_loss_by_hand():
    head = _decoder()
    label = torch.zeros(2, 2, dtype=torch.long)
    label[0] = 1  # the top row is the object of category 2
    label[1, 1] = 255
    maps = torch.zeros(1, 4, 2, 2)
    maps[0, 0, 0] = 2.0  # objectness: right on the object
    maps[0, 3, 0] = 2.0  # the object's own category
    maps[0, 1, 0, 0] = 1.0  # one object pixel also scored as category 0
    loss = head.category_loss(maps, _samples([2], [label]), label[None])
    sp = torch.nn.functional.softplus
    objectness = (2 * sp(torch.tensor(-2.0)) + sp(torch.tensor(0.0))) / 3
    log_softmax = maps[:, 1:].log_softmax(1)
    category = -(log_softmax[0, 2, 0, 0] + log_softmax[0, 2, 0, 1]) / 2
    torch.testing.assert_close(loss, objectness + category)


def test_exchanged_images_and_missing_categories():
    head = _decoder()
    label = torch.ones(1, 4, 4, dtype=torch.long)
    maps = torch.randn(1, 4, 4, 4, requires_grad=True)
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


def test_category_scores_read_the_deep_levels_unmodulated():
    torch.manual_seed(0)
    head = _decoder()
    feats = _feats(2)
    plain = head.forward_maps(feats)
    gated = head.forward_maps(feats, Modulation(gamma=torch.rand(2, 16)))
    torch.testing.assert_close(plain[:, 1:], gated[:, 1:])
    assert not torch.allclose(plain[:, :1], gated[:, :1])
    shallow = [f.clone() for f in feats]
    shallow[0].normal_()  # the stride-4 level feeds the objectness only
    torch.testing.assert_close(head.forward_maps(shallow)[:, 1:],
                               plain[:, 1:])
    deep = [f.clone() for f in feats]
    deep[3].normal_()
    assert not torch.allclose(head.forward_maps(deep)[:, 1:], plain[:, 1:])
