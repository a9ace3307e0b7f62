from .coseg_runner import CoSegRunner

__all__ = ['CoSegRunner']
