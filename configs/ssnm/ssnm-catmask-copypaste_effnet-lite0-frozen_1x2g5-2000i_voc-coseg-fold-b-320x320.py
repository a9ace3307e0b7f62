# Fold B of the seen-category recipe at 320 x 320 on the unseen-class
# protocol: trained on the fold-B classes, tested on the unseen fold-A ones.
_base_ = ('./ssnm-catmask-copypaste_effnet-lite0-frozen_1x2g5-2000i_'
          'voc-coseg-fold-a-320x320.py')
train_dataloader = dict(
    dataset=dict(metainfo=dict(classes={{_base_.fold_b_classes}})))
val_dataloader = dict(
    dataset=dict(metainfo=dict(classes={{_base_.fold_a_classes}})))
test_dataloader = val_dataloader
test_distractor_root = 'data/pascal_voc_coseg_distractors/fold-b'
