"""The reliability hooks use public extension points only: nothing of
MMEngine is replaced on live objects, the PyTorch hooks are removed after
training, a distributed NaN gradient is skipped on every process, the
atomic backend is what writes checkpoints, and a ``last_checkpoint`` broken
by a kill is repaired before ``--resume`` reads it."""
import uuid

import pytest
import torch
import torch.nn as nn
from mmengine.hooks import Hook
from mmengine.model import BaseModel
from mmengine.runner import Runner
from torch.utils.data import Dataset

from mmcoseg.engine import AtomicCheckpointHook, NonFiniteLossHook
from mmcoseg.engine.hooks import non_finite_loss_hook
from mmcoseg.fileio import AtomicLocalBackend


class _Model(BaseModel):

    def __init__(self) -> None:
        super().__init__()
        self.linear = nn.Linear(2, 1)

    def forward(self, inputs, labels=None, mode='tensor'):
        out = self.linear(torch.stack(inputs))
        if mode == 'loss':
            return dict(loss=((out - torch.stack(labels))**2).mean())
        return out


class _Data(Dataset):

    def __len__(self) -> int:
        return 8

    def __getitem__(self, idx):
        return dict(inputs=torch.tensor([1.0, float(idx)]),
                    labels=torch.tensor([0.5]))


def _runner(work_dir, max_iters=4, resume=False, hooks=()):
    return Runner(
        model=_Model(), work_dir=str(work_dir),
        experiment_name=f'ext_{uuid.uuid4().hex}',
        train_dataloader=dict(
            dataset=_Data(), batch_size=2, num_workers=0,
            sampler=dict(type='DefaultSampler', shuffle=False)),
        train_cfg=dict(type='IterBasedTrainLoop', max_iters=max_iters),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.01)),
        default_hooks=dict(checkpoint=dict(
            type='AtomicCheckpointHook', interval=2, by_epoch=False,
            max_keep_ckpts=1)),
        custom_hooks=[dict(type='PlainMessageHubHook'), *hooks],
        default_scope='mmcoseg', resume=resume, randomness=dict(seed=0))


def _hook(runner, cls):
    return [h for h in runner.hooks if isinstance(h, cls)][0]


class _Spy(Hook):
    """Records, during training, what is attached to the model and the
    optimizer."""

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        model, wrapper = runner.model, runner.optim_wrapper
        self.seen = dict(
            forward_hooks=len(model._forward_hooks),
            step_hooks=len(wrapper.optimizer._optimizer_step_pre_hooks),
            replaced=sorted(
                (set(vars(wrapper)) & {'update_params', 'step', 'backward'})
                | (set(vars(model)) & {'parse_losses', 'train_step',
                                       'forward'})))


def test_non_finite_loss_hook_replaces_nothing(tmp_path):
    runner = _runner(tmp_path, hooks=[dict(type='NonFiniteLossHook')])
    spy = _Spy()
    runner.register_hook(spy)
    runner.train()
    assert spy.seen == dict(forward_hooks=1, step_hooks=1, replaced=[])
    assert len(runner.model._forward_hooks) == 0
    assert len(runner.optim_wrapper.optimizer._optimizer_step_pre_hooks) == 0


def test_distributed_nan_gradient_is_skipped(tmp_path, monkeypatch):
    """Another process's NaN loss arrives as NaN gradients (DDP averages
    them): the step is skipped here too, and counted."""
    runner = _runner(tmp_path, hooks=[dict(type='NonFiniteLossHook',
                                           action='skip')])
    runner.optim_wrapper = runner.build_optim_wrapper(runner.optim_wrapper)
    hook = _hook(runner, NonFiniteLossHook)
    hook.before_train(runner)
    monkeypatch.setattr(non_finite_loss_hook, 'get_world_size', lambda: 2)
    weight = runner.model.linear.weight
    before = weight.detach().clone()
    weight.grad = torch.full_like(weight, float('nan'))
    runner.optim_wrapper.optimizer.step()
    assert torch.equal(weight.detach(), before) and weight.grad is None
    assert hook.num_skipped == 1
    assert runner.message_hub.get_info('nonfinite_loss_skipped') == 1
    weight.grad = torch.ones_like(weight)  # finite: the step happens
    runner.optim_wrapper.optimizer.step()
    assert not torch.equal(weight.detach(), before)
    hook.after_train(runner)


def test_atomic_backend_writes_the_checkpoints(tmp_path):
    runner = _runner(tmp_path)
    runner.train()
    hook = _hook(runner, AtomicCheckpointHook)
    assert isinstance(hook.file_backend, AtomicLocalBackend)
    assert hook.atomic and hook.max_keep_ckpts == -1 and hook.keep_ckpts == 1
    assert sorted(p.name for p in tmp_path.glob('*.pth')) == ['iter_4.pth']


@pytest.mark.parametrize('kwargs', [
    dict(backend_args=dict(backend='local')),
    dict(out_dir='s3://bucket/run'),
])
def test_other_storage_keeps_mmengines_behaviour(kwargs):
    hook = AtomicCheckpointHook(interval=2, max_keep_ckpts=3, **kwargs)
    assert not hook.atomic and hook.max_keep_ckpts == 3


@pytest.mark.parametrize('content', ['', '/gone/iter_4.pth', 'ite'])
def test_broken_last_checkpoint_repaired_before_resume(tmp_path, content):
    _runner(tmp_path, max_iters=2).train()
    (tmp_path / 'last_checkpoint').write_text(content)  # killed mid-write
    runner = _runner(tmp_path, max_iters=4, resume=True)
    runner.train()
    assert runner.iter == 4
    with open(f'{runner.log_dir}/{runner.timestamp}.log') as f:
        log = f.read()
    assert 'pointing it at' in log and 'iter_2.pth' in log
    assert 'resumed epoch: 0, iter: 2' in log
