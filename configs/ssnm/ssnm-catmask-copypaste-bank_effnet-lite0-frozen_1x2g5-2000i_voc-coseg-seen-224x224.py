# ssnm-catmask-copypaste with a fixed bank of pasted versions per image
# (GroupDataset paste_variants=4): an image gets pastes as often as before,
# but only in one of four versions per flip, so the frozen backbone's cache
# (enlarged to hold them) finds pasted images again instead of encoding
# every one anew.
_base_ = ('./ssnm-catmask-copypaste_effnet-lite0-frozen_1x2g5-2000i_'
          'voc-coseg-seen-224x224.py')
model = dict(backbone=dict(cache_size=8192))
train_dataloader = dict(dataset=dict(paste_variants=4))
