# Ablation (paper Table 5): without both modulators (a plain FPN decoder).
# The same model for the paper's and the improved SSNM.
_base_ = './ssnm-paper_r18-c16_1x4g5-1500i_synthetic-128x128.py'
model = dict(spatial_modulator=None, semantic_head=None)
