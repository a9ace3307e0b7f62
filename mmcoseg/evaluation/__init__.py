"""Evaluation components of mmcoseg."""
from .functional import (
                         PROTOCOLS,
                         counts_to_pj,
                         image_pj_counts,
                         per_image_scores,
                         released_counts,
                         write_per_image_csv,
)
from .metrics import CoSegMetric

__all__ = [
    'CoSegMetric', 'PROTOCOLS', 'counts_to_pj', 'image_pj_counts',
    'per_image_scores', 'released_counts', 'write_per_image_csv'
]
