# HRNet-W18 with the improved SSNM of the synthetic demo: f_spa is the
# supervised group consensus of learned descriptors at stride 16, fused into
# the decoder as an extra input channel. Untrained at this scale: on the
# real-image CPU runs (PASCAL unseen folds) it lost to the paper's f_spa,
# the default of ssnm_hrnet-w18_* (docs/results.md).
_base_ = './ssnm_hrnet-w18_1x4g5-200k_coco-seg-224x224.py'
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
