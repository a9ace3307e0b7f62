"""Item 6: a checkpoint whose pickle would run code is refused by every load
path of the project, with a message naming the file; a legitimate one still
loads; nothing turns ``weights_only`` off.

Load paths tried: ``tools/test.py CONFIG CKPT`` (its command line), the
runner's ``load_from`` and ``resume`` (what ``tools/train.py`` runs),
``init_model`` and
``CoSegInferencer`` (the inference API), mmengine's ``load_checkpoint``
and its URL loader (``http(s)://``, ``torchvision://``, ``open-mmlab://``),
and ``torch.load`` with ``TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=1`` set.
"""
import ast
import glob
import os
import os.path as osp
import pickle

import numpy as np
import pytest
import torch
from mmengine.runner import checkpoint as mm_checkpoint
from mmengine.runner import load_checkpoint, save_checkpoint

import mmcoseg  # noqa: F401  (installs the checkpoint guard)
from mmcoseg.apis import CoSegInferencer, init_model
from mmcoseg.datasets.synthetic_coseg import make_synthetic_coseg
from mmcoseg.utils.plain_state import message_hub_to_plain
from mmcoseg.utils.safe_checkpoint import UnsafeCheckpointError

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = osp.join('configs', 'ssnm',
                  'ssnm_r18-c16_1x4g5-1500i_synthetic-128x128.py')
TIMEOUT = 600


class _Shell:
    """Runs ``touch MARKER`` when unpickled."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return os.system, (f"touch '{self.marker}'", )


class _Exec:
    """Writes MARKER through ``exec`` when unpickled."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return exec, (f'open({self.marker!r}, "w").write("pwned")', )


@pytest.fixture(scope='module')
def model():
    return init_model(osp.join(REPO, CONFIG))


@pytest.fixture(scope='module')
def evil(tmp_path_factory, model):
    """A checkpoint with real weights and a payload in its meta."""
    root = tmp_path_factory.mktemp('evil')
    marker = root / 'pwned'
    path = root / 'evil.pth'
    torch.save(dict(state_dict=model.state_dict(),
                    meta=dict(iter=4, payload=_Shell(marker))), str(path))
    return dict(path=str(path), marker=marker, root=root)


@pytest.fixture(scope='module')
def data_root(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('coseg'))
    make_synthetic_coseg(root, num_train=2, num_test=1, image_size=(48, 64),
                         seed=0, categories=('circle', 'square'))
    return root


def _assert_refused(err_or_text, evil):
    text = str(err_or_text)
    assert 'Refused to load checkpoint' in text, text[-3000:]
    assert 'evil.pth' in text and 'posix.system' in text
    assert not evil['marker'].exists(), 'the payload ran'


# ------------------------------------------------------ in-process paths
def test_mmengine_load_checkpoint_refuses(evil, model):
    with pytest.raises(UnsafeCheckpointError) as err:
        load_checkpoint(model, evil['path'], map_location='cpu')
    _assert_refused(err.value, evil)
    assert err.value.filename == evil['path']
    assert err.value.unsafe_globals == ['posix.system']
    assert isinstance(err.value, pickle.UnpicklingError)


def test_inference_api_refuses(evil):
    with pytest.raises(UnsafeCheckpointError) as err:
        init_model(osp.join(REPO, CONFIG), evil['path'])
    _assert_refused(err.value, evil)
    with pytest.raises(UnsafeCheckpointError) as err:
        CoSegInferencer(osp.join(REPO, CONFIG), evil['path'])
    _assert_refused(err.value, evil)


def test_exec_payload_refused(tmp_path, model):
    marker = tmp_path / 'pwned'
    path = tmp_path / 'exec.pth'
    torch.save(dict(state_dict={}, meta=dict(p=_Exec(marker))), str(path))
    with pytest.raises(UnsafeCheckpointError, match='builtins.exec'):
        load_checkpoint(model, str(path))
    assert not marker.exists()


def test_url_loaders_use_weights_only(evil, tmp_path):
    """mmengine 0.10.7 reads URLs with torch.hub's default
    ``weights_only=False``; the guard replaces that loader."""
    assert mm_checkpoint.load_url.__module__ == \
        'mmcoseg.utils.safe_checkpoint'
    url = 'file://' + evil['path']  # urllib reads file:// like http://
    with pytest.raises(UnsafeCheckpointError) as err:
        mm_checkpoint.load_from_http(url, model_dir=str(tmp_path / 'hub'))
    _assert_refused(err.value, evil)


def test_force_no_weights_only_env_is_ignored(evil, model, monkeypatch):
    monkeypatch.setenv('TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD', '1')
    with pytest.raises(UnsafeCheckpointError):
        load_checkpoint(model, evil['path'])
    assert not evil['marker'].exists()


