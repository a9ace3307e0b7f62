"""ContextPairSampler: every batch pairs a group with one of another
category of the same context."""
import itertools

import pytest

from mmcoseg.datasets import ContextPairSampler


class _Dataset:
    """What the sampler reads of a GroupDataset."""

    def __init__(self, classes, categories):
        self.metainfo = dict(classes=classes)
        self._categories = categories

    def anchor_categories(self):
        return list(self._categories)


CLASSES = ('cow', 'sheep', 'boat', 'bird', 'car')
#: two items of each class
DATASET = _Dataset(CLASSES, [0, 0, 1, 1, 2, 2, 3, 3, 4, 4])
CONTEXTS = [['cow', 'sheep', 'bird'], ['boat', 'bird']]


def _pairs(sampler, n):
    it = iter(sampler)
    return [(next(it), next(it)) for _ in range(n)]


def test_pairs_share_a_context_and_differ_in_category():
    sampler = ContextPairSampler(DATASET, CONTEXTS, seed=0)
    pairs = _pairs(sampler, 200)
    related = {
        'cow': {'sheep', 'bird'}, 'sheep': {'cow', 'bird'},
        'boat': {'bird'}, 'bird': {'cow', 'sheep', 'boat'},
        'car': {'cow', 'sheep', 'boat', 'bird'},  # no context: any other
    }
    for a, b in pairs:
        name_a = CLASSES[DATASET._categories[a]]
        name_b = CLASSES[DATASET._categories[b]]
        assert name_b in related[name_a], (name_a, name_b)
    # every anchor once per pass over the data, in shuffled order
    anchors = [a for a, _ in pairs[:10]]
    assert sorted(anchors) == list(range(10)) and anchors != sorted(anchors)
    # a class in two contexts meets both
    partners = {CLASSES[DATASET._categories[b]] for a, b in pairs
                if CLASSES[DATASET._categories[a]] == 'bird'}
    assert partners == {'cow', 'sheep', 'boat'}


def test_same_seed_same_stream_and_ranks_share_it(monkeypatch):
    first = list(itertools.islice(ContextPairSampler(DATASET, CONTEXTS,
                                                     seed=3), 40))
    again = list(itertools.islice(ContextPairSampler(DATASET, CONTEXTS,
                                                     seed=3), 40))
    assert first == again
    # two ranks take alternate pairs of the same stream
    monkeypatch.setattr(
        'mmcoseg.datasets.samplers.context_pair_sampler.get_dist_info',
        lambda: (1, 2))
    rank1 = list(itertools.islice(ContextPairSampler(DATASET, CONTEXTS,
                                                     seed=3), 20))
    assert rank1 == [i for k in range(1, 20, 2)
                     for i in first[2 * k:2 * k + 2]]


def test_unknown_class_is_named():
    with pytest.raises(ValueError, match=r"\['horse'\]"):
        ContextPairSampler(DATASET, [['cow', 'horse']], seed=0)
