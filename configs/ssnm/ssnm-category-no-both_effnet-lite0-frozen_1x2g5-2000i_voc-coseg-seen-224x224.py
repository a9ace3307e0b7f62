# The seen-category recipe without f_spa and f_sem (paper Table 5, "w/o
# both"): the plain FPN decoder (ssnm-no-mod) with the CategorySelector.
_base_ = ('./ssnm-category_effnet-lite0-frozen_1x2g5-2000i_'
          'voc-coseg-seen-224x224.py')
model = dict(spatial_modulator=None, semantic_head=None,
             decode_head=dict(spatial_fusion='add'))
