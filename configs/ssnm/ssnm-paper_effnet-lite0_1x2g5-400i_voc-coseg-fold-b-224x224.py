# Fold B with the paper's spatial modulator: train on the ten fold-B
# classes, test on the unseen fold-A ones (the same model as ssnm_*).
_base_ = './ssnm-paper_effnet-lite0_1x2g5-400i_voc-coseg-fold-a-224x224.py'
train_dataloader = dict(
    dataset=dict(metainfo=dict(classes={{_base_.fold_b_classes}})))
val_dataloader = dict(
    dataset=dict(metainfo=dict(classes={{_base_.fold_a_classes}})))
test_dataloader = val_dataloader
test_distractor_root = 'data/pascal_voc_coseg_distractors/fold-b'
