"""Checkpoints of mmengine runners load with torch's ``weights_only=True``."""
import io
import pickle
import pickletools
import uuid
from collections import OrderedDict
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn as nn
from mmengine.hooks import Hook
from mmengine.logging import HistoryBuffer
from mmengine.model import BaseModel
from mmengine.runner import Runner, load_checkpoint
from torch.serialization import (
    get_safe_globals,
    get_unsafe_globals_in_checkpoint,
)
from torch.utils.data import Dataset

import mmcoseg  # noqa: F401  (installs the mmcv.ops fallback)
from mmcoseg.engine import PlainMessageHubHook
from mmcoseg.utils.plain_state import (
    history_buffer_from_plain,
    history_buffer_to_plain,
    message_hub_from_plain,
    message_hub_to_plain,
    meta_to_plain,
    to_plain,
)
from mmcoseg.utils.safe_checkpoint import (
    register_safe_globals,
    safe_globals_list,
)

MAX_ITERS = 4
CKPT_INTERVAL = 2


def _global_name(entry) -> str:
    """Full path under which torch matches an allow-list entry."""
    if isinstance(entry, tuple):
        return entry[1]
    return f'{entry.__module__}.{entry.__qualname__}'


ALLOWED_NAMES = {_global_name(e) for e in safe_globals_list()}


class ToyModel(BaseModel):
    """One linear layer regressing a scalar."""

    def __init__(self) -> None:
        super().__init__()
        self.linear = nn.Linear(2, 1)

    def forward(self, inputs, labels=None, mode: str = 'tensor'):
        """Return the prediction, or ``dict(loss=...)`` in 'loss' mode."""
        out = self.linear(torch.stack(inputs))
        if mode == 'loss':
            return dict(loss=((out - torch.stack(labels))**2).mean())
        return out


class ToyDataset(Dataset):
    """Eight fixed samples; metainfo holds numpy values as real ones do."""

    metainfo = dict(
        classes=('background', 'foreground'),
        palette=np.array([[0, 0, 0], [255, 0, 0]], dtype=np.uint8),
        ignore_index=np.int64(255))

    def __len__(self) -> int:
        return 8

    def __getitem__(self, idx: int) -> dict:
        gen = torch.Generator().manual_seed(idx)
        return dict(
            inputs=torch.rand(2, generator=gen),
            labels=torch.rand(1, generator=gen))


class ProbeHook(Hook):
    """Record the iteration and the loss history when training starts."""

    def __init__(self) -> None:
        self.start_iter = None
        self.loss_buffer_type = None
        self.loss_history = None

    def before_train(self, runner) -> None:
        self.start_iter = runner.iter
        buffer = runner.message_hub.log_scalars.get('train/loss')
        self.loss_buffer_type = type(buffer)
        if buffer is not None:
            self.loss_history = buffer.data[0].copy()


def build_runner(work_dir: Path, with_hook: bool = True, **kwargs) -> Runner:
    """A CPU runner: Adam, StepLR then PolyLR, 4 iterations, ckpt every 2."""
    custom_hooks = list(kwargs.pop('custom_hooks', []))
    if with_hook:
        custom_hooks.append(dict(type='PlainMessageHubHook'))
    return Runner(
        model=ToyModel(),
        work_dir=str(work_dir),
        experiment_name=f'safe_ckpt_{uuid.uuid4().hex}',
        train_dataloader=dict(
            dataset=ToyDataset(),
            sampler=dict(type='DefaultSampler', shuffle=True),
            batch_size=2,
            num_workers=0),
        train_cfg=dict(type='IterBasedTrainLoop', max_iters=MAX_ITERS),
        optim_wrapper=dict(optimizer=dict(type='Adam', lr=0.01)),
        param_scheduler=[
            dict(
                type='StepLR', step_size=1, gamma=0.5, begin=0, end=2,
                by_epoch=False),
            dict(
                type='PolyLR', eta_min=1e-4, power=1.0, begin=2,
                end=MAX_ITERS, by_epoch=False),
        ],
        default_hooks=dict(
            checkpoint=dict(
                type='CheckpointHook', interval=CKPT_INTERVAL,
                by_epoch=False)),
        custom_hooks=custom_hooks,
        default_scope='mmcoseg',
        randomness=dict(seed=0),
        **kwargs)


