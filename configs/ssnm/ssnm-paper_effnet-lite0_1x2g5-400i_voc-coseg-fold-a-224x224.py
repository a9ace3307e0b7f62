# Fold A with the paper's spatial modulator (eq. 6-10): the unsupervised top
# eigenvector of the group's pixel affinity (d = 128 at stride 4), added to
# every decoder channel (eq. 5). On the PASCAL folds this is also the
# default (ssnm_*); stated here so that the paper-faithful series does not
# depend on which f_spa wins.
_base_ = './ssnm_effnet-lite0_1x2g5-400i_voc-coseg-fold-a-224x224.py'
model = dict(
    spatial_modulator=dict(
        _delete_=True,
        type='SpatialModulator',
        in_channels={{_base_.in_channels}},
        channels=128,
        target_stride=4),
    decode_head=dict(spatial_fusion='add'))
