"""CoSegRunner registers the distributed teardown at exit after a run that
returned (so MMSeg's own tools/dist_train.sh releases the process group
while the interpreter is alive), once, and never after a run that raised
or outside a distributed run."""
import atexit

import pytest
from mmengine.runner import Runner

from mmcoseg.engine.runner import coseg_runner
from mmcoseg.engine.runner.coseg_runner import CoSegRunner
from mmcoseg.utils.dist_utils import teardown_distributed


@pytest.fixture
def registered(monkeypatch):
    calls = []
    monkeypatch.setattr(atexit, 'register', calls.append)
    monkeypatch.setattr(CoSegRunner, '_teardown_registered', False)
    monkeypatch.setattr(Runner, 'train', lambda self: 'model')
    monkeypatch.setattr(Runner, 'test', lambda self: {'J': 1.0})
    return calls


def _runner():
    return CoSegRunner.__new__(CoSegRunner)  # the loops are stubbed


def test_registered_once_after_distributed_runs(registered, monkeypatch):
    monkeypatch.setattr(coseg_runner.torch_dist, 'is_initialized',
                        lambda: True)
    assert _runner().train() == 'model'
    assert _runner().test() == {'J': 1.0}
    assert registered == [teardown_distributed]


def test_not_registered_without_a_process_group(registered, monkeypatch):
    monkeypatch.setattr(coseg_runner.torch_dist, 'is_initialized',
                        lambda: False)
    _runner().train()
    assert registered == []


def test_not_registered_after_a_failed_run(registered, monkeypatch):
    monkeypatch.setattr(coseg_runner.torch_dist, 'is_initialized',
                        lambda: True)

    def fail(self):
        raise RuntimeError('loss is nan')

    monkeypatch.setattr(Runner, 'train', fail)
    with pytest.raises(RuntimeError, match='nan'):
        _runner().train()
    assert registered == []
