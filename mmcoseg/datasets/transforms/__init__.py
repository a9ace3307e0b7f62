from .formatting import PackCoSegInputs
from .group_copy_paste import GroupCopyPaste
from .group_transforms import GroupTransforms
from .loading import LoadCoSegAnnotation

__all__ = [
    'GroupCopyPaste', 'GroupTransforms', 'LoadCoSegAnnotation',
    'PackCoSegInputs'
]
