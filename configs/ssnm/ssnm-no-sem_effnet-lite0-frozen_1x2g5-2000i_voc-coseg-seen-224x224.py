# The seen-category SSNM without f_sem (paper Table 5, "w/o f_sem").
_base_ = './ssnm_effnet-lite0-frozen_1x2g5-2000i_voc-coseg-seen-224x224.py'
model = dict(semantic_head=None)
