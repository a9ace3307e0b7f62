# SSNM for categories seen in training: the improved SSNM (group consensus
# f_spa) whose f_sem knows the categories (HSPHead gamma_from='categories':
# the group's predicted co-category selects the decoder channels), trained
# on batches whose two groups exchange an image whose target becomes empty
# (GroupExchange): what the group does not share is not segmented.
_base_ = './ssnm-consensus_effnet-lite0-frozen_1x2g5-2000i_voc-coseg-seen-224x224.py'
model = dict(
    data_preprocessor=dict(
        group_augments=[dict(type='GroupExchange', prob=0.5)]),
    semantic_head=dict(gamma_from='categories'))
