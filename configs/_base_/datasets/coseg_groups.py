# Group loading shared by the co-segmentation datasets. A batch is
# `batch_size` groups of `group_size` images; dataset configs set the roots
# and, where they differ, the per-image pipelines.
dataset_type = 'GroupDataset'
crop_size = (224, 224)
group_size = 5

train_image_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadCoSegAnnotation'),
    dict(type='Resize', scale=crop_size, keep_ratio=False),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PhotoMetricDistortion'),
]
test_image_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=crop_size, keep_ratio=False),
    # Masks are loaded after resizing: metrics use the original size.
    dict(type='LoadCoSegAnnotation'),
]

# MMEngine looks collate functions up without the default scope: ours is
# named with its scope. _scope_: the datasets are built in mmcoseg's scope
# even by tools that set MMSeg's (MMSeg's analysis_tools/browse_dataset.py).
train_dataloader = dict(
    batch_size=4,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    collate_fn=dict(type='mmcoseg.coseg_collate'),
    dataset=dict(
        _scope_='mmcoseg',
        type=dataset_type,
        group_size=group_size,
        pipeline=[
            dict(type='GroupTransforms', transforms=train_image_pipeline),
            dict(type='PackCoSegInputs'),
        ]))
val_dataloader = dict(
    batch_size=1,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='mmcoseg.coseg_collate'),
    dataset=dict(
        _scope_='mmcoseg',
        type=dataset_type,
        group_size=group_size,
        test_mode=True,
        pipeline=[
            dict(type='GroupTransforms', transforms=test_image_pipeline),
            dict(type='PackCoSegInputs'),
        ]))
test_dataloader = val_dataloader
# `tools/test.py --tta`: every test group also seen mirrored (the whole group
# in each view), foreground maps averaged (CoSegTTAModel, default_runtime).
# Masks are loaded after the flip: predictions are flipped back.
tta_pipeline = [
    dict(
        type='GroupTestTimeAug',
        transforms=[
            [dict(type='LoadImageFromFile')],
            [dict(type='Resize', scale=crop_size, keep_ratio=False)],
            [
                dict(type='RandomFlip', prob=0.0, direction='horizontal'),
                dict(type='RandomFlip', prob=1.0, direction='horizontal'),
            ],
            [dict(type='LoadCoSegAnnotation')],
        ])
]
val_evaluator = dict(type='CoSegMetric')
test_evaluator = val_evaluator
