# The recipe (ssnm-category) with the category loss on labels subsampled by
# 4 (CategorySelector loss_stride=4): at full size it was a third of the
# CPU training step (tools/analysis_tools/benchmark.py --breakdown), for
# logits that are at stride 16 anyway.
_base_ = ('./ssnm-category_effnet-lite0-frozen_1x2g5-2000i_'
          'voc-coseg-seen-224x224.py')
model = dict(modulators=[dict(_base_.model.modulators[0], loss_stride=4)])
