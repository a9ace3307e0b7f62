"""Benchmark inference and training speed and peak memory of a model.

Synthetic random groups (uint8 images, random masks) go through the
model's own ``data_preprocessor``, so no dataset is needed. For every
group size it reports, after ``--warmup`` untimed iterations, the median
over ``--repeats`` timed iterations of

* inference: one ``test_step`` (preprocessing, forward, resizing to the
  original size) of ``--batch-groups`` groups, in images/s;
* training: one ``train_step`` (forward, backward, optimizer step), in
  iterations/s and images/s;
* peak memory: the process's peak resident set size during the
  measurement (Linux ``VmHWM``, reset before each measurement through
  ``/proc/self/clear_refs``) on CPU, or ``torch.cuda.max_memory_allocated``
  on a GPU;
* with ``--breakdown``: every part of the step run alone, interleaved in
  one run (``mmcoseg.utils.step_breakdown``): preprocessing, backbone,
  spatial modulator f_spa, HSP head, decoder, loss and optimizer (training:
  forward and backward apart) or post-processing (inference), as a table
  with each part's share of the step, and the ratio the speed targets use:
  training step / backbone forward + backward, inference step / backbone
  forward;
* with ``--profile-top K``: the K operators with the most self time in the
  step (PyTorch's profiler);
* with ``--data-loading ITERS``: real training steps on the config's own
  training loader (its shipped ``num_workers``; the dataset must be
  present): the loader's throughput alone, the wait in the step loop and
  the share of the loop that loading costs.

``--baseline-fpn`` benchmarks a plain MMSeg ``EncoderDecoder`` with the
config's backbone, an ``FPN`` neck and an ``FPNHead`` (one sigmoid output
channel, the decoder width of the config) on the same input instead: the
cost of co-segmentation is the ratio of the two.

Example::

    python tools/analysis_tools/benchmark.py \\
        configs/ssnm/ssnm_hrnet-w18_1x4g5-200k_coco-seg-224x224.py \\
        --mode both --group-sizes 2,5,10 --size 224x224 --repeats 5
"""
import argparse
import copy
import functools
import json
import os
import resource
import statistics
import time
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import torch
from mmengine.config import Config, ConfigDict, DictAction
from mmengine.model import revert_sync_batchnorm
from mmengine.optim import build_optim_wrapper
from mmengine.registry import init_default_scope
from mmengine.runner import Runner, load_checkpoint
from mmengine.structures import PixelData
from mmseg.structures import SegDataSample
from torch import nn

from mmcoseg.registry import MODELS, SCOPE
from mmcoseg.utils.loader_timing import time_data_loading
from mmcoseg.utils.markdown import markdown_table
from mmcoseg.utils.op_profile import top_operators
from mmcoseg.utils.step_breakdown import (
    infer_parts,
    summarize,
    time_interleaved,
    train_parts,
)

COLUMNS = ('model', 'mode', 'N', 'groups', 'size', 'sec/iter', 'iter/s',
           'img/s', 'peak MB', 'backbone s', 'f_spa s', 'step/backbone')
#: Columns of the ``--breakdown`` table.
BREAKDOWN_COLUMNS = ('part', 'fwd s', 'bwd s', 'fwd+bwd s', '% of step')
#: Columns of the ``--profile-top`` table.
PROFILE_COLUMNS = ('operator', 'self s/iter', '% of self time', 'calls/iter')
#: Columns of the ``--data-loading`` table.
LOADING_COLUMNS = ('workers', 'batch', 'load alone s', 'wait s', 'step s',
                   'step alone s', 'wait share', 'loading share')
