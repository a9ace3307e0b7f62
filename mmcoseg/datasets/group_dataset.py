"""Dataset of image groups that share an object category."""
import os.path as osp
from typing import Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
from mmengine import fileio
from mmengine.dataset import BaseDataset
from mmseg.registry import DATASETS

IMG_SUFFIXES = ('.jpg', '.jpeg', '.png', '.bmp')


@DATASETS.register_module()
class GroupDataset(BaseDataset):
    """Folder-per-category co-segmentation dataset; one item is a group.

    Layout (roots and suffixes configurable)::

        data_root/
          <img_path>/<category>/<name><img_suffix>
          <seg_map_path>/<category>/<name><seg_map_suffix>

    Masks may lie beside the images (``seg_map_path`` equal to
    ``img_path``) when the suffixes differ. The classes are the categories
    (sorted folder names, or ``metainfo=dict(classes=...)`` to choose and
    order a subset).

    * Training (``test_mode=False``): item ``i`` is a group of
      ``group_size`` images of the category of image ``i`` - image ``i``
      plus ``group_size - 1`` others of that category drawn at random
      (without replacement when the category is large enough). An epoch
      therefore visits every image once as the anchor of a group.
    * Testing: every category is split, in file-name order, into
      consecutive groups of ``group_size``; the last group is filled up with
      the category's first images, flagged ``is_padding`` so that they are
      never scored. ``group_size=None`` makes each whole category one group.

    Each image of a group carries ``category``, ``category_name``,
    ``co_categories`` (the multi-hot co-category label as a list of
    indices), ``group_id``, ``group_size``, ``index_in_group`` and
    ``is_padding``.

    Args:
        data_root (str): Root folder.
        data_prefix (dict): ``img_path`` and (optional) ``seg_map_path``
            folders relative to ``data_root``. Without ``seg_map_path``
            the dataset has no masks (inference only).
        group_size (int, optional): Images per group N. Defaults to 5.
        img_suffix (str | Sequence[str]): Image suffixes (case-insensitive).
        seg_map_suffix (str): Mask suffix. Defaults to '.png'.
        **kwargs: :class:`mmengine.dataset.BaseDataset` arguments
            (``pipeline``, ``test_mode``, ``metainfo``, ``lazy_init``...).
    """

    METAINFO: dict = dict(classes=None)

    def __init__(self,
                 data_root: str = '',
                 data_prefix: dict = dict(img_path='images',
                                          seg_map_path='masks'),
                 group_size: Optional[int] = 5,
                 img_suffix: Union[str, Sequence[str]] = IMG_SUFFIXES,
                 seg_map_suffix: str = '.png',
                 **kwargs) -> None:
        if group_size is not None and group_size < 1:
            raise ValueError(f'group_size must be >= 1 or None, got '
                             f'{group_size}.')
        if group_size is None and not kwargs.get('test_mode', False):
            raise ValueError('group_size=None (whole categories) is only '
                             'supported with test_mode=True.')
        self.group_size = group_size
        self.img_suffix = tuple(
            s.lower() for s in ((img_suffix, ) if isinstance(
                img_suffix, str) else img_suffix))
        self.seg_map_suffix = seg_map_suffix
        self._groups: List[Tuple[List[int], List[bool]]] = []
        self._cat_indices: Dict[int, List[int]] = {}
        super().__init__(
            data_root=data_root, data_prefix=data_prefix, **kwargs)

    # ------------------------------------------------------------ indexing
    def _categories(self, img_dir: str) -> List[str]:
        classes = self._metainfo.get('classes')
        if classes:
            return list(classes)
        if not osp.isdir(img_dir):
            raise FileNotFoundError(f'Image folder {img_dir} does not exist '
                                    '(data_root + data_prefix.img_path).')
        return sorted(d for d in fileio.list_dir_or_file(
            img_dir, list_dir=True, list_file=False))

    def _list_images(self, folder: str, same_folder: bool) -> List[str]:
        names = fileio.list_dir_or_file(folder, list_dir=False)
        images = []
        for name in sorted(names):
            lower = name.lower()
            if not lower.endswith(self.img_suffix):
                continue
            if same_folder and lower.endswith(self.seg_map_suffix.lower()):
                continue
            images.append(name)
        return images

    def load_data_list(self) -> List[dict]:
        """Index every image of every category.

        Returns:
            list[dict]: One info dict per image.

        Raises:
            FileNotFoundError: Missing folders or masks (all named).
            ValueError: A category without images.
        """
        img_dir = self.data_prefix['img_path']
        seg_dir = self.data_prefix.get('seg_map_path')
        same_folder = seg_dir is not None and \
            osp.normpath(seg_dir) == osp.normpath(img_dir)
        if same_folder and self.seg_map_suffix.lower() in self.img_suffix:
            raise ValueError(
                f'Images and masks share {img_dir} but seg_map_suffix '
                f'{self.seg_map_suffix!r} is also an image suffix '
                f'{self.img_suffix}; set distinct suffixes or roots.')
        categories = self._categories(img_dir)
        self._metainfo['classes'] = tuple(categories)
        data_list, missing = [], []
        for label, category in enumerate(categories):
            cat_dir = osp.join(img_dir, category)
            if not osp.isdir(cat_dir):
                raise FileNotFoundError(
                    f'Category folder {cat_dir} does not exist.')
            names = self._list_images(cat_dir, same_folder)
            if not names:
                raise ValueError(f'Category folder {cat_dir} holds no image '
                                 f'with a suffix in {self.img_suffix}.')
            for index, name in enumerate(names):
                info = dict(
                    img_path=osp.join(cat_dir, name),
                    seg_map_path=None,
                    category=label,
                    category_name=category,
                    co_categories=[label],
                    index_in_category=index,
                    reduce_zero_label=False,
                    seg_fields=[])
                if seg_dir is not None:
                    stem = osp.splitext(name)[0]
                    mask = osp.join(seg_dir, category,
                                    stem + self.seg_map_suffix)
                    if not osp.isfile(mask):
                        missing.append(mask)
                    info['seg_map_path'] = mask
                data_list.append(info)
        if missing:
            shown = '\n  '.join(missing[:10])
            more = f'\n  ... and {len(missing) - 10} more' \
                if len(missing) > 10 else ''
            raise FileNotFoundError(
                f'{len(missing)} image(s) have no mask; expected:\n  '
                f'{shown}{more}')
        return data_list

    def full_init(self) -> None:
        """Load the image list, then build the category index and groups."""
        if self._fully_initialized:
            return
        super().full_init()
        self._cat_indices = {}
        for idx in range(super().__len__()):
            label = super().get_data_info(idx)['category']
            self._cat_indices.setdefault(label, []).append(idx)
        if self.test_mode:
            self._groups = self._test_groups()

    def _test_groups(self) -> List[Tuple[List[int], List[bool]]]:
        groups = []
        for label in sorted(self._cat_indices):
            indices = self._cat_indices[label]
            size = self.group_size or len(indices)
            for start in range(0, len(indices), size):
                chunk = indices[start:start + size]
                pad = [indices[i % len(indices)]
                       for i in range(size - len(chunk))]
                groups.append((chunk + pad,
                               [False] * len(chunk) + [True] * len(pad)))
        return groups

    # ------------------------------------------------------------- access
    def __len__(self) -> int:
        """Number of groups (test) or of anchor images (training)."""
        if not self._fully_initialized:
            self.full_init()
        return len(self._groups) if self.test_mode else super().__len__()

    def _train_group(self, idx: int) -> Tuple[List[int], List[bool]]:
        label = super().get_data_info(idx)['category']
        others = [i for i in self._cat_indices[label] if i != idx]
        need = self.group_size - 1
        if not others:
            picks = [idx] * need
        else:
            picks = np.random.choice(
                others, need, replace=len(others) < need).tolist()
        return [idx] + picks, [False] * self.group_size

    def get_data_info(self, idx: int) -> dict:
        """The group of item ``idx`` with every image's info.

        Args:
            idx (int): Group index (test) or anchor image index (training).

        Returns:
            dict: ``images`` (one info dict per image), ``group_id``,
            ``group_size``, ``category``, ``category_name``,
            ``co_categories``.
        """
        indices, padding = (self._groups[idx] if self.test_mode else
                            self._train_group(idx))
        images = []
        for position, (i, is_pad) in enumerate(zip(indices, padding)):
            info = super().get_data_info(i)
            info.update(
                group_id=idx,
                group_size=len(indices),
                index_in_group=position,
                is_padding=is_pad)
            images.append(info)
        first = images[0]
        return dict(
            images=images,
            group_id=idx,
            group_size=len(indices),
            category=first['category'],
            category_name=first['category_name'],
            co_categories=first['co_categories'])

    @property
    def num_images(self) -> int:
        """Number of distinct images in the dataset."""
        if not self._fully_initialized:
            self.full_init()
        return super().__len__()
