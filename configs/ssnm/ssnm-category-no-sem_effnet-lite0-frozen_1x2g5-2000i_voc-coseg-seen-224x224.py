# The seen-category recipe without f_sem (paper Table 5, "w/o f_sem"): no
# HSP channel modulation; the consensus and the CategorySelector stay.
_base_ = ('./ssnm-category_effnet-lite0-frozen_1x2g5-2000i_'
          'voc-coseg-seen-224x224.py')
model = dict(semantic_head=None)
