"""Split every category of a dataset into a training and a test part."""
import math
from typing import Dict, List, Optional, Sequence, Tuple

#: The parts a category is split into.
SPLIT_PARTS = ('train', 'test')


def check_split(split: Optional[Sequence]) -> Optional[Tuple[str, float]]:
    """Validate a ``split`` argument.

    Args:
        split (Sequence, optional): ``(part, train_fraction)`` or None.

    Returns:
        tuple[str, float] | None: The split as a tuple.

    Raises:
        ValueError: Not a ('train' | 'test', fraction in (0, 1)) pair.
    """
    if split is None:
        return None
    if (not isinstance(split, (list, tuple)) or len(split) != 2
            or split[0] not in SPLIT_PARTS
            or not 0 < float(split[1]) < 1):
        raise ValueError(
            f"split must be ('train' | 'test', train_fraction in (0, 1)), "
            f'e.g. (\'train\', 2 / 3); got {split!r}.')
    return str(split[0]), float(split[1])


def num_train(num_images: int, fraction: float) -> int:
    """Images of a category that go to the training part.

    ``ceil(fraction * n)`` with at least one image left for the test part
    (when the category has two or more).

    Args:
        num_images (int): Images of the category.
        fraction (float): Training fraction.

    Returns:
        int: The size of the training part.
    """
    k = math.ceil(fraction * num_images - 1e-9)
    return min(k, num_images - 1) if num_images > 1 else k


def split_per_category(infos: List[dict], part: str,
                       fraction: float) -> List[dict]:
    """Keep one part of every category, by sorted file name.

    The images of each category are sorted by their file path; the first
    :func:`num_train` form the ``'train'`` part, the rest the ``'test'``
    part. Deterministic, and the two parts never share an image.

    Args:
        infos (list[dict]): Image infos with ``category`` and ``img_path``.
        part (str): ``'train'`` or ``'test'``.
        fraction (float): Training fraction of each category.

    Returns:
        list[dict]: The kept infos, in their original order.
    """
    by_category: Dict[int, List[str]] = {}
    for info in infos:
        by_category.setdefault(info['category'], []).append(info['img_path'])
    keep = set()
    for paths in by_category.values():
        paths = sorted(paths)
        k = num_train(len(paths), fraction)
        keep.update(paths[:k] if part == 'train' else paths[k:])
    return [info for info in infos if info['img_path'] in keep]
