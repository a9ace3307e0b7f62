# The embedded synthetic co-segmentation set (make_synthetic_coseg.py)
# with 8 shape categories and distractors of other categories in every image.
_base_ = './coseg_groups.py'
data_root = 'data/synthetic_coseg'
crop_size = (128, 128)

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

train_dataloader = dict(
    num_workers=2,
    dataset=dict(
        data_root=data_root,
        data_prefix=dict(img_path='train/images', seg_map_path='train/masks'),
        pipeline=[
            dict(type='GroupTransforms', transforms=train_image_pipeline),
            dict(type='PackCoSegInputs'),
        ]))
val_dataloader = dict(
    dataset=dict(
        data_root=data_root,
        data_prefix=dict(img_path='test/images', seg_map_path='test/masks'),
        pipeline=[
            dict(type='GroupTransforms', transforms=test_image_pipeline),
            dict(type='PackCoSegInputs'),
        ]))
test_dataloader = val_dataloader
# The base's `tools/test.py --tta` views at this set's crop_size.
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
