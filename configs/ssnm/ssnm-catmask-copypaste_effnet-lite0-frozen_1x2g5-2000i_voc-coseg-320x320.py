# The model of the web demo and of "Quick start on your own images"
# (tools/build_demo_model.sh): the seen-category recipe at 320 x 320 trained
# on ALL images of the 20 PASCAL-VOC co-seg classes, so that it knows every
# category the data offers. No image is left for testing: the measured
# models are the seen-protocol configs (docs/results.md).
_base_ = ('./ssnm-catmask-copypaste_effnet-lite0-frozen_1x2g5-2000i_'
          'voc-coseg-seen-320x320.py')
train_dataloader = dict(dataset=dict(split=None))
test_dataloader = dict(dataset=dict(split=None))
val_dataloader = None
val_evaluator = None
val_cfg = None
