# Without both modulators: a plain FPN decoder on the frozen backbone, each
# image segmented on its own (the saliency baseline of the seen protocol).
_base_ = ('./ssnm-paper_effnet-lite0-frozen_1x2g5-2000i_'
          'voc-coseg-seen-224x224.py')
model = dict(spatial_modulator=None, semantic_head=None)
