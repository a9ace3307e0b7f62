"""The group structure of a flat batch: B groups of N images, one object."""
from dataclasses import dataclass
from typing import Optional, Sequence, Tuple, Union

import torch
from torch import Tensor

#: Metainfo key under which every data sample of a batch holds the batch's
#: :class:`GroupLayout` (set by ``CoSegDataPreProcessor``).
LAYOUT_KEY = 'group_layout'
#: What a model does with a batch that has no group layout.
UNGROUPED_MODES = ('error', 'single')


@dataclass(frozen=True)
class GroupLayout:
    """How a flat batch of images splits into consecutive groups.

    Built once, by :class:`~mmcoseg.models.CoSegDataPreProcessor` from the
    loader's list of groups (or by :meth:`single` when a caller states that
    a whole batch is one group), then handed to every part of the model that
    works per group (modulators, HSP targets, inter-group losses).

    Attributes:
        sizes (tuple[int]): Images in each group, in batch order.
        categories (tuple[tuple[int]]): The co-category labels of each group
            (empty tuples when unknown, e.g. at inference).
    """
    sizes: Tuple[int, ...]
    categories: Tuple[Tuple[int, ...], ...] = ()

    def __post_init__(self) -> None:
        if not self.sizes or min(self.sizes) < 1:
            raise ValueError(f'GroupLayout needs groups of >= 1 image, got '
                             f'sizes {self.sizes}.')
        if self.categories and len(self.categories) != len(self.sizes):
            raise ValueError(f'{len(self.categories)} category entries for '
                             f'{len(self.sizes)} groups.')

    @classmethod
    def single(cls, num_images: int) -> 'GroupLayout':
        """One group holding the whole batch (the caller says so)."""
        return cls((num_images, ))

    @classmethod
    def of(cls, layout: Union['GroupLayout', Sequence[int]]) -> 'GroupLayout':
        """A layout, or the layout of consecutive groups of these sizes (a
        convenience for calling the modulators directly)."""
        if isinstance(layout, GroupLayout):
            return layout
        return cls(tuple(int(n) for n in layout))

    @classmethod
    def from_groups(cls, groups: Sequence[Sequence]) -> 'GroupLayout':
        """Layout of a list of groups of data samples.

        Args:
            groups (Sequence[Sequence]): B groups, each a sequence of data
                samples whose metainfo may hold ``co_categories``.

        Returns:
            GroupLayout: Sizes and co-categories of the groups.
        """
        sizes = tuple(len(group) for group in groups)
        categories = tuple(
            tuple(int(c) for c in _meta(group[0]).get('co_categories', ()))
            for group in groups)
        if not any(categories):
            categories = ()
        return cls(sizes, categories)

    @property
    def num_groups(self) -> int:
        """Number of groups B."""
        return len(self.sizes)

    @property
    def num_images(self) -> int:
        """Number of images in the batch."""
        return sum(self.sizes)

    @property
    def uniform(self) -> bool:
        """Whether every group has the same size."""
        return len(set(self.sizes)) == 1

    def check(self, num_images: int) -> None:
        """Raise when the layout does not describe ``num_images`` images."""
        if num_images != self.num_images:
            raise ValueError(f'The group layout {self.sizes} describes '
                             f'{self.num_images} images, the batch holds '
                             f'{num_images}.')

    def split(self, x: Tensor) -> Tuple[Tensor, ...]:
        """Split a per-image tensor (dim 0) into per-group chunks."""
        return torch.split(x, list(self.sizes), dim=0)

    def expand(self, per_group: Tensor) -> Tensor:
        """Repeat one row per group into one row per image."""
        repeats = torch.as_tensor(self.sizes, device=per_group.device)
        return per_group.repeat_interleave(repeats, dim=0)

    def sum_groups(self, per_image: Tensor) -> Tensor:
        """Sum the rows (dim 0) of each group: one row per group.

        Args:
            per_image (Tensor): One row per image, shape (num_images, ...).

        Returns:
            Tensor: Shape (num_groups, ...); differentiable.
        """
        if self.uniform:
            return per_image.reshape(self.num_groups, self.sizes[0],
                                     *per_image.shape[1:]).sum(dim=1)
        return per_image.new_zeros(
            (self.num_groups, *per_image.shape[1:])).index_add(
                0, self.group_index(per_image.device), per_image)

    def group_index(self, device: Optional[torch.device] = None) -> Tensor:
        """Group index of every image, shape (num_images,)."""
        return self.expand(torch.arange(self.num_groups, device=device))

    def category_targets(self, num_classes: int,
                         device: Optional[torch.device] = None) -> Tensor:
        """Multi-hot co-categories, one row per group (the supervision
        of the modulators that classify, e.g. HSP's l_sem, eq. 12).

        Args:
            num_classes (int): Number of categories K of the classifier.
            device (torch.device, optional): Device of the result.

        Returns:
            Tensor: Bool tensor (num_groups, K).

        Raises:
            ValueError: A group without co-categories, or one whose index
                is not below ``num_classes``.
        """
        targets = torch.zeros(self.num_groups, num_classes,
                              dtype=torch.bool, device=device)
        for g in range(self.num_groups):
            labels = list(self.categories[g]) if self.categories else []
            if not labels or max(labels) >= num_classes:
                raise ValueError(
                    f'Group {g} has co_categories {labels}, expected a '
                    f'non-empty list of indices < num_classes={num_classes} '
                    '(dataset classes vs. the head).')
            targets[g, labels] = True
        return targets

    def share_category(self, a: int, b: int) -> bool:
        """Whether groups ``a`` and ``b`` share a co-category (True when
        the categories are unknown)."""
        if not self.categories:
            return True
        return bool(set(self.categories[a]) & set(self.categories[b]))


def layout_from_metas(metas: Optional[Sequence[dict]],
                      num_images: int,
                      ungrouped: str = 'error') -> GroupLayout:
    """The group layout a batch carries in its image metainfo.

    Args:
        metas (Sequence[dict], optional): Metainfo of the batch's images.
        num_images (int): Images in the batch.
        ungrouped (str): Without a layout: ``'error'`` raises,
            ``'single'`` treats the batch as one group (the caller says
            so, e.g. ``model.test_cfg.ungrouped='single'``).

    Returns:
        GroupLayout: The layout, checked against ``num_images``.
    """
    if ungrouped not in UNGROUPED_MODES:
        raise ValueError(f'ungrouped must be one of {UNGROUPED_MODES}, got '
                         f'{ungrouped!r}.')
    layout = metas[0].get(LAYOUT_KEY) if metas else None
    if layout is None:
        if ungrouped == 'single':
            return GroupLayout.single(num_images)
        raise ValueError(
            f'A batch of {num_images} images without group structure (no '
            f'{LAYOUT_KEY!r} in the data samples\' metainfo). Build batches '
            'as lists of groups (PackCoSegInputs + coseg_collate) and let '
            'CoSegDataPreProcessor flatten them, or set the model\'s '
            "test_cfg.ungrouped='single' to treat a flat batch as one group.")
    layout.check(num_images)
    return layout


def _meta(sample) -> dict:
    return sample.metainfo if hasattr(sample, 'metainfo') else dict(sample)
