# ssnm-catmask-light trained with objects of other categories pasted into
# its groups, labelled background (GroupCopyPaste, as in ssnm-copypaste):
# the group's category mask then sees objects of other categories inside
# its own photos as negatives, where the test's distractors appear.
# At test time the decoder's foreground and the group's category mask are
# averaged (fusion_weight=0.5), with no further pixel cut (pixel_threshold=0),
# in the groups whose foreground looks like a known category
# (min_confidence=0.3, the open-set gate); all chosen on the validation part
# (the -seen-val config), the gate with groups of categories outside
# training too (the seen dataset base's open_set_dataset).
_base_ = ('./ssnm-catmask-light_effnet-lite0-frozen_1x2g5-2000i_'
          'voc-coseg-seen-224x224.py')
model = dict(modulators=[
    dict(_base_.model.modulators[0], pixel_threshold=0.0, fusion_weight=0.5,
         min_confidence=0.3)
])
train_dataloader = dict(
    dataset=dict(num_donors=4, pipeline={{_base_.copy_paste_pipeline}}))
