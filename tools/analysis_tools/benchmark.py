"""Benchmark the speed and peak memory of the models of one or more configs.

Synthetic groups (random uint8 images and masks through the model's own
``data_preprocessor``; no dataset needed), per mode and group size: the
median of ``--repeats`` steps after ``--warmup`` untimed ones; inference is
one ``test_step``, training one ``train_step``; peak memory is the peak RSS
(``VmHWM``, reset per measurement) on CPU, ``max_memory_allocated`` on a
GPU. Without ``--checkpoint`` the batch norms get the statistics of the
batch before inference is timed (:func:`calibrate_norm_stats`), and
inference that is not finite stops the run. Options:

* ``--breakdown``: every part of the step alone (preprocessing, backbone,
  each modulator of ``model.modulators``, decoder, loss, optimizer or
  post-processing), interleaved, with each part's share of the step;
* ``--profile-top K``: the K operators with the most self time;
* ``--data-loading ITERS``: ITERS real training steps of every config on
  its own training loader (the dataset must be present), interleaved
  between the configs, after a warm-up that fills feature caches
  (``FrozenBackbone``): iterations and images per hour, the wait for data
  and the cache hit rate, in one table (``--mode real``: this table only);
* ``--baseline-fpn``: a plain MMSeg ``EncoderDecoder`` (same backbone,
  ``FPN`` neck, ``FPNHead`` of the decoder's width) instead of the model.

Example::

    python tools/analysis_tools/benchmark.py CONFIG --mode both \\
        --group-sizes 2,5,10 --size 224x224 --breakdown
    python tools/analysis_tools/benchmark.py A.py B.py --mode real \\
        --data-loading 20
"""
import argparse
import copy
import functools
import json
import os
import os.path as osp
from typing import Dict, List, Optional, Sequence, Tuple

import torch
from benchmark_utils import breakdown, real_steps
from benchmark_utils.timing import (
    peak_memory_mb,
    reset_peak_memory,
    time_interleaved,
    top_operators,
)
from mmengine.config import Config, ConfigDict, DictAction
from mmengine.model import revert_sync_batchnorm
from mmengine.optim import build_optim_wrapper
from mmengine.registry import init_default_scope
from mmengine.runner import Runner, load_checkpoint
from mmengine.structures import PixelData
from mmseg.structures import SegDataSample
from torch import nn

from mmcoseg.engine.optimizers import AMP_WRAPPERS
from mmcoseg.registry import MODELS, SCOPE
from mmcoseg.utils.markdown import markdown_table

COLUMNS = ('model', 'mode', 'N', 'groups', 'size', 'sec/iter', 'iter/s',
           'img/s', 'peak MB', 'backbone s', 'modulators s', 'step/backbone')
BREAKDOWN_COLUMNS = ('part', 'fwd s', 'bwd s', 'fwd+bwd s', '% of step')
PROFILE_COLUMNS = ('operator', 'self s/iter', '% of self time', 'calls/iter')
#: Targets of the breakdown's step / backbone ratio, printed beside it.
TARGETS = {'train': 1.25, 'infer': 1.15}


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    """Parse the command line.

    Args:
        argv (Sequence[str], optional): Arguments; ``sys.argv`` if None.

    Returns:
        argparse.Namespace: The parsed arguments.
    """
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('configs', nargs='+', help='config file path(s)')
    p.add_argument('--checkpoint', help='checkpoint to load (one config)')
    p.add_argument('--mode', choices=['infer', 'train', 'both', 'real'],
                   default='infer',
                   help="'real': only the --data-loading table")
    p.add_argument('--warmup', type=int, default=2, help='untimed steps')
    p.add_argument('--repeats', type=int, default=5, help='timed steps')
    p.add_argument('--batch-groups', type=int, default=1)
    p.add_argument('--group-size', type=int, default=5)
    p.add_argument('--group-sizes', help='comma-separated sweep of N')
    p.add_argument('--size', default='224x224', help='input size HxW')
    p.add_argument('--device',
                   default='cuda' if torch.cuda.is_available() else 'cpu')
    p.add_argument('--baseline-fpn', action='store_true')
    p.add_argument('--breakdown', action='store_true')
    p.add_argument('--profile-top', type=int, default=0, metavar='K')
    p.add_argument('--data-loading', type=int, default=0, metavar='ITERS',
                   help='timed real training steps per config')
    p.add_argument('--rounds', type=int, default=2,
                   help='chunks the real steps of every config are '
                   'interleaved in')
    p.add_argument('--cache-fill', type=float, default=1.0,
                   metavar='EPOCHS', help='loader passes that fill feature '
                   'caches before the real steps')
    p.add_argument('--amp', action='store_true',
                   help='autocast (float16 on CUDA, bfloat16 on CPU)')
    p.add_argument('--channels-last', action='store_true')
    p.add_argument('--threads', type=int, help='torch.set_num_threads')
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--json', help='also write the results to this file')
    p.add_argument('--cfg-options', nargs='+', action=DictAction,
                   help='override settings of every config')
    args = p.parse_args(argv)
    if args.mode == 'real' and args.data_loading < 1:
        p.error('--mode real needs --data-loading ITERS')
    return args


