"""High-level co-segmentation inference on arbitrary images.

Example::

    from mmcoseg.apis import cosegment, init_model

    model = init_model('configs/ssnm/....py', 'iter_1500.pth')
    results = cosegment(model, ['a.jpg', 'b.jpg', 'c.jpg'])
    results[0]['mask']  # H x W uint8 in {0, 1}, at a.jpg's size
"""
import copy
import math
import os.path as osp
from typing import Callable, List, Optional, Sequence, Union

import numpy as np
import torch
from mmengine.config import Config
from mmengine.dataset import Compose
from mmengine.registry import DefaultScope, init_default_scope
from mmengine.runner import load_checkpoint
from PIL import Image, ImageOps, UnidentifiedImageError

from mmcoseg.datasets.collate import coseg_collate
from mmcoseg.registry import MODELS, SCOPE

ImageInput = Union[str, np.ndarray]

# Loading steps dropped from the test pipeline (there are no annotations).
_ANNOTATION_LOADERS = ('LoadCoSegAnnotation', 'LoadAnnotations')
_FILE_LOADERS = ('LoadImageFromFile', 'mmseg.LoadImageFromFile',
                 'mmcv.LoadImageFromFile')


def init_model(config: Union[str, Config],
               checkpoint: Optional[str] = None,
               device: str = 'cpu',
               cfg_options: Optional[dict] = None,
               strict: bool = False) -> torch.nn.Module:
    """Build a co-segmentation model from a config and load its weights.

    Like :func:`mmseg.apis.init_model`; the checkpoint is read with
    ``torch.load``'s default ``weights_only=True``.

    Args:
        config (str | Config): Config file path or object.
        checkpoint (str, optional): Checkpoint path; None keeps the
            randomly initialised weights.
        device (str): Device to put the model on. Defaults to 'cpu'.
        cfg_options (dict, optional): Overrides merged into the config.
        strict (bool): Raise RuntimeError when the checkpoint's parameters
            do not match the model's (missing, unexpected or mis-sized
            keys, i.e. a checkpoint of another config). Defaults to False:
            mismatches are logged as warnings, as in MMSeg.

    Returns:
        nn.Module: The model in eval mode, with ``cfg`` (and
        ``dataset_meta`` when the checkpoint has one) attached.
    """
    if isinstance(config, str):
        cfg = Config.fromfile(config)
    elif isinstance(config, Config):
        cfg = copy.deepcopy(config)
    else:
        raise TypeError('config must be a filename or Config object, '
                        f'but got {type(config)}')
    if cfg_options is not None:
        cfg.merge_from_dict(cfg_options)
    if 'init_cfg' in cfg.model.get('backbone', {}):
        cfg.model.backbone.init_cfg = None
    cfg.model.pretrained = None
    cfg.model.train_cfg = None
    init_default_scope(cfg.get('default_scope', SCOPE))
    model = MODELS.build(cfg.model)
    if checkpoint is not None:
        ckpt = load_checkpoint(
            model, checkpoint, map_location='cpu', strict=strict)
        meta = ckpt.get('meta', {}) if isinstance(ckpt, dict) else {}
        if isinstance(meta, dict) and meta.get('dataset_meta') is not None:
            model.dataset_meta = meta['dataset_meta']
    model.cfg = cfg
    if str(device) == 'cpu':
        from mmengine.model.utils import revert_sync_batchnorm
        model = revert_sync_batchnorm(model)
    model.to(device)
    model.eval()
    return model


def _array_to_rgb(array: np.ndarray, name: str = 'array') -> np.ndarray:
    """HxW / HxWx1 / HxWx3 / HxWx4 uint8, uint16 or float [0, 1] to RGB."""
    img = np.asarray(array)
    if img.ndim == 3 and img.shape[2] == 1:
        img = img[..., 0]
    if img.ndim == 3 and img.shape[2] == 4:
        img = img[..., :3]
    if not (img.ndim == 2 or (img.ndim == 3 and img.shape[2] == 3)):
        raise ValueError(f'{name}: expected an HxW, HxWx3 or HxWx4 image, '
                         f'got shape {img.shape}')
    if img.shape[0] == 0 or img.shape[1] == 0:
        raise ValueError(f'{name}: empty image of shape {img.shape}')
    if img.dtype == np.uint8:
        pass
    elif img.dtype == np.uint16:
        img = (img >> 8).astype(np.uint8)
    elif img.dtype == np.bool_:
        img = img.astype(np.uint8) * 255
    elif np.issubdtype(img.dtype, np.floating):
        img = np.clip(np.nan_to_num(img), 0.0, 1.0)
        img = np.round(img * 255).astype(np.uint8)
    else:
        raise ValueError(f'{name}: unsupported dtype {img.dtype} (use '
                         'uint8, uint16 or float in [0, 1])')
    if img.ndim == 2:
        img = np.repeat(img[..., None], 3, axis=2)
    return np.ascontiguousarray(img)


