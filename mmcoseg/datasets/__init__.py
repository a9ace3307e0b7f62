from .collate import coseg_collate
from .group_dataset import GroupDataset
from .mask_io import AmbiguousMaskWarning, binarize_mask, read_mask
from .samplers import ContextPairSampler
from .synthetic_coseg import make_synthetic_coseg
from .transforms import (
                         GroupCopyPaste,
                         GroupTestTimeAug,
                         GroupTransforms,
                         LoadCoSegAnnotation,
                         PackCoSegInputs,
)
from .validation import DatasetValidationError, DatasetValidationWarning

__all__ = [
    'AmbiguousMaskWarning', 'ContextPairSampler', 'DatasetValidationError',
    'DatasetValidationWarning', 'GroupCopyPaste', 'GroupDataset',
    'GroupTestTimeAug',
    'GroupTransforms',
    'LoadCoSegAnnotation', 'PackCoSegInputs', 'binarize_mask',
    'coseg_collate', 'make_synthetic_coseg', 'read_mask'
]
