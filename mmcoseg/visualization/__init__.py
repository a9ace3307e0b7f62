"""Visualization components of mmcoseg."""
from .coseg_local_visualizer import CoSegLocalVisualizer
from .group_grid import group_grid

__all__ = ['CoSegLocalVisualizer', 'group_grid']