def load_image(image: ImageInput) -> np.ndarray:
    """Read an image as RGB uint8 ``(H, W, 3)``.

    Files are read with PIL and turned upright from their EXIF orientation;
    grayscale, palette, RGBA, CMYK, 16-bit (scaled to 8 bits by ``>> 8``)
    and float images are converted to RGB. Arrays may be ``(H, W)``,
    ``(H, W, 3)`` (RGB) or ``(H, W, 4)`` (RGBA, alpha dropped) of dtype
    uint8, uint16 or float in [0, 1].

    Args:
        image (str | np.ndarray): A file path or an array.

    Returns:
        np.ndarray: RGB uint8 image.

    Raises:
        ValueError: The file cannot be read as an image (the message names
            it) or the array is not an image.
    """
    if isinstance(image, np.ndarray):
        return _array_to_rgb(image)
    path = str(image)
    try:
        with Image.open(path) as pil:
            pil.load()
            pil = ImageOps.exif_transpose(pil)
            mode = pil.mode
            if mode in ('I;16', 'I;16L', 'I;16B', 'I;16N', 'I'):
                arr = np.asarray(pil).astype(np.int64)
                return _array_to_rgb(
                    np.clip(arr, 0, 65535).astype(np.uint16), path)
            if mode == 'F':
                arr = np.asarray(pil, dtype=np.float32)
                if arr.size and arr.max() > 1.0:
                    arr = arr / 255.0
                return _array_to_rgb(arr, path)
            if mode != 'RGB':
                pil = pil.convert('RGB')
            return np.ascontiguousarray(np.asarray(pil, dtype=np.uint8))
    except (OSError, UnidentifiedImageError, SyntaxError, ValueError,
            Image.DecompressionBombError) as exc:
        raise ValueError(f'cannot read image {path!r}: {exc}') from exc