#: The targets of the breakdown ratios (issue 13), printed beside them.
TARGETS = {'train': 1.25, 'infer': 1.15}


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    """Parse the command line.

    Args:
        argv (Sequence[str], optional): Arguments; ``sys.argv`` if None.

    Returns:
        argparse.Namespace: The parsed arguments.
    """
    parser = argparse.ArgumentParser(
        description='Benchmark the speed and memory of a (co-)segmentor '
        'on synthetic groups.')
    parser.add_argument('config', help='config file path')
    parser.add_argument('--checkpoint', help='optional checkpoint to load')
    parser.add_argument(
        '--mode', choices=['infer', 'train', 'both'], default='infer')
    parser.add_argument(
        '--warmup', type=int, default=2, help='untimed iterations')
    parser.add_argument(
        '--repeats', type=int, default=5, help='timed iterations')
    parser.add_argument(
        '--batch-groups', type=int, default=1, help='groups per batch')
    parser.add_argument(
        '--group-size', type=int, default=5, help='images per group N')
    parser.add_argument(
        '--group-sizes',
        help='comma-separated sweep of N (e.g. 2,5,10,20,50,100); '
        'overrides --group-size')
    parser.add_argument(
        '--size', default='224x224', help='input size HxW (default 224x224)')
    parser.add_argument(
        '--device',
        default='cuda' if torch.cuda.is_available() else 'cpu',
        help='cpu or cuda (default: cuda when available)')
    parser.add_argument(
        '--baseline-fpn',
        action='store_true',
        help='benchmark a plain MMSeg FPN segmentor with the same backbone')
    parser.add_argument(
        '--breakdown',
        action='store_true',
        help='also time every part of the step alone (backbone, f_spa, HSP, '
        'decoder, loss, optimizer) and print their shares')
    parser.add_argument(
        '--profile-top',
        type=int,
        default=0,
        metavar='K',
        help='also list the K operators with the most self time in a step')
    parser.add_argument(
        '--data-loading',
        type=int,
        default=0,
        metavar='ITERS',
        help="also time ITERS real training steps on the config's training "
        'loader (shipped worker counts) and the share loading costs')
    parser.add_argument(
        '--amp',
        action='store_true',
        help='autocast (float16 on CUDA, bfloat16 on CPU)')
    parser.add_argument(
        '--channels-last',
        action='store_true',
        help='channels-last memory format for the model and the inputs')
    parser.add_argument(
        '--threads', type=int, help='torch.set_num_threads on CPU')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument(
        '--json', help='also write the rows (and their details) to this file')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override settings of the config, key=value pairs')
    return parser.parse_args(argv)


def parse_size(text: str) -> Tuple[int, int]:
    """``'HxW'`` (or a single ``'S'``) to ``(H, W)``.

    Args:
        text (str): The size.

    Returns:
        tuple[int, int]: Height and width.
    """
    parts = text.lower().split('x')
    if len(parts) == 1:
        parts = parts * 2
    height, width = (int(p) for p in parts)
    if height < 1 or width < 1:
        raise ValueError(f'Invalid size {text!r}.')
    return height, width


# ----------------------------------------------------------------- models
def backbone_levels(backbone_cfg: dict,
                    size: Tuple[int, int] = (64, 64)
                    ) -> Tuple[List[int], List[int]]:
    """Channels and strides of every output level of a backbone.

    Args:
        backbone_cfg (dict): Backbone config.
        size (tuple[int, int]): Probe input size.

    Returns:
        tuple[list[int], list[int]]: Channels and strides per level.
    """
    backbone = revert_sync_batchnorm(MODELS.build(copy.deepcopy(
        backbone_cfg)))
    backbone.eval()
    with torch.no_grad():
        outs = backbone(torch.zeros(1, 3, *size))
    channels = [int(o.shape[1]) for o in outs]
    strides = [int(round(size[0] / o.shape[2])) for o in outs]
    return channels, strides


def fpn_baseline_cfg(model_cfg: dict) -> dict:
    """A plain MMSeg FPN segmentor with the backbone of a co-seg model.

    The backbone and preprocessing (mean, std, size) are those of
    ``model_cfg``; the neck is MMSeg's ``FPN`` on every backbone level and
    the head ``FPNHead`` with one sigmoid output channel and the decoder
    width (``decode_head.channels``) of ``model_cfg``.

    Args:
        model_cfg (dict): The co-segmentation model config.

    Returns:
        dict: An ``EncoderDecoder`` config.
    """
    model_cfg = copy.deepcopy(model_cfg)
    channels, strides = backbone_levels(model_cfg['backbone'])
    width = model_cfg['decode_head'].get('channels', 128)
    norm_cfg = model_cfg['decode_head'].get('norm_cfg') or dict(type='BN')
    preprocessor = dict(model_cfg.get('data_preprocessor') or {})
    preprocessor['type'] = 'SegDataPreProcessor'
    return dict(
        type='EncoderDecoder',
        data_preprocessor=preprocessor,
        backbone=model_cfg['backbone'],
        neck=dict(
            type='FPN',
            in_channels=channels,
            out_channels=width,
            num_outs=len(channels)),
        decode_head=dict(
            type='FPNHead',
            in_channels=[width] * len(channels),
            in_index=list(range(len(channels))),
            feature_strides=strides,
            channels=width,
            dropout_ratio=0.1,
            num_classes=2,
            out_channels=1,
            threshold=0.5,
            norm_cfg=norm_cfg,
            align_corners=False,
            loss_decode=dict(
                type='CrossEntropyLoss', use_sigmoid=True, loss_weight=1.0)),
        train_cfg=dict(),
        test_cfg=dict(mode='whole'))


