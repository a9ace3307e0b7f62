"""Build-time validation of co-segmentation datasets.

:class:`~mmcoseg.datasets.GroupDataset` calls :func:`validate_items` while
it indexes its files, so that a bad dataset is reported - every bad file
named - before a run starts instead of hours into it. The checks read file
headers only (PIL opens an image lazily), in a thread pool.

Problems are *errors* (the item cannot be used: missing or unreadable
file, image/mask size mismatch) or *warnings* (the run can go on: masks
without an image, files with an unsupported suffix, categories with fewer
images than a group). ``validate='strict'`` raises one
:class:`DatasetValidationError` naming every error; ``'lenient'`` logs the
errors as warnings and drops the bad items; ``'off'`` skips the
file-reading checks.
"""
import logging
import os.path as osp
import warnings
from concurrent.futures import ThreadPoolExecutor
from typing import Dict, List, Optional, Sequence, Tuple

from mmengine.logging import MMLogger
from PIL import Image

#: Validation modes of ``GroupDataset(validate=...)``.
VALIDATE_MODES = ('strict', 'lenient', 'off')
#: Problems shown per kind in a message before "... and N more".
MAX_SHOWN = 10

# EXIF orientations that swap width and height (transposes, 90/270 turns);
# OpenCV applies the orientation when it decodes.
_SWAPPING_ORIENTATIONS = (5, 6, 7, 8)
_EXIF_ORIENTATION = 0x0112


class DatasetValidationWarning(UserWarning):
    """A dataset problem that lets the run go on (see the message)."""


def log_to_run_file(message: str, level: int = logging.WARNING) -> None:
    """Write ``message`` to the log files of the current MMLogger.

    During a run this is the runner's ``<timestamp>.log``; the console gets
    the message once through :mod:`warnings` instead, so that tools which
    print results on stdout keep a clean stdout.

    Args:
        message (str): The message.
        level (int): Logging level. Defaults to ``logging.WARNING``.
    """
    logger = MMLogger.get_current_instance()
    record = logger.makeRecord(logger.name, level, __file__, 0, message,
                               None, None)
    for handler in logger.handlers:
        if isinstance(handler, logging.FileHandler):
            handler.handle(record)


class DatasetValidationError(FileNotFoundError, ValueError):
    """A dataset failed validation; the message names every bad file.

    Both a ``FileNotFoundError`` and a ``ValueError`` so that callers
    catching either (missing files, bad contents) see it.

    Args:
        message (str): The full report.
        problems (list[tuple[str, str]]): ``(kind, description)`` pairs.
    """

    def __init__(self, message: str,
                 problems: Sequence[Tuple[str, str]] = ()) -> None:
        super().__init__(message)
        self.problems = list(problems)

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ''


class ValidationReport:
    """Errors and warnings found while indexing a dataset.

    Each problem is a ``(kind, description)`` pair, e.g.
    ``('image without mask', 'images/cat/a.jpg (expected masks/cat/a.png)')``.

    Args:
        name (str): Dataset name used in messages.
    """

    def __init__(self, name: str = 'GroupDataset') -> None:
        self.name = name
        self.errors: List[Tuple[str, str]] = []
        self.warnings: List[Tuple[str, str]] = []
        self.dropped: List[str] = []

    def error(self, kind: str, what: str) -> None:
        """Record an error."""
        self.errors.append((kind, what))

    def warn(self, kind: str, what: str) -> None:
        """Record a warning."""
        self.warnings.append((kind, what))

    def kinds(self, which: str = 'errors') -> Dict[str, List[str]]:
        """Descriptions grouped by kind, in first-seen order.

        Args:
            which (str): ``'errors'`` or ``'warnings'``.

        Returns:
            dict[str, list[str]]: kind -> descriptions.
        """
        grouped: Dict[str, List[str]] = {}
        for kind, what in getattr(self, which):
            grouped.setdefault(kind, []).append(what)
        return grouped

    @staticmethod
    def _format(grouped: Dict[str, List[str]]) -> str:
        lines = []
        for kind, items in grouped.items():
            lines.append(f'  {len(items)} {kind}:')
            lines.extend(f'    {item}' for item in items[:MAX_SHOWN])
            if len(items) > MAX_SHOWN:
                lines.append(f'    ... and {len(items) - MAX_SHOWN} more')
        return '\n'.join(lines)

    def error_message(self) -> str:
        """One message naming every error (grouped by kind)."""
        return (f'{self.name}: {len(self.errors)} problem(s) found while '
                f'validating the dataset:\n'
                f'{self._format(self.kinds("errors"))}\n'
                "Fix the files, or set validate='lenient' to drop the bad "
                "items with a warning (validate='off' skips the checks).")

    def warning_message(self) -> str:
        """One message naming every warning (grouped by kind)."""
        return (f'{self.name}: {len(self.warnings)} warning(s) while '
                f'validating the dataset:\n'
                f'{self._format(self.kinds("warnings"))}')

    def raise_errors(self) -> None:
        """Raise :class:`DatasetValidationError` if there are errors."""
        if self.errors:
            raise DatasetValidationError(self.error_message(), self.errors)

    def log_warnings(self) -> None:
        """Emit the warnings (if any) as one ``DatasetValidationWarning``.

        The message also goes to the run's log file (see
        :func:`log_to_run_file`).
        """
        if self.warnings:
            message = self.warning_message()
            warnings.warn(message, DatasetValidationWarning, stacklevel=2)
            log_to_run_file(message)


