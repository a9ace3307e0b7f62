"""Fixtures shared across test folders: the demo's SSNM model config,
random image groups with box-shaped masks, and a runner of the command-line
scripts in the test's own process, a runner of a toy model."""
import copy
import os
import os.path as osp
import random
import runpy
import subprocess
import sys
import traceback
import uuid

import numpy as np
import pytest
import torch
import torch.nn as nn
from mmengine.config import Config
from mmengine.model import BaseModel
from mmengine.runner import Runner
from mmengine.structures import PixelData
from mmseg.structures import SegDataSample
from torch.utils.data import Dataset

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
DEMO_CONFIG = osp.join(REPO_ROOT, 'configs', 'ssnm',
                       'ssnm_r18-c16_1x4g5-1500i_synthetic-128x128.py')
#: Channels of the demo backbone's levels (strides 4, 8, 16, 32).
DEMO_IN_CHANNELS = [16, 32, 64, 128]


@pytest.fixture
def tiny_ssnm_cfg():
    """``make(spatial_modulator, spatial_fusion)``: the model config of the
    demo (a ResNet-18 of width 16, 8 co-categories), for 64x64 inputs,
    with the given spatial modulator config and decoder fusion."""
    model = Config.fromfile(DEMO_CONFIG).model.to_dict()
    model['data_preprocessor']['size'] = (64, 64)

    def make(spatial_modulator: dict, spatial_fusion: str = 'add') -> dict:
        cfg = copy.deepcopy(model)
        cfg['spatial_modulator'] = copy.deepcopy(spatial_modulator)
        cfg['decode_head']['spatial_fusion'] = spatial_fusion
        return cfg

    return make


