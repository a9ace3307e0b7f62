# The embedded synthetic co-segmentation set (make_synthetic_coseg.py)
# with 8 shape categories and distractors of other categories in every image.
dataset_type = 'GroupDataset'
data_root = 'data/synthetic_coseg'
crop_size = (128, 128)
group_size = 5

train_image_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadCoSegAnnotation'),
    dict(type='Resize', scale=(144, 144), keep_ratio=False),
    dict(type='RandomCrop', crop_size=crop_size),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PhotoMetricDistortion'),
]
test_image_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=crop_size, keep_ratio=False),
    dict(type='LoadCoSegAnnotation'),
]
train_pipeline = [
    dict(type='GroupTransforms', transforms=train_image_pipeline),
    dict(type='PackCoSegInputs'),
]
test_pipeline = [
    dict(type='GroupTransforms', transforms=test_image_pipeline),
    dict(type='PackCoSegInputs'),
]

# A batch is `batch_size` groups of `group_size` images each.
train_dataloader = dict(
    batch_size=4,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    collate_fn=dict(type='coseg_collate'),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_prefix=dict(img_path='train/images', seg_map_path='train/masks'),
        group_size=group_size,
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=1,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='coseg_collate'),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_prefix=dict(img_path='test/images', seg_map_path='test/masks'),
        group_size=group_size,
        test_mode=True,
        pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(type='CoSegMetric')
test_evaluator = val_evaluator
