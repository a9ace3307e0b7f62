# Ablation (paper Table 5) of the paper's SSNM: without the semantic
# modulator f_sem (the eigenvector map alone).
_base_ = './ssnm-paper_r18-c16_1x4g5-1500i_synthetic-128x128.py'
model = dict(semantic_head=None)