@pytest.fixture(scope='module')
def trained(tmp_path_factory) -> dict:
    """Train once with and once without the hook; return the artefacts."""
    register_safe_globals()
    root = tmp_path_factory.mktemp('safe_ckpt')
    plain_runner = build_runner(root / 'plain', with_hook=True)
    plain_runner.train()
    raw_runner = build_runner(root / 'raw', with_hook=False)
    raw_runner.train()
    return dict(
        plain_dir=root / 'plain',
        raw_dir=root / 'raw',
        final_state={
            k: v.clone()
            for k, v in plain_runner.model.state_dict().items()
        },
        loss_history=plain_runner.message_hub.get_scalar(
            'train/loss').data[0].copy())


def test_hook_registered_in_mmcoseg() -> None:
    from mmcoseg.registry import HOOKS
    assert HOOKS.get('PlainMessageHubHook') is PlainMessageHubHook


def test_register_safe_globals_idempotent() -> None:
    first = register_safe_globals()
    before = set(get_safe_globals())
    second = register_safe_globals()
    assert first == second
    assert set(get_safe_globals()) == before
    assert set(first) <= before


def test_allow_list_is_exact() -> None:
    names = {_global_name(e) for e in register_safe_globals()}
    assert names == ALLOWED_NAMES
    assert {'numpy.dtype', 'numpy.ndarray'} <= names
    assert {'numpy._core.multiarray._reconstruct',
            'numpy._core.multiarray.scalar',
            'numpy.core.multiarray._reconstruct',
            'numpy.core.multiarray.scalar'} <= names
    assert type(np.dtype(np.float64)) in register_safe_globals()
    # Nothing callable beyond numpy's own reconstructors; above all, no
    # getattr (which would open arbitrary attribute access again).
    for entry in get_safe_globals():
        obj = entry[0] if isinstance(entry, tuple) else entry
        assert obj is not getattr
    assert not any('builtins' in n or 'HistoryBuffer' in n for n in names)
    assert not any(n.startswith(('os.', 'posix.', 'subprocess.'))
                   for n in names)


def test_getattr_comes_from_history_buffer_statistics() -> None:
    """Protocol-2 pickling of ``HistoryBuffer.min`` uses builtins.getattr."""
    ops = [(op.name, arg)
           for op, arg, _ in pickletools.genops(
               pickle.dumps(HistoryBuffer.min, protocol=2))]
    assert ('GLOBAL', '__builtin__ getattr') in ops
    buffer = HistoryBuffer()
    buffer.update(1.0)
    assert 'statistics_methods' in buffer.__getstate__()
    assert 'builtins.getattr' in _unsafe_globals({'b': buffer})
    assert _unsafe_globals(
        {'b': history_buffer_to_plain(buffer)}) == set()


def _unsafe_globals_in(file) -> set:
    """Globals of a checkpoint outside torch's *default* allow-list.

    ``get_unsafe_globals_in_checkpoint`` also treats the user allow-list as
    safe, so it is cleared for the call and restored afterwards.
    """
    registered = get_safe_globals()
    torch.serialization.clear_safe_globals()
    try:
        return set(get_unsafe_globals_in_checkpoint(file))
    finally:
        torch.serialization.add_safe_globals(registered)


def _unsafe_globals(obj) -> set:
    """Globals outside torch's default allow-list in ``torch.save(obj)``."""
    buf = io.BytesIO()
    torch.save(obj, buf)
    buf.seek(0)
    return _unsafe_globals_in(buf)


def _roundtrip(obj):
    """``torch.save`` then ``torch.load`` with the default weights_only."""
    buf = io.BytesIO()
    torch.save(obj, buf)
    buf.seek(0)
    return torch.load(buf)


def test_numpy_values_load_after_registration() -> None:
    register_safe_globals()
    data = dict(
        f64=np.float64(1.5), i32=np.int32(3), flag=np.bool_(True),
        arr=np.arange(6, dtype=np.int64).reshape(2, 3),
        f16=np.ones(2, np.float16), u8=np.array([1, 2], np.uint8),
        c128=np.array([1 + 2j]))
    assert _unsafe_globals(data) <= ALLOWED_NAMES
    loaded = _roundtrip(data)
    for key, value in data.items():
        assert type(loaded[key]) is type(value)
        np.testing.assert_array_equal(loaded[key], value)
        assert np.asarray(loaded[key]).dtype == np.asarray(value).dtype


