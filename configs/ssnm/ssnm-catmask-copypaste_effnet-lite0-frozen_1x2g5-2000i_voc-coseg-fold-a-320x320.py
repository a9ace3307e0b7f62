# The seen-category recipe at 320 x 320 on the unseen-class protocol, fold A.
# The open-set gate as in the seen-category recipe at 320 x 320.
_base_ = [
    './ssnm-catmask-copypaste_effnet-lite0-frozen_1x2g5-2000i_'
    'voc-coseg-fold-a-224x224.py',
    '../_base_/datasets/pascal_voc_coseg_seen_320x320.py'
]
model = dict(
    data_preprocessor=dict(size=_base_.size_320),
    modulators=[dict(_base_.model.modulators[0], min_confidence=0.35)])
train_dataloader = dict(
    dataset=dict(pipeline=_base_.copy_paste_pipeline_320))
val_dataloader = dict(dataset=dict(pipeline=_base_.test_pipeline_320))
test_dataloader = val_dataloader
