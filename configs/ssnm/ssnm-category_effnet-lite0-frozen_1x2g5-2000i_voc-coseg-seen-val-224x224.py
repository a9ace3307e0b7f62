# The validation protocol of ssnm-category, for choosing its test-time
# selection without looking at the test third: trained on the first three
# quarters of the seen protocol's training part of every class, validated
# on the last quarter (clean, mixed groups and a distractor set of it).
_base_ = ('./ssnm-category_effnet-lite0-frozen_1x2g5-2000i_'
          'voc-coseg-seen-224x224.py')
train_dataloader = dict(dataset=dict(split={{_base_.val_train_split}}))
val_dataloader = dict(dataset=dict(split={{_base_.val_test_split}}))
test_dataloader = val_dataloader
test_distractor_root = {{_base_.val_distractor_root}}