def test_object_arrays_stay_refused() -> None:
    register_safe_globals()
    with pytest.raises(pickle.UnpicklingError):
        _roundtrip(np.array(['a', 1], dtype=object))


def test_numpy1_module_names_load() -> None:
    """A pickle naming the other numpy major's multiarray module loads."""
    register_safe_globals()
    buf = io.BytesIO()
    torch.save(np.arange(3.0), buf, _use_new_zipfile_serialization=False)
    new, old = b'numpy._core.multiarray', b'numpy.core.multiarray'
    data = buf.getvalue()
    swapped = data.replace(new, old) if new in data else data.replace(
        old, new)
    assert swapped != data
    np.testing.assert_array_equal(torch.load(io.BytesIO(swapped)),
                                  np.arange(3.0))


def test_history_buffer_roundtrip() -> None:
    buffer = HistoryBuffer([1, 2, 3], [1, 1, 2], max_length=3)
    buffer.update(4, 2)
    plain = history_buffer_to_plain(buffer)
    assert plain['log_history'] == [2, 3, 4]
    assert plain['max_length'] == 3
    assert all(type(v) is int for v in plain['count_history'])
    restored = history_buffer_from_plain(_roundtrip(plain))
    assert isinstance(restored, HistoryBuffer)
    assert restored.max_length == 3
    for ours, theirs in zip(restored.data, buffer.data):
        np.testing.assert_array_equal(ours, theirs)
        assert ours.dtype == theirs.dtype
    assert restored.mean() == buffer.mean()
    assert restored.statistics('max') == 4
    restored.update(5.5)
    assert restored.current() == 5.5


def test_message_hub_plain_roundtrip() -> None:
    loss = HistoryBuffer()
    for value in (0.5, 0.25):
        loss.update(value)
    state = dict(
        log_scalars=OrderedDict([('train/loss', loss)]),
        runtime_info=OrderedDict(
            iter=3, eta=np.float64(2.5), ids=(np.int64(1), 2),
            palette=np.zeros((2, 3), np.uint8)),
        resumed_keys=OrderedDict([('train/loss', True), ('iter', True)]))
    plain = message_hub_to_plain(state)
    assert isinstance(state['log_scalars']['train/loss'], HistoryBuffer)
    assert _unsafe_globals(plain) <= ALLOWED_NAMES
    info = plain['runtime_info']
    assert type(info['eta']) is float and info['ids'] == (1, 2)
    assert type(info['ids'][0]) is int
    restored = message_hub_from_plain(_roundtrip(plain))
    buffer = restored['log_scalars']['train/loss']
    assert isinstance(buffer, HistoryBuffer)
    np.testing.assert_array_equal(buffer.data[0], [0.5, 0.25])
    assert restored['resumed_keys'] == state['resumed_keys']
    # Buffers that are already objects are left alone.
    again = message_hub_from_plain(state)
    assert again['log_scalars']['train/loss'] is loss


def test_non_plain_values_dropped_or_repr() -> None:
    unknown = object()
    with pytest.warns(UserWarning, match='not plain data'):
        hub = message_hub_to_plain(
            dict(log_scalars={}, runtime_info={'x': unknown, 'y': 1},
                 resumed_keys={}))
    assert hub['runtime_info'] == {'y': 1}
    with pytest.warns(UserWarning, match='repr'):
        meta = meta_to_plain({'obj': unknown, 'epoch': 1})
    assert meta == {'obj': repr(unknown), 'epoch': 1}
    with pytest.raises(TypeError):
        to_plain([unknown])


def test_checkpoint_with_hook_has_only_allowed_globals(trained) -> None:
    for step in (CKPT_INTERVAL, MAX_ITERS):
        path = trained['plain_dir'] / f'iter_{step}.pth'
        unsafe = _unsafe_globals_in(str(path))
        assert unsafe <= ALLOWED_NAMES, unsafe - ALLOWED_NAMES
        assert 'numpy.ndarray' in unsafe  # the uint8 palette in the meta


