# ssnm-catmask-copypaste with two 3x3 convs in the category mask head
# (num_convs=2): a pixel's masks then see its neighbourhood, not only its
# own backbone features, to tell a pasted object from the shared one.
_base_ = ('./ssnm-catmask-copypaste_effnet-lite0-frozen_1x2g5-2000i_'
          'voc-coseg-seen-224x224.py')
model = dict(modulators=[dict(_base_.model.modulators[0], num_convs=2)])
