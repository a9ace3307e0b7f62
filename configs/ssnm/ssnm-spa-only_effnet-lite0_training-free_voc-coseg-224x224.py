# Training-free co-segmentation: the spatial modulator alone (exact top
# eigenvector of G, border sign rule, S > 0) on frozen ImageNet
# EfficientNet-Lite0 features at stride 16 (design.md section 7), on the
# whole PASCAL-VOC co-seg set in groups of 5. No training, no checkpoint:
#   python tools/test.py THIS_CONFIG
# Whole categories as one group: --cfg-options
#   test_dataloader.dataset.group_size=None
_base_ = [
    '../_base_/models/ssnm_efficientnet-lite0.py',
    '../_base_/datasets/pascal_voc_coseg.py', '../_base_/default_runtime.py',
    '../_base_/schedules/schedule_200k_adam.py'
]
model = dict(
    backbone=dict(out_indices=(3, )),  # stride 16, 112 channels
    spatial_modulator=dict(
        _delete_=True,
        type='SpatialModulator',
        in_channels=[112],
        channels=None,
        in_index=(0, ),
        in_strides=(16, ),
        target_stride=16),
    semantic_head=None,
    decode_head=dict(_delete_=True, type='SpatialMapHead'))
