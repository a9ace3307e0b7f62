# ssnm-category-fast with a 1x1 refinement conv in the decoder
# (fuse_kernel_size=1): the 3x3 conv at stride 4 was the largest part of
# the fast config's CPU training step.
_base_ = ('./ssnm-category-fast_effnet-lite0-frozen_1x2g5-2000i_'
          'voc-coseg-seen-224x224.py')
model = dict(decode_head=dict(fuse_kernel_size=1))