def parse_size(text: str) -> Tuple[int, int]:
    """``'HxW'`` (or ``'S'``) to ``(H, W)``.

    Args:
        text (str): The size.

    Returns:
        tuple[int, int]: Height and width.
    """
    parts = text.lower().split('x')
    height, width = (int(v) for v in (parts * 2 if len(parts) == 1 else
                                      parts))
    if height < 1 or width < 1:
        raise ValueError(f'Invalid size {text!r}.')
    return height, width


def fpn_baseline_cfg(model_cfg: dict) -> dict:
    """A plain MMSeg FPN segmentor with the backbone of a co-seg model.

    Args:
        model_cfg (dict): The co-segmentation model config.

    Returns:
        dict: An ``EncoderDecoder`` with the same backbone and
        preprocessing, MMSeg's ``FPN`` on every backbone level and an
        ``FPNHead`` (one sigmoid channel) of the decoder's width.
    """
    model_cfg = copy.deepcopy(model_cfg)
    backbone = revert_sync_batchnorm(MODELS.build(
        copy.deepcopy(model_cfg['backbone'])))
    backbone.eval()  # (MMSeg's ResNet.train returns None)
    with torch.no_grad():
        outs = backbone(torch.zeros(1, 3, 64, 64))
    channels = [int(o.shape[1]) for o in outs]
    strides = [int(round(64 / o.shape[2])) for o in outs]
    width = model_cfg['decode_head'].get('channels', 128)
    preprocessor = dict(model_cfg.get('data_preprocessor') or {})
    preprocessor['type'] = 'SegDataPreProcessor'
    return dict(
        type='EncoderDecoder',
        data_preprocessor=preprocessor,
        backbone=model_cfg['backbone'],
        neck=dict(type='FPN', in_channels=channels, out_channels=width,
                  num_outs=len(channels)),
        decode_head=dict(
            type='FPNHead', in_channels=[width] * len(channels),
            in_index=list(range(len(channels))), feature_strides=strides,
            channels=width, dropout_ratio=0.1, num_classes=2,
            out_channels=1, threshold=0.5,
            norm_cfg=model_cfg['decode_head'].get('norm_cfg') or dict(
                type='BN'),
            align_corners=False,
            loss_decode=dict(type='CrossEntropyLoss', use_sigmoid=True,
                             loss_weight=1.0)),
        train_cfg=dict(),
        test_cfg=dict(mode='whole'))


