"""Dataset of image groups that share an object category."""
import logging
import os.path as osp
from typing import Any, Dict, List, Optional, Sequence, Set, Tuple, Union

import numpy as np
from mmengine import fileio
from mmengine.dataset import BaseDataset
from mmengine.logging import print_log

from mmcoseg.registry import DATASETS

from .groupings import (
    TEST_GROUPINGS,
    GroupSlot,
    GroupSlots,
    build_test_groups,
    mirror_slots,
)
from .validation import (
    IGNORED_FILES,
    READABLE_IMG_SUFFIXES,
    READABLE_MASK_SUFFIXES,
    VALIDATE_MODES,
    ValidationReport,
    probe_decode,
    validate_items,
)

IMG_SUFFIXES = ('.jpg', '.jpeg', '.png', '.bmp')
#: ``on_bad_item`` choices of :class:`GroupDataset`.
BAD_ITEM_ACTIONS = ('skip', 'raise')
#: Metainfo key (on the first data sample of a group) holding how many bad
#: training groups were skipped before this one was delivered.
SKIPPED_KEY = 'skipped_bad_items'


@DATASETS.register_module()
class GroupDataset(BaseDataset):
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
    indices), ``group_id``, ``group_size``, ``index_in_group`` and
    ``is_padding``.

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
        num_donors (int): Training groups also carry ``donors``: up to
            this many images of other categories and as many of the
            group's own category (not in the group), as ``dict(other=[...],
            same=[...])`` of ``img_path`` / ``seg_map_path``, for group
            transforms that paste objects (:class:`GroupCopyPaste`).
            Defaults to 0 (none).
        intruder_prob (float): Probability that a training group gets an
            *intruder*: its last image replaced by an image of another
            category, flagged ``is_intruder`` (its mask is loaded as all
            background by :class:`LoadCoSegAnnotation`): nothing in it is
            shared by the group, however salient. Defaults to 0.
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
                 img_suffix: Union[str, Sequence[str]] = IMG_SUFFIXES,
                 seg_map_suffix: str = '.png',
                 test_grouping: str = 'category',
                 num_donors: int = 0,
                 intruder_prob: float = 0.0,
                 validate: str = 'strict',
                 on_bad_item: str = 'skip',
                 max_bad_items: Optional[int] = None,
                 **kwargs) -> None:
        if validate not in VALIDATE_MODES:
            raise ValueError(f'validate must be one of {VALIDATE_MODES}, '
                             f'got {validate!r}.')
        if on_bad_item not in BAD_ITEM_ACTIONS:
            raise ValueError(f'on_bad_item must be one of '
                             f'{BAD_ITEM_ACTIONS}, got {on_bad_item!r}.')
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
        self.num_donors = num_donors
        if not 0 <= intruder_prob <= 1:
            raise ValueError(f'intruder_prob must lie in [0, 1], got '
                             f'{intruder_prob}.')
        self.intruder_prob = intruder_prob
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
        self.on_bad_item = on_bad_item
        self.max_bad_items = max_bad_items
        self.validation_report = ValidationReport(type(self).__name__)
        self._groups: List[GroupSlots] = []
        self._cat_indices: Dict[int, List[int]] = {}
        self._bad_indices: Set[int] = set()
        self._bad_files: Dict[str, str] = {}
        self._num_bad_items = 0
        self._pending_skips = 0
        kwargs.setdefault('max_refetch', 20)
        super().__init__(
            data_root=data_root, data_prefix=data_prefix, **kwargs)

    # ------------------------------------------------------------ indexing
    def _categories(self, img_dir: str) -> List[str]:
        classes = self._metainfo.get('classes')
        if classes:
            return list(classes)
        if not osp.isdir(img_dir):
            raise FileNotFoundError(f'Image folder {img_dir} does not exist '
                                    '(data_root + data_prefix.img_path).')
        return sorted(d for d in fileio.list_dir_or_file(
            img_dir, list_dir=True, list_file=False))

    def _list_images(self, folder: str, same_folder: bool) -> List[str]:
        names = fileio.list_dir_or_file(folder, list_dir=False)
        images = []
        for name in sorted(names):
            lower = name.lower()
            if not lower.endswith(self.img_suffix):
                continue
            if same_folder and lower.endswith(self.seg_map_suffix.lower()):
                continue
            images.append(name)
        return images

    def _unsupported_files(self, folder: str, same_folder: bool,
                           images: Sequence[str]) -> List[str]:
        """Files of ``folder`` that are neither images nor masks."""
        known = set(images)
        out = []
        for name in sorted(fileio.list_dir_or_file(folder, list_dir=False)):
            lower = name.lower()
            if name in known or name.startswith('.') or \
                    name in IGNORED_FILES:
                continue
            if same_folder and lower.endswith(self.seg_map_suffix.lower()):
                continue
            out.append(osp.join(folder, name))
        return out

    def _orphan_masks(self, seg_dir: str, category: str,
                      stems: Set[str]) -> List[str]:
        """Masks of ``category`` without an image of the same stem."""
        folder = osp.join(seg_dir, category)
        if not osp.isdir(folder):
            return []
        suffix = self.seg_map_suffix.lower()
        return [
            osp.join(folder, name) for name in sorted(
                fileio.list_dir_or_file(folder, list_dir=False))
            if name.lower().endswith(suffix)
            and osp.splitext(name)[0] not in stems
        ]

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
        report = self.validation_report = ValidationReport(
            type(self).__name__)
        lenient = self.validate == 'lenient'
        img_dir = self.data_prefix['img_path']
        seg_dir = self.data_prefix.get('seg_map_path')
        same_folder = seg_dir is not None and \
            osp.normpath(seg_dir) == osp.normpath(img_dir)
        if same_folder and self.seg_map_suffix.lower() in self.img_suffix:
            raise ValueError(
                f'Images and masks share {img_dir} but seg_map_suffix '
                f'{self.seg_map_suffix!r} is also an image suffix '
                f'{self.img_suffix}; set distinct suffixes or roots.')
        categories = self._categories(img_dir)
        self._metainfo['classes'] = tuple(categories)
        if seg_dir is not None and not osp.isdir(seg_dir):
            report.error('missing mask folder',
                         f'{seg_dir} (data_root + data_prefix.seg_map_path)')
            report.raise_errors()
        # Listing: cheap problems found in every mode.
        data_list, listing_errors = [], ValidationReport()
        for label, category in enumerate(categories):
            cat_dir = osp.join(img_dir, category)
            if not osp.isdir(cat_dir):
                listing_errors.error('missing category folder', cat_dir)
                continue
            names = self._list_images(cat_dir, same_folder)
            for path in self._unsupported_files(cat_dir, same_folder, names):
                report.warn(
                    'file(s) with an unsupported suffix (ignored; images: '
                    f'{self.img_suffix}, masks: {self.seg_map_suffix!r})',
                    path)
            if not names:
                listing_errors.error(
                    'empty category folder(s)',
                    f'{cat_dir} holds no image with a suffix in '
                    f'{self.img_suffix}')
                continue
            for name in names:
                info = dict(
                    img_path=osp.join(cat_dir, name),
                    seg_map_path=None,
                    category=label,
                    category_name=category,
                    co_categories=[label],
                    reduce_zero_label=False,
                    seg_fields=[])
                if seg_dir is not None:
                    stem = osp.splitext(name)[0]
                    mask = osp.join(seg_dir, category,
                                    stem + self.seg_map_suffix)
                    info['seg_map_path'] = mask
                    if not osp.isfile(mask):
                        listing_errors.error(
                            'image(s) have no mask',
                            f'{info["img_path"]} (expected {mask})')
                        info['_bad'] = True
                data_list.append(info)
            if seg_dir is not None:
                stems = {osp.splitext(n)[0] for n in names}
                for path in self._orphan_masks(seg_dir, category, stems):
                    report.warn('mask(s) without image (ignored)', path)
        # Reading: headers of every image and mask.
        if self.validate != 'off':
            todo = [i for i, info in enumerate(data_list)
                    if not info.get('_bad')]
            good = validate_items([data_list[i] for i in todo],
                                  listing_errors)
            for i, ok in zip(todo, good):
                if not ok:
                    data_list[i]['_bad'] = True
        report.errors.extend(listing_errors.errors)
        if report.errors and not lenient:
            report.log_warnings()
            report.raise_errors()
        if report.errors:
            for kind, what in report.errors:
                report.warn(f'dropped: {kind}', what)
            report.dropped = [
                info['img_path'] for info in data_list if info.get('_bad')
            ]
            report.errors = []
        data_list = [info for info in data_list if not info.get('_bad')]
        self._warn_small_categories(categories, data_list, report)
        report.log_warnings()
        if not data_list:
            report.error('no usable image', f'under {img_dir}')
            report.raise_errors()
        counters: Dict[int, int] = {}
        for info in data_list:
            info['index_in_category'] = counters.get(info['category'], 0)
            counters[info['category']] = info['index_in_category'] + 1
        return data_list

    def _warn_small_categories(self, categories: Sequence[str],
                               data_list: List[dict],
                               report: ValidationReport) -> None:
        """Warn about categories with fewer images than a group."""
        if self.group_size is None:
            return
        counts = {label: 0 for label in range(len(categories))}
        for info in data_list:
            counts[info['category']] += 1
        what = ('test groups are padded with repeated images, which are '
                'not scored' if self.test_mode else
                'training groups repeat images (a single image is grouped '
                'with copies of itself)')
        for label, count in counts.items():
            if 0 < count < self.group_size:
                report.warn(
                    f'category(ies) with fewer images than group_size='
                    f'{self.group_size} ({what})',
                    f'{categories[label]}: {count} image(s)')
            elif count == 0 and self.validate == 'lenient':
                report.warn('category(ies) left without images (no group)',
                            categories[label])

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
        slots = [GroupSlot(i) for i in [idx] + picks]
        if need and self.intruder_prob and \
                np.random.random() < self.intruder_prob:
            intruder = self._random_other(label)
            if intruder is not None:
                slots[-1] = GroupSlot(intruder, is_intruder=True)
        return slots

    def _random_other(self, label: int) -> Optional[int]:
        """A random good image of another category than ``label``."""
        for i in np.random.randint(super().__len__(), size=32):
            i = int(i)
            if i not in self._bad_indices and self._category_of(i) != label:
                return i
        return None

    def _group_slots(self, idx: int) -> GroupSlots:
        """The slots (image index and flags) of item ``idx``."""
        return (self._groups[idx] if self.test_mode else
                self._train_group(idx))

    def _group_info(self, idx: int, slots: GroupSlots) -> dict:
        """The group info dict of item ``idx`` made of ``slots``."""
        images = []
        for position, slot in enumerate(slots):
            info = super().get_data_info(slot.index)
            info.update(
                group_id=idx,
                group_size=len(slots),
                index_in_group=position,
                is_padding=slot.is_padding,
                is_intruder=slot.is_intruder)
            images.append(info)
        first = images[0]  # never an intruder
        info = dict(
            images=images,
            group_id=idx,
            group_size=len(slots),
            category=first['category'],
            category_name=first['category_name'],
            co_categories=first['co_categories'])
        if self.num_donors and not self.test_mode:
            info['donors'] = self._donors(first['category'],
                                          {slot.index for slot in slots})
        return info

    def _donors(self, label: int, members: Set[int]) -> dict:
        """Random donor images of other categories and of ``label``.

        Drawn by rejection (cheap on large datasets); a pool that runs short
        gives fewer donors.
        """
        def draw(pool: Sequence[int], want_label: bool) -> List[dict]:
            picks: List[int] = []
            for i in np.random.randint(len(pool), size=8 * self.num_donors):
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

    # ---------------------------------------------------------- bad items
    def prepare_data(self, idx: int) -> Any:
        """Run the pipeline on item ``idx``, handling bad files.

        Args:
            idx (int): Item index.

        Returns:
            Any: The pipeline output, or None for a skipped training item
            (:class:`~mmengine.dataset.BaseDataset` then serves another
            random item). The first data sample of a delivered group
            carries ``skipped_bad_items``, the number of items this process
            skipped since it delivered the previous one.
        """
        skip = not self.test_mode and self.on_bad_item == 'skip'
        if skip and idx in self._bad_indices:
            return None  # a known-bad anchor: already counted
        slots = self._group_slots(idx)
        info = self._group_info(idx, slots)
        files = [(slot.index, image['img_path'], image.get('seg_map_path'))
                 for slot, image in zip(slots, info['images'])]
        try:
            data = self.pipeline(info)
        except Exception as err:  # noqa: BLE001 - reported and re-raised
            bad = self._find_bad_files(files, err)
            if not skip:
                print_log(
                    f'{type(self).__name__}: item {idx} failed in the '
                    f'pipeline ({type(err).__name__}: {err}); bad file(s): '
                    f'{self._describe(bad) or "none identified"}.',
                    logger='current', level=logging.ERROR)
                raise
            self._skip(idx, info, bad, err)
            return None
        return self._attach_skips(mirror_slots(data, slots))

    def __getitem__(self, idx: int) -> Any:
        """Item ``idx``; bad training items are replaced by random ones.

        Args:
            idx (int): Item index.

        Returns:
            Any: The pipeline output.

        Raises:
            RuntimeError: ``max_refetch`` consecutive training items were
                bad or returned None.
        """
        if self.test_mode:
            return super().__getitem__(idx)
        if not self._fully_initialized:
            self.full_init()
        for _ in range(self.max_refetch + 1):
            data = self.prepare_data(idx)
            if data is not None:
                return data
            idx = self._rand_another()
        raise RuntimeError(
            f'{type(self).__name__}: {self.max_refetch + 1} consecutive '
            f'training items were bad ({self._num_bad_items} skipped in '
            f'all; bad files: {self._describe(self._bad_files.items())}). '
            'Check the dataset (tools/misc/check_dataset.py) and the '
            'pipeline.')

    def _find_bad_files(self, files: List[Tuple[int, str, Optional[str]]],
                        err: BaseException) -> List[Tuple[str, str]]:
        """Files of a failed group: named by the error or undecodable.

        Marks the images whose image or mask is bad in ``_bad_indices``.

        Returns:
            list[tuple[str, str]]: ``(path, reason)`` per bad file.
        """
        text = f'{err} {err.__cause__ or ""} {err.__context__ or ""}'
        bad, seen = [], set()
        for index, *paths in files:
            for path in paths:
                if path is None or path in seen:
                    continue
                seen.add(path)
                reason = probe_decode(path)
                if reason is None and path in text:
                    reason = f'{type(err).__name__}: {err}'
                if reason is not None:
                    bad.append((path, reason))
                    self._bad_files[path] = reason
                    self._bad_indices.add(index)
        return bad

    @staticmethod
    def _describe(bad: Any) -> str:
        return '; '.join(f'{path} ({reason})' for path, reason in bad)

    def _skip(self, idx: int, info: dict, bad: List[Tuple[str, str]],
              err: BaseException) -> None:
        """Count, log and (over ``max_bad_items``) refuse a bad item."""
        self._num_bad_items += 1
        self._pending_skips += 1
        files = self._describe(bad) or (
            'none identified; files of the group: ' + ', '.join(
                image['img_path'] for image in info['images']))
        print_log(
            f'{type(self).__name__}: skipped bad training item {idx} '
            f'(category {info["category_name"]!r}): '
            f'{type(err).__name__}: {err}. Bad file(s), excluded from now '
            f'on: {files}. Bad items skipped so far (this process): '
            f'{self._num_bad_items}.',
            logger='current', level=logging.WARNING)
        if self.max_bad_items is not None and \
                self._num_bad_items > self.max_bad_items:
            raise RuntimeError(
                f'{type(self).__name__}: {self._num_bad_items} bad items '
                f'skipped, more than max_bad_items={self.max_bad_items}; '
                f'bad files: {self._describe(self._bad_files.items())}'
            ) from err

    def _attach_skips(self, data: Any) -> Any:
        """Record the pending skip count on the first data sample."""
        if not self._pending_skips or not isinstance(data, dict):
            return data
        samples = data.get('data_samples')
        if isinstance(samples, (list, tuple)) and samples and \
                hasattr(samples[0], 'set_metainfo'):
            samples[0].set_metainfo({SKIPPED_KEY: self._pending_skips})
            self._pending_skips = 0
        return data

    @property
    def num_bad_items(self) -> int:
        """Training items skipped as bad by this process."""
        return self._num_bad_items

    @property
    def bad_files(self) -> Dict[str, str]:
        """Files found bad during the run (this process): path -> reason."""
        return dict(self._bad_files)

    @property
    def num_images(self) -> int:
        """Number of distinct images in the dataset."""
        if not self._fully_initialized:
            self.full_init()
        return super().__len__()
