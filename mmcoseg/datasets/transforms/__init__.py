from .cached_transforms import CachedTransforms
from .formatting import PackCoSegInputs
from .group_copy_paste import GroupCopyPaste
from .group_test_time_aug import GroupTestTimeAug
from .group_transforms import GroupTransforms
from .image_group import ImageGroup
from .loading import LoadCoSegAnnotation

__all__ = [
    'CachedTransforms', 'GroupCopyPaste', 'GroupTestTimeAug',
    'GroupTransforms', 'ImageGroup', 'LoadCoSegAnnotation', 'PackCoSegInputs'
]
