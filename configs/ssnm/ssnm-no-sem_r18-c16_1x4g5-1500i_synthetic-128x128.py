# Ablation of the improved SSNM: without the semantic modulator f_sem (the
# group consensus map alone).
_base_ = './ssnm_r18-c16_1x4g5-1500i_synthetic-128x128.py'
model = dict(semantic_head=None)
