# ssnm-catmask-copypaste without f_spa and f_sem (paper Table 5, "w/o
# both"): the plain FPN decoder with the category masks, trained with
# pasted objects.
_base_ = ('./ssnm-catmask-copypaste_effnet-lite0-frozen_1x2g5-2000i_'
          'voc-coseg-seen-224x224.py')
model = dict(spatial_modulator=None, semantic_head=None,
             decode_head=dict(spatial_fusion='add'))
