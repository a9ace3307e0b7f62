"""Helpers for the group structure of a flat batch of B*N images."""
from typing import List, Optional, Sequence

import torch
from torch import Tensor


def group_sizes_from_metas(batch_img_metas: Optional[Sequence[dict]],
                           batch_size: int) -> List[int]:
    """Recover the group sizes of a flat batch from its image metainfo.

    Groups are stored consecutively; every image carries ``group_size`` and
    ``index_in_group`` (written by ``PackCoSegInputs``). Without metainfo
    (e.g. a plain tensor forward) the whole batch is one group.

    Args:
        batch_img_metas (Sequence[dict], optional): Metainfo per image.
        batch_size (int): Number of images in the batch.

    Returns:
        list[int]: Sizes of the consecutive groups; they sum to
        ``batch_size``.
    """
    if not batch_img_metas or 'group_size' not in batch_img_metas[0]:
        return [batch_size]
    if len(batch_img_metas) != batch_size:
        raise ValueError(f'Got {len(batch_img_metas)} image metas for a '
                         f'batch of {batch_size} images.')
    sizes = []
    start = 0
    while start < batch_size:
        size = int(batch_img_metas[start]['group_size'])
        end = start + size
        indices = [
            int(meta.get('index_in_group', -1))
            for meta in batch_img_metas[start:end]
        ]
        if size < 1 or end > batch_size or indices != list(range(size)):
            raise ValueError(
                'Broken group structure in the batch: image '
                f'{start} starts a group of size {size}, but the batch holds '
                f'{batch_size} images with index_in_group {indices}. Build '
                'batches with PackCoSegInputs and CoSegDataPreProcessor.')
        sizes.append(size)
        start = end
    return sizes


def expand_to_images(per_group: Tensor, group_sizes: Sequence[int]) -> Tensor:
    """Repeat one row per group to one row per image.

    Args:
        per_group (Tensor): Shape (G, ...), one entry per group.
        group_sizes (Sequence[int]): Size of each of the G groups.

    Returns:
        Tensor: Shape (sum(group_sizes), ...).
    """
    repeats = torch.as_tensor(list(group_sizes), device=per_group.device)
    return per_group.repeat_interleave(repeats, dim=0)
