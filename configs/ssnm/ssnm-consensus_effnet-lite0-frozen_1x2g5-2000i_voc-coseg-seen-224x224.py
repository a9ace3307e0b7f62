# The improved SSNM of the synthetic demo on the seen protocol: f_spa is the
# supervised group consensus at stride 16 (ConsensusModulator), fed to the
# decoder as an extra input channel; l_sem weighted by 0.2.
_base_ = ('./ssnm-paper_effnet-lite0-frozen_1x2g5-2000i_'
          'voc-coseg-seen-224x224.py')
model = dict(
    spatial_modulator=dict(
        _delete_=True,
        type='ConsensusModulator',
        in_channels={{_base_.in_channels}},
        channels=64,
        in_index=(2, 3),
        in_strides=(16, 32),
        target_stride=16),
    semantic_head=dict(loss_weight=0.2),
    decode_head=dict(spatial_fusion='channel'))
