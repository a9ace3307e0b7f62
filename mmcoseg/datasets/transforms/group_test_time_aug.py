"""Test-time augmentation of a whole group: several views, one item."""
import copy
import itertools
from typing import List, Sequence, Union

from mmcv.transforms import BaseTransform, Compose

from mmcoseg.registry import TRANSFORMS

from .formatting import PackCoSegInputs
from .group_transforms import GroupTransforms


@TRANSFORMS.register_module()
class GroupTestTimeAug(BaseTransform):
    """Views of a group for test-time augmentation (``tools/test.py --tta``).

    Like MMCV's :class:`~mmcv.transforms.TestTimeAug`, ``transforms`` is a
    list of alternatives per step; every combination (one transform per
    step) is a *view*. A view is applied to every image of the group, so
    the model sees each view as a whole group (a co-segmentation model
    needs the other images of the group in the same view), and each view
    is packed with :class:`PackCoSegInputs`. For example, a group seen as
    is and mirrored::

        dict(type='GroupTestTimeAug', transforms=[
            [dict(type='LoadImageFromFile')],
            [dict(type='Resize', scale=(224, 224), keep_ratio=False)],
            [dict(type='RandomFlip', prob=0.0, direction='horizontal'),
             dict(type='RandomFlip', prob=1.0, direction='horizontal')],
            [dict(type='LoadCoSegAnnotation')],
        ])

    Masks must be loaded after the flip (so that they stay upright: the
    predictions are turned back by the model), as in MMSeg's TTA pipelines.
    :class:`~mmcoseg.models.CoSegTTAModel` merges the views.

    Args:
        transforms (list[list[dict]]): Per-image alternatives per step.
        pack (dict): The packing transform of a view. Defaults to
            ``dict(type='PackCoSegInputs')``.
    """

    def __init__(self,
                 transforms: Sequence[Sequence[Union[dict, callable]]],
                 pack: Union[dict, callable, None] = None) -> None:
        if not transforms or not all(transforms):
            raise ValueError('GroupTestTimeAug needs at least one transform '
                             'per step; got an empty step in '
                             f'{transforms!r}.')
        self.views = [
            GroupTransforms(list(chain))
            for chain in itertools.product(*transforms)
        ]
        self.pack = Compose([pack if pack is not None else PackCoSegInputs()])

    def transform(self, results: dict) -> dict:
        """Make every view of the group.

        Args:
            results (dict): Group result with ``images``.

        Returns:
            dict: ``inputs`` and ``data_samples``, each a list with one
            entry per view (an ``ImageGroup`` and a list of N data samples),
            and ``num_views``.
        """
        packed: List[dict] = []
        for view in self.views:
            out = view(copy.deepcopy(results))
            if out is None:
                raise ValueError(
                    f'GroupTestTimeAug: view {view!r} rejected group '
                    f'{results.get("group_id")}.')
            packed.append(self.pack(out))
        return dict(
            inputs=[p['inputs'] for p in packed],
            data_samples=[p['data_samples'] for p in packed],
            num_views=len(packed))

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(views={self.views})'
