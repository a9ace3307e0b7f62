# The improved SSNM (ssnm-consensus_*) with the cross-group loss instead of
# GroupExchange: each group's own modulation is also applied to one image of
# the other group of its batch, whose target is empty (loss_cross; GCoNet's
# group collaborative learning). The groups keep all their members.
_base_ = ('./ssnm-consensus_effnet-lite0-frozen_1x2g5-2000i_'
          'voc-coseg-seen-224x224.py')
model = dict(train_cfg=dict(cross_group=dict(loss_weight=1.0)))
