# PASCAL-VOC co-seg with unseen test categories, fold A: train on the first
# ten VOC classes, test on the other ten (never seen in training). Fold B
# swaps the halves (configs/ssnm/*fold-b*.py). Link the data once:
#   ln -s ../shared/data/pascal_voc_coseg data/pascal_voc_coseg
_base_ = './pascal_voc_coseg.py'
fold_a_classes = ('Aero', 'Bicycle', 'Bird', 'Boat', 'Bottle', 'Bus', 'Car',
                  'Cat', 'Chair', 'Cow')
fold_b_classes = ('Dog', 'Horse', 'Mbike', 'Monitor', 'Person', 'Plant',
                  'Sheep', 'Sofa', 'Table', 'Train')
train_classes = fold_a_classes
test_classes = fold_b_classes

train_image_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadCoSegAnnotation'),
    dict(type='Resize', scale=(256, 256), keep_ratio=False),
    dict(type='RandomCrop', crop_size=(224, 224)),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PhotoMetricDistortion'),
]
train_dataloader = dict(
    batch_size=2,
    num_workers=2,
    dataset=dict(
        data_root='data/pascal_voc_coseg',
        data_prefix=dict(img_path='', seg_map_path=''),
        img_suffix='.jpg',
        seg_map_suffix='.png',
        metainfo=dict(classes=train_classes),
        pipeline=[
            dict(type='GroupTransforms', transforms=train_image_pipeline),
            dict(type='PackCoSegInputs'),
        ]))
val_dataloader = dict(dataset=dict(metainfo=dict(classes=test_classes)))
test_dataloader = val_dataloader
