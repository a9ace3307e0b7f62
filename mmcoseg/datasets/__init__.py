from .collate import coseg_collate
from .group_dataset import GroupDataset
from .mask_io import binarize_mask, read_mask
from .synthetic_coseg import make_synthetic_coseg
from .transforms import GroupTransforms, LoadCoSegAnnotation, PackCoSegInputs

__all__ = [
    'GroupDataset', 'GroupTransforms', 'LoadCoSegAnnotation',
    'PackCoSegInputs', 'binarize_mask', 'coseg_collate',
    'make_synthetic_coseg', 'read_mask'
]
