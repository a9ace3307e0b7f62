"""Distributed (DDP) runs: CPU-only launches, and a clean end of a run."""
import datetime
import gc
import os
import subprocess

import torch
import torch.distributed as torch_dist
from mmengine.config import Config
from mmengine.dist import is_distributed
from mmengine.logging import print_log


def _slurm_env() -> None:
    """Export the env:// variables of a Slurm task (as MMEngine does)."""
    node_list = os.environ['SLURM_NODELIST']
    addr = subprocess.getoutput(
        f'scontrol show hostname {node_list} | head -n1')
    os.environ.setdefault('MASTER_PORT', '29500')
    os.environ.setdefault('MASTER_ADDR', addr)
    os.environ['WORLD_SIZE'] = os.environ['SLURM_NTASKS']
    os.environ['LOCAL_RANK'] = os.environ['SLURM_LOCALID']
    os.environ['RANK'] = os.environ['SLURM_PROCID']


def setup_cpu_distributed(cfg: Config) -> None:
    """Make a ``pytorch`` or ``slurm`` launch work without a GPU.

    MMEngine 0.10.7 calls ``torch.cuda.set_device`` while initialising a
    launch and wraps the model in DDP with ``device_ids=[LOCAL_RANK]``;
    both fail on a CPU-only machine. When CUDA is unavailable and a
    launcher is set, this initialises the process group itself (gloo
    unless the config names another CPU backend; an ``nccl`` backend is
    replaced by gloo), so that the Runner skips its own initialisation, and
    sets ``model_wrapper_cfg`` so that DDP gets ``device_ids=None``. It does
    nothing with a GPU or with ``launcher='none'``.

    Args:
        cfg (Config): The run's config, with ``cfg.launcher`` set; modified
            in place.
    """
    launcher = cfg.get('launcher', 'none')
    if launcher == 'none' or torch.cuda.is_available():
        return
    if launcher not in ('pytorch', 'slurm'):
        raise ValueError(f'Launcher {launcher!r} needs a GPU; use '
                         "'pytorch' or 'slurm' on CPU.")
    env_cfg = cfg.setdefault('env_cfg', {})
    dist_cfg = env_cfg.setdefault('dist_cfg', {})
    if dist_cfg.get('backend', 'nccl') == 'nccl':
        print_log('No GPU: using the gloo backend for distributed runs.',
                  logger='current')
        dist_cfg['backend'] = 'gloo'
    if launcher == 'slurm':
        _slurm_env()
    if not is_distributed():
        kwargs = {}
        if dist_cfg.get('timeout') is not None:
            kwargs['timeout'] = datetime.timedelta(
                seconds=dist_cfg['timeout'])
        torch_dist.init_process_group(backend=dist_cfg['backend'], **kwargs)
    wrapper = dict(cfg.get('model_wrapper_cfg') or dict(
        broadcast_buffers=False,
        find_unused_parameters=cfg.get('find_unused_parameters', False)))
    wrapper.setdefault('type', 'MMDistributedDataParallel')
    if wrapper['type'] in ('MMDistributedDataParallel',
                           'DistributedDataParallel'):
        wrapper['device_ids'] = None
    cfg.model_wrapper_cfg = wrapper


def teardown_distributed() -> bool:
    """End a successful distributed run: no process group alive at exit.

    The tools call this after ``runner.train()`` or ``runner.test()`` has
    returned (and the runner is out of scope). Without it, the default
    process group outlives the run: MMEngine's runner sits in a reference
    cycle (runner, loops, hooks) and holds the group through the DDP
    wrapper, so gloo's threads (its TCP loop and the process group's
    workers) are still running when the interpreter shuts down, and are
    torn down in whatever order finalisation happens to free them, while
    the other rank closes its connections. That aborted a rank now and
    then (``terminate called without an active exception``, SIGABRT) after
    correct results, and the launcher returned 1.

    Here every rank waits for the others (a barrier: no rank closes its
    connections while another still talks to it), destroys the default
    process group, and collects the runner's garbage, so that the group
    and its threads are released while the interpreter is fully alive.
    Not distributed: does nothing.

    Returns:
        bool: True if a process group was torn down.
    """
    if not (torch_dist.is_available() and torch_dist.is_initialized()):
        return False
    torch_dist.barrier()
    print_log('Distributed run finished: destroying the process group.',
              logger='current')
    torch_dist.destroy_process_group()
    gc.collect()
    return True
