"""Listing of a folder-per-category dataset: which images and masks exist.

One listing serves :class:`~mmcoseg.datasets.GroupDataset` (which then
validates and indexes the files) and ``tools/misc/check_dataset.py`` (which
reports every problem, even those that stop the dataset from building), so
both always agree on what the dataset holds.
"""
import os.path as osp
from dataclasses import dataclass, field
from typing import List, Optional, Sequence, Set, Tuple

from mmengine import fileio

from .suffixes import IGNORED_FILES
from .validation import ValidationReport


@dataclass
class FolderListing:
    """What :meth:`CategoryFolders.scan` found.

    Attributes:
        categories (list[str]): The categories, in label order.
        infos (list[dict]): One info dict per image (``img_path``,
            ``seg_map_path``, ``category``, ``category_name``, ...); an
            image whose mask file is missing is flagged ``_bad``.
        errors (ValidationReport): Missing category folders, empty
            categories, images without mask.
        unsupported (list[str]): Files of the image folders that are
            neither images nor masks.
        orphan_masks (list[str]): Mask files without an image of the same
            stem (including mask folders of categories without images).
    """

    categories: List[str]
    infos: List[dict] = field(default_factory=list)
    errors: ValidationReport = field(default_factory=ValidationReport)
    unsupported: List[str] = field(default_factory=list)
    orphan_masks: List[str] = field(default_factory=list)


@dataclass
class CategoryFolders:
    """Where a folder-per-category dataset keeps its images and masks::

        <img_dir>/<category>/<name><img_suffix>
        <seg_dir>/<category>/<name><seg_map_suffix>

    Args:
        img_dir (str): Image root (one folder per category).
        seg_dir (str, optional): Mask root; may equal ``img_dir`` (masks
            beside the images) when the suffixes differ. None: no masks.
        img_suffix (tuple[str]): Lower-case image suffixes.
        seg_map_suffix (str): Mask suffix.
        classes (Sequence[str], optional): The categories to use, in label
            order; None lists the folders of ``img_dir``, sorted.
    """

    img_dir: str
    seg_dir: Optional[str]
    img_suffix: Tuple[str, ...]
    seg_map_suffix: str
    classes: Optional[Sequence[str]] = None

    @property
    def same_folder(self) -> bool:
        """Whether masks lie beside the images."""
        return self.seg_dir is not None and \
            osp.normpath(self.seg_dir) == osp.normpath(self.img_dir)

    def categories(self) -> List[str]:
        """The categories in label order.

        Raises:
            FileNotFoundError: No ``classes`` given and no image folder.
        """
        if self.classes:
            return list(self.classes)
        if not osp.isdir(self.img_dir):
            raise FileNotFoundError(
                f'Image folder {self.img_dir} does not exist '
                '(data_root + data_prefix.img_path).')
        return sorted(
            fileio.list_dir_or_file(
                self.img_dir, list_dir=True, list_file=False))

    def _is_mask(self, name: str) -> bool:
        return self.same_folder and \
            name.lower().endswith(self.seg_map_suffix.lower())

    def list_images(self, folder: str) -> List[str]:
        """Sorted image file names of one category folder."""
        return [
            name for name in sorted(
                fileio.list_dir_or_file(folder, list_dir=False))
            if name.lower().endswith(self.img_suffix)
            and not self._is_mask(name)
        ]

    def mask_path(self, category: str, image_name: str) -> Optional[str]:
        """The mask file an image should have (None without masks)."""
        if self.seg_dir is None:
            return None
        return osp.join(self.seg_dir, category,
                        osp.splitext(image_name)[0] + self.seg_map_suffix)

    def _unsupported_files(self, folder: str,
                           images: Sequence[str]) -> List[str]:
        known = set(images)
        return [
            osp.join(folder, name) for name in sorted(
                fileio.list_dir_or_file(folder, list_dir=False))
            if name not in known and not name.startswith('.')
            and name not in IGNORED_FILES and not self._is_mask(name)
        ]

    def _orphan_masks(self, category: str, stems: Set[str]) -> List[str]:
        folder = osp.join(self.seg_dir, category)
        if not osp.isdir(folder):
            return []
        suffix = self.seg_map_suffix.lower()
        return [
            osp.join(folder, name) for name in sorted(
                fileio.list_dir_or_file(folder, list_dir=False))
            if name.lower().endswith(suffix)
            and osp.splitext(name)[0] not in stems
        ]

    def _mask_only_categories(self, categories: Sequence[str]) -> List[str]:
        """Mask folders of categories that have no image folder."""
        if self.classes or self.same_folder or self.seg_dir is None or \
                not osp.isdir(self.seg_dir):
            return []
        return sorted(
            set(
                fileio.list_dir_or_file(
                    self.seg_dir, list_dir=True, list_file=False)) -
            set(categories))

    def scan(self) -> FolderListing:
        """List every image and mask; never raises for a missing file.

        Returns:
            FolderListing: The images (as dataset info dicts) and every
            listing problem.

        Raises:
            FileNotFoundError: No ``classes`` given and no image folder.
        """
        listing = FolderListing(categories=self.categories())
        has_masks = self.seg_dir is not None and osp.isdir(self.seg_dir)
        for label, category in enumerate(listing.categories):
            cat_dir = osp.join(self.img_dir, category)
            if not osp.isdir(cat_dir):
                listing.errors.error('missing category folder', cat_dir)
                continue
            names = self.list_images(cat_dir)
            listing.unsupported += self._unsupported_files(cat_dir, names)
            if not names:
                listing.errors.error(
                    'empty category folder(s)',
                    f'{cat_dir} holds no image with a suffix in '
                    f'{self.img_suffix}')
                continue
            for name in names:
                listing.infos.append(
                    self._info(cat_dir, name, label, category, listing))
            if has_masks:
                stems = {osp.splitext(n)[0] for n in names}
                listing.orphan_masks += self._orphan_masks(category, stems)
        for category in self._mask_only_categories(listing.categories):
            listing.orphan_masks += self._orphan_masks(category, set())
        return listing

    def _info(self, cat_dir: str, name: str, label: int, category: str,
              listing: FolderListing) -> dict:
        info = dict(
            img_path=osp.join(cat_dir, name),
            seg_map_path=self.mask_path(category, name),
            category=label,
            category_name=category,
            co_categories=[label],
            reduce_zero_label=False,
            seg_fields=[])
        mask = info['seg_map_path']
        if mask is not None and not osp.isfile(mask):
            listing.errors.error('image(s) have no mask',
                                 f'{info["img_path"]} (expected {mask})')
            info['_bad'] = True
        return info


__all__ = ['CategoryFolders', 'FolderListing']
