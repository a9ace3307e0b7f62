"""Split every category of a dataset into a training and a test part."""
import math
from typing import Dict, List, Optional, Sequence, Tuple

#: The parts a category is split into.
SPLIT_PARTS = ('train', 'test')


def check_split(split: Optional[Sequence]
                ) -> Optional[Tuple[Tuple[str, float], ...]]:
    """Validate a ``split`` argument.

    Args:
        split (Sequence, optional): ``(part, train_fraction)``, a sequence
            of such pairs applied one after the other (nested splits: e.g.
            ``[('train', 2 / 3), ('test', 0.75)]`` is the last quarter of
            the training part, a validation part), or None.

    Returns:
        tuple[tuple[str, float], ...] | None: The pairs, in order.

    Raises:
        ValueError: Not a ('train' | 'test', fraction in (0, 1)) pair or a
            non-empty sequence of them.
    """
    if split is None:
        return None
    nested = (isinstance(split, (list, tuple)) and len(split) > 0
              and all(isinstance(s, (list, tuple)) for s in split))
    pairs = list(split) if nested else [split]
    for pair in pairs:
        if (not isinstance(pair, (list, tuple)) or len(pair) != 2
                or pair[0] not in SPLIT_PARTS
                or not 0 < float(pair[1]) < 1):
            raise ValueError(
                "split must be ('train' | 'test', train_fraction in (0, 1)) "
                "or a list of such pairs, e.g. ('train', 2 / 3); got "
                f'{split!r}.')
    return tuple((str(part), float(f)) for part, f in pairs)


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
