from .formatting import PackCoSegInputs
from .group_transforms import GroupTransforms
from .loading import LoadCoSegAnnotation

__all__ = ['GroupTransforms', 'LoadCoSegAnnotation', 'PackCoSegInputs']
