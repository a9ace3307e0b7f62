"""CoSegLoggerHook: every rank logs the test metrics, one writes the JSON."""
import json
import os.path as osp
from unittest import mock

import pytest

from mmcoseg.engine.hooks import CoSegLoggerHook
from mmcoseg.engine.hooks import coseg_logger_hook as module


def _runner(tmp_path):
    runner = mock.MagicMock()
    runner.log_dir = str(tmp_path)
    runner.test_dataloader = [0, 1, 2]
    runner.log_processor.get_log_after_epoch.return_value = (
        dict(J=50.0, P=90.0), 'Iter(test) [3/3] J: 50.0 P: 90.0')
    return runner


@pytest.mark.parametrize('main', [True, False])
def test_only_the_main_process_writes_the_metrics_json(tmp_path, main):
    hook = CoSegLoggerHook()
    hook.json_log_path = 'run.json'
    runner = _runner(tmp_path)
    with mock.patch.object(module, 'is_main_process', return_value=main):
        hook.after_test_epoch(runner, dict(J=50.0, P=90.0))
    runner.logger.info.assert_called_once_with(
        'Iter(test) [3/3] J: 50.0 P: 90.0')
    path = tmp_path / 'run.json'
    assert path.exists() == main
    if main:
        assert json.loads(path.read_text()) == dict(J=50.0, P=90.0)


def test_the_configs_use_it():
    from mmengine.config import Config
    root = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
    cfg = Config.fromfile(
        osp.join(root, 'configs', 'ssnm',
                 'ssnm_r18-c16_1x4g5-1500i_synthetic-128x128.py'))
    assert cfg.default_hooks.logger.type == 'CoSegLoggerHook'
