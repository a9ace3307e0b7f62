# Ablation (paper Table 5): without the spatial modulator f_spa. The same
# model for the paper's and the improved SSNM (they differ only in f_spa).
_base_ = './ssnm-paper_r18-c16_1x4g5-1500i_synthetic-128x128.py'
model = dict(spatial_modulator=None)
