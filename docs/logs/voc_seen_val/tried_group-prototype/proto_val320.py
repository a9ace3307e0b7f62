_base_ = '../../../../configs/ssnm/ssnm-catmask-copypaste_effnet-lite0-frozen_1x2g5-2000i_voc-coseg-seen-val-320x320.py'
model = dict(modulators=[_base_.model.modulators[0], dict(type='GroupPrototypeRefiner', power=1.0)])
