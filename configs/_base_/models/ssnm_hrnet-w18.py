# SSNM with MMSeg's HRNet-W18 (paper default). ImageNet weights: set
# model.backbone.init_cfg=dict(type='Pretrained', checkpoint=LOCAL_PATH).
_base_ = 'mmseg::_base_/models/fcn_hr18.py'
norm_cfg = dict(type='SyncBN', requires_grad=True)
in_channels = [18, 36, 72, 144]
# The mmseg:: base puts its model in MMSeg's scope (_scope_='mmseg'); this
# one is built in mmcoseg's, which finds MMSeg's HRNet through the parent.
model = dict(
    _scope_='mmcoseg',
    type='CoSegEncoderDecoder',
    pretrained=None,
    data_preprocessor=dict(type='CoSegDataPreProcessor', size=(224, 224)),
    # The paper's f_spa (eq. 6-10, added to every decoder channel, eq. 5):
    # on real images it beats the group consensus (ConsensusModulator, the
    # ssnm-consensus_* configs; docs/results.md).
    spatial_modulator=dict(
        type='SpatialModulator',
        in_channels=in_channels,
        channels=256,
        target_stride=4),
    semantic_head=dict(
        type='HSPHead', in_channels=in_channels[-1], num_classes=78,
        channels=128),
    decode_head=dict(
        _delete_=True,
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
