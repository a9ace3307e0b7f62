"""Dataset of image groups that share an object category."""
from typing import Dict, List, Optional, Sequence, Set, Union

import numpy as np
from mmengine.dataset import BaseDataset

from mmcoseg.registry import DATASETS

from .bad_items import BadItemPolicy
from .category_folders import CategoryFolders
from .category_split import check_split, split_per_category
from .groupings import TEST_GROUPINGS, GroupSlot, GroupSlots, build_test_groups
from .indexing import index_category_folders, number_within_categories
from .suffixes import (
    DEFAULT_IMG_SUFFIXES,
    READABLE_IMG_SUFFIXES,
    READABLE_MASK_SUFFIXES,
)
from .validation import VALIDATE_MODES, ValidationReport


@DATASETS.register_module()
class GroupDataset(BadItemPolicy, BaseDataset):
    """Folder-per-category co-segmentation dataset; one item is a group.

    Layout (roots and suffixes configurable)::

        data_root/
          <img_path>/<category>/<name><img_suffix>
          <seg_map_path>/<category>/<name><seg_map_suffix>

    Masks may lie beside the images (``seg_map_path`` equal to
    ``img_path``) when the suffixes differ. The classes are the categories
    (sorted folder names, or ``metainfo=dict(classes=...)`` to choose and
    order a subset).

    * Training (``test_mode=False``): item ``i`` is a group of
      ``group_size`` images of the category of image ``i`` - image ``i``
      plus ``group_size - 1`` others of that category drawn at random
      (without replacement when the category is large enough). An epoch
      therefore visits every image once as the anchor of a group.
    * Testing: every category is split, in file-name order, into
      consecutive groups of ``group_size``; the last group is filled up with
      the category's first images, flagged ``is_padding`` so that they are
      never scored. ``group_size=None`` makes each whole category one group.
      ``test_grouping`` regroups the same images to measure how much a
      model uses the group (see :mod:`mmcoseg.datasets.groupings`).

    Each image of a group carries ``category``, ``category_name``,
    ``co_categories`` (the multi-hot co-category label as a list of
    indices), ``group_id`` and ``is_padding``; the model learns which
    images form a group from the batch's
    :class:`~mmcoseg.structures.GroupLayout`.

    Args:
        data_root (str): Root folder.
        data_prefix (dict): ``img_path`` and (optional) ``seg_map_path``
            folders relative to ``data_root``. Without ``seg_map_path``
            the dataset has no masks (inference only).
        group_size (int, optional): Images per group N. Defaults to 5.
        img_suffix (str | Sequence[str]): Image suffixes (case-insensitive).
        seg_map_suffix (str): Mask suffix. Defaults to '.png'.
        test_grouping (str): Test groups: ``'category'`` (default, the
            benchmark protocol), ``'mixed'`` (each group from different
            categories: nothing is shared) or ``'single'`` (each image
            paired with its mirrored copy, which is not scored). Every
            image is scored once in every mode.
        split (tuple[str, float], optional): ``('train', f)`` keeps the
            first ``ceil(f * n)`` images (sorted by file name) of every
            category of ``n`` images, ``('test', f)`` the rest (see
            :func:`~mmcoseg.datasets.category_split.split_per_category`):
            the seen-category protocol, whose test images are of categories
            the model was trained on. A list of pairs splits the kept part
            again (``[('train', 2 / 3), ('test', 0.75)]``: a validation
            part carved from the training part). None (default) keeps every
            image.
        num_donors (int): Training groups also carry ``donors``: up to
            this many images of other categories and as many of the
            group's own category (not in the group), as ``dict(other=[...],
            same=[...])`` of ``img_path`` / ``seg_map_path``, for group
            transforms that paste objects (:class:`GroupCopyPaste`).
            Defaults to 0 (none).
        paste_variants (int): With ``num_donors``, 0 (default) draws a
            group's donors anew at every fetch, so no pasted image is ever
            seen twice. ``V > 0`` gives every image of the group its own
            ``donors`` and a ``paste_seed`` instead, both fixed by the
            image and a variant number drawn from ``range(V)`` at every
            fetch: :class:`GroupCopyPaste` then makes at most ``V`` pasted
            versions of an image (per flip), which a
            :class:`~mmcoseg.models.backbones.FrozenBackbone` finds again
            in its cache.
        validate (str): Build-time checks (see
            :mod:`mmcoseg.datasets.validation`). ``'strict'`` (default)
            raises one :class:`DatasetValidationError` naming every missing
            or unreadable image or mask, image without mask and image/mask
            size mismatch (from the file headers), and every empty
            category; ``'lenient'`` logs them as warnings and drops the bad
            items (an empty category keeps its label and gets no group);
            ``'off'`` only lists the files (missing masks and empty
            categories still raise). In every mode, masks without an image,
            files with an unsupported suffix and categories with fewer
            images than ``group_size`` are logged as warnings.
        on_bad_item (str): What a *training* item whose pipeline fails
            (e.g. a file that became unreadable mid-run) does. ``'skip'``
            (default) logs a warning naming the group's bad files, excludes
            them from later groups, counts the item (see
            :attr:`num_bad_items` and ``BadItemCounterHook``) and serves
            another random group; ``'raise'`` logs the files and re-raises.
            Test-mode items always raise (a skipped group would bias the
            metric).
        max_bad_items (int, optional): With ``on_bad_item='skip'``, raise
            once more than this many items were skipped by one process.
            None (default) sets no limit; ``max_refetch`` consecutive
            failures always raise.
        **kwargs: :class:`mmengine.dataset.BaseDataset` arguments
            (``pipeline``, ``test_mode``, ``metainfo``, ``lazy_init``,
            ``max_refetch`` - 20 here unless given...).
    """

    METAINFO: dict = dict(classes=None)

    def __init__(self,
                 data_root: str = '',
                 data_prefix: dict = dict(img_path='images',
                                          seg_map_path='masks'),
                 group_size: Optional[int] = 5,
                 img_suffix: Union[str, Sequence[str]] = DEFAULT_IMG_SUFFIXES,
                 seg_map_suffix: str = '.png',
                 test_grouping: str = 'category',
                 split: Optional[Sequence] = None,
                 num_donors: int = 0,
                 paste_variants: int = 0,
                 validate: str = 'strict',
                 on_bad_item: str = 'skip',
                 max_bad_items: Optional[int] = None,
                 **kwargs) -> None:
        if validate not in VALIDATE_MODES:
            raise ValueError(f'validate must be one of {VALIDATE_MODES}, '
                             f'got {validate!r}.')
        if group_size is not None and group_size < 1:
            raise ValueError(f'group_size must be >= 1 or None, got '
                             f'{group_size}.')
        if test_grouping not in TEST_GROUPINGS:
            raise ValueError(f'test_grouping must be one of '
                             f'{TEST_GROUPINGS}, got {test_grouping!r}.')
        if group_size is None and not kwargs.get('test_mode', False):
            raise ValueError('group_size=None (whole categories) is only '
                             'supported with test_mode=True.')
        self.group_size = group_size
        self.test_grouping = test_grouping
        self.split = check_split(split)
        if num_donors < 0 or paste_variants < 0:
            raise ValueError('num_donors and paste_variants must be >= 0, '
                             f'got {num_donors} and {paste_variants}.')
        if paste_variants and not num_donors:
            raise ValueError('paste_variants needs num_donors > 0 (the '
                             'donors it fixes per image).')
        self.num_donors = num_donors
        self.paste_variants = paste_variants
        self.img_suffix = tuple(
            s.lower() for s in ((img_suffix, ) if isinstance(
                img_suffix, str) else img_suffix))
        self.seg_map_suffix = seg_map_suffix
        unsupported = [s for s in self.img_suffix
                       if s not in READABLE_IMG_SUFFIXES]
        if unsupported:
            raise ValueError(
                f'img_suffix {unsupported} cannot be decoded by the image '
                f'loader; supported: {READABLE_IMG_SUFFIXES}.')
        if seg_map_suffix.lower() not in READABLE_MASK_SUFFIXES:
            raise ValueError(
                f'seg_map_suffix {seg_map_suffix!r} cannot be decoded; '
                f'supported: {READABLE_MASK_SUFFIXES}.')
        self.validate = validate
        self._init_bad_items(on_bad_item, max_bad_items)
        self.validation_report = ValidationReport(type(self).__name__)
        self._groups: List[GroupSlots] = []
        self._cat_indices: Dict[int, List[int]] = {}
        kwargs.setdefault('max_refetch', 20)
        super().__init__(
            data_root=data_root, data_prefix=data_prefix, **kwargs)

    # ------------------------------------------------------------ indexing
    def category_folders(self) -> CategoryFolders:
        """The image and mask folders as this dataset reads them.

        Returns:
            CategoryFolders: Roots (with ``data_root``), suffixes and
            classes; ``tools/misc/check_dataset.py`` lists through it too.
        """
        return CategoryFolders(
            img_dir=self.data_prefix['img_path'],
            seg_dir=self.data_prefix.get('seg_map_path'),
            img_suffix=self.img_suffix,
            seg_map_suffix=self.seg_map_suffix,
            classes=self._metainfo.get('classes'))

    def load_data_list(self) -> List[dict]:
        """Index and validate every image of every category.

        Returns:
            list[dict]: One info dict per (good) image.

        Raises:
            FileNotFoundError: Missing image folder.
            DatasetValidationError: (a ``FileNotFoundError`` and a
                ``ValueError``) naming every missing mask, empty category,
                unreadable file and size mismatch (``validate='strict'``;
                with ``'lenient'`` only when no image is left).
            ValueError: Clashing image and mask suffixes.
        """
        folders = self.category_folders()
        self.validation_report = ValidationReport(type(self).__name__)
        categories, data_list = index_category_folders(
            folders, self.validation_report, self.validate,
            self.group_size, self.test_mode)
        self._metainfo['classes'] = tuple(categories)
        if self.split is not None:
            for part, fraction in self.split:
                data_list = split_per_category(data_list, part, fraction)
            number_within_categories(data_list)
        return data_list

    def full_init(self) -> None:
        """Load the image list, then build the category index and groups."""
        if self._fully_initialized:
            return
        super().full_init()
        self._cat_indices = {}
        for idx in range(super().__len__()):
            label = super().get_data_info(idx)['category']
            self._cat_indices.setdefault(label, []).append(idx)
        if self.test_mode:
            self._groups = build_test_groups(self._cat_indices,
                                             self.group_size,
                                             self.test_grouping)

    # ------------------------------------------------------------- access
    def __len__(self) -> int:
        """Number of groups (test) or of anchor images (training)."""
        if not self._fully_initialized:
            self.full_init()
        return len(self._groups) if self.test_mode else super().__len__()

    def _train_group(self, idx: int) -> GroupSlots:
        label = super().get_data_info(idx)['category']
        others = [
            i for i in self._cat_indices[label]
            if i != idx and i not in self._bad_indices
        ]
        need = self.group_size - 1
        if not others:
            picks = [idx] * need
        else:
            picks = np.random.choice(
                others, need, replace=len(others) < need).tolist()
        return [GroupSlot(i) for i in [idx] + picks]

    def _group_slots(self, idx: int) -> GroupSlots:
        """The slots (image index and flags) of item ``idx``."""
        return (self._groups[idx] if self.test_mode else
                self._train_group(idx))

    def _group_info(self, idx: int, slots: GroupSlots) -> dict:
        """The group info dict of item ``idx`` made of ``slots``."""
        images = []
        for position, slot in enumerate(slots):
            info = super().get_data_info(slot.index)
            info.update(group_id=idx, is_padding=slot.is_padding)
            images.append(info)
        first = images[0]
        info = dict(
            images=images,
            group_id=idx,
            group_size=len(slots),
            category=first['category'],
            category_name=first['category_name'],
            co_categories=first['co_categories'])
        if self.num_donors and not self.test_mode:
            if self.paste_variants:
                for slot, image in zip(slots, images):
                    seed = [slot.index,
                            int(np.random.randint(self.paste_variants))]
                    image['paste_seed'] = seed
                    image['donors'] = self._donors(
                        image['category'], {slot.index},
                        np.random.default_rng(seed))
            else:
                info['donors'] = self._donors(
                    first['category'], {slot.index for slot in slots})
        return info

    def _donors(self,
                label: int,
                members: Set[int],
                rng: Optional[np.random.Generator] = None) -> dict:
        """Donor images of other categories and of ``label``.

        Drawn by rejection (cheap on large datasets) from ``rng``, or from
        the global NumPy state without one; a pool that runs short gives
        fewer donors.
        """
        def draw(pool: Sequence[int], want_label: bool) -> List[dict]:
            picks: List[int] = []
            size = 8 * self.num_donors
            draws = (np.random.randint(len(pool), size=size) if rng is None
                     else rng.integers(len(pool), size=size))
            for i in draws:
                i = int(pool[i])
                ok = (i not in members and i not in self._bad_indices
                      and i not in picks and
                      (self._category_of(i) == label) == want_label)
                if ok:
                    picks.append(i)
                if len(picks) == self.num_donors:
                    break
            return [{
                key: super(GroupDataset, self).get_data_info(i)[key]
                for key in ('img_path', 'seg_map_path')
            } for i in picks]

        return dict(
            other=draw(range(super().__len__()), False),
            same=draw(self._cat_indices[label], True))

    def _category_of(self, idx: int) -> int:
        return super().get_data_info(idx)['category']

    def get_data_info(self, idx: int) -> dict:
        """The group of item ``idx`` with every image's info.

        Args:
            idx (int): Group index (test) or anchor image index (training).

        Returns:
            dict: ``images`` (one info dict per image), ``group_id``,
            ``group_size``, ``category``, ``category_name``,
            ``co_categories``.
        """
        return self._group_info(idx, self._group_slots(idx))

    def anchor_categories(self) -> List[int]:
        """The category of every training item (its anchor image).

        Returns:
            list[int]: ``anchor_categories()[i]`` is the co-category of the
            group that item ``i`` builds, for samplers that choose which
            groups share a batch.
        """
        if not self._fully_initialized:
            self.full_init()
        return [self._category_of(i) for i in range(super().__len__())]

    @property
    def num_images(self) -> int:
        """Number of distinct images in the dataset."""
        if not self._fully_initialized:
            self.full_init()
        return super().__len__()
