"""The cross-group loss: a group's own modulation applied to an image of
the other group of its batch must give an empty map."""
import copy
import random

import pytest
import torch
from mmengine.registry import init_default_scope
from mmseg.models.utils import resize

# a sibling module (pytest puts this folder on the path)
from test_coseg_encoder_decoder import IN_CHANNELS, MODEL, _batch

import mmcoseg  # noqa: F401
from mmcoseg.models.losses.coseg_loss import weighted_bce_per_image
from mmcoseg.models.modulators import Modulation
from mmcoseg.models.segmentors.cross_group import cross_group_probes
from mmcoseg.registry import MODELS
from mmcoseg.structures import GroupLayout

init_default_scope('mmcoseg')


def test_probes_pair_groups_with_disjoint_categories():
    layout = GroupLayout((3, 2, 4, 4), ((0, ), (1, ), (2, ), (2, )))
    probes = cross_group_probes(layout, random.Random(0))
    # groups 0 and 1 are probed, 2 and 3 share their category
    assert probes.index[:3] == [0, 1, 2] and probes.index[3] in (3, 4)
    assert probes.index[4:6] == [3, 4] and probes.index[6] in (0, 1, 2)
    assert probes.layout.sizes == (4, 3)
    assert probes.intruders == [3, 6]


@pytest.mark.parametrize('layout', [
    GroupLayout((3, 3)),  # categories unknown
    GroupLayout((3, 3), ((0, 1), (1, ))),  # a shared category
    GroupLayout((3, ), ((0, ), )),  # one group
])
def test_no_probes_without_a_disjoint_pair(layout):
    assert cross_group_probes(layout) is None


def _model(weight):
    cfg = copy.deepcopy(MODEL)
    cfg['spatial_modulator'] = dict(
        type='ConsensusModulator', in_channels=IN_CHANNELS, channels=16,
        in_index=(1, 2), in_strides=(8, 16), target_stride=8)
    cfg['train_cfg'] = dict(cross_group=dict(loss_weight=weight))
    model = MODELS.build(cfg)
    model.init_weights()
    return model


def test_loss_cross_is_the_intruders_bce_under_their_probe_group():
    """In eval mode (batch norms fixed) one decoder pass over batch and
    intruders equals decoding each intruder with its probe group's
    modulation and an emptied target."""
    torch.manual_seed(0)
    model = _model(weight=2.0).eval()
    data = model.data_preprocessor(_batch([3, 3]), True)
    gt = torch.stack([s.gt_sem_seg.data[0] for s in data['data_samples']])
    random.seed(1)
    losses = model(**data, mode='loss')
    assert {'loss_seg', 'loss_spa', 'loss_sem', 'loss_cross'} <= set(losses)

    random.seed(1)
    feats = model.extract_feat(data['inputs'])
    layout = model.group_layout(
        [s.metainfo for s in data['data_samples']], 6)
    probes = cross_group_probes(layout)
    index = torch.tensor(probes.index)
    probe = model.modulate([f[index] for f in feats], probes.layout)
    picked = torch.tensor(probes.intruders)
    logits = model.decode_head.forward(
        [f[index[picked]] for f in feats],
        Modulation(spatial=probe.spatial[picked], gamma=probe.gamma[picked]))
    logits = resize(logits, size=gt.shape[1:], mode='bilinear')
    expected = 2.0 * weighted_bce_per_image(
        logits, torch.zeros_like(gt[index[picked]]), 'paper').mean()
    torch.testing.assert_close(losses['loss_cross'], expected)

    # the intruder's own group would segment it differently: the probe
    # group's modulation is what is used
    own = model.modulate(feats, layout)
    assert not torch.allclose(own.spatial[index[picked]],
                              probe.spatial[picked])


def test_loss_cross_trains_the_modulator_and_is_zero_without_a_pair():
    torch.manual_seed(0)
    model = _model(weight=1.0)
    data = model.data_preprocessor(_batch([3, 3]), True)
    losses = model(**data, mode='loss')
    assert losses['loss_cross'] > 0
    losses['loss_cross'].backward()
    assert model.spatial_modulator.theta[0].weight.grad.abs().sum() > 0
    assert model.decode_head.conv_seg.weight.grad.abs().sum() > 0

    batch = _batch([3, 3])
    for sample in batch['data_samples'][1]:  # both groups of category 0
        sample.set_metainfo(dict(co_categories=[0]))
    losses = model(**model.data_preprocessor(batch, True), mode='loss')
    assert losses['loss_cross'] == 0
