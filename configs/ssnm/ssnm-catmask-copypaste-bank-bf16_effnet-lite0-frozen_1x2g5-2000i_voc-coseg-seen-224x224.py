# ssnm-catmask-copypaste-bank trained in mixed precision: what
# `tools/train.py --amp` selects (AmpOptimWrapper), which on a machine
# without a GPU runs every training forward in bfloat16 autocast, weights and
# optimizer state staying float32 (AutocastOptimWrapper). The cheapest
# training step of the copy-paste recipe (docs/benchmarks.md); tested in
# float32 like every config.
_base_ = ('./ssnm-catmask-copypaste-bank_effnet-lite0-frozen_1x2g5-2000i_'
          'voc-coseg-seen-224x224.py')
optim_wrapper = dict(type='AmpOptimWrapper', loss_scale='dynamic')
