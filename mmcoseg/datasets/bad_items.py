"""What a dataset of groups does with an item whose files turn out bad."""
import logging
from typing import Any, Dict, List, Optional, Set, Tuple

from mmengine.logging import print_log

from .groupings import mirror_slots
from .validation import probe_decode

#: ``on_bad_item`` choices of :class:`~mmcoseg.datasets.GroupDataset`.
BAD_ITEM_ACTIONS = ('skip', 'raise')
#: Metainfo key (on the first data sample of a group) holding how many bad
#: training groups were skipped before this one was delivered.
SKIPPED_KEY = 'skipped_bad_items'


class BadItemPolicy:
    """Bad-item handling of :class:`~mmcoseg.datasets.GroupDataset`.

    A mixin placed before :class:`mmengine.dataset.BaseDataset`: it runs
    the pipeline of an item (``prepare_data``), and when a *training* item
    fails (e.g. a file became unreadable mid-run) it names the bad files,
    excludes their images from later groups, counts the item and lets
    ``__getitem__`` serve another random one (``on_bad_item='skip'``), or
    logs the files and re-raises (``'raise'``). Test items always raise:
    a skipped group would bias the metric.

    The dataset provides ``_group_slots(idx)``, ``_group_info(idx, slots)``,
    ``pipeline``, ``test_mode``, ``max_refetch`` and ``_rand_another()``.
    """

    def _init_bad_items(self, on_bad_item: str,
                        max_bad_items: Optional[int]) -> None:
        """Check the settings and reset the counters.

        Args:
            on_bad_item (str): ``'skip'`` or ``'raise'``.
            max_bad_items (int, optional): Skips allowed per process.

        Raises:
            ValueError: Unknown ``on_bad_item``.
        """
        if on_bad_item not in BAD_ITEM_ACTIONS:
            raise ValueError(f'on_bad_item must be one of '
                             f'{BAD_ITEM_ACTIONS}, got {on_bad_item!r}.')
        self.on_bad_item = on_bad_item
        self.max_bad_items = max_bad_items
        self._bad_indices: Set[int] = set()
        self._bad_files: Dict[str, str] = {}
        self._num_bad_items = 0
        self._pending_skips = 0

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


__all__ = ['BAD_ITEM_ACTIONS', 'SKIPPED_KEY', 'BadItemPolicy']
