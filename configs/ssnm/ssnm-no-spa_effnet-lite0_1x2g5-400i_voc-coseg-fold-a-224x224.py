# Ablation on fold A (paper Table 5): without the spatial
# modulator f_spa; the same model for the paper's and the improved SSNM
# (they differ only in f_spa).
_base_ = './ssnm_effnet-lite0_1x2g5-400i_voc-coseg-fold-a-224x224.py'
model = dict(spatial_modulator=None)
