# ssnm-catmask-copypaste without f_sem (paper Table 5, "w/o f_sem"): no HSP
# channel modulation; the consensus, the category masks and the pasted
# objects stay.
_base_ = ('./ssnm-catmask-copypaste_effnet-lite0-frozen_1x2g5-2000i_'
          'voc-coseg-seen-224x224.py')
model = dict(semantic_head=None)