def build_model(cfg: Config, baseline_fpn: bool = False,
                checkpoint: Optional[str] = None) -> nn.Module:
    """Build (and optionally load) the model of a config.

    SyncBN layers are reverted to BN (a single process benchmark).

    Args:
        cfg (Config): The config.
        baseline_fpn (bool): Build :func:`fpn_baseline_cfg` instead.
        checkpoint (str, optional): Checkpoint to load.

    Returns:
        nn.Module: The model.
    """
    model_cfg = cfg.model.to_dict() if hasattr(cfg.model, 'to_dict') \
        else dict(cfg.model)
    if baseline_fpn:
        model_cfg = fpn_baseline_cfg(model_cfg)
    model = revert_sync_batchnorm(MODELS.build(ConfigDict(model_cfg)))
    model.init_weights()
    if checkpoint:
        load_checkpoint(
            model, checkpoint, map_location='cpu', strict=not baseline_fpn)
    return model


# ------------------------------------------------------------------- data
def make_batch(batch_groups: int, group_size: int, size: Tuple[int, int],
               num_classes: int = 1, grouped: bool = True,
               seed: int = 0) -> dict:
    """A random batch in the loader's format.

    Args:
        batch_groups (int): Number of groups B.
        group_size (int): Images per group N.
        size (tuple[int, int]): Image size (H, W), also the original size.
        num_classes (int): Number of co-categories for the labels.
        grouped (bool): Nest inputs and samples per group (co-segmentation
            loaders) instead of one flat list (MMSeg loaders).
        seed (int): Random seed.

    Returns:
        dict: ``inputs`` and ``data_samples``.
    """
    gen = torch.Generator().manual_seed(seed)
    height, width = size
    inputs, samples = [], []
    for g in range(batch_groups):
        group_inputs, group_samples = [], []
        for i in range(group_size):
            group_inputs.append(
                torch.randint(
                    0, 256, (3, height, width), dtype=torch.uint8,
                    generator=gen))
            sample = SegDataSample()
            sample.gt_sem_seg = PixelData(
                data=torch.randint(
                    0, 2, (1, height, width), generator=gen))
            sample.set_metainfo(
                dict(
                    img_path=f'group{g}_img{i}.jpg',
                    category=g % max(num_classes, 1),
                    co_categories=[g % max(num_classes, 1)],
                    img_shape=(height, width),
                    ori_shape=(height, width),
                    pad_shape=(height, width)))
            group_samples.append(sample)
        inputs.append(group_inputs)
        samples.append(group_samples)
    if not grouped:
        inputs = [x for group in inputs for x in group]
        samples = [s for group in samples for s in group]
    return dict(inputs=inputs, data_samples=samples)


# ----------------------------------------------------------------- timing
def _sync(device: torch.device) -> None:
    if device.type == 'cuda':
        torch.cuda.synchronize(device)


def _read_status(key: str) -> Optional[int]:
    try:
        with open('/proc/self/status') as f:
            for line in f:
                if line.startswith(key + ':'):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def reset_peak_memory(device: torch.device) -> bool:
    """Reset the peak-memory counter.

    Args:
        device (torch.device): The device measured.

    Returns:
        bool: Whether the counter could be reset (on CPU, where it cannot,
        the peak is the process's lifetime peak).
    """
    if device.type == 'cuda':
        torch.cuda.reset_peak_memory_stats(device)
        return True
    try:
        with open('/proc/self/clear_refs', 'w') as f:
            f.write('5')
        return True
    except OSError:
        return False


def peak_memory_mb(device: torch.device) -> float:
    """Peak memory since the last reset, in MiB.

    CUDA: ``torch.cuda.max_memory_allocated``; CPU: peak resident set size
    (``VmHWM``, else ``ru_maxrss``).

    Args:
        device (torch.device): The device measured.

    Returns:
        float: Peak memory in MiB.
    """
    if device.type == 'cuda':
        return torch.cuda.max_memory_allocated(device) / 2**20
    peak = _read_status('VmHWM')
    if peak is None:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return peak / 2**20


