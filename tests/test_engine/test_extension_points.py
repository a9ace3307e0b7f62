"""The reliability hooks use public extension points only: nothing of
MMEngine is replaced on live objects, the PyTorch hooks are removed after
training, a distributed NaN gradient is skipped on every process, the
atomic backend is what writes checkpoints, and a ``last_checkpoint`` broken
by a kill is repaired before ``--resume`` reads it."""

import pytest
import torch
from mmengine.hooks import Hook

from mmcoseg.engine import AtomicCheckpointHook, NonFiniteLossHook
from mmcoseg.engine.hooks import non_finite_loss_hook
from mmcoseg.fileio import AtomicLocalBackend

_ATOMIC = dict(type='AtomicCheckpointHook', interval=2, by_epoch=False,
               max_keep_ckpts=1)


@pytest.fixture
def runner_of(toy_runner):
    """``make(work_dir, **kwargs)``: the toy runner with the atomic
    checkpoint hook."""
    return lambda work_dir, **kwargs: toy_runner(
        work_dir, checkpoint=_ATOMIC, **kwargs)


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


def test_non_finite_loss_hook_replaces_nothing(tmp_path, runner_of):
    runner = runner_of(tmp_path, hooks=[dict(type='NonFiniteLossHook')])
    spy = _Spy()
    runner.register_hook(spy)
    runner.train()
    assert spy.seen == dict(forward_hooks=1, step_hooks=1, replaced=[])
    assert len(runner.model._forward_hooks) == 0
    assert len(runner.optim_wrapper.optimizer._optimizer_step_pre_hooks) == 0


def test_distributed_nan_gradient_is_skipped(tmp_path, monkeypatch,
                                            runner_of):
    """Another process's NaN loss arrives as NaN gradients (DDP averages
    them): the step is skipped here too, and counted."""
    runner = runner_of(tmp_path, hooks=[dict(type='NonFiniteLossHook',
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


def test_atomic_backend_writes_the_checkpoints(tmp_path, runner_of):
    runner = runner_of(tmp_path)
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
def test_broken_last_checkpoint_repaired_before_resume(tmp_path, content,
                                                      runner_of):
    runner_of(tmp_path, max_iters=2).train()
    (tmp_path / 'last_checkpoint').write_text(content)  # killed mid-write
    runner = runner_of(tmp_path, max_iters=4, resume=True)
    runner.train()
    assert runner.iter == 4
    with open(f'{runner.log_dir}/{runner.timestamp}.log') as f:
        log = f.read()
    assert 'pointing it at' in log and 'iter_2.pth' in log
    assert 'resumed epoch: 0, iter: 2' in log