def build_model(cfg: Config, args: argparse.Namespace) -> nn.Module:
    """The model of a config (SyncBN reverted to BN), on its device.

    Args:
        cfg (Config): The config.
        args (argparse.Namespace): ``baseline_fpn``, ``checkpoint``,
            ``device`` and ``channels_last``.

    Returns:
        nn.Module: The model.
    """
    model_cfg = cfg.model.to_dict()
    if args.baseline_fpn:
        model_cfg = fpn_baseline_cfg(model_cfg)
    model = revert_sync_batchnorm(MODELS.build(ConfigDict(model_cfg)))
    model.init_weights()
    if args.checkpoint:
        load_checkpoint(model, args.checkpoint, map_location='cpu',
                        strict=not args.baseline_fpn)
    model = model.to(args.device)
    if args.channels_last:
        model = model.to(memory_format=torch.channels_last)
        preprocess = model.data_preprocessor.forward

        def forward(data, training=False):
            data = preprocess(data, training)
            if data['inputs'].dim() == 4:
                data['inputs'] = data['inputs'].contiguous(
                    memory_format=torch.channels_last)
            return data

        model.data_preprocessor.forward = forward
    return model


def build_optim(model: nn.Module, cfg: Config):
    """The config's optimizer as a plain ``OptimWrapper`` (no scaler)."""
    optim_cfg = copy.deepcopy(cfg.optim_wrapper)
    optim_cfg['type'] = 'OptimWrapper'
    optim_cfg.pop('loss_scale', None)
    return build_optim_wrapper(model, optim_cfg)


def make_batch(batch_groups: int, group_size: int, size: Tuple[int, int],
               num_classes: int = 1, grouped: bool = True,
               seed: int = 0) -> dict:
    """A random batch in the loader's format.

    Args:
        batch_groups (int): Groups B.
        group_size (int): Images per group N.
        size (tuple[int, int]): Image size (H, W), also the original size.
        num_classes (int): Co-categories the labels cycle through.
        grouped (bool): Nested per group (co-segmentation loaders), else
            one flat list (MMSeg loaders).
        seed (int): Random seed.

    Returns:
        dict: ``inputs`` and ``data_samples``.
    """
    gen = torch.Generator().manual_seed(seed)
    inputs, samples = [], []
    for g in range(batch_groups):
        inputs.append([torch.randint(0, 256, (3, *size), dtype=torch.uint8,
                                     generator=gen)
                       for _ in range(group_size)])
        group = []
        for i in range(group_size):
            sample = SegDataSample(gt_sem_seg=PixelData(
                data=torch.randint(0, 2, (1, *size), generator=gen)))
            cat = g % max(num_classes, 1)
            sample.set_metainfo(dict(
                img_path=f'group{g}_img{i}.jpg', category=cat,
                co_categories=[cat], img_shape=size, ori_shape=size,
                pad_shape=size))
            group.append(sample)
        samples.append(group)
    if not grouped:
        inputs = [x for group in inputs for x in group]
        samples = [s for group in samples for s in group]
    return dict(inputs=inputs, data_samples=samples)


def calibrate_norm_stats(model: nn.Module, data: dict, context) -> int:
    """Set the running statistics of the trainable batch norms to ``data``'s.

    Untrained weights with the initial statistics (mean 0, variance 1)
    grow activations layer after layer in eval mode: HRNet-W18 overflows
    float16 to inf and NaN, and inference would be timed on non-finite
    numbers (or stop in f_spa's eigen-solve). One forward pass in train mode
    (no gradient) with the momentum set to cumulative gives every norm the
    statistics of the benchmark batch, as a trained model would have. Norms
    that stay in eval mode (a frozen backbone's) keep theirs.

    Args:
        model (nn.Module): The model.
        data (dict): The batch of :func:`make_batch`.
        context (Callable): The autocast context of the timed steps.

    Returns:
        int: The number of norms calibrated.
    """
    was_training = model.training
    model.train()
    norms = [m for m in model.modules()
             if isinstance(m, nn.modules.batchnorm._BatchNorm) and m.training
             and m.track_running_stats]
    momenta = [m.momentum for m in norms]
    for m in norms:
        m.reset_running_stats()
        m.momentum = None
    with torch.no_grad(), context():
        model(**model.data_preprocessor(data, True), mode='loss')
    for m, momentum in zip(norms, momenta):
        m.momentum = momentum
    model.train(was_training)
    return len(norms)


def _autocast(device: torch.device, enabled: bool):
    dtype = torch.float16 if device.type == 'cuda' else torch.bfloat16
    return torch.autocast(device.type, dtype=dtype, enabled=enabled)


