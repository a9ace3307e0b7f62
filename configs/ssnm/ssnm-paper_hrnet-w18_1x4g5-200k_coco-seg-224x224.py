# The paper's SSNM with HRNet-W18: its spatial modulator (eq. 6-10), the
# unsupervised top eigenvector of the group's pixel affinity (d = 256 at
# stride 4), added to every decoder channel (eq. 5). Also the default
# (ssnm_*), stated here so that the paper-faithful series stays fixed.
_base_ = './ssnm_hrnet-w18_1x4g5-200k_coco-seg-224x224.py'
model = dict(
    spatial_modulator=dict(
        _delete_=True,
        type='SpatialModulator',
        in_channels={{_base_.in_channels}},
        channels=256,
        target_stride=4),
    decode_head=dict(spatial_fusion='add'))
