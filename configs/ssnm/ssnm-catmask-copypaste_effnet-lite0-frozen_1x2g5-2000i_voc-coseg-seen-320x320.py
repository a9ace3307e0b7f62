# ssnm-catmask-copypaste with 320 x 320 inputs instead of 224 x 224 (the
# same schedule; about 2.3x the training time on the CPU). On the validation
# part: clean J 60.1 and distractors 51.7, against 56.3 and 47.4 at 224.
# The open-set gate re-chosen at this size on the validation part, by the
# rule of the 224 sweep: 0.35 (the same seen J as 0.3, more on the open set).
_base_ = [
    './ssnm-catmask-copypaste_effnet-lite0-frozen_1x2g5-2000i_'
    'voc-coseg-seen-224x224.py',
    '../_base_/datasets/pascal_voc_coseg_seen_320x320.py'
]
model = dict(
    data_preprocessor=dict(size=_base_.size_320),
    modulators=[dict(_base_.model.modulators[0], min_confidence=0.35)])
train_dataloader = dict(
    dataset=dict(pipeline=_base_.copy_paste_pipeline_320))
val_dataloader = dict(dataset=dict(pipeline=_base_.test_pipeline_320))
test_dataloader = val_dataloader
