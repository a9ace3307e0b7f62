# The run of this folder: the fold-A config with twice the schedule (800
# iterations, the warm-up unchanged, the poly decay to 800): how far the
# schedule alone moves the unseen-class results (docs/results.md). Train it
# from the repository root with
#   python tools/train.py docs/logs/voc_unseen/ssnm_fold-a_800i/ssnm_effnet-lite0_1x2g5-800i_voc-coseg-fold-a-224x224.py
# or, the same schedule through the experiment script,
#   ITERS=800 bash tools/experiments/voc_unseen_folds.sh ssnm:a
_base_ = '../../../../configs/ssnm/ssnm_effnet-lite0_1x2g5-400i_voc-coseg-fold-a-224x224.py'  # noqa: E501
max_iters = 800
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0,
         end=50),
    dict(type='PolyLR', eta_min=1e-6, power=1.0, by_epoch=False, begin=50,
         end=max_iters)
]
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
default_hooks = dict(checkpoint=dict(interval=200))