def oriented_size(img: Image.Image) -> Tuple[int, int]:
    """``(W, H)`` of an image as decoders that apply EXIF orientation see it.

    Args:
        img (PIL.Image.Image): An opened (not necessarily loaded) image.

    Returns:
        tuple[int, int]: Width and height after the EXIF rotation.
    """
    width, height = img.size
    try:
        orientation = img.getexif().get(_EXIF_ORIENTATION, 1)
    except Exception:  # noqa: BLE001 - a broken EXIF block is no rotation
        orientation = 1
    if orientation in _SWAPPING_ORIENTATIONS:
        return height, width
    return width, height


def probe_image(path: str) -> Tuple[Optional[Tuple[int, int]], Optional[str]]:
    """Open an image's header.

    Args:
        path (str): Image or mask file.

    Returns:
        tuple: ``((W, H), None)`` with the oriented size, or
        ``(None, reason)`` when the file is missing or not an image.
    """
    if not osp.isfile(path):
        return None, 'missing'
    try:
        with Image.open(path) as img:
            return oriented_size(img), None
    except Exception as err:  # noqa: BLE001 - any failure is a bad file
        return None, f'{type(err).__name__}: {err}'


def probe_decode(path: str) -> Optional[str]:
    """Fully decode an image; the reason it fails, or None.

    Args:
        path (str): Image or mask file.

    Returns:
        str | None: Why the file cannot be decoded, or None when it can.
    """
    if not osp.isfile(path):
        return 'missing'
    try:
        with Image.open(path) as img:
            img.load()
    except Exception as err:  # noqa: BLE001 - any failure is a bad file
        return f'{type(err).__name__}: {err}'
    return None


def validate_items(items: List[dict],
                   report: ValidationReport,
                   workers: int = 8) -> List[bool]:
    """Check that every image and mask opens and that their sizes agree.

    Masks are compared with the *oriented* image size (EXIF rotation
    applied, as the image loader does); masks themselves are read without
    rotation, as :func:`~mmcoseg.datasets.mask_io.read_mask` does.

    Args:
        items (list[dict]): Info dicts with ``img_path`` and
            ``seg_map_path`` (None for no mask).
        report (ValidationReport): Receives one error per bad item.
        workers (int): Reader threads. Defaults to 8.

    Returns:
        list[bool]: Whether each item is good.
    """
    img_paths = [item['img_path'] for item in items]
    seg_paths = [item.get('seg_map_path') for item in items]
    with ThreadPoolExecutor(max(1, workers)) as pool:
        images = list(pool.map(probe_image, img_paths))
        masks = list(
            pool.map(_probe_mask, seg_paths))
    good = []
    for img_path, seg_path, (size, err), (msize, merr) in zip(
            img_paths, seg_paths, images, masks):
        ok = True
        if err is not None:
            ok = False
            report.error('missing image' if err == 'missing' else
                         'unreadable image', f'{img_path} ({err})'
                         if err != 'missing' else img_path)
        if seg_path is not None and merr is not None:
            ok = False
            if merr == 'missing':
                report.error('image without mask',
                             f'{img_path} (expected {seg_path})')
            else:
                report.error('unreadable mask', f'{seg_path} ({merr})')
        if ok and seg_path is not None and size != msize:
            ok = False
            report.error(
                'image/mask size mismatch',
                f'{img_path} is {size[0]}x{size[1]}, {seg_path} is '
                f'{msize[0]}x{msize[1]}')
        good.append(ok)
    return good


def _probe_mask(
        path: Optional[str]) -> Tuple[Optional[Tuple[int, int]],
                                      Optional[str]]:
    """Raw (unrotated) size of a mask, or why it cannot be opened."""
    if path is None:
        return None, None
    if not osp.isfile(path):
        return None, 'missing'
    try:
        with Image.open(path) as img:
            return img.size, None
    except Exception as err:  # noqa: BLE001 - any failure is a bad file
        return None, f'{type(err).__name__}: {err}'