def split_into_groups(n: int,
                      group_size: Optional[int] = None,
                      allow_single: bool = False) -> List[List[int]]:
    """Split ``n`` images, in input order, into co-segmentation groups.

    ``group_size=None`` gives one group of all images. Otherwise there are
    ``ceil(n / group_size)`` consecutive groups whose sizes differ by at
    most one (7 images with ``group_size=5`` -> sizes 4 and 3). No group
    has fewer than two images: when that would happen (e.g. 3 images with
    ``group_size=2``) fewer, larger groups are made, so a group may then
    exceed ``group_size`` by one.

    Args:
        n (int): Number of images.
        group_size (int, optional): Largest wanted group size (>= 2).
        allow_single (bool): Accept ``n == 1`` (returns ``[[0]]``; callers
            then duplicate the image). Defaults to False.

    Returns:
        list[list[int]]: Image indices of each group.

    Raises:
        ValueError: ``n < 2`` (unless ``allow_single`` and ``n == 1``) or
            ``group_size < 2``.
    """
    if n < 2:
        if n == 1 and allow_single:
            return [[0]]
        raise ValueError(
            f'co-segmentation needs a group of at least two images, got {n}'
            + ('' if n == 0 else
               ' (pass allow_single=True to segment a lone image paired '
               'with itself)'))
    if group_size is None:
        return [list(range(n))]
    if group_size < 2:
        raise ValueError(f'group_size must be at least 2, got {group_size}')
    num = min(math.ceil(n / group_size), n // 2)
    base, extra = divmod(n, num)
    groups, start = [], 0
    for g in range(num):
        size = base + (1 if g < extra else 0)
        groups.append(list(range(start, start + size)))
        start += size
    return groups


def _to_inference_pipeline(pipeline: Sequence[dict]) -> List[dict]:
    """Test pipeline for arrays: load from ndarray, no annotations."""

    def convert(transforms):
        out = []
        for t in transforms:
            t = copy.deepcopy(dict(t))
            kind = t.get('type')
            if kind in _ANNOTATION_LOADERS:
                continue
            if kind in _FILE_LOADERS:
                t = dict(type='LoadImageFromNDArray')
            elif kind == 'GroupTransforms':
                t['transforms'] = convert(t['transforms'])
            out.append(t)
        return out

    return convert(pipeline)


def build_inference_pipeline(cfg: Config) -> Compose:
    """The config's test pipeline turned into one that takes arrays.

    ``LoadImageFromFile`` becomes ``LoadImageFromNDArray`` and annotation
    loading is dropped.
    """
    pipeline = _to_inference_pipeline(cfg.test_dataloader.dataset.pipeline)
    with DefaultScope.overwrite_default_scope(cfg.get('default_scope',
                                                      SCOPE)):
        return Compose(pipeline)


def run_group(model: torch.nn.Module,
              pipeline: Callable,
              images: Sequence[np.ndarray],
              names: Optional[Sequence[Optional[str]]] = None,
              group_id: int = 0) -> List[np.ndarray]:
    """Run the model on one group of RGB images.

    Args:
        model (nn.Module): A co-segmentation model.
        pipeline (Callable): From :func:`build_inference_pipeline`.
        images (Sequence[np.ndarray]): RGB uint8 images (>= 2).
        names (Sequence[str | None], optional): ``img_path`` metainfo.
        group_id (int): Group index written to the metainfo.

    Returns:
        list[np.ndarray]: Foreground probability ``(H, W)`` float32 per
        image, at its original size.
    """
    names = list(names) if names is not None else [None] * len(images)
    entries = [
        dict(
            img=np.ascontiguousarray(img[..., ::-1]),  # RGB -> BGR
            img_path=name,
            group_id=group_id,
            category=0,
            category_name='',
            co_categories=[0]) for img, name in zip(images, names)
    ]
    cfg = getattr(model, 'cfg', None)
    scope = cfg.get('default_scope', SCOPE) if cfg is not None else SCOPE
    with DefaultScope.overwrite_default_scope(scope):
        packed = pipeline(dict(images=entries))
        for sample, name in zip(packed['data_samples'], names):
            sample.set_metainfo(dict(img_path=name))
        with torch.no_grad():
            samples = model.test_step(coseg_collate([packed]))
    probs = []
    for sample in samples:
        # MMSeg's postprocess_result applies the sigmoid to single-channel
        # outputs before storing ``seg_logits`` (mmseg 1.2.2 keeps the
        # name), so the stored map already is the foreground probability.
        prob = sample.seg_logits.data.float()
        probs.append(prob.squeeze(0).cpu().numpy().astype(np.float32))
    return probs


def cosegment(model: torch.nn.Module,
              images: Sequence[ImageInput],
              group_size: Optional[int] = None,
              threshold: Optional[float] = None,
              allow_single: bool = False) -> List[dict]:
    """Co-segment images (paths or arrays of any sizes) in groups.

    The images are split by :func:`split_into_groups`; each group goes
    through the model config's test pipeline (reading from arrays) and
    ``model.test_step``.

    Args:
        model (nn.Module): From :func:`init_model` (needs ``model.cfg``).
        images (Sequence[str | np.ndarray]): Paths or arrays accepted by
            :func:`load_image`.
        group_size (int, optional): Largest group size; None puts all
            images in one group.
        threshold (float, optional): Foreground probability threshold;
            defaults to ``model.decode_head.threshold``.
        allow_single (bool): Segment a lone image by pairing it with a copy
            of itself (only when exactly one image is given). Without it a
            single image raises ValueError. Defaults to False.

    Returns:
        list[dict]: Per input image, in order: ``mask`` (H x W uint8 0/1),
        ``prob`` (H x W float32 foreground probability) and ``group``.
    """
    if isinstance(images, (str, np.ndarray)):
        images = [images]
    images = list(images)
    groups = split_into_groups(len(images), group_size, allow_single)
    if threshold is None:
        threshold = float(getattr(model.decode_head, 'threshold', 0.5))
    pipeline = build_inference_pipeline(model.cfg)
    results: List[Optional[dict]] = [None] * len(images)
    for g, members in enumerate(groups):
        arrays = [load_image(images[i]) for i in members]
        names = [
            images[i] if isinstance(images[i], str) else None
            for i in members
        ]
        if len(arrays) == 1:  # allow_single: pair the image with itself
            arrays, names = arrays * 2, names * 2
        probs = run_group(model, pipeline, arrays, names, group_id=g)
        for i, prob in zip(members, probs):
            results[i] = dict(
                mask=(prob > threshold).astype(np.uint8), prob=prob, group=g)
    return results


def image_name(image: ImageInput, index: int) -> str:
    """File stem of a path, or ``image_<index>`` for an array."""
    if isinstance(image, str):
        return osp.splitext(osp.basename(image))[0]
    return f'image_{index:04d}'
