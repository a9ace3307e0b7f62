"""Precision / Jaccard metric for object co-segmentation.

Co-segmentation benchmarks (iCoseg, MSRC, Internet, PASCAL-VOC co-seg)
report two per-image numbers, averaged per category and then over the
categories (the "Ave." column of the SSNM paper):

* Precision ``P``: the pixel accuracy over foreground *and* background,
  ``(TP + TN) / #valid pixels``.
* Jaccard ``J``: the foreground intersection over union,
  ``TP / (TP + FP + FN)``.

With ``protocols=('coseg', 'cosod')`` the same run also reports the
co-salient object detection measures (S-measure, max/mean E-measure, max/mean
F-measure, MAE) computed by ``pysodmetrics``
(:mod:`mmcoseg.evaluation.functional.cosod`).

The per-image functions live in :mod:`mmcoseg.evaluation.functional`.
"""
import logging
import os.path as osp
from collections import OrderedDict
from typing import Dict, Optional, Sequence, Tuple, Union

import numpy as np
from mmengine.dist import is_main_process
from mmengine.evaluator import BaseMetric
from mmengine.logging import MMLogger, print_log
from mmengine.utils import mkdir_or_exist
from torch import Tensor

from mmcoseg.registry import METRICS

from ..functional import (
    COSOD_KEYS,
    PER_IMAGE_CSV,
    PROTOCOLS,
    check_pysodmetrics,
    cosod_table,
    foreground_prob,
    image_cosod_scores,
    image_pj_counts,
    per_image_scores,
    pj_table,
    released_counts,
    round_cosod,
    save_mask_png,
    select_scored_records,
    summarize_cosod,
    summarize_pj,
    to_percent,
    write_per_image_csv,
)

__all__ = ['CoSegMetric', 'PROTOCOL_FAMILIES']

