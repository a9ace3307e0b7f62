# The plain FPN decoder (ssnm-no-mod) with 384 x 384 inputs: the saliency
# baseline for the recipe at 384 x 384, on the same schedule.
_base_ = [
    './ssnm-no-mod_effnet-lite0-frozen_1x2g5-2000i_voc-coseg-seen-224x224.py',
    '../_base_/datasets/pascal_voc_coseg_seen_384x384.py'
]
model = dict(data_preprocessor=dict(size=_base_.size_384))
train_dataloader = dict(dataset=dict(pipeline=_base_.train_pipeline_384))
val_dataloader = dict(dataset=dict(pipeline=_base_.test_pipeline_384))
test_dataloader = val_dataloader
