"""Index a folder-per-category dataset: list, validate, report, number."""
import os.path as osp
from typing import Dict, List, Optional, Sequence, Tuple

from .category_folders import CategoryFolders
from .validation import ValidationReport, validate_items


def index_category_folders(folders: CategoryFolders,
                           report: ValidationReport,
                           validate: str = 'strict',
                           group_size: Optional[int] = 5,
                           test_mode: bool = False
                           ) -> Tuple[List[str], List[dict]]:
    """The categories and the good images of a dataset, validated.

    Listing problems (missing masks, empty categories) are found in every
    mode; ``validate='strict'`` or ``'lenient'`` also reads every image and
    mask header (:func:`~mmcoseg.datasets.validation.validate_items`).

    Args:
        folders (CategoryFolders): Where the images and masks are.
        report (ValidationReport): Receives every problem; warnings are
            logged, errors raised (``'strict'``, ``'off'``) or logged as
            dropped items (``'lenient'``).
        validate (str): ``'strict'``, ``'lenient'`` or ``'off'``.
        group_size (int, optional): Images per group, for the warning
            about categories smaller than a group. None: whole categories.
        test_mode (bool): Words that warning for test or training groups.

    Returns:
        tuple[list[str], list[dict]]: The categories in label order and
        one info dict per good image, with ``index_in_category``.

    Raises:
        FileNotFoundError: Missing image folder.
        DatasetValidationError: Errors found, unless lenient and some image
            is left.
        ValueError: Clashing image and mask suffixes.
    """
    img_dir, seg_dir = folders.img_dir, folders.seg_dir
    if folders.same_folder and \
            folders.seg_map_suffix.lower() in folders.img_suffix:
        raise ValueError(
            f'Images and masks share {img_dir} but seg_map_suffix '
            f'{folders.seg_map_suffix!r} is also an image suffix '
            f'{folders.img_suffix}; set distinct suffixes or roots.')
    categories = folders.categories()
    if seg_dir is not None and not osp.isdir(seg_dir):
        report.error('missing mask folder',
                     f'{seg_dir} (data_root + data_prefix.seg_map_path)')
        report.raise_errors()
    # Listing: cheap problems found in every mode.
    listing = folders.scan()
    data_list, listing_errors = listing.infos, listing.errors
    for path in listing.unsupported:
        report.warn(
            'file(s) with an unsupported suffix (ignored; images: '
            f'{folders.img_suffix}, masks: {folders.seg_map_suffix!r})',
            path)
    for path in listing.orphan_masks:
        report.warn('mask(s) without image (ignored)', path)
    # Reading: headers of every image and mask.
    if validate != 'off':
        todo = [i for i, info in enumerate(data_list) if not info.get('_bad')]
        good = validate_items([data_list[i] for i in todo], listing_errors)
        for i, ok in zip(todo, good):
            if not ok:
                data_list[i]['_bad'] = True
    report.errors.extend(listing_errors.errors)
    if report.errors and validate != 'lenient':
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
    _warn_small_categories(categories, data_list, report, validate,
                           group_size, test_mode)
    report.log_warnings()
    if not data_list:
        report.error('no usable image', f'under {img_dir}')
        report.raise_errors()
    number_within_categories(data_list)
    return categories, data_list


def number_within_categories(data_list: List[dict]) -> None:
    """Set every info's ``index_in_category`` (0, 1, ... per category).

    Args:
        data_list (list[dict]): Image infos with ``category``, in order.
    """
    counters: Dict[int, int] = {}
    for info in data_list:
        info['index_in_category'] = counters.get(info['category'], 0)
        counters[info['category']] = info['index_in_category'] + 1


def _warn_small_categories(categories: Sequence[str], data_list: List[dict],
                           report: ValidationReport, validate: str,
                           group_size: Optional[int],
                           test_mode: bool) -> None:
    """Warn about categories with fewer images than a group."""
    if group_size is None:
        return
    counts = {label: 0 for label in range(len(categories))}
    for info in data_list:
        counts[info['category']] += 1
    what = ('test groups are padded with repeated images, which are '
            'not scored' if test_mode else
            'training groups repeat images (a single image is grouped '
            'with copies of itself)')
    for label, count in counts.items():
        if 0 < count < group_size:
            report.warn(
                f'category(ies) with fewer images than group_size='
                f'{group_size} ({what})',
                f'{categories[label]}: {count} image(s)')
        elif count == 0 and validate == 'lenient':
            report.warn('category(ies) left without images (no group)',
                        categories[label])


__all__ = ['index_category_folders']
