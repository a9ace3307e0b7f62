# ssnm-category-light with a sigmoid mask per category (CategoryMaskSelector)
# instead of the softmax category head: every category's mask learns what is
# not an object of it (the background of its own photos, the objects of the
# other categories), and at test time the pixels that the group's category
# mask rejects are removed (pixel_threshold, chosen on the validation part).
# The masks are at stride 8 (levels 1-3), not 16: they cut the decoder's.
_base_ = ('./ssnm-category-light_effnet-lite0-frozen_1x2g5-2000i_'
          'voc-coseg-seen-224x224.py')
model = dict(modulators=[
    dict(_base_.model.modulators[0], type='CategoryMaskSelector',
         in_index=(1, 2, 3), in_strides=(8, 16, 32), target_stride=8,
         keep_ratio=0.0, pixel_ratio=0.0, pixel_threshold=0.1)
])