def trains_amp(cfg: Config, args: argparse.Namespace) -> bool:
    """Whether to time the config's real training steps under autocast:
    ``--amp``, or a config that trains in mixed precision itself
    (``AmpOptimWrapper``, as ``tools/train.py --amp`` selects), so that
    ``--mode real`` times each config the way ``tools/train.py`` trains
    it."""
    return args.amp or cfg.optim_wrapper.get('type') in AMP_WRAPPERS


def benchmark_one(model: nn.Module, cfg: Config, args: argparse.Namespace,
                  group_size: int, mode: str, name: str) -> Dict[str, object]:
    """Benchmark one (model, mode, group size) setting on synthetic groups.

    Args:
        model (nn.Module): The model, on its device.
        cfg (Config): The config (its optimizer for training).
        args (argparse.Namespace): Command-line arguments.
        group_size (int): Images per group N.
        mode (str): 'infer' or 'train'.
        name (str): Model name for the table.

    Returns:
        dict: A row keyed by :data:`COLUMNS` (``_breakdown``,
        ``_profile``: the details asked for).
    """
    device = torch.device(args.device)
    size = parse_size(args.size)
    num_classes = getattr(getattr(model, 'semantic_head', None),
                          'num_classes', 1)
    data = make_batch(args.batch_groups, group_size, size, num_classes,
                      not args.baseline_fpn, args.seed)
    context = functools.partial(_autocast, device, args.amp)
    if mode == 'infer':
        if not args.checkpoint:
            calibrate_norm_stats(model, data, context)
        model.eval()
        with torch.no_grad(), context():
            logits = [s.seg_logits.data for s in model.test_step(data)]
        if not all(bool(torch.isfinite(x).all()) for x in logits):
            raise FloatingPointError(
                f'{name}: inference gives NaN or inf'
                + ' under autocast' * args.amp)

        def step():
            with torch.no_grad(), context():
                model.test_step(data)
    else:
        model.train()
        optim_wrapper = build_optim(model, cfg)

        def step():
            with context():
                model.train_step(data, optim_wrapper)

    reset_peak_memory(device)
    seconds = time_interleaved({'step': step}, args.warmup, args.repeats,
                               device)['step']
    peak = peak_memory_mb(device)
    images = args.batch_groups * group_size
    row = dict(model=name, mode=mode, N=str(group_size),
               groups=str(args.batch_groups), size='x'.join(map(str, size)))
    row.update({'sec/iter': f'{seconds:.4f}', 'iter/s': f'{1 / seconds:.3f}',
                'img/s': f'{images / seconds:.2f}', 'peak MB': f'{peak:.0f}'})
    if args.breakdown:
        parts = (breakdown.infer_parts(model, data, context)
                 if mode == 'infer' else breakdown.train_parts(
                     model, data, optim_wrapper, context, args.seed))
        times = time_interleaved(parts, args.warmup, args.repeats, device)
        table, summary = breakdown.summarize(times)
        suffix = ' fwd' if mode == 'infer' else ' fwd+bwd'
        row['backbone s'] = f"{times['backbone' + suffix]:.4f}"
        if hasattr(model, 'modulators'):
            row['modulators s'] = f"{summary['modulators s']:.4f}"
        row['step/backbone'] = f"{summary['step / backbone']:.2f}"
        row['_breakdown'] = (table, summary)
    if args.profile_top:
        row['_profile'] = top_operators(step, max(1, args.repeats),
                                        args.profile_top, device.type)
    return row


def print_details(rows: Sequence[Dict[str, object]]) -> None:
    """Print the breakdown and profile tables of the rows.

    Args:
        rows (Sequence[dict]): Rows of :func:`benchmark_one`.
    """
    for row in rows:
        title = (f"{row['model']}, {row['mode']}, {row['groups']} group(s) "
                 f"x N={row['N']}, {row['size']}")
        if '_breakdown' in row:
            table, summary = row['_breakdown']
            base = 'backbone fwd' + ('' if row['mode'] == 'infer' else
                                     '+bwd')
            print(f'\nBreakdown ({title}):\n')
            print(markdown_table(table, BREAKDOWN_COLUMNS))
            print(f"\n{row['mode']} step / {base} = "
                  f"{summary['step / backbone']:.2f} (target <= "
                  f"{TARGETS[row['mode']]}); modulators + decoder + "
                  f"loss/postprocess / {base} = "
                  f"{summary['co-seg / backbone']:.2f}")
        if '_profile' in row:
            print(f'\nTop operators by self time ({title}):\n')
            print(markdown_table(row['_profile'], PROFILE_COLUMNS))


