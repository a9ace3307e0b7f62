"""Co-segmentation of uploaded images for the web demo (no Gradio here)."""
import logging
import os
import os.path as osp
import shutil
import tempfile
import threading
import time
import weakref
from typing import List, Optional, Sequence

import numpy as np

from mmcoseg.apis.coseg_inferencer import CoSegInferencer, unique_names
from mmcoseg.apis.inference import cosegment, split_into_groups

from .load_error import describe_load_error, shorten
from .result import WebDemoResult
from .uploads import read_upload

logger = logging.getLogger(__name__)

#: Largest accepted image (width x height): a 48 MP phone photo passes.
DEFAULT_MAX_PIXELS = 50_000_000
#: Most files accepted in one request.
DEFAULT_MAX_IMAGES = 40


class WebDemoPredictor:
    """Co-segment the files of a web-demo request with one loaded model.

    The model is loaded once, strictly (a checkpoint of another config is
    refused), through :class:`~mmcoseg.apis.CoSegInferencer`; a failure is
    kept in :attr:`load_error` and returned by every request instead of
    raised. Requests run :func:`~mmcoseg.apis.cosegment` group by group and
    draw with the inferencer's overlays and grids, one request at a time.

    Args:
        config (str): Config file.
        checkpoint (str): Checkpoint file.
        device (str): Device of the model. Defaults to 'cpu'.
        max_images (int): Most files per request.
        max_pixels (int): Largest accepted image, width x height.
        keep_results (int): Zips of the latest requests kept on disk.
        work_dir (str, optional): Where the zips are written; a temporary
            folder (removed at exit) by default.
    """

    def __init__(self,
                 config: str,
                 checkpoint: str,
                 device: str = 'cpu',
                 max_images: int = DEFAULT_MAX_IMAGES,
                 max_pixels: int = DEFAULT_MAX_PIXELS,
                 keep_results: int = 16,
                 work_dir: Optional[str] = None) -> None:
        self.device = device
        self.max_images = max_images
        self.max_pixels = max_pixels
        self.keep_results = keep_results
        self.inferencer: Optional[CoSegInferencer] = None
        self.load_error: Optional[str] = None
        try:
            self.inferencer = CoSegInferencer(
                config, checkpoint, device=device, strict=True)
        except Exception as exc:  # noqa: BLE001 - shown in the page
            self.load_error = describe_load_error(config, checkpoint, exc)
        if work_dir is None:
            work_dir = tempfile.mkdtemp(prefix='mmcoseg_webui_')
            weakref.finalize(self, shutil.rmtree, work_dir, True)
        os.makedirs(work_dir, exist_ok=True)
        self.work_dir = work_dir
        self._lock = threading.Lock()

    @property
    def default_threshold(self) -> float:
        """The model's foreground threshold (0.5 without a model)."""
        if self.inferencer is None:
            return 0.5
        return self.inferencer.threshold

    def predict(self,
                files: Optional[Sequence[str]],
                group_size: Optional[int] = None,
                threshold: Optional[float] = None) -> WebDemoResult:
        """Co-segment uploaded files; never raises.

        Args:
            files (Sequence[str], optional): Paths of the uploaded files.
            group_size (int, optional): Largest group size (>= 2); None
                makes one group of all images.
            threshold (float, optional): Foreground probability threshold
                in [0, 1]; None uses the model's.

        Returns:
            WebDemoResult: The results, or ``ok=False`` and a message
            saying what to fix (too few or unreadable images, a too large
            image, a model that did not load, ...). Files that cannot be
            read are skipped and named when two or more others remain.
        """
        with self._lock:
            try:
                return self._predict(list(files or []), group_size,
                                     threshold)
            except ValueError as exc:
                return WebDemoResult(message=str(exc))
            except Exception as exc:  # noqa: BLE001 - keep serving
                logger.exception('web demo request failed')
                return WebDemoResult(
                    message=f'co-segmentation failed: '
                    f'{type(exc).__name__}: {shorten(str(exc))}')

    def _predict(self, files: List[str], group_size: Optional[int],
                 threshold: Optional[float]) -> WebDemoResult:
        if self.inferencer is None:
            raise ValueError(f'no model: {self.load_error}')
        if not files:
            raise ValueError('upload at least two images that share an '
                             'object (or pick an example group)')
        if len(files) > self.max_images:
            raise ValueError(f'{len(files)} files: the demo takes at most '
                             f'{self.max_images} per run')
        if group_size is not None and int(group_size) < 2:
            raise ValueError(f'the group size must be at least 2, got '
                             f'{group_size}')
        if threshold is None:
            threshold = self.default_threshold
        if not 0.0 <= float(threshold) <= 1.0:
            raise ValueError(f'the threshold must be in [0, 1], got '
                             f'{threshold}')
        images, names, skipped = [], [], []
        for path in files:
            try:
                images.append(read_upload(str(path), self.max_pixels))
                names.append(osp.splitext(osp.basename(str(path)))[0])
            except ValueError as exc:
                skipped.append(str(exc))
        if len(images) < 2:
            raise ValueError(
                'co-segmentation needs at least two readable images, got '
                f'{len(images)}' + ''.join(f'; {s}' for s in skipped))
        return self._segment(images, unique_names(names),
                             None if group_size is None else int(group_size),
                             float(threshold), skipped)

    def _segment(self, images: List[np.ndarray], names: List[str],
                 group_size: Optional[int], threshold: float,
                 skipped: List[str]) -> WebDemoResult:
        start = time.perf_counter()
        groups = split_into_groups(len(images), group_size)
        preds: List[dict] = [{}] * len(images)
        seconds = [0.0] * len(images)
        for g, members in enumerate(groups):
            tic = time.perf_counter()
            results = cosegment(self.inferencer.model,
                                [images[i] for i in members],
                                threshold=threshold)
            per_image = (time.perf_counter() - tic) / len(members)
            for i, result in zip(members, results):
                preds[i] = dict(result, group=g)
                seconds[i] = per_image
        overlays, grids = self.inferencer.visualize(images, preds)
        total = time.perf_counter() - start
        fractions = [100.0 * float(p['mask'].mean()) for p in preds]
        message = (f'{len(images)} images in {len(groups)} group(s): '
                   f'{total:.2f} s ({total / len(images):.3f} s/image) on '
                   f'{self.device}, threshold {threshold:.2f}.')
        if skipped:
            message += ' Skipped: ' + '; '.join(skipped) + '.'
        return WebDemoResult(
            message=message,
            ok=True,
            overlays=[(overlay, f'{name}: {fraction:.1f}% foreground')
                      for overlay, name, fraction in zip(
                          overlays, names, fractions)],
            grids=[(grid, f'group {g + 1}: ' +
                    ', '.join(names[i] for i in members))
                   for g, (grid, members) in enumerate(zip(grids, groups))],
            rows=[[name, p['group'] + 1, img.shape[1], img.shape[0],
                   round(fraction, 1), round(sec, 3)]
                  for name, p, img, fraction, sec in zip(
                      names, preds, images, fractions, seconds)],
            zip_path=self._write_zip(preds, names, overlays, grids))

    def _write_zip(self, preds: Sequence[dict], names: Sequence[str],
                   overlays: Sequence[np.ndarray],
                   grids: Sequence[np.ndarray]) -> str:
        """Masks, overlays and grids of a request as one zip file."""
        run_dir = tempfile.mkdtemp(prefix='run_', dir=self.work_dir)
        out_dir = osp.join(run_dir, 'cosegment')
        CoSegInferencer.postprocess(preds, names, overlays, grids, out_dir)
        zip_path = shutil.make_archive(
            osp.join(run_dir, 'cosegment_masks'), 'zip', out_dir)
        shutil.rmtree(out_dir)
        self._prune()
        return zip_path

    def _prune(self) -> None:
        """Remove all but the latest ``keep_results`` request folders."""
        runs = sorted(
            (osp.join(self.work_dir, d) for d in os.listdir(self.work_dir)
             if d.startswith('run_')),
            key=osp.getmtime)
        for old in runs[:-self.keep_results]:
            shutil.rmtree(old, ignore_errors=True)
