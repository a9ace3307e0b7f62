# The improved SSNM (group consensus f_spa, configs ssnm-consensus_*) trained
# on batches whose two groups exchange an image, its target emptied
# (GroupExchange, GEM's exchange masking): what the group does not share is
# not segmented, however salient.
_base_ = ('./ssnm-consensus_effnet-lite0-frozen_1x2g5-2000i_'
          'voc-coseg-seen-224x224.py')
model = dict(
    data_preprocessor=dict(
        group_augments=[dict(type='GroupExchange', prob=0.5)]))
