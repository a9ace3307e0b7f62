"""``ImageGroup``: the packed images of a group, a list with a hint for
code written for one image tensor."""
import copy
import pickle

import pytest
import torch

from mmcoseg.datasets.transforms import ImageGroup


def _group():
    return ImageGroup(torch.full((3, 4, 5), float(i)) for i in range(2))


def test_is_a_list_that_survives_pickling():
    group = _group()
    assert isinstance(group, list) and len(group) == 2
    for clone in (pickle.loads(pickle.dumps(group)), copy.deepcopy(group)):
        assert type(clone) is ImageGroup
        assert all(torch.equal(a, b) for a, b in zip(clone, group))


def test_tensor_attribute_names_the_group_browser():
    group = _group()
    assert not hasattr(group, 'permute')
    with pytest.raises(AttributeError, match='group of 2 images') as err:
        group.permute(1, 2, 0)
    assert 'tools/analysis_tools/browse_group_dataset.py' in str(err.value)
    with pytest.raises(AttributeError) as err:
        group.no_such_attribute  # noqa: B018
    assert 'browse_group_dataset' not in str(err.value)
