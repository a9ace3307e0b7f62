# The paper's SSNM on fold B with the 800-iteration schedule of fold A.
_base_ = './ssnm-paper_effnet-lite0_1x2g5-800i_voc-coseg-fold-a-224x224.py'
train_dataloader = dict(
    dataset=dict(metainfo=dict(classes={{_base_.fold_b_classes}})))
val_dataloader = dict(
    dataset=dict(metainfo=dict(classes={{_base_.fold_a_classes}})))
test_dataloader = val_dataloader
test_distractor_root = 'data/pascal_voc_coseg_distractors/fold-b'
