# The paper's SSNM with VGG16-BN (the released code's backbone): its
# unsupervised eigenvector spatial modulator added to every decoder channel.
# Also the default (ssnm_*), stated here so that the paper-faithful series
# stays fixed.
_base_ = './ssnm_vgg16_1x4g5-200k_coco-seg-224x224.py'
model = dict(
    spatial_modulator=dict(
        _delete_=True,
        type='SpatialModulator',
        in_channels={{_base_.in_channels}},
        channels=256,
        target_stride=4),
    decode_head=dict(spatial_fusion='add'))
