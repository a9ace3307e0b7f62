# Ablation of the improved SSNM (paper Table 5): without the spatial
# modulator f_spa (the HSP head's f_sem alone, w_sem = 0.2).
_base_ = './ssnm_r18-c16_1x4g5-1500i_synthetic-128x128.py'
model = dict(spatial_modulator=None)
