"""Batches whose two groups are of different categories that share a
context (animals on grass, boats and birds on water)."""
import itertools
from typing import Dict, Iterator, List, Optional, Sequence

import torch
from mmengine.dist import get_dist_info, sync_random_seed
from torch.utils.data import Sampler

from mmcoseg.registry import DATA_SAMPLERS


@DATA_SAMPLERS.register_module()
class ContextPairSampler(Sampler):
    """Infinite sampler that pairs each group with one of a related category.

    Yields training items two by two: an anchor item (every item in turn, in
    shuffled order, as :class:`~mmengine.dataset.InfiniteSampler` does),
    then a random item of another category that shares a context with the
    anchor's (``contexts``: lists of class names; a class may belong to
    several). A batch of ``batch_size`` items (even) therefore holds pairs
    of groups whose backgrounds look alike, and the in-batch group
    augments and losses that work on the pairs of a batch
    (``GroupExchange``, the cross-group loss) then teach to tell the
    objects apart rather than the scenes: matching recurring background is
    what a group consensus learns first on real photos. A class without a
    related class present is paired with any other category.

    Args:
        dataset (GroupDataset): A training dataset (``anchor_categories``).
        contexts (Sequence[Sequence[str]]): Class names that share a
            context, one list per context.
        shuffle (bool): Shuffle the anchors. Defaults to True.
        seed (int, optional): Random seed (None: one shared by all ranks).

    Raises:
        ValueError: A context names a class the dataset does not have.
    """

    def __init__(self,
                 dataset,
                 contexts: Sequence[Sequence[str]],
                 shuffle: bool = True,
                 seed: Optional[int] = None) -> None:
        self.rank, self.world_size = get_dist_info()
        self.shuffle = shuffle
        self.seed = sync_random_seed() if seed is None else seed
        self.categories = dataset.anchor_categories()
        self.size = len(self.categories)
        classes = list(dataset.metainfo['classes'])
        unknown = sorted({n for c in contexts for n in c} - set(classes))
        if unknown:
            raise ValueError(f'ContextPairSampler: contexts name classes the '
                             f'dataset does not have: {unknown}; its classes '
                             f'are {classes}.')
        self.items: Dict[int, List[int]] = {}
        for idx, label in enumerate(self.categories):
            self.items.setdefault(label, []).append(idx)
        present = sorted(self.items)
        self.partners: Dict[int, List[int]] = {}
        for label in present:
            related = {
                classes.index(name)
                for context in contexts if classes[label] in context
                for name in context
            }
            related = [c for c in present if c in related and c != label]
            self.partners[label] = related or [
                c for c in present if c != label
            ]

    def _pairs(self) -> Iterator[tuple]:
        """Infinitely yield (anchor, partner) item pairs."""
        g = torch.Generator()
        g.manual_seed(self.seed)
        while True:
            order = (torch.randperm(self.size, generator=g).tolist()
                     if self.shuffle else range(self.size))
            for idx in order:
                partners = self.partners[self.categories[idx]]
                if not partners:  # a single category: nothing to pair
                    yield idx, idx
                    continue
                other = partners[int(torch.randint(len(partners), (1, ),
                                                   generator=g))]
                pool = self.items[other]
                yield idx, pool[int(torch.randint(len(pool), (1, ),
                                                  generator=g))]

    def __iter__(self) -> Iterator[int]:
        """The items of this rank's pairs, two by two."""
        pairs = itertools.islice(self._pairs(), self.rank, None,
                                 self.world_size)
        for pair in pairs:
            yield from pair

    def __len__(self) -> int:
        """Number of training items."""
        return self.size

    def set_epoch(self, epoch: int) -> None:
        """Not used by iteration-based training."""