@pytest.fixture
def coseg_groups():
    """``make(group_sizes, size=64, seed=0)``: a loader batch of random
    uint8 image groups, each mask a box plus an ignored corner."""

    def make(group_sizes, size: int = 64, seed: int = 0) -> dict:
        gen = torch.Generator().manual_seed(seed)
        inputs, samples = [], []
        for g, n in enumerate(group_sizes):
            inputs.append([
                torch.randint(0, 256, (3, size, size), dtype=torch.uint8,
                              generator=gen) for _ in range(n)
            ])
            group = []
            for _ in range(n):
                label = torch.zeros(1, size, size, dtype=torch.long)
                top, left = torch.randint(0, size // 2, (2, ), generator=gen)
                label[:, top:top + size // 2, left:left + size // 3] = 1
                label[:, :2, :2] = 255
                sample = SegDataSample()
                sample.gt_sem_seg = PixelData(data=label)
                sample.set_metainfo(
                    dict(co_categories=[g % 4], img_shape=(size, size),
                         ori_shape=(size, size), pad_shape=(size, size)))
                group.append(sample)
            samples.append(group)
        return dict(inputs=inputs, data_samples=samples)

    return make


class _Captured:
    """Redirects file descriptors 1 and 2 and ``sys.stdout``/``sys.stderr``
    to two files (what a subprocess's pipes would receive)."""

    def __init__(self, folder):
        self.paths = [osp.join(folder, name) for name in ('out', 'err')]

    def __enter__(self):
        sys.stdout.flush()
        sys.stderr.flush()
        self.saved_fds = [os.dup(1), os.dup(2)]
        self.saved_sys = sys.stdout, sys.stderr
        streams = []
        for fd, path in zip((1, 2), self.paths):
            target = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
            os.dup2(target, fd)
            os.close(target)
            streams.append(open(path, 'a', buffering=1, encoding='utf-8',
                                errors='replace'))
        sys.stdout, sys.stderr = streams
        return self

    def __exit__(self, *exc):
        for stream in (sys.stdout, sys.stderr):
            stream.flush()
            stream.close()
        sys.stdout, sys.stderr = self.saved_sys
        for fd, saved in zip((1, 2), self.saved_fds):
            os.dup2(saved, fd)
            os.close(saved)

    def read(self):
        texts = []
        for path in self.paths:
            with open(path, encoding='utf-8', errors='replace') as f:
                texts.append(f.read())
        return texts


def _managers(cls=None):
    from mmengine.utils import ManagerMixin
    cls = cls or ManagerMixin
    yield cls
    for sub in cls.__subclasses__():
        yield from _managers(sub)


@pytest.fixture(scope='session')
def run_script(tmp_path_factory):
    """``run(script, *args, cwd=None)``: run a command-line script as
    ``python script args`` would (``__main__``, ``sys.argv``, the script's
    folder first on ``sys.path``, the working directory ``cwd``), in this
    process: the imports are already paid. Returns a
    ``subprocess.CompletedProcess`` with the exit status (1 and the
    traceback on stderr for an uncaught exception) and the output of file
    descriptors 1 and 2.

    As in a fresh process, the run sees no logger, message hub, visualizer
    or default scope of an earlier one (MMEngine's ``ManagerMixin``
    instances, restored afterwards), and torch uses one thread, as the
    tools do under ``OMP_NUM_THREADS=1``; the thread count, the
    deterministic-algorithms flag and the random states are restored
    afterwards.

    Each tool still runs once in a fresh process elsewhere in the suite;
    this is for the tests of what a tool does, not of how it starts.
    """

    def run(script, *args, cwd=None):
        cwd = str(cwd or os.getcwd())
        script = osp.join(cwd, str(script))
        argv = [script, *map(str, args)]
        saved_cwd, saved_argv, saved_path = os.getcwd(), sys.argv, sys.path[:]
        saved = {cls: dict(cls._instance_dict) for cls in _managers()}
        threads = torch.get_num_threads()
        deterministic = torch.are_deterministic_algorithms_enabled()
        rng = (random.getstate(), np.random.get_state(),
               torch.get_rng_state())
        code = 0
        with _Captured(str(tmp_path_factory.mktemp('run_script'))) as cap:
            os.chdir(cwd)
            sys.argv = argv
            sys.path.insert(0, osp.dirname(script))
            for cls in saved:
                cls._instance_dict.clear()
            torch.set_num_threads(1)
            try:
                runpy.run_path(script, run_name='__main__')
            except SystemExit as exit_:
                code = exit_.code
                if code is None:
                    code = 0
                elif not isinstance(code, int):
                    print(code, file=sys.stderr)
                    code = 1
            except Exception:  # as the interpreter reports it
                traceback.print_exc()
                code = 1
            finally:
                torch.set_num_threads(threads)
                torch.use_deterministic_algorithms(deterministic)
                random.setstate(rng[0])
                np.random.set_state(rng[1])
                torch.set_rng_state(rng[2])
                for cls, instances in saved.items():
                    cls._instance_dict.clear()
                    cls._instance_dict.update(instances)
                os.chdir(saved_cwd)
                sys.argv = saved_argv
                sys.path[:] = saved_path
        out, err = cap.read()
        return subprocess.CompletedProcess(argv, code, out, err)

    return run


class _ToyModel(BaseModel):
    """Linear regression with two loss terms (for hook and runner tests)."""

    def __init__(self) -> None:
        super().__init__()
        self.linear = nn.Linear(2, 1)

    def forward(self, inputs, labels=None, mode='tensor'):
        out = self.linear(torch.stack(inputs))
        if mode == 'loss':
            err = ((out - torch.stack(labels))**2).mean()
            return dict(loss_mse=err, loss_reg=out.abs().mean())
        return out


class _ToyData(Dataset):
    """Eight samples; sample ``bad_index`` gets the input ``bad`` (NaN,
    inf) when ``bad`` is given."""

    def __init__(self, bad=None, bad_index=2) -> None:
        self.bad, self.bad_index = bad, bad_index

    def __len__(self) -> int:
        return 8

    def __getitem__(self, idx):
        x = torch.tensor([1.0, float(idx)])
        if self.bad is not None and idx == self.bad_index:
            x[0] = self.bad
        return dict(inputs=x, labels=torch.tensor([1.0]))


@pytest.fixture
def toy_runner():
    """``make(work_dir, max_iters=4, batch_size=2, checkpoint=None,
    hooks=(), bad=None, **kwargs)``: an MMEngine ``Runner`` training a toy
    linear model in the mmcoseg scope (seed 0, no shuffling, SGD), with
    ``checkpoint`` as its checkpoint hook config, ``hooks`` after a
    ``PlainMessageHubHook``, a NaN/inf input ``bad`` at iteration 3 of
    batch size 1, and ``kwargs`` passed to the runner (``resume``,
    ``load_from``)."""

    def make(work_dir, max_iters=4, batch_size=2, checkpoint=None, hooks=(),
             bad=None, **kwargs):
        default_hooks = {} if checkpoint is None else dict(
            checkpoint=checkpoint)
        return Runner(
            model=_ToyModel(), work_dir=str(work_dir),
            experiment_name=f'toy_{uuid.uuid4().hex}',
            train_dataloader=dict(
                dataset=_ToyData(bad), batch_size=batch_size, num_workers=0,
                sampler=dict(type='DefaultSampler', shuffle=False)),
            train_cfg=dict(type='IterBasedTrainLoop', max_iters=max_iters),
            optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.01)),
            default_hooks=default_hooks,
            custom_hooks=[dict(type='PlainMessageHubHook'), *hooks],
            default_scope='mmcoseg', randomness=dict(seed=0), **kwargs)

    return make
