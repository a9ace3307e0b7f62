# Ablation (paper Table 5) on fold A: without the spatial modulator f_spa.
_base_ = './ssnm_effnet-lite0_1x2g5-400i_voc-coseg-fold-a-224x224.py'
model = dict(spatial_modulator=None)
