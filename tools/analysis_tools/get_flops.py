"""FLOPs and parameters of a co-segmentation model for one group of images.

MMSeg 1.2.2's ``tools/analysis_tools/get_flops.py`` fails with MMEngine
0.10.7 for every config (it passes both ``input_shape`` and ``inputs`` to
``get_model_complexity_info``, which MMEngine rejects), and it feeds one
image; this one feeds a group of ``--group-size`` images, the unit the
model's modulators work on, through the model's ``'tensor'`` forward.
Operators MMEngine's counter does not know (e.g. the eigen-solve of the
spatial modulator) are left out with a warning; the count is a lower bound.

Example::

    python tools/analysis_tools/get_flops.py \\
        configs/ssnm/ssnm_r18-c16_1x4g5-1500i_synthetic-128x128.py \\
        --shape 128 --group-size 5
"""
import argparse

import torch
from mmengine.analysis import get_model_complexity_info
from mmengine.config import Config, DictAction
from mmengine.model import revert_sync_batchnorm
from mmengine.registry import init_default_scope

from mmcoseg.registry import MODELS, SCOPE


def parse_args() -> argparse.Namespace:
    """Command-line arguments."""
    parser = argparse.ArgumentParser(
        description='FLOPs and parameters of a model for one image group')
    parser.add_argument('config', help='config file')
    parser.add_argument(
        '--shape', type=int, nargs='+', default=[224],
        help='input image size: H (square) or H W')
    parser.add_argument(
        '--group-size', type=int, default=5,
        help='number of images in the group (default: 5)')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override settings of the config, key=value')
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    if len(args.shape) not in (1, 2):
        raise SystemExit('--shape takes H or H W')
    height, width = (args.shape * 2)[:2]
    if args.group_size < 1:
        raise SystemExit('--group-size must be at least 1')
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    init_default_scope(cfg.get('default_scope', SCOPE))
    cfg.model.train_cfg = None
    # the random tensor below is one group (the model's tensor forward)
    cfg.model.test_cfg = dict(
        cfg.model.get('test_cfg') or {}, ungrouped='single')
    model = revert_sync_batchnorm(MODELS.build(cfg.model)).eval()
    group = torch.rand(args.group_size, 3, height, width)
    with torch.no_grad():
        result = get_model_complexity_info(
            model, inputs=(group, ), show_table=False, show_arch=False)
    line = '=' * 30
    print(f'{line}\nInput: a group of {args.group_size} images of '
          f'{height}x{width}\nFlops: {result["flops_str"]}\n'
          f'Flops per image: '
          f'{result["flops"] / args.group_size / 1e9:.3f}G\n'
          f'Params: {result["params_str"]}\n{line}')


if __name__ == '__main__':
    main()
