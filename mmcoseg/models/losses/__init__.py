from .coseg_loss import CoSegLoss, weighted_bce_per_image

__all__ = ['CoSegLoss', 'weighted_bce_per_image']
