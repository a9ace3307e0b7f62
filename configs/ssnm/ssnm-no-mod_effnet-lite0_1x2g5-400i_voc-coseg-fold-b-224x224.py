# Ablation on fold B (paper Table 5): without both modulators (a
# plain FPN decoder); the same model for the paper's and the improved SSNM.
_base_ = './ssnm_effnet-lite0_1x2g5-400i_voc-coseg-fold-b-224x224.py'
model = dict(spatial_modulator=None, semantic_head=None)
