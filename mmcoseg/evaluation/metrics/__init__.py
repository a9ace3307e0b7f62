"""Evaluation metrics of mmcoseg."""
from .coseg_metric import CoSegMetric

__all__ = ['CoSegMetric']
