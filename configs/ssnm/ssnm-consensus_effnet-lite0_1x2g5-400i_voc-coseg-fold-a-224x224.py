# Fold A with the improved SSNM of the synthetic demo: f_spa is the
# supervised group consensus of learned descriptors at stride 16
# (ConsensusModulator), fused into the decoder as an extra input channel.
# On the unseen classes it loses to the paper's f_spa (ssnm_*; results in
# configs/ssnm/README.md), so it is not the default here.
_base_ = './ssnm_effnet-lite0_1x2g5-400i_voc-coseg-fold-a-224x224.py'
model = dict(
    spatial_modulator=dict(
        _delete_=True,
        type='ConsensusModulator',
        in_channels={{_base_.in_channels}},
        channels=128,
        in_index=(2, 3),
        in_strides=(16, 32),
        target_stride=16),
    decode_head=dict(spatial_fusion='channel'))
