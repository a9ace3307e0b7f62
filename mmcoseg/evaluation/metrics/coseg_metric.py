"""Precision / Jaccard metric for object co-segmentation.

Co-segmentation benchmarks (iCoseg, MSRC, Internet, PASCAL-VOC co-seg)
report two per-image numbers, averaged per category and then over the
categories (the "Ave." column of the SSNM paper):

* Precision ``P``: the pixel accuracy over foreground *and* background,
  ``(TP + TN) / #valid pixels``.
* Jaccard ``J``: the foreground intersection over union,
  ``TP / (TP + FP + FN)``.
"""
import logging
import os.path as osp
from collections import OrderedDict
from typing import Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
import torch
from mmengine.dist import is_main_process
from mmengine.evaluator import BaseMetric
from mmengine.logging import MMLogger, print_log
from mmengine.utils import mkdir_or_exist
from PIL import Image
from prettytable import PrettyTable
from torch import Tensor
from torch.nn import functional as F

from mmcoseg.registry import METRICS

PROTOCOLS = ('paper', 'released', 'pooled')


def _as_2d_tensor(seg_map: Union[Tensor, np.ndarray], name: str) -> Tensor:
    """Convert a ``(H, W)`` or ``(1, H, W)`` map to a 2-D tensor."""
    if not isinstance(seg_map, Tensor):
        seg_map = torch.from_numpy(np.asarray(seg_map))
    if seg_map.ndim == 3 and seg_map.shape[0] == 1:
        seg_map = seg_map[0]
    if seg_map.ndim != 2:
        raise ValueError(f'`{name}` must have shape (H, W) or (1, H, W), '
                         f'got {tuple(seg_map.shape)}')
    return seg_map


def image_pj_counts(pred: Union[Tensor, np.ndarray],
                    gt: Union[Tensor, np.ndarray],
                    ignore_index: int = 255) -> Tuple[int, int, int, int]:
    """Count the foreground/background confusion pixels of one image.

    Pixels whose ground truth equals ``ignore_index`` are left out. Any other
    non-zero value counts as foreground, in the prediction and in the ground
    truth alike (co-segmentation maps hold 0 for background and 1 for the
    common object).

    Args:
        pred (Union[Tensor, np.ndarray]): Predicted map, shape ``(H, W)`` or
            ``(1, H, W)``.
        gt (Union[Tensor, np.ndarray]): Ground-truth map of the same size.
        ignore_index (int): Ground-truth value to leave out. Defaults to 255.

    Returns:
        Tuple[int, int, int, int]: ``(tp, fp, fn, tn)`` pixel counts.

    Example:
        >>> import numpy as np
        >>> pred = np.array([[1, 1, 0], [0, 0, 0]])
        >>> gt = np.array([[1, 0, 255], [1, 0, 0]])
        >>> image_pj_counts(pred, gt)
        (1, 1, 1, 2)
    """
    pred = _as_2d_tensor(pred, 'pred')
    gt = _as_2d_tensor(gt, 'gt').to(pred.device)
    if pred.shape != gt.shape:
        raise ValueError(f'pred shape {tuple(pred.shape)} does not match gt '
                         f'shape {tuple(gt.shape)}')
    valid = gt != ignore_index
    pred_fg = (pred != 0) & valid
    gt_fg = (gt != 0) & valid
    tp = pred_fg & gt_fg
    fp = pred_fg & ~gt_fg
    fn = ~pred_fg & gt_fg
    counts = torch.stack([tp.sum(), fp.sum(), fn.sum(), valid.sum()]).tolist()
    n_tp, n_fp, n_fn, n_valid = (int(c) for c in counts)
    return n_tp, n_fp, n_fn, n_valid - n_tp - n_fp - n_fn


def released_counts(prob: Union[Tensor, np.ndarray],
                    gt: Union[Tensor, np.ndarray],
                    ignore_index: int = 255,
                    size: int = 224,
                    max_thr: float = 0.8) -> Tuple[int, int, int, int]:
    """Pixel counts of one image as the paper's released evaluation code.

    The foreground probability map is resized to ``size x size`` (bilinear,
    ``align_corners=False``), the ground truth likewise (nearest), the map
    is binarised at the adaptive threshold ``min(mean + std, max_thr)`` of
    the resized map (population std; a pixel is foreground when its
    probability is strictly greater than the threshold), then counted with
    :func:`image_pj_counts`.

    Args:
        prob (Union[Tensor, np.ndarray]): Foreground probability map, shape
            ``(H, W)`` or ``(1, H, W)``.
        gt (Union[Tensor, np.ndarray]): Ground-truth map, same ``H, W``.
        ignore_index (int): Ground-truth value to leave out.
        size (int): Side of the square evaluation size. Defaults to 224.
        max_thr (float): Upper bound of the threshold. Defaults to 0.8.

    Returns:
        Tuple[int, int, int, int]: ``(tp, fp, fn, tn)`` at ``size x size``.
    """
    prob = _as_2d_tensor(prob, 'prob').float()
    gt = _as_2d_tensor(gt, 'gt').to(prob.device)
    if prob.shape != gt.shape:
        raise ValueError(f'prob shape {tuple(prob.shape)} does not match gt '
                         f'shape {tuple(gt.shape)}')
    prob = F.interpolate(
        prob[None, None], size=(size, size), mode='bilinear',
        align_corners=False)[0, 0]
    gt = F.interpolate(
        gt[None, None].float(), size=(size, size), mode='nearest')[0, 0]
    thr = min(float(prob.mean() + prob.std(unbiased=False)), max_thr)
    return image_pj_counts((prob > thr).long(), gt.long(), ignore_index)


