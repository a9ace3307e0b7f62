# ssnm-catmask-copypaste with the category masks decoded by the decoder
# (num_category_masks, beside the foreground logit, from the same refined
# stride-4 features) instead of a head on the backbone levels: the decoder's
# features learn the categories, and the masks see the group's modulation.
# The selector reads them (source='decoder'); its test-time settings are the
# recipe's.
_base_ = ('./ssnm-catmask-copypaste_effnet-lite0-frozen_1x2g5-2000i_'
          'voc-coseg-seen-224x224.py')
model = dict(
    decode_head=dict(num_category_masks=20, category_loss_weight=0.5),
    modulators=[dict(_base_.model.modulators[0], source='decoder')])
