"""A small inferencer for co-segmentation, in the style of MMSeg's."""
import os
import os.path as osp
from typing import Callable, Dict, List, Optional, Sequence, Union

import cv2
import numpy as np
from mmengine.config import Config
from mmengine.structures import PixelData

from mmcoseg.datasets.suffixes import PIL_SUFFIXES
from mmcoseg.evaluation.functional import prob_to_uint8

from .inference import (
    ImageInput,
    build_inference_pipeline,
    image_name,
    init_model,
    load_image,
    run_group,
    split_into_groups,
)


def list_images(folder: str) -> List[str]:
    """Sorted image files (by suffix) directly inside ``folder``."""
    return sorted(
        osp.join(folder, f) for f in os.listdir(folder)
        if f.lower().endswith(PIL_SUFFIXES)
        and osp.isfile(osp.join(folder, f)))


def unique_names(names: Sequence[str]) -> List[str]:
    """Make output stems unique by appending ``_<k>`` to repeats."""
    seen: Dict[str, int] = {}
    out = []
    for name in names:
        if name in seen:
            seen[name] += 1
            candidate = f'{name}_{seen[name]}'
            while candidate in seen:
                seen[name] += 1
                candidate = f'{name}_{seen[name]}'
            name = candidate
        seen.setdefault(name, 0)
        out.append(name)
    return out


