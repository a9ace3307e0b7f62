# The plain FPN decoder on the frozen backbone (no modulators), fold A,
# on the same schedule as the seen-category recipe's fold run.
_base_ = './ssnm_effnet-lite0-frozen_1x2g5-2000i_voc-coseg-fold-a-224x224.py'
model = dict(spatial_modulator=None, semantic_head=None,
             data_preprocessor=dict(group_augments=None))
