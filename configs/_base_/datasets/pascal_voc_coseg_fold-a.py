# PASCAL-VOC co-seg with unseen test categories, fold A: train on the first
# ten VOC classes, test on the other ten (never seen in training). Fold B
# swaps the halves (configs/ssnm/*fold-b*.py). Link the data once:
#   ln -s ../shared/data/pascal_voc_coseg data/pascal_voc_coseg
_base_ = ['./pascal_voc_coseg.py', './pascal_voc_coseg_folds.py']
train_classes = {{_base_.fold_a_classes}}
test_classes = {{_base_.fold_b_classes}}
# The test classes with 1-2 pasted objects of the other test classes in every
# image, labelled background (the distractor benchmark, *_test-distractors.py
# configs). Build it once (deterministic, ~15 s):
#   python tools/dataset_converters/make_distractor_set.py \
#       data/pascal_voc_coseg data/pascal_voc_coseg_distractors/fold-a \
#       --classes Dog Horse Mbike Monitor Person Plant Sheep Sofa Table Train
test_distractor_root = 'data/pascal_voc_coseg_distractors/fold-a'

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
