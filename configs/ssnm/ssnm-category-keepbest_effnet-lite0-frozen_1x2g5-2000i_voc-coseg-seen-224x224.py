# ssnm-category at test time with guard_ratio=0: every image keeps its best
# part, so a photo of another category in a group is not left out, while
# parts of other categories inside a photo still are. Same training, so the
# same checkpoint: evaluate an ssnm-category checkpoint with this config.
_base_ = ('./ssnm-category_effnet-lite0-frozen_1x2g5-2000i_'
          'voc-coseg-seen-224x224.py')
model = dict(
    modulators=[dict(_base_.model.modulators[0], guard_ratio=0.0)])
