# SSNM for categories seen in training (the paper's setting): the improved
# SSNM (group consensus f_spa) whose f_sem knows the categories. The HSP
# head's co-category prediction selects, for every image, the decoder's
# logit map of the category its group shares (category_maps): each map is
# trained to segment its own category and to stay off objects of the
# others. Batches whose two groups exchange an image, its target emptied
# (GroupExchange), teach that what the group does not share is not
# segmented.
_base_ = ('./ssnm-consensus_effnet-lite0-frozen_1x2g5-2000i_'
          'voc-coseg-seen-224x224.py')
model = dict(
    data_preprocessor=dict(
        group_augments=[dict(type='GroupExchange', prob=0.5)]),
    semantic_head=dict(select_categories=True),
    decode_head=dict(category_maps=20))
