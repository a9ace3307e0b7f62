# COCO-SEG for training (78 categories; see README "Datasets" for how to
# build the folder layout), PASCAL-VOC co-segmentation for validation.
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
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    collate_fn=dict(type='coseg_collate'),
    dataset=dict(
        type=dataset_type,
        data_root='data/coco_seg',
        data_prefix=dict(img_path='images', seg_map_path='masks'),
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
        data_root='data/pascal_voc_coseg',
        data_prefix=dict(img_path='', seg_map_path=''),
        img_suffix='.jpg',
        seg_map_suffix='.png',
        group_size=group_size,
        test_mode=True,
        pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(type='CoSegMetric')
test_evaluator = val_evaluator
