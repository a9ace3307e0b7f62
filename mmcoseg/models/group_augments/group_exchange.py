"""Exchange images between the groups of a batch (GEM's exchange masking)."""
import random
from typing import List, Sequence, Tuple

import torch

from mmcoseg.registry import MODELS


@MODELS.register_module()
class GroupExchange:
    """Swap images between two groups of a batch; their targets go empty.

    The groups of a batch are taken in pairs (0 and 1, 2 and 3, ...). With
    probability ``prob``, a pair whose co-categories are disjoint exchanges
    ``num_images`` images: each group receives real images of the other
    group, whose ground truth becomes all background (ignored pixels stay
    ignored), since nothing in them is shared by their new group. A model
    trained on such batches must read the group to decide what to segment:
    a salient object alone is not enough. The first image of a group (which
    carries the group's co-category) is never exchanged.

    Applied by :class:`~mmcoseg.models.CoSegDataPreProcessor` to the nested
    groups of a training batch (``group_augments``), before normalisation.

    Args:
        prob (float): Probability that a pair of groups exchanges images.
            Defaults to 0.5.
        num_images (int): Images each group of a pair gives away; less than
            the group size. Defaults to 1.
        ignore_index (int): Label value that stays ignored. Defaults to 255.
    """

    def __init__(self,
                 prob: float = 0.5,
                 num_images: int = 1,
                 ignore_index: int = 255) -> None:
        if not 0 <= prob <= 1:
            raise ValueError(f'prob must lie in [0, 1], got {prob}.')
        if num_images < 1:
            raise ValueError(f'num_images must be >= 1, got {num_images}.')
        self.prob = prob
        self.num_images = num_images
        self.ignore_index = ignore_index

    def __call__(self, inputs: Sequence, samples: Sequence
                 ) -> Tuple[List[list], List[list]]:
        """Exchange images within each pair of groups.

        Args:
            inputs (Sequence): B groups of images (lists of tensors or
                N x C x H x W tensors).
            samples (Sequence): B lists of :class:`SegDataSample`.

        Returns:
            tuple[list[list], list[list]]: The groups after the exchange
            (new lists; the tensors are shared, exchanged labels replaced).
        """
        inputs = [list(group) for group in inputs]
        samples = [list(group) for group in samples]
        for a in range(0, len(inputs) - 1, 2):
            b = a + 1
            size = min(len(inputs[a]), len(inputs[b]))
            if (self.num_images >= size or random.random() >= self.prob
                    or not self._disjoint(samples[a][0], samples[b][0])):
                continue
            for i, j in zip(random.sample(range(1, len(inputs[a])),
                                          self.num_images),
                            random.sample(range(1, len(inputs[b])),
                                          self.num_images)):
                inputs[a][i], inputs[b][j] = inputs[b][j], inputs[a][i]
                samples[a][i], samples[b][j] = samples[b][j], samples[a][i]
                self._clear(samples[a][i])
                self._clear(samples[b][j])
        return inputs, samples

    @staticmethod
    def _disjoint(first_a, first_b) -> bool:
        cats_a = set(first_a.metainfo.get('co_categories', ()))
        cats_b = set(first_b.metainfo.get('co_categories', ()))
        return bool(cats_a) and bool(cats_b) and not cats_a & cats_b

    def _clear(self, sample) -> None:
        """Make a sample's ground truth all background."""
        gt = sample.gt_sem_seg.data
        sample.gt_sem_seg.data = torch.where(
            gt == self.ignore_index, gt, torch.zeros_like(gt))
        sample.set_metainfo(dict(is_exchanged=True))
