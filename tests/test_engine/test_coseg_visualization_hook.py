"""CoSegVisualizationHook's steps: the training iteration in validation, a
test-run counter in test mode, where ``runner.iter`` is never asked (it
would build the training loop and its dataset)."""
from unittest import mock

import numpy as np
import pytest
import torch
from mmengine.structures import PixelData
from mmseg.structures import SegDataSample
from PIL import Image

from mmcoseg.engine.hooks import CoSegVisualizationHook


class _TestRunner:
    """A runner in test mode: asking ``iter`` fails, as it does without
    the training data on disk."""

    @property
    def iter(self):
        raise FileNotFoundError('runner.iter builds the training loop')


def _hook(monkeypatch):
    visualizer = mock.Mock()
    monkeypatch.setattr(
        'mmseg.engine.hooks.visualization_hook.Visualizer',
        mock.Mock(get_current_instance=lambda: visualizer))
    hook = CoSegVisualizationHook(draw=True, interval=1)
    # One group per batch, drawn as a stand-in grid.
    monkeypatch.setattr(hook, '_groups', lambda outputs: [list(outputs)])
    monkeypatch.setattr(hook, '_grid', lambda group: 'grid')
    return hook, visualizer


def _outputs(tmp_path):
    outputs = []
    for i in range(2):
        path = str(tmp_path / f'{i}.png')
        Image.fromarray(np.zeros((4, 6, 3), np.uint8)).save(path)
        sample = SegDataSample(metainfo=dict(img_path=path))
        sample.pred_sem_seg = PixelData(data=torch.zeros(1, 4, 6))
        outputs.append(sample)
    return outputs


def _steps(visualizer):
    """Steps of the per-image pictures and of the group grids so far."""
    images = [c.kwargs['step'] for c in visualizer.add_datasample.mock_calls]
    grids = [c.kwargs['step'] for c in visualizer.add_image.mock_calls]
    visualizer.reset_mock()
    return images, grids


def test_test_mode_counts_runs_without_runner_iter(tmp_path, monkeypatch):
    hook, visualizer = _hook(monkeypatch)
    outputs = _outputs(tmp_path)
    runner = _TestRunner()
    with pytest.raises(FileNotFoundError):
        runner.iter  # noqa: B018
    hook.after_test_iter(runner, 0, {}, outputs)
    hook.after_test_iter(runner, 1, {}, outputs)
    assert _steps(visualizer) == ([0] * 4, [0, 0])
    hook.after_test_epoch(runner, {})
    hook.after_test_iter(runner, 0, {}, outputs)
    assert _steps(visualizer) == ([1] * 2, [1])


def test_val_mode_draws_at_the_training_iteration(tmp_path, monkeypatch):
    hook, visualizer = _hook(monkeypatch)
    runner = mock.Mock(iter=7)
    hook.after_val_iter(runner, 0, {}, _outputs(tmp_path))
    assert _steps(visualizer) == ([7] * 2, [7])
