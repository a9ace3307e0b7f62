# ssnm-catmask-copypaste on the unseen-class protocol, fold A: trained on
# all images of the ten fold-A classes, tested on the ten fold-B classes.
# Its category masks know the ten training categories only.
_base_ = [
    './ssnm-catmask-copypaste_effnet-lite0-frozen_1x2g5-2000i_voc-coseg-seen-224x224.py',
    '../_base_/datasets/pascal_voc_coseg_folds.py'
]
model = dict(
    semantic_head=dict(num_classes=10),
    modulators=[dict(_base_.model.modulators[0], num_classes=10)])
train_dataloader = dict(dataset=dict(
    split=None, metainfo=dict(classes={{_base_.fold_a_classes}})))
val_dataloader = dict(dataset=dict(
    split=None, metainfo=dict(classes={{_base_.fold_b_classes}})))
test_dataloader = val_dataloader
test_distractor_root = 'data/pascal_voc_coseg_distractors/fold-a'
