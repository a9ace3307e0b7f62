# The validation protocol of ssnm-catmask-copypaste (val_* of the seen
# dataset base): for choosing its test-time settings without the test third.
_base_ = ('./ssnm-catmask-copypaste_effnet-lite0-frozen_1x2g5-2000i_'
          'voc-coseg-seen-224x224.py')
train_dataloader = dict(dataset=dict(split={{_base_.val_train_split}}))
val_dataloader = dict(dataset=dict(split={{_base_.val_test_split}}))
test_dataloader = val_dataloader
test_distractor_root = {{_base_.val_distractor_root}}