def real_rows(models: List[Tuple[str, nn.Module, Config]],
              args: argparse.Namespace) -> List[Dict[str, str]]:
    """Real training steps of every model on its config's loader.

    Args:
        models (list[tuple[str, nn.Module, Config]]): Name, model, config.
        args (argparse.Namespace): Command-line arguments.

    Returns:
        list[dict[str, str]]: Rows of :data:`real_steps.COLUMNS`.
    """
    device = torch.device(args.device)
    runs = [real_steps.RealSteps(
        name, model, build_optim(model, cfg),
        Runner.build_dataloader(copy.deepcopy(cfg.train_dataloader),
                                seed=args.seed),
        functools.partial(_autocast, device, trains_amp(cfg, args)))
        for name, model, cfg in models]
    return real_steps.compare(runs, args.data_loading, args.rounds,
                              args.warmup, args.cache_fill)


def main(argv: Optional[Sequence[str]] = None) -> List[Dict[str, object]]:
    """Run the benchmark and print its tables.

    Args:
        argv (Sequence[str], optional): Arguments; ``sys.argv`` if None.

    Returns:
        list[dict]: The synthetic rows, then the real-step rows.
    """
    args = parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    sizes = [int(n) for n in (args.group_sizes or str(args.group_size))
             .split(',')]
    modes = {'both': ['infer', 'train'], 'real': []}.get(args.mode,
                                                         [args.mode])
    models, rows = [], []
    for path in args.configs:
        torch.manual_seed(args.seed)
        cfg = Config.fromfile(path)
        if args.cfg_options:
            cfg.merge_from_dict(args.cfg_options)
        init_default_scope(cfg.get('default_scope', SCOPE))
        model = build_model(cfg, args)
        stem = osp.splitext(osp.basename(path))[0]
        name = ('FPN baseline' if args.baseline_fpn else
                type(model).__name__ if len(args.configs) == 1 else stem)
        cl_tag = ' +cl' * args.channels_last
        name += ' +amp' * args.amp + cl_tag
        models.append((stem + ' +amp' * trains_amp(cfg, args) + cl_tag,
                       model, cfg))
        for mode in modes:
            for group_size in sizes:
                rows.append(benchmark_one(model, cfg, args, group_size, mode,
                                          name))
                print(markdown_table(rows[-1:], COLUMNS).splitlines()[-1],
                      flush=True)
    if device.type == 'cuda':
        where = torch.cuda.get_device_name(device)
        memory = 'CUDA max allocated'
    else:
        where = (f'CPU, {torch.get_num_threads()} threads, '
                 f'{os.cpu_count()} cores')
        memory = 'peak RSS of the process' + (
            '' if reset_peak_memory(device) else ' (lifetime, not reset)')
    print(f"\nconfig: {', '.join(args.configs)}\ndevice: {where}")
    if rows:
        print(f'warm-up {args.warmup}, median of {args.repeats}; '
              f'peak MB = {memory}\n')
        print(markdown_table(rows, COLUMNS))
        print_details(rows)
    loading = real_rows(models, args) if args.data_loading else []
    if loading:
        print(f'\nReal training steps on each config\'s training loader: '
              f'{args.data_loading} per config in {args.rounds} interleaved '
              f'rounds, after filling feature caches ({args.cache_fill:g} '
              'loader passes); s/iter, iter/h, img/h: means; other '
              'seconds: medians.\n')
        print(markdown_table(loading, real_steps.COLUMNS))
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(dict(configs=args.configs, device=where, rows=rows,
                           real_steps=loading), f, indent=1, default=str)
    return rows + loading


if __name__ == '__main__':
    main()
