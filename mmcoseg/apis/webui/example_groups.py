"""Example groups offered by the web demo."""
import os
import os.path as osp
from typing import Dict, List

from mmcoseg.apis.coseg_inferencer import list_images


def list_example_groups(folder: str) -> Dict[str, List[str]]:
    """The example groups in ``folder``: one sub-folder per group.

    Args:
        folder (str): A folder of group folders (e.g. ``demo/examples``);
            a missing folder gives no groups.

    Returns:
        dict[str, list[str]]: Group name (folder name) to its image files
        (sorted), for the groups with at least two images, by name.
    """
    if not osp.isdir(folder):
        return {}
    groups = {}
    for name in sorted(os.listdir(folder)):
        path = osp.join(folder, name)
        if osp.isdir(path):
            images = [osp.abspath(p) for p in list_images(path)]
            if len(images) >= 2:
                groups[name] = images
    return groups
