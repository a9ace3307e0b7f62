"""Visualise validation/test groups as grids through the visualizer."""
import os.path as osp
from typing import List, Sequence

import mmcv
from mmengine import fileio
from mmseg.engine.hooks import SegVisualizationHook
from mmseg.structures import SegDataSample

from mmcoseg.registry import HOOKS
from mmcoseg.structures import layout_from_metas
from mmcoseg.visualization.group_grid import group_grid

TRUTH_COLOR = (0, 200, 0)  # ground truth in green, predictions in fg_color


@HOOKS.register_module()
class CoSegVisualizationHook(SegVisualizationHook):
    """Draw each validation/test group as one grid image.

    Rows: the input images, the ground truth (when present, green) and the
    prediction, one column per image of the group. The grid goes to
    ``visualizer.add_image`` and so to every configured visual backend
    (local files, TensorBoard, W&B, ...); with ``tools/test.py
    --show-dir DIR`` it lands in ``DIR/vis_data/vis_image/``. The per-image
    pictures of :class:`SegVisualizationHook` are drawn as well unless
    ``draw_images=False``.

    The pictures' step is ``runner.iter`` in validation (the training
    iteration) and, in test mode, the number of test runs this hook has
    finished (0 for the first ``runner.test()``). Test mode never asks
    ``runner.iter``: that builds the training loop and its dataset, which
    fails when only the test set is on disk (MMSeg 1.2.2's
    ``SegVisualizationHook`` does, fixed upstream after 1.2.2 with a
    test-mode counter).

    Args:
        draw_images (bool): Also draw each image (ground truth |
            prediction) like ``SegVisualizationHook``. Defaults to True.
        grid_height (int): Height of a grid tile. Defaults to 160.
        **kwargs: :class:`SegVisualizationHook` arguments (``draw``,
            ``interval``, ``show``, ``wait_time``, ``backend_args``).
    """

    def __init__(self,
                 draw_images: bool = True,
                 grid_height: int = 160,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.draw_images = draw_images
        self.grid_height = grid_height
        self._test_runs = 0

    def _step(self, runner, mode: str) -> int:
        """The step of this iteration's pictures.

        Args:
            runner (Runner): The runner.
            mode (str): 'val' or 'test'.

        Returns:
            int: ``runner.iter`` for 'val', the test-run counter for 'test'.
        """
        return self._test_runs if mode == 'test' else runner.iter

    def after_test_epoch(self, runner, metrics=None) -> None:
        """Count the finished test run (the next one draws a step higher).

        Args:
            runner (Runner): The runner.
            metrics (dict, optional): The test metrics (unused).
        """
        self._test_runs += 1

    def _draw_images(self, outputs: Sequence[SegDataSample], mode: str,
                     step: int) -> None:
        """Draw each image as ``SegVisualizationHook`` does (ground truth |
        prediction), at ``step``.

        Args:
            outputs (Sequence[SegDataSample]): The batch's predictions.
            mode (str): 'val' or 'test', the pictures' name prefix.
            step (int): The pictures' step.
        """
        for output in outputs:
            img_bytes = fileio.get(output.img_path,
                                   backend_args=self.backend_args)
            image = mmcv.imfrombytes(img_bytes, channel_order='rgb')
            self._visualizer.add_datasample(
                f'{mode}_{osp.basename(output.img_path)}',
                image,
                data_sample=output,
                show=self.show,
                wait_time=self.wait_time,
                step=step)

    @staticmethod
    def _groups(outputs: Sequence[SegDataSample]
                ) -> List[List[SegDataSample]]:
        """The batch's groups, from the layout the data preprocessor put
        into the samples."""
        layout = layout_from_metas([s.metainfo for s in outputs],
                                   len(outputs))
        groups, start = [], 0
        for size in layout.sizes:
            groups.append(list(outputs[start:start + size]))
            start += size
        return groups

    def _grid(self, group: Sequence[SegDataSample]):
        images, truths, preds = [], [], []
        for sample in group:
            img_bytes = fileio.get(sample.img_path,
                                   backend_args=self.backend_args)
            image = mmcv.imfrombytes(img_bytes, channel_order='rgb')
            images.append(image)
            if 'gt_sem_seg' in sample:
                truths.append(
                    self._visualizer.draw_coseg(
                        image, sample.gt_sem_seg, color=TRUTH_COLOR))
            preds.append(
                self._visualizer.draw_coseg(image, sample.pred_sem_seg))
        rows = [images] + ([truths] if truths else []) + [preds]
        titles = ['input'] + (['truth'] if truths else []) + ['prediction']
        return group_grid(rows, height=self.grid_height, row_titles=titles)

    def _after_iter(self,
                    runner,
                    batch_idx: int,
                    data_batch: dict,
                    outputs: Sequence[SegDataSample],
                    mode: str = 'val') -> None:
        """Draw the groups of every ``interval``-th batch."""
        if self.draw is False or mode == 'train':
            return
        if not self.every_n_inner_iters(batch_idx, self.interval):
            return
        step = self._step(runner, mode)
        if self.draw_images:
            self._draw_images(outputs, mode, step)
        if not hasattr(self._visualizer, 'draw_coseg'):
            raise TypeError('CoSegVisualizationHook needs the '
                            'CoSegLocalVisualizer (visualizer.type).')
        for group in self._groups(outputs):
            first = group[0]
            name = first.get('category_name') or osp.basename(first.img_path)
            grid = self._grid(group)
            self._visualizer.add_image(
                f"{mode}_group_{first.get('group_id', batch_idx)}_{name}",
                grid, step=step)
