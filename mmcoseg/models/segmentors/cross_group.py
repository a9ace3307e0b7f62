"""Probe groups for the cross-group loss (GCoNet's group collaborative
learning, applied to SSNM's modulators)."""
import random
from typing import List, NamedTuple, Optional

from ...structures import GroupLayout


class CrossGroupProbes(NamedTuple):
    """Which images form the probe groups of a batch.

    Attributes:
        index (list[int]): Batch index of every probe image, probe group
            after probe group.
        layout (GroupLayout): The probe groups: one group of the batch
            followed by its intruder.
        intruders (list[int]): Position (in ``index``) of each probe
            group's intruder, whose target is empty.
    """
    index: List[int]
    layout: GroupLayout
    intruders: List[int]


def cross_group_probes(layout: GroupLayout,
                       rng: Optional[random.Random] = None
                       ) -> Optional[CrossGroupProbes]:
    """Pair the groups of a batch and add to each one image of the other.

    The groups are taken in pairs (0 and 1, 2 and 3, ...). For a pair whose
    co-categories are disjoint, each group becomes a probe group: all its
    images, then one random image of the other group (the intruder). The
    modulators computed on a probe group are the group's own, now applied
    to an image that does not share its object: the decoder must return an
    empty map there (GCoNet, CVPR 2021, sec. 3.3). Unlike an exchange, the
    group keeps all its members and their targets.

    Args:
        layout (GroupLayout): The batch's groups, with their co-categories.
        rng (random.Random, optional): Source of the intruder choice
            (default: the ``random`` module, seeded by MMEngine).

    Returns:
        CrossGroupProbes | None: None when no pair of groups has disjoint
        known co-categories.
    """
    rng = rng or random
    starts = [0]
    for size in layout.sizes[:-1]:
        starts.append(starts[-1] + size)
    index: List[int] = []
    sizes: List[int] = []
    intruders: List[int] = []
    for a in range(0, layout.num_groups - 1, 2):
        b = a + 1
        if not layout.categories or layout.share_category(a, b):
            continue
        for group, other in ((a, b), (b, a)):
            members = range(starts[group], starts[group] + layout.sizes[group])
            index.extend(members)
            intruders.append(len(index))
            index.append(starts[other] + rng.randrange(layout.sizes[other]))
            sizes.append(len(members) + 1)
    if not index:
        return None
    return CrossGroupProbes(index, GroupLayout(tuple(sizes)), intruders)
