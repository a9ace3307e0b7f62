# The validation protocol of ssnm-no-mod at 320 x 320 (val_* of the seen
# dataset base): the plain FPN decoder beside the recipe's validation runs.
_base_ = ('./ssnm-no-mod_effnet-lite0-frozen_1x2g5-2000i_'
          'voc-coseg-seen-320x320.py')
train_dataloader = dict(dataset=dict(split={{_base_.val_train_split}}))
val_dataloader = dict(dataset=dict(split={{_base_.val_test_split}}))
test_dataloader = val_dataloader
test_distractor_root = {{_base_.val_distractor_root}}
