crop_size = (
    128,
    128,
)
custom_hooks = [
    dict(type='PlainMessageHubHook'),
    dict(action='raise', type='NonFiniteLossHook'),
    dict(type='BadItemCounterHook'),
]
data_root = 'data/synthetic_coseg'
dataset_type = 'GroupDataset'
default_hooks = dict(
    checkpoint=dict(
        by_epoch=False,
        interval=500,
        max_keep_ckpts=2,
        type='AtomicCheckpointHook'),
    logger=dict(interval=25, log_metric_by_epoch=False, type='LoggerHook'),
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
    16,
    32,
    64,
    128,
]
launcher = 'none'
load_from = None
log_level = 'INFO'
log_processor = dict(by_epoch=False)
model = dict(
    _scope_='mmcoseg',
    backbone=dict(
        base_channels=16,
        contract_dilation=True,
        depth=18,
        norm_cfg=dict(requires_grad=True, type='BN'),
        out_indices=(
            0,
            1,
            2,
            3,
        ),
        stem_channels=16,
        type='ResNetV1c'),
    data_preprocessor=dict(
        bgr_to_rgb=True,
        mean=[
            123.675,
            116.28,
            103.53,
        ],
        pad_val=0,
        seg_pad_val=255,
        size=(
            128,
            128,
        ),
        std=[
            58.395,
            57.12,
            57.375,
        ],
        type='CoSegDataPreProcessor'),
    decode_head=dict(
        align_corners=False,
        channels=64,
        dropout_ratio=0.0,
        in_channels=[
            16,
            32,
            64,
            128,
        ],
        in_index=[
            0,
            1,
            2,
            3,
        ],
        loss_decode=dict(
            sem_weight=2.0,
            spa_weight=0.1,
            type='CoSegLoss',
            weighting='balanced'),
        norm_cfg=dict(requires_grad=True, type='BN'),
        spatial_fusion='add',
        type='ModulatedFPNDecoder'),
    semantic_head=dict(
        channels=64,
        group_sp_channels=16,
        image_sp_channels=32,
        in_channels=128,
        num_classes=8,
        type='HSPHead'),
    spatial_modulator=dict(
        channels=64,
        in_channels=[
            16,
            32,
            64,
            128,
        ],
        target_stride=4,
        type='SpatialModulator'),
    test_cfg=dict(mode='whole'),
    train_cfg=dict(),
    type='CoSegEncoderDecoder')
norm_cfg = dict(requires_grad=True, type='BN')
optim_wrapper = dict(
    optimizer=dict(
        betas=(
            0.9,
            0.999,
        ), lr=0.002, type='Adam', weight_decay=0.0),
    type='OptimWrapper')
optimizer = dict(
    betas=(
        0.9,
        0.999,
    ), lr=0.0001, type='Adam', weight_decay=0.0)
param_scheduler = [
    dict(
        begin=0,
        by_epoch=False,
        end=1500,
        eta_min=1e-05,
        power=1.0,
        type='PolyLR'),
]
randomness = dict(seed=1)
resume = False
runner_type = 'mmcoseg.CoSegRunner'
test_cfg = dict(type='TestLoop')
test_dataloader = dict(
    batch_size=1,
    collate_fn=dict(type='mmcoseg.coseg_collate'),
    dataset=dict(
        _scope_='mmcoseg',
        data_prefix=dict(img_path='test/images', seg_map_path='test/masks'),
        data_root='data/synthetic_coseg',
        group_size=5,
        pipeline=[
            dict(
                transforms=[
                    dict(type='LoadImageFromFile'),
                    dict(keep_ratio=False, scale=(
                        128,
                        128,
                    ), type='Resize'),
                    dict(type='LoadCoSegAnnotation'),
                ],
                type='GroupTransforms'),
            dict(type='PackCoSegInputs'),
        ],
        test_mode=True,
        type='GroupDataset'),
    num_workers=2,
    persistent_workers=True,
    sampler=dict(shuffle=False, type='DefaultSampler'))
test_evaluator = dict(type='CoSegMetric')
test_image_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(keep_ratio=False, scale=(
        128,
        128,
    ), type='Resize'),
    dict(type='LoadCoSegAnnotation'),
]
train_cfg = dict(max_iters=1500, type='IterBasedTrainLoop', val_interval=500)
train_dataloader = dict(
    batch_size=4,
    collate_fn=dict(type='mmcoseg.coseg_collate'),
    dataset=dict(
        _scope_='mmcoseg',
        data_prefix=dict(img_path='train/images', seg_map_path='train/masks'),
        data_root='data/synthetic_coseg',
        group_size=5,
        pipeline=[
            dict(
                transforms=[
                    dict(type='LoadImageFromFile'),
                    dict(type='LoadCoSegAnnotation'),
                    dict(keep_ratio=False, scale=(
                        144,
                        144,
                    ), type='Resize'),
                    dict(crop_size=(
                        128,
                        128,
                    ), type='RandomCrop'),
                    dict(prob=0.5, type='RandomFlip'),
                    dict(type='PhotoMetricDistortion'),
                ],
                type='GroupTransforms'),
            dict(type='PackCoSegInputs'),
        ],
        type='GroupDataset'),
    num_workers=2,
    persistent_workers=True,
    sampler=dict(shuffle=True, type='InfiniteSampler'))
train_image_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadCoSegAnnotation'),
    dict(keep_ratio=False, scale=(
        144,
        144,
    ), type='Resize'),
    dict(crop_size=(
        128,
        128,
    ), type='RandomCrop'),
    dict(prob=0.5, type='RandomFlip'),
    dict(type='PhotoMetricDistortion'),
]
val_cfg = dict(type='ValLoop')
val_dataloader = dict(
    batch_size=1,
    collate_fn=dict(type='mmcoseg.coseg_collate'),
    dataset=dict(
        _scope_='mmcoseg',
        data_prefix=dict(img_path='test/images', seg_map_path='test/masks'),
        data_root='data/synthetic_coseg',
        group_size=5,
        pipeline=[
            dict(
                transforms=[
                    dict(type='LoadImageFromFile'),
                    dict(keep_ratio=False, scale=(
                        128,
                        128,
                    ), type='Resize'),
                    dict(type='LoadCoSegAnnotation'),
                ],
                type='GroupTransforms'),
            dict(type='PackCoSegInputs'),
        ],
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
work_dir = '/work/runs/jobs/synth_paper_s1'