def test_legacy_mmengine_checkpoint_gets_a_hint(tmp_path, model):
    from mmengine.logging import HistoryBuffer
    buffer = HistoryBuffer()
    buffer.update(1.0)
    path = tmp_path / 'legacy.pth'
    torch.save(dict(state_dict=model.state_dict(),
                    message_hub=dict(log_scalars={'train/loss': buffer})),
               str(path))
    with pytest.raises(UnsafeCheckpointError, match='PlainMessageHubHook'):
        load_checkpoint(model, str(path))


def test_legitimate_checkpoint_loads(tmp_path, model):
    """A checkpoint as the project saves it (numpy meta, plain message
    hub) loads through every in-process path, with the same weights."""
    from mmengine.logging import MessageHub
    hub = MessageHub.get_instance('legit_ckpt')
    hub.update_scalar('train/loss', 0.5)
    ckpt = dict(
        meta=dict(iter=2, seed=0,
                  dataset_meta=dict(classes=('circle', 'square'),
                                    palette=np.zeros((2, 3), np.uint8))),
        state_dict=model.state_dict(),
        message_hub=message_hub_to_plain(hub.state_dict()))
    path = str(tmp_path / 'iter_2.pth')
    save_checkpoint(ckpt, path)
    loaded = init_model(osp.join(REPO, CONFIG), path)
    for key, value in model.state_dict().items():
        assert torch.equal(loaded.state_dict()[key], value), key
    assert loaded.dataset_meta['classes'] == ('circle', 'square')
    assert torch.load(path)['meta']['iter'] == 2  # torch's own default


# -------------------------------------------------------------- the CLIs
def _data_opts(data_root):
    opts = []
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        opts += [f'{loader}.dataset.data_root={data_root}',
                 f'{loader}.dataset.metainfo.classes=[circle,square]',
                 f'{loader}.num_workers=0',
                 f'{loader}.persistent_workers=False']
    return opts + ['train_cfg.max_iters=1', 'train_dataloader.batch_size=1']


def test_test_cli_refuses(evil, data_root, tmp_path, run_script):
    """``tools/test.py CONFIG CKPT``'s command line, in this process (the
    tool runs in a fresh one in ``test_train_test_cli.py``)."""
    work_dir = str(tmp_path / 'work')
    proc = run_script('tools/test.py', CONFIG, evil['path'], '--work-dir',
                      work_dir, '--cfg-options', *_data_opts(data_root),
                      cwd=REPO)
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0, output[-3000:]
    assert 'UnsafeCheckpointError' in output
    _assert_refused(output, evil)


@pytest.mark.parametrize('how', ['load_from', 'resume'])
def test_runner_load_from_and_resume_refuse(how, evil, tmp_path,
                                            toy_runner):
    """What ``tools/train.py`` runs for ``load_from`` and ``--resume``
    (``Runner.load_or_resume``)."""
    work_dir = tmp_path / 'work'
    work_dir.mkdir()
    kwargs = dict(load_from=evil['path'])
    if how == 'resume':
        (work_dir / 'last_checkpoint').write_text(evil['path'])
        kwargs = dict(resume=True)
    runner = toy_runner(work_dir, max_iters=2, **kwargs)
    with pytest.raises(UnsafeCheckpointError) as err:
        runner.train()
    _assert_refused(err.value, evil)
    assert runner.iter == 0
    assert not glob.glob(str(work_dir / 'iter_*.pth'))


# --------------------------------------------- no global weights_only off
def _python_files():
    for folder in ('mmcoseg', 'tools', 'configs'):
        yield from glob.glob(osp.join(REPO, folder, '**', '*.py'),
                             recursive=True)


def test_nothing_turns_weights_only_off():
    offenders = []
    for path in _python_files():
        with open(path) as f:
            tree = ast.parse(f.read(), path)
        for node in ast.walk(tree):
            if isinstance(node, ast.keyword) and \
                    node.arg == 'weights_only' and \
                    isinstance(node.value, ast.Constant) and \
                    node.value.value is not True:
                offenders.append(f'{path}:{node.value.lineno}')
            if isinstance(node, ast.Constant) and node.value in (
                    'TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD',
                    'TORCH_FORCE_WEIGHTS_ONLY_LOAD'):
                offenders.append(f'{path}:{node.lineno}')
    assert offenders == []
    assert 'TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD' not in os.environ
    names = {getattr(e[0] if isinstance(e, tuple) else e, '__name__', '')
             for e in torch.serialization.get_safe_globals()}
    assert not names & {'getattr', 'system', 'exec', 'eval', 'Popen'}
