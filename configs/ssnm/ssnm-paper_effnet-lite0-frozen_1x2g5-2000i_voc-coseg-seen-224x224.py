# The paper's SSNM on PASCAL-VOC co-seg with SEEN test categories: trained on
# two thirds of every one of the 20 classes, tested on the other third
# (configs/_base_/datasets/pascal_voc_coseg_seen.py). The ImageNet
# EfficientNet-Lite0 is frozen and its features cached (FrozenBackbone), so
# a step trains the modulators and the decoder only; the decoder has 64
# channels (its 3x3 fusion at stride 4 costs 4x less than with 128).
_base_ = [
    '../_base_/models/ssnm_efficientnet-lite0.py',
    '../_base_/datasets/pascal_voc_coseg_seen.py',
    '../_base_/default_runtime.py', '../_base_/schedules/schedule_200k_adam.py'
]
max_iters = 2000
model = dict(
    backbone=dict(
        _delete_=True, type='FrozenBackbone',
        backbone=_base_.model.backbone),
    spatial_modulator=dict(channels=64),
    semantic_head=dict(num_classes=20, channels=64),
    decode_head=dict(channels=64, loss_decode=dict(weighting='balanced')))
optim_wrapper = dict(optimizer=dict(type='AdamW', lr=1e-3, weight_decay=1e-4))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0,
         end=100),
    dict(type='PolyLR', eta_min=1e-6, power=1.0, by_epoch=False, begin=100,
         end=max_iters)
]
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
default_hooks = dict(
    logger=dict(interval=50),
    checkpoint=dict(interval=500, max_keep_ckpts=1))
randomness = dict(seed=0)
env_cfg = dict(cudnn_benchmark=False)
