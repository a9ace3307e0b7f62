# Ablation of the paper-faithful SSNM (paper Table 5): without the spatial
# modulator f_spa (f_sem alone, the paper config's w_sem = 2).
_base_ = './ssnm-paper_r18-c16_1x4g5-1500i_synthetic-128x128.py'
model = dict(spatial_modulator=None)