def time_fn(fn: Callable[[], object], device: torch.device, warmup: int,
            repeats: int) -> Tuple[float, float]:
    """Median seconds of ``fn`` and the peak memory while it ran.

    Args:
        fn (Callable): The step to time.
        device (torch.device): Its device (synchronised around each call).
        warmup (int): Untimed calls first.
        repeats (int): Timed calls.

    Returns:
        tuple[float, float]: Median seconds per call and peak MiB.
    """
    reset_peak_memory(device)
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(max(1, repeats)):
        _sync(device)
        start = time.perf_counter()
        fn()
        _sync(device)
        times.append(time.perf_counter() - start)
    return statistics.median(times), peak_memory_mb(device)


def _autocast(device: torch.device, enabled: bool):
    dtype = torch.float16 if device.type == 'cuda' else torch.bfloat16
    return torch.autocast(device.type, dtype=dtype, enabled=enabled)


def _to_channels_last(data: dict) -> dict:
    inputs = data['inputs']
    if isinstance(inputs, torch.Tensor) and inputs.dim() == 4:
        data['inputs'] = inputs.contiguous(memory_format=torch.channels_last)
    return data


def benchmark_one(model: nn.Module, cfg: Config, args: argparse.Namespace,
                  group_size: int, mode: str, name: str) -> Dict[str, str]:
    """Benchmark one (model, mode, group size) setting.

    Args:
        model (nn.Module): The model, on its device.
        cfg (Config): The config (optimizer of the training mode).
        args (argparse.Namespace): Command-line arguments.
        group_size (int): Images per group N.
        mode (str): 'infer' or 'train'.
        name (str): Model name for the table.

    Returns:
        dict[str, str]: One table row keyed by :data:`COLUMNS`.
    """
    device = torch.device(args.device)
    size = parse_size(args.size)
    grouped = not args.baseline_fpn
    num_classes = getattr(getattr(model, 'semantic_head', None),
                          'num_classes', 1)
    images = args.batch_groups * group_size
    row = dict(
        model=name,
        mode=mode,
        N=str(group_size),
        groups=str(args.batch_groups),
        size=f'{size[0]}x{size[1]}')
    row['backbone s'] = row['f_spa s'] = row['step/backbone'] = '-'

    def batch():
        return make_batch(args.batch_groups, group_size, size, num_classes,
                          grouped, args.seed)

    if mode == 'infer':
        model.eval()
        data = batch()

        def step():
            with torch.no_grad(), _autocast(device, args.amp):
                model.test_step(data)
    else:
        model.train()
        optim_cfg = copy.deepcopy(cfg.optim_wrapper)
        optim_cfg['type'] = 'OptimWrapper'
        optim_cfg.pop('loss_scale', None)
        optim_wrapper = build_optim_wrapper(model, optim_cfg)
        data = batch()

        def step():
            with _autocast(device, args.amp):
                model.train_step(data, optim_wrapper)

    seconds, peak = time_fn(step, device, args.warmup, args.repeats)
    row['sec/iter'] = f'{seconds:.4f}'
    row['iter/s'] = f'{1.0 / seconds:.3f}'
    row['img/s'] = f'{images / seconds:.2f}'
    row['peak MB'] = f'{peak:.0f}'

    context = functools.partial(_autocast, device, args.amp)
    if args.breakdown:
        if mode == 'infer':
            parts = infer_parts(model, data, context)
        else:
            parts = train_parts(model, data, optim_wrapper, context,
                                args.seed)
        times = time_interleaved(parts, args.warmup, args.repeats,
                                 functools.partial(_sync, device))
        table, ratios = summarize(times, mode)
        suffix = ' fwd' if mode == 'infer' else ' fwd+bwd'
        row['backbone s'] = f"{times['backbone' + suffix]:.4f}"
        if 'f_spa' + suffix in times:
            row['f_spa s'] = f"{times['f_spa' + suffix]:.4f}"
        row['step/backbone'] = f"{ratios['step / backbone']:.2f}"
        row['_breakdown'] = (table, ratios)
    if args.profile_top:
        row['_profile'] = top_operators(step, max(1, args.repeats),
                                        args.profile_top, device.type)
    if args.data_loading and mode == 'train':
        row['_loading'] = loading_row(cfg, model, optim_wrapper, args,
                                      context)
    return row


