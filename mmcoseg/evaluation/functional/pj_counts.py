"""Per-image pixel counts, Precision and Jaccard of co-segmentation.

Pure functions on one image, free of any metric state, used by
:class:`mmcoseg.evaluation.CoSegMetric` and by the analysis tools:

* :func:`image_pj_counts`: the TP/FP/FN/TN pixels of a binary prediction;
* :func:`released_counts`: the same counts as the paper's released
  evaluation code (224x224, adaptive threshold);
* :func:`counts_to_pj`: Precision ``P = (TP + TN) / #valid pixels`` and
  Jaccard ``J = TP / (TP + FP + FN)`` from those counts.
"""
from typing import Tuple, Union

import numpy as np
import torch
from torch import Tensor
from torch.nn import functional as F

__all__ = [
    'PROTOCOLS', 'as_2d_tensor', 'counts_to_pj', 'foreground_prob',
    'image_pj_counts', 'released_counts'
]

#: Evaluation protocols of :class:`mmcoseg.evaluation.CoSegMetric`.
PROTOCOLS = ('paper', 'released', 'pooled')


def as_2d_tensor(seg_map: Union[Tensor, np.ndarray], name: str) -> Tensor:
    """Convert a ``(H, W)`` or ``(1, H, W)`` map to a 2-D tensor.

    Args:
        seg_map (Union[Tensor, np.ndarray]): The map (any array-like).
        name (str): Name of the argument, for the error message.

    Returns:
        Tensor: The ``(H, W)`` map (a view of ``seg_map`` when it already
        is a tensor).

    Raises:
        ValueError: If the map is neither ``(H, W)`` nor ``(1, H, W)``.
    """
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
    pred = as_2d_tensor(pred, 'pred')
    gt = as_2d_tensor(gt, 'gt').to(pred.device)
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
    prob = as_2d_tensor(prob, 'prob').float()
    gt = as_2d_tensor(gt, 'gt').to(prob.device)
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


def foreground_prob(seg_logits: Union[Tensor, np.ndarray]) -> Tensor:
    """Foreground probability map from a data sample's ``seg_logits``.

    A one-channel head's ``seg_logits`` already holds sigmoid probabilities
    in MMSeg 1.2.2; a two-channel head's holds logits, turned into the
    softmax probability of class 1.

    Args:
        seg_logits (Union[Tensor, np.ndarray]): ``(1, H, W)``, ``(H, W)`` or
            ``(2, H, W)`` map.

    Returns:
        Tensor: The ``(H, W)`` foreground probability map.
    """
    if not isinstance(seg_logits, Tensor):
        seg_logits = torch.from_numpy(np.asarray(seg_logits))
    if seg_logits.ndim == 3 and seg_logits.shape[0] == 2:
        return seg_logits.float().softmax(dim=0)[1]
    return as_2d_tensor(seg_logits, 'seg_logits')


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
