from .formatting import PackCoSegInputs
from .group_transforms import GroupTransforms
from .image_group import ImageGroup
from .loading import LoadCoSegAnnotation

__all__ = [
    'GroupTransforms', 'ImageGroup', 'LoadCoSegAnnotation', 'PackCoSegInputs'
]
