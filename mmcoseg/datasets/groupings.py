"""Deterministic test-time groupings of a folder-per-category dataset.

The same images can be grouped three ways, which separates a model that
uses the group from a single-image (saliency) segmenter:

* ``'category'``: every category split into consecutive groups (the
  co-segmentation benchmark protocol);
* ``'mixed'``: every group drawn from ``size`` *different* categories, so
  the images of a group share nothing;
* ``'single'``: every image alone, paired with a mirrored copy of itself
  (the copy is padding and never scored).

Every image is scored exactly once in every mode. A group is a list of
dataset indices with one :class:`GroupSlot` flag set per position.
"""
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Sequence

import numpy as np

#: Test groupings understood by :func:`build_test_groups`.
TEST_GROUPINGS = ('category', 'mixed', 'single')


@dataclass(frozen=True)
class GroupSlot:
    """One position of a test group.

    Attributes:
        index (int): Dataset index of the image.
        is_padding (bool): Filler that is never scored.
        mirror (bool): Feed the image mirrored left-right.
    """
    index: int
    is_padding: bool = False
    mirror: bool = False


GroupSlots = List[GroupSlot]


def category_groups(cat_indices: Dict[int, List[int]],
                    size: Optional[int]) -> List[GroupSlots]:
    """Consecutive groups of ``size`` within each category.

    The last group of a category is filled up with the category's first
    images, flagged as padding. ``size=None`` makes each whole category one
    group.

    Args:
        cat_indices (dict[int, list[int]]): Dataset indices per category.
        size (int, optional): Group size.

    Returns:
        list[list[GroupSlot]]: The groups, categories in label order.
    """
    groups = []
    for label in sorted(cat_indices):
        indices = cat_indices[label]
        n = size or len(indices)
        for start in range(0, len(indices), n):
            chunk = [GroupSlot(i) for i in indices[start:start + n]]
            chunk += [
                GroupSlot(indices[k % len(indices)], is_padding=True)
                for k in range(n - len(chunk))
            ]
            groups.append(chunk)
    return groups


def mixed_groups(cat_indices: Dict[int, List[int]],
                 size: int) -> List[GroupSlots]:
    """Groups whose images all come from different categories.

    Greedy and deterministic: each group takes the next image of the
    ``size`` categories with the most images left (ties by label). When
    fewer than ``size`` categories have images left, the group is filled
    with the first images of other categories, flagged as padding, so every
    group stays free of a shared category.

    Args:
        cat_indices (dict[int, list[int]]): Dataset indices per category.
        size (int): Group size; at most the number of categories.

    Returns:
        list[list[GroupSlot]]: The groups.

    Raises:
        ValueError: Fewer non-empty categories than ``size``.
    """
    labels = [label for label in sorted(cat_indices) if cat_indices[label]]
    if size is None or size < 2 or len(labels) < size:
        raise ValueError(
            f"test_grouping='mixed' needs group_size >= 2 and at least "
            f'group_size categories; got group_size={size} and '
            f'{len(labels)} non-empty categories.')
    left = {label: list(cat_indices[label]) for label in labels}
    groups = []
    while any(left.values()):
        ranked = sorted((label for label in labels if left[label]),
                        key=lambda label: (-len(left[label]), label))
        picks = ranked[:size]
        group = [GroupSlot(left[label].pop(0)) for label in picks]
        fillers = [label for label in labels if label not in picks]
        group += [
            GroupSlot(cat_indices[label][0], is_padding=True)
            for label in fillers[:size - len(group)]
        ]
        groups.append(group)
    return groups


def single_groups(cat_indices: Dict[int, List[int]]) -> List[GroupSlots]:
    """Each image alone, paired with its mirrored copy (padding).

    Args:
        cat_indices (dict[int, list[int]]): Dataset indices per category.

    Returns:
        list[list[GroupSlot]]: Groups of two, in label then file order.
    """
    return [[GroupSlot(i), GroupSlot(i, is_padding=True, mirror=True)]
            for label in sorted(cat_indices) for i in cat_indices[label]]


def build_test_groups(cat_indices: Dict[int, List[int]],
                      size: Optional[int],
                      grouping: str = 'category') -> List[GroupSlots]:
    """Test groups of one of :data:`TEST_GROUPINGS`.

    Args:
        cat_indices (dict[int, list[int]]): Dataset indices per category.
        size (int, optional): Group size (None: whole categories, only
            with ``'category'``).
        grouping (str): One of :data:`TEST_GROUPINGS`.

    Returns:
        list[list[GroupSlot]]: The groups.
    """
    if grouping == 'category':
        return category_groups(cat_indices, size)
    if grouping == 'mixed':
        return mixed_groups(cat_indices, size)
    if grouping == 'single':
        return single_groups(cat_indices)
    raise ValueError(f'test_grouping must be one of {TEST_GROUPINGS}, got '
                     f'{grouping!r}.')


def mirror_slots(data: Any, slots: Sequence[GroupSlot]) -> Any:
    """Mirror left-right the images of the slots flagged ``mirror``.

    Works on a packed group (``inputs``: N tensors C x H x W, and their
    data samples' ``gt_sem_seg``) and on an unpacked one (``images``: N
    data samples' ``gt_sem_seg``; every view of a :class:`GroupTestTimeAug`
    item) and on an unpacked one (``images``: N result dicts with ``img``
    H x W x C and ``gt_seg_map``).

    Args:
        data (Any): Pipeline output of a group.
        slots (Sequence[GroupSlot]): The group's slots.

    Returns:
        Any: ``data``, changed in place.
    """
    if 'num_views' in data:  # GroupTestTimeAug: mirror every view
        for inputs, samples in zip(data['inputs'], data['data_samples']):
            mirror_slots(dict(inputs=inputs, data_samples=samples), slots)
        return data
    for position, slot in enumerate(slots):
        if not slot.mirror:
            continue
        if 'inputs' in data:
            data['inputs'][position] = data['inputs'][position].flip(-1)
            sample = data['data_samples'][position]
            if 'gt_sem_seg' in sample:
                sample.gt_sem_seg.data = sample.gt_sem_seg.data.flip(-1)
        else:
            image = data['images'][position]
            for key in ['img'] + list(image.get('seg_fields', [])):
                image[key] = np.ascontiguousarray(image[key][:, ::-1])
    return data