def _foreground_prob(seg_logits: Union[Tensor, np.ndarray]) -> Tensor:
    """Foreground probability map from a data sample's ``seg_logits``.

    A one-channel head's ``seg_logits`` already holds sigmoid probabilities
    in MMSeg 1.2.2; a two-channel head's holds logits, turned into the
    softmax probability of class 1.
    """
    if not isinstance(seg_logits, Tensor):
        seg_logits = torch.from_numpy(np.asarray(seg_logits))
    if seg_logits.ndim == 3 and seg_logits.shape[0] == 2:
        return seg_logits.float().softmax(dim=0)[1]
    return _as_2d_tensor(seg_logits, 'seg_logits')


def counts_to_pj(tp: int, fp: int, fn: int,
                 tn: int) -> Tuple[float, float]:
    """Turn the pixel counts of one image into its Precision and Jaccard.

    Args:
        tp (int): Foreground pixels predicted as foreground.
        fp (int): Background pixels predicted as foreground.
        fn (int): Foreground pixels predicted as background.
        tn (int): Background pixels predicted as background.

    Returns:
        Tuple[float, float]: ``(P, J)`` as fractions in ``[0, 1]``. ``P`` is
        NaN when the image has no valid pixel. ``J`` is 1.0 when neither the
        prediction nor the ground truth has any foreground pixel (the
        prediction is then exactly right), so that such images do not turn
        the averages into NaN.
    """
    valid = tp + fp + fn + tn
    precision = (tp + tn) / valid if valid > 0 else float('nan')
    union = tp + fp + fn
    jaccard = tp / union if union > 0 else 1.0
    return precision, jaccard


