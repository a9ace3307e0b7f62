"""Visualization components of mmcoseg."""
from .coseg_local_visualizer import CoSegLocalVisualizer

__all__ = ['CoSegLocalVisualizer']
