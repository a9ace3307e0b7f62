# ssnm-catmask-copypaste-bank with 384 x 384 inputs instead of 224 x 224 (the
# same schedule). The bank of pasted versions keeps the training time about
# that of the unlimited pastes at 320 x 320. The open-set gate was chosen
# again at this size on the validation part (min_confidence 0.5: the best
# mean of seen and open-set J; docs/logs/voc_seen_val/README.md).
_base_ = [
    './ssnm-catmask-copypaste-bank_effnet-lite0-frozen_1x2g5-2000i_'
    'voc-coseg-seen-224x224.py',
    '../_base_/datasets/pascal_voc_coseg_seen_384x384.py'
]
model = dict(
    data_preprocessor=dict(size=_base_.size_384),
    modulators=[dict(_base_.model.modulators[0], min_confidence=0.5)])
train_dataloader = dict(
    dataset=dict(pipeline=_base_.copy_paste_pipeline_384))
val_dataloader = dict(dataset=dict(pipeline=_base_.test_pipeline_384))
test_dataloader = val_dataloader
