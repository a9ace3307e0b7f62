"""GroupExchange: images swapped between the groups of a batch, their
targets emptied, applied by the preprocessor in training only."""
import random

import pytest
import torch

import mmcoseg  # noqa: F401
from mmcoseg.models import CoSegDataPreProcessor, GroupExchange


def _ids(batch):
    """Each image's identity: its first pixel value (set below)."""
    return [[int(img[0, 0, 0]) for img in group] for group in batch['inputs']]


@pytest.fixture
def batch(coseg_groups):
    def make(categories=(0, 1), n=5):
        data = coseg_groups([n] * len(categories))
        for g, (imgs, samples) in enumerate(zip(data['inputs'],
                                                data['data_samples'])):
            for i, (img, sample) in enumerate(zip(imgs, samples)):
                img[:, 0, 0] = 10 * g + i
                sample.set_metainfo(dict(co_categories=[categories[g]]))
        return data
    return make


def test_exchange_swaps_and_empties_targets(batch):
    data = batch()
    before = [[s.gt_sem_seg.data.clone() for s in g]
              for g in data['data_samples']]
    random.seed(0)
    inputs, samples = GroupExchange(prob=1.0)(data['inputs'],
                                              data['data_samples'])
    ids = _ids(dict(inputs=inputs))
    # one image of the other group in each, never at position 0
    assert ids[0][0] == 0 and ids[1][0] == 10
    foreign = [[i for i in g if i // 10 != k] for k, g in enumerate(ids)]
    assert [len(f) for f in foreign] == [1, 1]
    for k, group in enumerate(samples):
        for i, sample in enumerate(group):
            gt = sample.gt_sem_seg.data
            if ids[k][i] // 10 != k:  # exchanged: no foreground left
                assert sample.metainfo['is_exchanged']
                assert not (gt == 1).any()
                # the ignored pixels stay ignored
                assert ((gt == 255) == (before[ids[k][i] // 10][
                    ids[k][i] % 10] == 255)).all()
            else:
                assert torch.equal(gt, before[k][i])
    # the images travel with their samples
    assert samples[0][ids[0].index(foreign[0][0])] is \
        data['data_samples'][1][foreign[0][0] % 10]


def test_no_exchange_within_a_category_or_without_luck(batch):
    data = batch(categories=(3, 3))
    inputs, _ = GroupExchange(prob=1.0)(data['inputs'], data['data_samples'])
    assert _ids(dict(inputs=inputs)) == _ids(data)
    data = batch()
    inputs, _ = GroupExchange(prob=0.0)(data['inputs'], data['data_samples'])
    assert _ids(dict(inputs=inputs)) == _ids(data)


def test_pairs_of_groups_and_an_odd_one_out(batch):
    data = batch(categories=(0, 1, 2, 3, 4))
    random.seed(1)
    inputs, _ = GroupExchange(prob=1.0, num_images=2)(data['inputs'],
                                                      data['data_samples'])
    ids = _ids(dict(inputs=inputs))
    assert sorted(i // 10 for i in ids[0]) == [0, 0, 0, 1, 1]
    assert sorted(i // 10 for i in ids[3]) == [2, 2, 3, 3, 3]
    assert ids[4] == [40, 41, 42, 43, 44]  # no partner


def test_bad_arguments():
    with pytest.raises(ValueError, match='prob'):
        GroupExchange(prob=1.5)
    with pytest.raises(ValueError, match='num_images'):
        GroupExchange(num_images=0)


def test_preprocessor_exchanges_in_training_only(batch):
    pre = CoSegDataPreProcessor(
        size=(64, 64), group_augments=[dict(type='GroupExchange', prob=1.0)])
    random.seed(0)
    out = pre(batch(), training=False)
    assert [int(x[0, 0, 0]) for x in out['inputs']] == [
        0, 1, 2, 3, 4, 10, 11, 12, 13, 14]
    out = pre(batch(), training=True)
    firsts = [int(x[0, 0, 0]) for x in out['inputs']]
    assert firsts != [0, 1, 2, 3, 4, 10, 11, 12, 13, 14]
    assert sorted(firsts) == [0, 1, 2, 3, 4, 10, 11, 12, 13, 14]
    layout = out['data_samples'][0].metainfo['group_layout']
    assert layout.categories == ((0, ), (1, ))