@METRICS.register_module()
class CoSegMetric(BaseMetric):
    """Precision (P) and Jaccard (J) metric for object co-segmentation.

    Three evaluation protocols are available (``protocol``); the logged
    table names the one used:

    * ``'paper'`` (default): per-image P and J of the model's binary
      prediction (``pred_sem_seg``, thresholded by the model, at 0.5 for a
      one-channel head) at the original image size, averaged per category;
      ``P``/``J`` are the mean over categories ("Ave."), ``P_img``/``J_img``
      the mean over images.
    * ``'released'``: as the paper's released evaluation code. The
      foreground probability map (``seg_logits``: sigmoid probabilities for
      a one-channel head in MMSeg 1.2.2) and the ground truth are resized to
      224x224 (bilinear / nearest), each map is binarised at its own
      adaptive threshold ``min(mean + std, 0.8)`` (see
      :func:`released_counts`), per-image P and J are computed and averaged
      over *all* images of the dataset: ``P``/``J`` are that image mean
      (``P_img``/``J_img`` equal them). The table still lists the per-
      category means, for information.
    * ``'pooled'``: per category, one confusion matrix over all the pixels
      of all its images (TP/FP/FN/TN summed over the images, then P and J);
      ``P``/``J`` are the mean over categories and ``P_img``/``J_img`` are
      computed from the counts pooled over every pixel of the dataset.
      Large images weigh more than small ones.

    For every image the metric counts TP/FP/FN/TN pixels with
    :func:`image_pj_counts` (ground-truth pixels equal to ``ignore_index``
    are left out) and keeps only those four numbers. Per image:

    * ``P = (TP + TN) / (TP + FP + FN + TN)``, the pixel accuracy over
      foreground and background;
    * ``J = TP / (TP + FP + FN)``, with ``J = 1`` when both the prediction
      and the ground truth have no foreground pixel.

    Images whose every pixel is ignored have no P and are left out of the
    averages (a warning is logged).

    Data samples with ``is_padding=True`` (images repeated only to fill up a
    test group) are never scored. Each image is scored once: results are
    deduplicated by ``(category, img_path)``, keeping the first, so images
    repeated by the distributed sampler or appearing in several groups are
    not counted twice.

    :meth:`compute_metrics` returns, in percent rounded to 2 decimals:

    * ``P`` / ``J``: mean over categories of the per-category mean over
      images (the "Ave." of co-segmentation papers);
    * ``P_img`` / ``J_img``: mean over all images.

    It also logs a per-category table (category, #images, P, J) ending
    with an "Ave." row.

    Args:
        ignore_index (int): Ground-truth value left out of the evaluation.
            Defaults to 255.
        protocol (str): ``'paper'``, ``'released'`` or ``'pooled'`` (see
            above). Defaults to ``'paper'``.
        collect_device (str): Device name used for collecting results from
            different ranks during distributed training. Must be 'cpu' or
            'gpu'. Defaults to 'cpu'.
        prefix (str, optional): The prefix that will be added in the metric
            names to disambiguate homonymous metrics of different evaluators.
            Defaults to None.
        output_dir (str, optional): If given, every scored prediction is
            also written there as an 8-bit PNG mask (0 background, 255
            foreground) at ``<output_dir>/<category_name>/<image stem>.png``
            (``tools/test.py --out``). Defaults to None.
        keep_results (bool): Accepted for ``tools/test.py --out`` (which
            sets it, as for mmseg's ``IoUMetric``); the written masks are
            always kept. Defaults to False.
        **kwargs: Further arguments of :class:`mmengine.evaluator.BaseMetric`
            (e.g. ``collect_dir``).

    Example:
        >>> from mmcoseg.registry import METRICS
        >>> metric = METRICS.build(dict(type='CoSegMetric'))  # doctest: +SKIP
    """

    def __init__(self,
                 ignore_index: int = 255,
                 protocol: str = 'paper',
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None,
                 output_dir: Optional[str] = None,
                 keep_results: bool = False,
                 **kwargs) -> None:
        super().__init__(
            collect_device=collect_device, prefix=prefix, **kwargs)
        if protocol not in PROTOCOLS:
            raise ValueError(f'Unknown CoSegMetric protocol {protocol!r}; '
                             f'allowed: {", ".join(PROTOCOLS)}')
        self.ignore_index = ignore_index
        self.protocol = protocol
        self.output_dir = output_dir
        if self.output_dir and is_main_process():
            mkdir_or_exist(self.output_dir)

    def process(self, data_batch: dict, data_samples: Sequence[dict]) -> None:
        """Count the confusion pixels of every image of a batch.

        One entry (the list of the per-image records of the batch) is added
        to ``self.results`` per call. Since a batch never holds fewer than
        one dataset item, ``collect_results`` truncating to the dataset
        length cannot drop real results, whether the dataset yields single
        images or whole groups.

        Args:
            data_batch (dict): A batch of data from the dataloader (unused).
            data_samples (Sequence[dict]): The model outputs, as
                ``SegDataSample.to_dict()`` dicts with ``pred_sem_seg``,
                ``gt_sem_seg`` and the co-segmentation metainfo.
        """
        records = []
        for data_sample in data_samples:
            if data_sample.get('is_padding', False):
                continue
            pred = data_sample['pred_sem_seg']['data']
            gt = data_sample['gt_sem_seg']['data']
            if self.protocol == 'released':
                if 'seg_logits' not in data_sample:
                    raise KeyError('CoSegMetric(protocol="released") needs '
                                   'the `seg_logits` of the data samples')
                prob = _foreground_prob(data_sample['seg_logits']['data'])
                tp, fp, fn, tn = released_counts(prob, gt, self.ignore_index)
            else:
                tp, fp, fn, tn = image_pj_counts(pred, gt, self.ignore_index)
            category = data_sample.get('category')
            if self.output_dir:
                self._save_pred(pred, data_sample, category)
            records.append({
                'category': -1 if category is None else int(category),
                'category_name': data_sample.get('category_name'),
                'img_path': data_sample.get('img_path'),
                'tp': tp,
                'fp': fp,
                'fn': fn,
                'tn': tn,
            })
        self.results.append(records)

    def _save_pred(self, pred: Union[Tensor, np.ndarray], data_sample: dict,
                   category: Optional[int]) -> None:
        """Write a prediction as a 0/255 PNG under ``output_dir``."""
        fg = _as_2d_tensor(pred, 'pred').cpu().numpy() != 0
        name = data_sample.get('category_name')
        if name is None:
            name = 'unknown' if category is None else self._category_name(
                int(category), None)
        stem = osp.splitext(osp.basename(
            data_sample.get('img_path') or 'pred'))[0]
        folder = osp.join(self.output_dir, str(name))
        mkdir_or_exist(folder)
        Image.fromarray(fg.astype(np.uint8) * 255, 'L').save(
            osp.join(folder, stem + '.png'))

    def _category_name(self, category: int,
                       fallback: Optional[str]) -> str:
        """Name of a category index, from ``dataset_meta`` if possible."""
        classes = (self.dataset_meta or {}).get('classes')
        if classes is not None and 0 <= category < len(classes):
            return str(classes[category])
        if fallback is not None:
            return str(fallback)
        return str(category)

    @staticmethod
    def _flatten(results: list) -> List[dict]:
        """Flatten per-batch record lists (single records are accepted)."""
        records = []
        for entry in results:
            if isinstance(entry, dict):
                records.append(entry)
            else:
                records.extend(entry)
        return records

    def compute_metrics(self, results: list) -> Dict[str, float]:
        """Compute P and J from the collected per-image pixel counts.

        Args:
            results (list): The entries added by :meth:`process`, gathered
                from all ranks.

        Returns:
            Dict[str, float]: ``P``, ``J``, ``P_img`` and ``J_img`` as
            defined by ``self.protocol`` (see the class docstring), in
            percent rounded to 2 decimals. All are NaN when there is no
            image to score.
        """
        logger: MMLogger = MMLogger.get_current_instance()

        seen = set()
        per_category: Dict[int, List[Tuple[int, int, int, int]]] = {}
        names: Dict[int, Optional[str]] = {}
        num_dup = num_no_valid = 0
        for record in self._flatten(results):
            category = record['category']
            img_path = record.get('img_path')
            if img_path is not None:
                key = (category, img_path)
                if key in seen:
                    num_dup += 1
                    continue
                seen.add(key)
            counts = (record['tp'], record['fp'], record['fn'], record['tn'])
            if sum(counts) == 0:
                num_no_valid += 1
                continue
            per_category.setdefault(category, []).append(counts)
            names.setdefault(category, record.get('category_name'))

        if num_dup:
            print_log(f'CoSegMetric: skipped {num_dup} duplicated image '
                      'result(s).', logger)
        if num_no_valid:
            print_log(
                f'CoSegMetric: skipped {num_no_valid} image(s) whose pixels '
                'are all ignored.',
                logger,
                level=logging.WARNING)
        if not per_category:
            print_log('CoSegMetric: no image to evaluate.', logger,
                      level=logging.WARNING)
            nan = float('nan')
            return OrderedDict(P=nan, J=nan, P_img=nan, J_img=nan)

        table = PrettyTable()
        table.title = f'protocol: {self.protocol}'
        table.field_names = ['Category', '#Img', 'P', 'J']
        cat_scores = []
        image_scores = []
        for category in sorted(per_category):
            counts = np.asarray(per_category[category], dtype=np.int64)
            scores = np.asarray([counts_to_pj(*c) for c in counts.tolist()],
                                dtype=np.float64)
            image_scores.append(scores)
            if self.protocol == 'pooled':
                cat_p, cat_j = counts_to_pj(*counts.sum(axis=0).tolist())
            else:
                cat_p, cat_j = scores.mean(axis=0)
            cat_scores.append((cat_p, cat_j))
            table.add_row([
                self._category_name(category, names[category]),
                len(counts),
                _percent(cat_p),
                _percent(cat_j)
            ])
        num_images = sum(len(s) for s in image_scores)
        if self.protocol == 'pooled':
            total = np.concatenate(
                [np.asarray(c, dtype=np.int64) for c in per_category.values()])
            img_p, img_j = counts_to_pj(*total.sum(axis=0).tolist())
        else:
            img_p, img_j = np.concatenate(image_scores).mean(axis=0)
        if self.protocol == 'released':
            ave_p, ave_j = img_p, img_j
        else:
            ave_p, ave_j = np.mean(cat_scores, axis=0)
        table.add_row(['Ave.', num_images, _percent(ave_p), _percent(ave_j)])

        print_log(f'per category results (protocol: {self.protocol}):',
                  logger)
        print_log('\n' + table.get_string(), logger=logger)
        img_kind = ('pooled over all pixels'
                    if self.protocol == 'pooled' else 'mean over images')
        print_log(
            f'per image results (protocol: {self.protocol}, {img_kind}): '
            f'P_img {_percent(img_p)}, J_img {_percent(img_j)} '
            f'({num_images} images)', logger)

        return OrderedDict(
            P=_percent(ave_p),
            J=_percent(ave_j),
            P_img=_percent(img_p),
            J_img=_percent(img_j))


def _percent(value: float) -> float:
    """Fraction -> percent, rounded to 2 decimals like mmseg."""
    return float(np.round(float(value) * 100, 2))
