# SSNM with MMPretrain's VGG16-BN (the released code's backbone). ImageNet
# weights: model.backbone.init_cfg=dict(type='Pretrained',
# checkpoint=LOCAL_PATH, prefix='backbone.').
_base_ = './ssnm_hrnet-w18.py'
in_channels = [128, 256, 512, 512]
model = dict(
    backbone=dict(
        _delete_=True,
        type='mmpretrain.VGG',
        depth=16,
        norm_cfg=dict(type='BN'),
        out_indices=(1, 2, 3, 4)),
    spatial_modulator=dict(in_channels=in_channels),
    semantic_head=dict(in_channels=in_channels[-1]),
    decode_head=dict(in_channels=in_channels))
