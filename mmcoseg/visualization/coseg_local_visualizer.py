"""Visualizer for binary co-segmentation maps."""
from typing import Dict, List, Optional, Sequence

import cv2
import mmcv
import numpy as np
import torch
from mmengine.dist import master_only
from mmengine.structures import PixelData
from mmengine.visualization import Visualizer
from mmseg.structures import SegDataSample
from mmseg.utils import get_classes, get_palette
from mmseg.visualization import SegLocalVisualizer

from mmcoseg.registry import VISUALIZERS

Color = Sequence[int]


@VISUALIZERS.register_module()
class CoSegLocalVisualizer(SegLocalVisualizer):
    """Local visualizer for binary (0/1) co-segmentation maps.

    :class:`~mmseg.visualization.SegLocalVisualizer` paints every label id
    with ``dataset_meta['classes']`` and ``palette``. In co-segmentation the
    maps are binary (0 background, 1 common object, ``ignore_index`` in the
    ground truth) while ``classes`` lists the *category* names, so that
    would name pixels after the wrong classes. This visualizer instead:

    * blends ``fg_color`` over the foreground pixels only (any value other
      than 0 and ``ignore_index``); background and ignored pixels keep the
      image colours;
    * marks the foreground contour with ``contour_color``, drawn inside the
      foreground so that background pixels stay untouched;
    * when ``with_labels`` is True, writes the group's category name (the
      data sample's ``category_name``, else
      ``dataset_meta['classes'][category]``, else nothing) in a small box
      at the top-left corner, the only thing drawn outside the foreground.

    :meth:`add_datasample` keeps mmseg's signature and layout (ground truth
    on the left, prediction on the right), so ``SegVisualizationHook`` and
    ``tools/test.py --show-dir`` work unchanged. Colours are RGB, like the
    images the visualizer draws on.

    Args:
        name (str): Name of the instance. Defaults to 'visualizer'.
        image (np.ndarray, optional): The origin image to draw, RGB.
            Defaults to None.
        vis_backends (list, optional): Visual backend config list.
            Defaults to None.
        save_dir (str, optional): Save file dir for all storage backends.
            Defaults to None.
        classes (list, optional): Category names, used only to name a data
            sample without ``category_name``. Defaults to None.
        palette (list, optional): Kept for compatibility with
            ``SegLocalVisualizer``; unused for drawing. Defaults to None.
        dataset_name (str, optional): Dataset name whose classes and palette
            fill ``dataset_meta`` when ``classes``/``palette`` are not given.
            Defaults to None (no default classes).
        alpha (float): Opacity of the foreground overlay. Defaults to 0.5.
        fg_color (Sequence[int]): RGB colour of the foreground overlay.
            Defaults to (255, 0, 0) (red).
        contour_color (Sequence[int], optional): RGB colour of the
            foreground contour; None draws no contour. Defaults to
            (255, 255, 0) (yellow).
        contour_thickness (int): Contour width in pixels. Defaults to 2.
        text_color (Sequence[int]): RGB colour of the category label.
            Defaults to (255, 255, 255).
        text_bg_color (Sequence[int]): RGB colour of the label box.
            Defaults to (0, 0, 0).
        ignore_index (int): Ground-truth value that is not foreground.
            Defaults to 255.

    Examples:
        >>> import numpy as np
        >>> import torch
        >>> from mmengine.structures import PixelData
        >>> from mmseg.structures import SegDataSample
        >>> sample = SegDataSample(metainfo=dict(category_name='cow'))
        >>> sample.pred_sem_seg = PixelData(
        ...     data=torch.randint(0, 2, (1, 10, 12)))
        >>> image = np.zeros((10, 12, 3), dtype=np.uint8)
        >>> vis = CoSegLocalVisualizer()
        >>> vis.add_datasample('demo', image, sample, out_file='demo.png')
    """

    def __init__(self,
                 name: str = 'visualizer',
                 image: Optional[np.ndarray] = None,
                 vis_backends: Optional[List[Dict]] = None,
                 save_dir: Optional[str] = None,
                 classes: Optional[List] = None,
                 palette: Optional[List] = None,
                 dataset_name: Optional[str] = None,
                 alpha: float = 0.5,
                 fg_color: Color = (255, 0, 0),
                 contour_color: Optional[Color] = (255, 255, 0),
                 contour_thickness: int = 2,
                 text_color: Color = (255, 255, 255),
                 text_bg_color: Color = (0, 0, 0),
                 ignore_index: int = 255,
                 **kwargs) -> None:
        # SegLocalVisualizer.__init__ forces cityscapes classes and a
        # palette of the same length; neither applies to binary maps.
        Visualizer.__init__(self, name, image, vis_backends, save_dir,
                            **kwargs)
        if not 0 <= alpha <= 1:
            raise ValueError(f'alpha must be in [0, 1], got {alpha}')
        self.alpha: float = alpha
        self.fg_color = tuple(int(c) for c in fg_color)
        self.contour_color = (None if contour_color is None else tuple(
            int(c) for c in contour_color))
        self.contour_thickness = int(contour_thickness)
        self.text_color = tuple(int(c) for c in text_color)
        self.text_bg_color = tuple(int(c) for c in text_bg_color)
        self.ignore_index = ignore_index
        self.set_dataset_meta(classes, palette, dataset_name)

    def set_dataset_meta(self,
                         classes: Optional[List] = None,
                         palette: Optional[List] = None,
                         dataset_name: Optional[str] = None) -> None:
        """Set meta information to the visualizer.

        Unlike ``SegLocalVisualizer`` nothing defaults to cityscapes and the
        palette is optional: only ``classes`` (category names) is used.

        Args:
            classes (list, optional): Category names. Defaults to None.
            palette (list, optional): Palette, stored but unused.
                Defaults to None.
            dataset_name (str, optional): Dataset name or alias used to fill
                ``classes``/``palette`` when they are not given.
                Defaults to None.
        """
        if dataset_name is not None:
            classes = classes if classes else get_classes(dataset_name)
            palette = palette if palette else get_palette(dataset_name)
        meta = {}
        if classes:
            meta['classes'] = classes
        if palette:
            meta['palette'] = palette
        self.dataset_meta = meta

    def _category_text(self, data_sample: Optional[SegDataSample]
                       ) -> Optional[str]:
        """Category name of a data sample, or None when unknown."""
        if data_sample is None:
            return None
        name = data_sample.get('category_name')
        if name:
            return str(name)
        category = data_sample.get('category')
        classes = (self.dataset_meta or {}).get('classes')
        if category is not None and classes is not None and \
                0 <= int(category) < len(classes):
            return str(classes[int(category)])
        return None

    def _foreground_mask(self, sem_seg: PixelData,
                         shape: Sequence[int]) -> np.ndarray:
        """Boolean ``(H, W)`` foreground of a binary map, at ``shape``."""
        seg = sem_seg.cpu().data
        if isinstance(seg, torch.Tensor):
            seg = seg.numpy()
        seg = np.asarray(seg)
        if seg.ndim == 3:
            seg = seg[0]
        fg = (seg != 0) & (seg != self.ignore_index)
        if fg.shape != tuple(shape):
            fg = cv2.resize(
                fg.astype(np.uint8), (shape[1], shape[0]),
                interpolation=cv2.INTER_NEAREST).astype(bool)
        return fg

    def _draw_label(self, image: np.ndarray, text: str) -> np.ndarray:
        """Write ``text`` in a filled box at the top-left corner."""
        height, width = image.shape[:2]
        font = cv2.FONT_HERSHEY_SIMPLEX
        font_scale = max(min(height, width) / 500, 0.3)
        thickness = 1 if min(height, width) < 300 else 2
        (text_w, text_h), baseline = cv2.getTextSize(text, font, font_scale,
                                                     thickness)
        pad = max(thickness, 2)
        cv2.rectangle(image, (0, 0),
                      (text_w + 2 * pad, text_h + baseline + 2 * pad),
                      self.text_bg_color, -1)
        cv2.putText(image, text, (pad, pad + text_h), font, font_scale,
                    self.text_color, thickness, cv2.LINE_AA)
        return image

    def draw_coseg(self,
                   image: np.ndarray,
                   sem_seg: PixelData,
                   text: Optional[str] = None,
                   color: Optional[Color] = None) -> np.ndarray:
        """Draw the foreground of a binary map over ``image``.

        Args:
            image (np.ndarray): RGB image, shape ``(H, W, 3)``.
            sem_seg (PixelData): Binary map, data shape ``(1, H, W)``.
            text (str, optional): Label to write at the top-left corner.
                Defaults to None.
            color (Sequence[int], optional): RGB overlay colour; defaults
                to ``fg_color``.

        Returns:
            np.ndarray: The drawn RGB image (``image`` is not modified).
        """
        drawn = np.ascontiguousarray(image, dtype=np.uint8).copy()
        fg = self._foreground_mask(sem_seg, drawn.shape[:2])
        if fg.any():
            color = np.asarray(color or self.fg_color, dtype=np.float32)
            blended = drawn[fg].astype(np.float32) * (1 - self.alpha) + \
                color * self.alpha
            drawn[fg] = np.clip(np.round(blended), 0, 255).astype(np.uint8)
            if self.contour_color is not None and self.contour_thickness > 0:
                contours, _ = cv2.findContours(
                    fg.astype(np.uint8), cv2.RETR_EXTERNAL,
                    cv2.CHAIN_APPROX_NONE)
                edge = np.zeros(fg.shape, dtype=np.uint8)
                cv2.drawContours(edge, contours, -1, 1,
                                 self.contour_thickness)
                edge = edge.astype(bool) & fg
                drawn[edge] = self.contour_color
        if text:
            drawn = self._draw_label(drawn, text)
        return drawn

    @master_only
    def add_datasample(
            self,
            name: str,
            image: np.ndarray,
            data_sample: Optional[SegDataSample] = None,
            draw_gt: bool = True,
            draw_pred: bool = True,
            show: bool = False,
            wait_time: float = 0,
            out_file: Optional[str] = None,
            step: int = 0,
            with_labels: Optional[bool] = True) -> None:
        """Draw a data sample and save it to all backends or ``out_file``.

        - If GT and prediction are both drawn, they are stitched side by
          side: ground truth on the left, prediction on the right.
        - If ``show`` is True, the drawn image is displayed in a window.
        - If ``out_file`` is given, the drawn image is written there (BGR
          file, as mmseg does); otherwise it goes to the visual backends.

        Args:
            name (str): The image identifier.
            image (np.ndarray): The RGB image to draw on.
            data_sample (SegDataSample, optional): Sample with
                ``gt_sem_seg`` and/or ``pred_sem_seg`` (binary maps at the
                image size) and optionally ``category_name``/``category``.
                Defaults to None.
            draw_gt (bool): Whether to draw the ground truth.
                Defaults to True.
            draw_pred (bool): Whether to draw the prediction.
                Defaults to True.
            show (bool): Whether to display the drawn image.
                Defaults to False.
            wait_time (float): The interval of show (s). Defaults to 0.
            out_file (str, optional): Path to output file. Defaults to None.
            step (int): Global step value to record. Defaults to 0.
            with_labels (bool, optional): Whether to write the category name.
                Defaults to True.
        """
        text = self._category_text(data_sample) if with_labels else None

        gt_img_data = None
        pred_img_data = None
        if draw_gt and data_sample is not None and \
                'gt_sem_seg' in data_sample:
            gt_img_data = self.draw_coseg(image, data_sample.gt_sem_seg,
                                           text)
        if draw_pred and data_sample is not None and \
                'pred_sem_seg' in data_sample:
            pred_img_data = self.draw_coseg(image, data_sample.pred_sem_seg,
                                             text)

        if gt_img_data is not None and pred_img_data is not None:
            drawn_img = np.concatenate((gt_img_data, pred_img_data), axis=1)
        elif gt_img_data is not None:
            drawn_img = gt_img_data
        elif pred_img_data is not None:
            drawn_img = pred_img_data
        else:
            drawn_img = np.ascontiguousarray(image, dtype=np.uint8)
        self.set_image(drawn_img)

        if show:
            self.show(drawn_img, win_name=name, wait_time=wait_time)

        if out_file is not None:
            mmcv.imwrite(mmcv.rgb2bgr(drawn_img), out_file)
        else:
            self.add_image(name, drawn_img, step)
