# The improved SSNM without exchange (ssnm-consensus) plus a CategorySelector:
# a per-pixel category head trained on the foreground of the 20 seen
# classes; at test time the group votes for its category and every
# foreground part of another category is left out.
_base_ = ('./ssnm-consensus_effnet-lite0-frozen_1x2g5-2000i_'
          'voc-coseg-seen-224x224.py')
model = dict(modulators=[
    dict(
        type='CategorySelector',
        in_channels={{_base_.in_channels}},
        num_classes=20,
        channels=128,
        in_index=(2, 3),
        in_strides=(16, 32),
        target_stride=16,
        loss_weight=0.5)
])