class CoSegInferencer:
    """Co-segment images with a config and checkpoint.

    Example::

        inf = CoSegInferencer('configs/ssnm/....py', 'iter_1500.pth')
        out = inf(['a.jpg', 'b.jpg', 'c.jpg'], return_vis=True)
        out['predictions'][0]['mask']  # H x W uint8 0/1

    Args:
        model (str | Config): Config path or object.
        weights (str, optional): Checkpoint path.
        device (str): Device. Defaults to 'cpu'.
        group_size (int, optional): Largest group size; None segments all
            inputs of a call as one group (see
            :func:`~mmcoseg.apis.split_into_groups`).
        threshold (float, optional): Foreground probability threshold;
            defaults to the decode head's.
        strict (bool): Refuse a checkpoint whose parameters do not match
            the config's model (see :func:`~mmcoseg.apis.init_model`).
            Defaults to False.
        cfg_options (dict, optional): Overrides merged into the config
            (as ``--cfg-options`` of MMSeg's tools), e.g.
            ``{'model.modulators.0.keep_ratio': 0}``.
    """

    def __init__(self,
                 model: Union[str, Config],
                 weights: Optional[str] = None,
                 device: str = 'cpu',
                 group_size: Optional[int] = None,
                 threshold: Optional[float] = None,
                 strict: bool = False,
                 cfg_options: Optional[dict] = None) -> None:
        self.model = init_model(model, weights, device=device,
                                cfg_options=cfg_options, strict=strict)
        self.cfg = self.model.cfg
        self.group_size = group_size
        self.threshold = (
            float(threshold) if threshold is not None else float(
                getattr(self.model.decode_head, 'threshold', 0.5)))
        self.pipeline = build_inference_pipeline(self.cfg)
        from mmcoseg.visualization import CoSegLocalVisualizer
        self.visualizer = CoSegLocalVisualizer(
            name=f'coseg_inferencer_{id(self)}', alpha=0.55)

    def preprocess(self,
                   inputs: Union[ImageInput, Sequence[ImageInput]],
                   names: Optional[Sequence[str]] = None) -> tuple:
        """Load the inputs (a folder, a path, an array or a list of them).

        Returns:
            tuple: RGB images and unique output stems.
        """
        if isinstance(inputs, str) and osp.isdir(inputs):
            inputs = list_images(inputs)
        elif isinstance(inputs, (str, np.ndarray)):
            inputs = [inputs]
        inputs = list(inputs)
        images = [load_image(x) for x in inputs]
        if names is None:
            names = [image_name(x, i) for i, x in enumerate(inputs)]
        return images, unique_names(list(names))

    def forward(self,
                images: Sequence[np.ndarray],
                progress: Optional[Callable[[int], None]] = None
                ) -> List[dict]:
        """Segment RGB images group by group.

        Args:
            images (Sequence[np.ndarray]): RGB uint8 images.
            progress (Callable[[int], None], optional): Called with the
                number of images done after each group.

        Returns:
            list[dict]: ``mask``, ``prob`` and ``group`` per image.
        """
        groups = split_into_groups(len(images), self.group_size)
        preds: List[Optional[dict]] = [None] * len(images)
        for g, members in enumerate(groups):
            probs = run_group(self.model, self.pipeline,
                              [images[i] for i in members], group_id=g)
            for i, prob in zip(members, probs):
                preds[i] = dict(
                    mask=(prob > self.threshold).astype(np.uint8),
                    prob=prob,
                    group=g)
            if progress is not None:
                progress(len(members))
        return preds

    def overlay(self, image: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """The mask drawn over the RGB image."""
        return self.visualizer.draw_coseg(
            image, PixelData(data=np.asarray(mask)[None]))

    def visualize(self, images: Sequence[np.ndarray],
                  preds: Sequence[dict]) -> tuple:
        """Overlays per image and one grid per group.

        Returns:
            tuple: (overlays, grids): a grid has the group's inputs on top
            and their overlays below (see
            :func:`~mmcoseg.visualization.group_grid`).
        """
        from mmcoseg.visualization import group_grid
        overlays = [self.overlay(img, p['mask']) for img, p in zip(images,
                                                                   preds)]
        num_groups = max(p['group'] for p in preds) + 1 if preds else 0
        grids = []
        for g in range(num_groups):
            members = [i for i, p in enumerate(preds) if p['group'] == g]
            grids.append(
                group_grid([[images[i] for i in members],
                            [overlays[i] for i in members]]))
        return overlays, grids

    @staticmethod
    def postprocess(preds: Sequence[dict],
                    names: Sequence[str],
                    overlays: Optional[Sequence[np.ndarray]] = None,
                    grids: Optional[Sequence[np.ndarray]] = None,
                    out_dir: str = '',
                    save_prob: bool = False) -> None:
        """Write the outputs under ``out_dir`` (nothing if empty).

        Args:
            preds (Sequence[dict]): Predictions from :meth:`forward`.
            names (Sequence[str]): Output stem of every prediction.
            overlays (Sequence[np.ndarray], optional): RGB overlays.
            grids (Sequence[np.ndarray], optional): RGB group grids.
            out_dir (str): Writes ``masks/<stem>.png`` (0/255),
                ``overlays/<stem>.jpg`` and ``groups/group_<k>.jpg``.
            save_prob (bool): Also write ``probs/<stem>.png``: the
                foreground probability as an 8-bit 0-255 map
                (``round(255 * p)``), the input's size, as CoSOD
                evaluation tools read predictions. Defaults to False.
        """
        if not out_dir:
            return
        subs = ('masks', 'overlays', 'groups') + (('probs', )
                                                   if save_prob else ())
        for sub in subs:
            os.makedirs(osp.join(out_dir, sub), exist_ok=True)
        for i, (pred, name) in enumerate(zip(preds, names)):
            _imwrite(osp.join(out_dir, 'masks', f'{name}.png'),
                     pred['mask'].astype(np.uint8) * 255)
            if save_prob:
                _imwrite(osp.join(out_dir, 'probs', f'{name}.png'),
                         prob_to_uint8(pred['prob']))
            if overlays is not None:
                _imwrite(osp.join(out_dir, 'overlays', f'{name}.jpg'),
                         overlays[i][..., ::-1])
        for k, grid in enumerate(grids or []):
            _imwrite(osp.join(out_dir, 'groups', f'group_{k}.jpg'),
                     grid[..., ::-1])

    def __call__(self,
                 inputs: Union[ImageInput, Sequence[ImageInput]],
                 return_vis: bool = False,
                 out_dir: str = '',
                 show: bool = False,
                 names: Optional[Sequence[str]] = None,
                 progress: Optional[Callable[[int], None]] = None,
                 save_prob: bool = False) -> dict:
        """Co-segment ``inputs``.

        Args:
            inputs: A folder, a path, an array, or a list of paths/arrays.
            return_vis (bool): Also return one grid (RGB) per group.
            out_dir (str): Folder for masks, overlays and group grids.
            show (bool): Show the group grids in a window.
            names (Sequence[str], optional): Output stems per input.
            progress (Callable[[int], None], optional): Progress callback.
            save_prob (bool): Also write the 0-255 probability maps
                ``probs/<stem>.png`` under ``out_dir`` (see
                :meth:`postprocess`). Defaults to False.

        Returns:
            dict: ``predictions`` (list of ``mask``/``prob``/``group``
            dicts, input order) and, with ``return_vis``,
            ``visualization`` (list of group grids).
        """
        images, names = self.preprocess(inputs, names)
        preds = self.forward(images, progress)
        overlays = grids = None
        if return_vis or out_dir or show:
            overlays, grids = self.visualize(images, preds)
        self.postprocess(preds, names, overlays, grids, out_dir, save_prob)
        if show:
            for k, grid in enumerate(grids):
                cv2.imshow(f'group_{k}', grid[..., ::-1])
            cv2.waitKey(0)
        out = dict(predictions=preds)
        if return_vis:
            out['visualization'] = grids
        return out


def _imwrite(path: str, image: np.ndarray) -> None:
    if not cv2.imwrite(path, np.ascontiguousarray(image)):
        raise OSError(f'cannot write {path!r}')
