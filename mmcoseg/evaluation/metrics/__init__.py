"""Evaluation metrics of mmcoseg."""
from .coseg_metric import (
                           CoSegMetric,
                           counts_to_pj,
                           image_pj_counts,
                           released_counts,
)

__all__ = ['CoSegMetric', 'counts_to_pj', 'image_pj_counts', 'released_counts']
