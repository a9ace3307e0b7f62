# The seen-category recipe (ssnm_*: group consensus + GroupExchange) trained
# with objects of other categories pasted into its groups, labelled
# background (GroupCopyPaste; a quarter of the pastes come from the group's
# own category and stay foreground, so "looks pasted" does not predict the
# label). Pasted images are new to the FrozenBackbone cache, so a step costs
# more than the recipe's.
_base_ = './ssnm_effnet-lite0-frozen_1x2g5-2000i_voc-coseg-seen-224x224.py'
train_dataloader = dict(
    dataset=dict(num_donors=4, pipeline={{_base_.copy_paste_pipeline}}))