def loading_row(cfg: Config, model: nn.Module, optim_wrapper,
                args: argparse.Namespace,
                context: Callable) -> Dict[str, str]:
    """Time real training steps on the config's training loader.

    Args:
        cfg (Config): The config (``train_dataloader`` as shipped, with
            ``--cfg-options`` applied).
        model (nn.Module): The model.
        optim_wrapper: Its optimizer wrapper.
        args (argparse.Namespace): Command-line arguments.
        context (callable): Factory of the step's context (autocast).

    Returns:
        dict[str, str]: A row keyed by :data:`LOADING_COLUMNS`.
    """
    loader_cfg = copy.deepcopy(cfg.train_dataloader)
    loader = Runner.build_dataloader(loader_cfg, seed=args.seed)
    result = time_data_loading(model, optim_wrapper, loader,
                               args.data_loading, context=context)
    row = {k: f'{v:.4f}' for k, v in result.items() if k.endswith(' s')}
    row.update({k: f'{100 * result[k]:.1f}%'
                for k in ('wait share', 'loading share')})
    row['workers'] = str(loader_cfg.get('num_workers', 0))
    row['batch'] = str(loader_cfg.get('batch_size'))
    return row


def print_details(rows: Sequence[Dict[str, object]]) -> None:
    """Print the breakdown, profile and data-loading tables of the rows.

    Args:
        rows (Sequence[dict]): Rows of :func:`benchmark_one`.
    """
    for row in rows:
        title = (f"{row['model']}, {row['mode']}, {row['groups']} group(s) "
                 f"x N={row['N']}, {row['size']}")
        if '_breakdown' in row:
            table, ratios = row['_breakdown']
            target = TARGETS[row['mode']]
            base = ('backbone fwd' if row['mode'] == 'infer' else
                    'backbone fwd+bwd')
            print(f'\nBreakdown ({title}):\n')
            print(markdown_table(table, BREAKDOWN_COLUMNS))
            print(f"\n{row['mode']} step / {base} = "
                  f"{ratios['step / backbone']:.2f} (target <= {target}); "
                  f"f_spa + HSP + decoder + loss/postprocess / {base} = "
                  f"{ratios['co-seg / backbone']:.2f}")
        if '_profile' in row:
            print(f'\nTop operators by self time ({title}):\n')
            print(markdown_table(row['_profile'], PROFILE_COLUMNS))
        if '_loading' in row:
            print(f'\nData loading ({title}; the config\'s own loader and '
                  'batch):\n')
            print(markdown_table([row['_loading']], LOADING_COLUMNS))


def format_table(rows: Sequence[Dict[str, str]],
                 columns: Sequence[str] = COLUMNS) -> str:
    """The rows as a Markdown table (see :func:`markdown_table`)."""
    return markdown_table(rows, columns)


def main(argv: Optional[Sequence[str]] = None) -> List[Dict[str, str]]:
    """Run the benchmark and print its table.

    Args:
        argv (Sequence[str], optional): Arguments; ``sys.argv`` if None.

    Returns:
        list[dict[str, str]]: The table rows.
    """
    args = parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    init_default_scope(cfg.get('default_scope', SCOPE))
    device = torch.device(args.device)

    model = build_model(cfg, args.baseline_fpn, args.checkpoint).to(device)
    if args.channels_last:
        model = model.to(memory_format=torch.channels_last)
        preprocess = model.data_preprocessor.forward

        def forward(data, training=False):
            return _to_channels_last(preprocess(data, training))

        model.data_preprocessor.forward = forward
    name = ('FPN baseline' if args.baseline_fpn else type(model).__name__)
    if args.amp:
        name += ' +amp'
    if args.channels_last:
        name += ' +cl'

    sizes = ([int(n) for n in args.group_sizes.split(',')]
             if args.group_sizes else [args.group_size])
    modes = ['infer', 'train'] if args.mode == 'both' else [args.mode]
    rows = []
    for mode in modes:
        for group_size in sizes:
            rows.append(
                benchmark_one(model, cfg, args, group_size, mode, name))
            print(format_table(rows[-1:]).splitlines()[-1], flush=True)
    threads = torch.get_num_threads()
    if device.type == 'cuda':
        where, memory = torch.cuda.get_device_name(device), (
            'CUDA max allocated')
    else:
        where = f'CPU, {threads} threads, {os.cpu_count()} cores'
        memory = 'peak RSS of the process' + (
            '' if reset_peak_memory(device) else ' (lifetime, not reset)')
    print(f'\nconfig: {args.config}\ndevice: {where}; warm-up '
          f'{args.warmup}, median of {args.repeats}; peak MB = {memory}')
    print(format_table(rows))
    print_details(rows)
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(dict(config=args.config, device=where, rows=rows), f,
                      indent=1, default=str)
    return rows


if __name__ == '__main__':
    main()
