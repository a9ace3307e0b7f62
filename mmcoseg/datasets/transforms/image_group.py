"""The image tensors of one packed group."""
from typing import Any

import torch

#: What single-image tools should use on a co-segmentation dataset.
GROUP_BROWSER = 'tools/analysis_tools/browse_group_dataset.py'


class ImageGroup(list):
    """``inputs`` of a packed group: a list of N C x H x W tensors.

    A plain list, except that asking it for a tensor attribute (e.g.
    ``item['inputs'].permute``, as MMSeg's single-image
    ``tools/analysis_tools/browse_dataset.py`` does) raises an
    ``AttributeError`` that says what the item is and which mmcoseg tool
    shows it, instead of "'list' object has no attribute 'permute'".
    """

    def __getattr__(self, name: str) -> Any:
        message = f"'{type(self).__name__}' object has no attribute {name!r}"
        if not name.startswith('_') and hasattr(torch.Tensor, name):
            message += (
                f': a co-segmentation item is a group of {len(self)} images '
                '(a list of C x H x W tensors), not one image tensor. Tools '
                "made for single images, such as MMSeg's "
                'tools/analysis_tools/browse_dataset.py, cannot show it; '
                f"use mmcoseg's {GROUP_BROWSER}.")
        raise AttributeError(message)
