# ssnm-catmask-copypaste without f_spa (paper Table 5, "w/o f_spa"): no group
# consensus; HSP, the category masks and the pasted objects stay.
_base_ = ('./ssnm-catmask-copypaste_effnet-lite0-frozen_1x2g5-2000i_'
          'voc-coseg-seen-224x224.py')
model = dict(spatial_modulator=None, decode_head=dict(spatial_fusion='add'))
