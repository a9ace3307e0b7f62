# Ablation on fold A of the paper's SSNM: without the semantic
# modulator f_sem (the eigenvector map alone).
_base_ = './ssnm_effnet-lite0_1x2g5-400i_voc-coseg-fold-a-224x224.py'
model = dict(semantic_head=None)