#: What :class:`CoSegMetric` can report (its ``protocols`` argument):
#: ``'coseg'``, P and J as ``protocol`` says; ``'cosod'``, the co-salient
#: object detection measures of pysodmetrics.
PROTOCOL_FAMILIES = ('coseg', 'cosod')


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

    With ``'cosod'`` in ``protocols`` (e.g. ``tools/test.py CONFIG CKPT
    --cfg-options test_evaluator.protocols=coseg,cosod``), each image's
    foreground probability map (``seg_logits``, at the original image size,
    see :func:`~mmcoseg.evaluation.functional.foreground_prob`) is
    quantised to 0-255 as CoSOD tools read it and scored by
    ``pysodmetrics`` against the ground truth (ignored pixels count as
    background); :meth:`compute_metrics` then also returns ``Sm``,
    ``maxEm``, ``meanEm``, ``maxFm``, ``meanFm`` and ``MAE`` (fractions
    rounded to 3 decimals, as the CoSOD papers print them) over *all* the
    images of the dataset, as the papers report them, and logs a second
    table with the same scores per category and an "All images" row (see
    :mod:`mmcoseg.evaluation.functional.cosod`).

    With ``keep_results=True`` (``tools/test.py --out DIR``), the main
    process also writes ``<output_dir>/per_image_scores.csv`` in
    :meth:`compute_metrics`: header ``category_name,img_path,P,J``, one row
    per scored image sorted by category (index, as the table) then path,
    ``P``/``J`` in percent, unrounded: the per-image values that
    ``'paper'`` averages; for ``'released'`` its own per-image values; for
    ``'pooled'`` the ``'paper'`` ones (pooling has no per-image value). It
    is written to a temporary file, then :func:`os.replace`-d into place.

    Args:
        ignore_index (int): Ground-truth value left out of the evaluation.
            Defaults to 255.
        protocol (str): ``'paper'``, ``'released'`` or ``'pooled'`` (see
            above). Defaults to ``'paper'``.
        protocols (str | Sequence[str]): What to report, any of
            ``'coseg'`` (P and J under ``protocol``) and ``'cosod'`` (the
            CoSOD measures, needs ``pip install "mmcoseg[evaluation]"``).
            A string is one protocol. Defaults to ``('coseg', )``.
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
        keep_results (bool): If True, also write the per-image scores to
            ``<output_dir>/per_image_scores.csv`` (see above); needs
            ``output_dir``, else a ValueError is raised. ``tools/test.py
            --out DIR`` (ours and mmseg's) sets it with ``output_dir=DIR``.
            The masks are written whenever ``output_dir`` is given, whatever
            ``keep_results``. Defaults to False.
        **kwargs: Further arguments of :class:`mmengine.evaluator.BaseMetric`
            (e.g. ``collect_dir``).

    Example:
        >>> from mmcoseg.registry import METRICS
        >>> metric = METRICS.build(dict(type='CoSegMetric'))  # doctest: +SKIP
    """

    def __init__(self,
                 ignore_index: int = 255,
                 protocol: str = 'paper',
                 protocols: Union[str, Sequence[str]] = ('coseg', ),
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
        self.protocols = self._check_protocols(protocols)
        if keep_results and not output_dir:
            raise ValueError('CoSegMetric: `keep_results=True` needs '
                             '`output_dir` (the folder of the masks and of '
                             f'{PER_IMAGE_CSV}), got output_dir='
                             f'{output_dir!r}')
        self.output_dir = output_dir
        self.keep_results = keep_results
        if self.output_dir and is_main_process():
            mkdir_or_exist(self.output_dir)

    @staticmethod
    def _check_protocols(
            protocols: Union[str, Sequence[str]]) -> Tuple[str, ...]:
        """Validate ``protocols``; return them as a tuple."""
        if isinstance(protocols, str):
            protocols = (protocols, )
        protocols = tuple(protocols)
        unknown = [p for p in protocols if p not in PROTOCOL_FAMILIES]
        if not protocols or unknown:
            raise ValueError(
                f'CoSegMetric: protocols must be a non-empty subset of '
                f'{PROTOCOL_FAMILIES}, got {protocols!r}')
        if 'cosod' in protocols:
            check_pysodmetrics()
        return protocols

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
            prob = None
            if self.protocol == 'released' or 'cosod' in self.protocols:
                if 'seg_logits' not in data_sample:
                    raise KeyError(
                        f'CoSegMetric(protocol={self.protocol!r}, '
                        f'protocols={self.protocols!r}) needs the '
                        '`seg_logits` of the data samples')
                prob = foreground_prob(data_sample['seg_logits']['data'])
            if self.protocol == 'released':
                tp, fp, fn, tn = released_counts(prob, gt, self.ignore_index)
            else:
                tp, fp, fn, tn = image_pj_counts(pred, gt, self.ignore_index)
            category = data_sample.get('category')
            if self.output_dir:
                self._save_pred(pred, data_sample, category)
            record = {
                'category': -1 if category is None else int(category),
                'category_name': data_sample.get('category_name'),
                'img_path': data_sample.get('img_path'),
                'tp': tp,
                'fp': fp,
                'fn': fn,
                'tn': tn,
            }
            if 'cosod' in self.protocols:
                record['cosod'] = image_cosod_scores(prob, gt,
                                                     self.ignore_index)
            records.append(record)
        self.results.append(records)

    def _save_pred(self, pred: Union[Tensor, np.ndarray], data_sample: dict,
                   category: Optional[int]) -> None:
        """Write a prediction as a 0/255 PNG under ``output_dir``."""
        name = data_sample.get('category_name')
        if name is None:
            name = 'unknown' if category is None else self._category_name(
                int(category), None)
        stem = osp.splitext(osp.basename(
            data_sample.get('img_path') or 'pred'))[0]
        save_mask_png(pred, osp.join(self.output_dir, str(name),
                                     stem + '.png'))

    def _category_name(self, category: int,
                       fallback: Optional[str]) -> str:
        """Name of a category index, from ``dataset_meta`` if possible."""
        classes = (self.dataset_meta or {}).get('classes')
        if classes is not None and 0 <= category < len(classes):
            return str(classes[category])
        if fallback is not None:
            return str(fallback)
        return str(category)

    def compute_metrics(self, results: list) -> Dict[str, float]:
        """Compute P and J from the collected per-image pixel counts.

        With ``keep_results=True``, also writes
        ``<output_dir>/per_image_scores.csv`` (see the class docstring).

        Args:
            results (list): The entries added by :meth:`process`, gathered
                from all ranks.

        Returns:
            Dict[str, float]: With ``'coseg'`` in ``protocols``: ``P``,
            ``J``, ``P_img`` and ``J_img`` as defined by ``self.protocol``
            (see the class docstring), in percent rounded to 2 decimals;
            with ``'cosod'``: ``Sm``, ``maxEm``, ``meanEm``, ``maxFm``,
            ``meanFm`` and ``MAE`` over all images, rounded to 3 decimals.
            All are NaN when there is no image to score.
        """
        logger: MMLogger = MMLogger.get_current_instance()

        per_category, num_dup, num_no_valid = select_scored_records(results)
        names = {
            category: self._category_name(category,
                                          records[0].get('category_name'))
            for category, records in per_category.items()
        }
        if num_dup:
            print_log(f'CoSegMetric: skipped {num_dup} duplicated image '
                      'result(s).', logger)
        if num_no_valid:
            print_log(
                f'CoSegMetric: skipped {num_no_valid} image(s) whose pixels '
                'are all ignored.',
                logger,
                level=logging.WARNING)
        if self.keep_results:
            csv_path = osp.join(self.output_dir, PER_IMAGE_CSV)
            write_per_image_csv(per_image_scores(per_category, names),
                                csv_path)
            print_log(f'CoSegMetric: per-image scores written to {csv_path}',
                      logger)
        if not per_category:
            print_log('CoSegMetric: no image to evaluate.', logger,
                      level=logging.WARNING)
            keys = []
            if 'coseg' in self.protocols:
                keys += ['P', 'J', 'P_img', 'J_img']
            if 'cosod' in self.protocols:
                keys += list(COSOD_KEYS)
            return OrderedDict((k, float('nan')) for k in keys)

        metrics: Dict[str, float] = OrderedDict()
        if 'coseg' in self.protocols:
            metrics.update(self._coseg_metrics(per_category, names, logger))
        if 'cosod' in self.protocols:
            summary = summarize_cosod(per_category)
            print_log('per category results (protocol: cosod, "All images" '
                      'is the score over all images, as CoSOD papers '
                      'report):', logger)
            print_log('\n' + cosod_table(summary, names).get_string(),
                      logger=logger)
            metrics.update(
                (k, round_cosod(summary.overall[k])) for k in COSOD_KEYS)
        return metrics

    def _coseg_metrics(self, per_category: Dict[int, list],
                       names: Dict[int, str],
                       logger: MMLogger) -> Dict[str, float]:
        """Log the P/J table; return P, J, P_img and J_img in percent."""
        summary = summarize_pj(per_category, self.protocol)
        table = pj_table(summary, names, self.protocol)
        print_log(f'per category results (protocol: {self.protocol}):',
                  logger)
        print_log('\n' + table.get_string(), logger=logger)
        img_p, img_j = summary.img
        img_kind = ('pooled over all pixels'
                    if self.protocol == 'pooled' else 'mean over images')
        print_log(
            f'per image results (protocol: {self.protocol}, {img_kind}): '
            f'P_img {to_percent(img_p)}, J_img {to_percent(img_j)} '
            f'({summary.num_images} images)', logger)

        ave_p, ave_j = summary.ave
        return OrderedDict(
            P=to_percent(ave_p),
            J=to_percent(ave_j),
            P_img=to_percent(img_p),
            J_img=to_percent(img_j))
