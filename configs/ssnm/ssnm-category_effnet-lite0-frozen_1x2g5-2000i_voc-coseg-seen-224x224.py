# The improved SSNM without exchange (ssnm-consensus) plus a CategorySelector:
# a per-pixel category head trained on the foreground of the 20 seen
# classes; at test time the group votes for its category and every
# foreground part of another category is left out. guard_ratio=0.1 leaves out
# an image's best part too when it looks nothing like the group's category
# (a photo of another category); 0 always keeps it. pixel_ratio=0.2 also
# removes single pixels whose category is far from the group's (an object
# touching the shared one). The ratios were chosen on the validation part
# (the -seen-val config, selection_sweep.sh).
_base_ = ('./ssnm-consensus_effnet-lite0-frozen_1x2g5-2000i_'
          'voc-coseg-seen-224x224.py')
model = dict(modulators=[
    dict(
        type='CategorySelector',
        in_channels={{_base_.in_channels}},
        num_classes=20,
        guard_ratio=0.1,
        pixel_ratio=0.2,
        loss_weight=0.5)
])
