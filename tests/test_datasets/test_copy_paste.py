"""Cut-and-paste of objects: the shared helper and GroupCopyPaste."""
import os

import numpy as np
import pytest
from PIL import Image

from mmcoseg.datasets.copy_paste import cut_object, paste_object
from mmcoseg.datasets.transforms import GroupCopyPaste


def test_cut_object_crops_to_the_mask():
    img = np.arange(10 * 12 * 3, dtype=np.uint8).reshape(10, 12, 3)
    mask = np.zeros((10, 12), np.uint8)
    mask[2:5, 3:9] = 1
    mask[4, 3] = 255  # void is not object
    crop, obj = cut_object(img, mask)
    assert crop.shape == (3, 6, 3) and obj.shape == (3, 6)
    assert np.array_equal(crop, img[2:5, 3:9])
    assert obj.sum() == 17
    assert cut_object(img, np.zeros((10, 12), np.uint8)) is None


@pytest.mark.parametrize('label', [0, 1])
def test_paste_object_writes_colour_and_label(label):
    rng = np.random.default_rng(0)
    img = np.zeros((40, 50, 3), np.uint8)
    mask = np.zeros((40, 50), np.uint8)
    mask[5:15, 5:15] = 1
    obj = (np.full((8, 8, 3), 200, np.uint8), np.ones((8, 8), bool))
    region = paste_object(img, mask, obj, rng, label, (0.4, 0.4))
    assert region.sum() == 16 * 16  # 0.4 * 40 = 16 px per side
    assert (img[region] == 200).all() and (img[~region] == 0).all()
    assert (mask[region] == label).all()
    # the paste avoided hiding more than half of the object when it could
    assert mask[5:15, 5:15].sum() >= 50 or label == 1


def test_paste_object_is_deterministic():
    def run():
        img = np.zeros((30, 30, 3), np.uint8)
        mask = np.zeros((30, 30), np.uint8)
        obj = (np.full((5, 9, 3), 9, np.uint8), np.ones((5, 9), bool))
        paste_object(img, mask, obj, np.random.default_rng(7))
        return img
    assert np.array_equal(run(), run())


@pytest.fixture
def donors(tmp_path):
    """One donor of another category (red square) and one of the group's
    category (blue square)."""
    out = {}
    for key, colour in (('other', (255, 0, 0)), ('same', (0, 0, 255))):
        img = np.zeros((20, 20, 3), np.uint8)
        img[4:16, 4:16] = colour
        mask = np.zeros((20, 20), np.uint8)
        mask[4:16, 4:16] = 255
        folder = tmp_path / key
        os.makedirs(folder)
        Image.fromarray(img).save(folder / 'a.png')
        Image.fromarray(mask).save(folder / 'a_m.png')
        out[key] = [dict(img_path=str(folder / 'a.png'),
                         seg_map_path=str(folder / 'a_m.png'))]
    return out


def _group(n=3):
    images = []
    for _ in range(n):
        mask = np.zeros((32, 32), np.uint8)
        mask[8:24, 8:24] = 1
        images.append(dict(img=np.full((32, 32, 3), 60, np.uint8),
                           gt_seg_map=mask))
    return images


@pytest.mark.parametrize('same_prob,label', [(0.0, 0), (1.0, 1)])
def test_group_copy_paste(donors, same_prob, label):
    np.random.seed(0)
    t = GroupCopyPaste(prob=1.0, max_objects=1, same_category_prob=same_prob)
    out = t(dict(images=_group(), donors=donors))
    for image in out['images']:
        pasted = (image['img'] != 60).any(axis=2)
        assert pasted.sum() > 0
        assert (image['gt_seg_map'][pasted] == label).all()
        # outside the paste nothing changed
        untouched = image['gt_seg_map'][~pasted]
        assert set(np.unique(untouched)) <= {0, 1}
    # BGR loading: a red donor square arrives as (0, 0, 255)
    colour = (0, 0, 255) if label == 0 else (255, 0, 0)
    first = out['images'][0]['img']
    assert (first == colour).all(axis=2).any()


def test_group_copy_paste_probability_zero_changes_nothing(donors):
    group = _group()
    out = GroupCopyPaste(prob=0.0)(dict(images=group, donors=donors))
    assert all((i['img'] == 60).all() for i in out['images'])


def test_group_copy_paste_errors():
    with pytest.raises(KeyError, match='num_donors'):
        GroupCopyPaste()(dict(images=_group()))
    with pytest.raises(ValueError, match='prob'):
        GroupCopyPaste(prob=2)
    with pytest.raises(ValueError, match='max_objects'):
        GroupCopyPaste(max_objects=0)
    assert 'GroupCopyPaste' in repr(GroupCopyPaste())


def test_group_copy_paste_with_a_seed_repeats_itself(donors):
    """An image with its own donors and paste_seed (GroupDataset's
    paste_variants) is pasted the same way every time; another seed pastes
    elsewhere."""
    def paste(seed, global_seed):
        np.random.seed(global_seed)
        images = _group(1)
        images[0].update(donors=donors, paste_seed=seed)
        out = GroupCopyPaste(prob=1.0, scale_range=(0.2, 0.4))(
            dict(images=images))
        return out['images'][0]['img']

    first = paste([5, 0], 0)
    assert (first != 60).any()
    assert np.array_equal(first, paste([5, 0], 1))
    assert not np.array_equal(first, paste([5, 1], 0))


def test_group_copy_paste_keeps_donor_objects(donors):
    """A donor pasted again comes from the transform's object cache, not
    from its files again (deleted here after the first paste)."""
    t = GroupCopyPaste(prob=1.0, max_objects=1, same_category_prob=0.0)
    np.random.seed(0)
    first = t(dict(images=_group(1), donors=donors))['images'][0]['img']
    os.remove(donors['other'][0]['img_path'])
    np.random.seed(0)
    again = t(dict(images=_group(1), donors=donors))['images'][0]['img']
    assert np.array_equal(first, again)
    with pytest.raises(FileNotFoundError):
        GroupCopyPaste(prob=1.0, max_objects=1, same_category_prob=0.0,
                       object_cache_size=0)(
                           dict(images=_group(1), donors=donors))
    with pytest.raises(ValueError, match='object_cache_size'):
        GroupCopyPaste(object_cache_size=-1)