def test_checkpoint_with_hook_loads_weights_only(trained) -> None:
    register_safe_globals()
    ckpt = torch.load(str(trained['plain_dir'] / f'iter_{MAX_ITERS}.pth'))
    assert set(ckpt) >= {
        'meta', 'state_dict', 'message_hub', 'optimizer', 'param_schedulers'
    }
    meta = ckpt['meta']
    assert meta['iter'] == MAX_ITERS and meta['seed'] == 0
    assert isinstance(meta['cfg'], str) and isinstance(meta['time'], str)
    assert type(meta['dataset_meta']['ignore_index']) is int
    np.testing.assert_array_equal(meta['dataset_meta']['palette'],
                                  ToyDataset.metainfo['palette'])
    loss = ckpt['message_hub']['log_scalars']['train/loss']
    np.testing.assert_allclose(loss['log_history'], trained['loss_history'])
    step_lr, poly_lr = ckpt['param_schedulers']
    assert step_lr['gamma'] == 0.5 and poly_lr['power'] == 1.0
    assert poly_lr['_global_step'] == MAX_ITERS
    assert ckpt['optimizer']['param_groups'][0]['betas'] == (0.9, 0.999)


def test_load_checkpoint_into_fresh_model(trained) -> None:
    register_safe_globals()
    model = ToyModel()
    load_checkpoint(model,
                    str(trained['plain_dir'] / f'iter_{MAX_ITERS}.pth'))
    for key, value in model.state_dict().items():
        torch.testing.assert_close(value, trained['final_state'][key])


def test_resume_restores_iter_and_history(trained, tmp_path) -> None:
    register_safe_globals()
    probe = ProbeHook()
    ckpt = trained['plain_dir'] / f'iter_{CKPT_INTERVAL}.pth'
    runner = build_runner(
        tmp_path, load_from=str(ckpt), resume=True, custom_hooks=[probe])
    runner.train()
    assert probe.start_iter == CKPT_INTERVAL
    assert probe.loss_buffer_type is HistoryBuffer
    np.testing.assert_allclose(probe.loss_history,
                               trained['loss_history'][:CKPT_INTERVAL])
    assert runner.iter == MAX_ITERS
    final_loss = runner.message_hub.get_scalar('train/loss').data[0]
    np.testing.assert_allclose(final_loss, trained['loss_history'])
    for key, value in runner.model.state_dict().items():
        torch.testing.assert_close(value, trained['final_state'][key])


def test_checkpoint_without_hook_is_refused(trained) -> None:
    register_safe_globals()
    path = str(trained['raw_dir'] / f'iter_{MAX_ITERS}.pth')
    unsafe = _unsafe_globals_in(path)
    assert 'builtins.getattr' in unsafe
    assert 'mmengine.logging.history_buffer.HistoryBuffer' in unsafe
    with pytest.raises(pickle.UnpicklingError,
                       match='Weights only load failed'):
        torch.load(path)
    with pytest.raises(pickle.UnpicklingError,
                       match='Weights only load failed'):
        load_checkpoint(ToyModel(), path)
    # Even with HistoryBuffer allowed, getattr still stops the load.
    with torch.serialization.safe_globals([HistoryBuffer]):
        with pytest.raises(pickle.UnpicklingError, match='getattr'):
            torch.load(path)


class _ShellPayload:
    """Runs a shell command when unpickled."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        import os
        return os.system, (f"touch '{self.marker}'", )


class _ExecPayload:
    """Writes a file through ``exec`` when unpickled."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return exec, (f'open({str(self.marker)!r}, "w").write("pwned")', )


@pytest.mark.parametrize('payload_cls', [_ShellPayload, _ExecPayload])
def test_malicious_checkpoint_refused(tmp_path, payload_cls) -> None:
    register_safe_globals()
    marker = tmp_path / 'pwned'
    path = tmp_path / 'evil.pth'
    torch.save(
        dict(state_dict=ToyModel().state_dict(),
             meta=dict(payload=payload_cls(marker))), str(path))
    unsafe = _unsafe_globals_in(str(path))
    assert unsafe & {'posix.system', 'nt.system', 'builtins.exec'}
    with pytest.raises(pickle.UnpicklingError,
                       match='Weights only load failed'):
        torch.load(str(path))
    with pytest.raises(pickle.UnpicklingError,
                       match='Weights only load failed'):
        load_checkpoint(ToyModel(), str(path))
    runner = build_runner(tmp_path / 'work', load_from=str(path))
    with pytest.raises(pickle.UnpicklingError):
        runner.load_or_resume()
    assert not marker.exists()
