# PASCAL-VOC co-seg with SEEN test categories (the paper's setting: its test
# categories are among the training ones). Every one of the 20 classes is
# split by sorted file name: the first ceil(2/3 n) images are for training,
# the other third for testing (GroupDataset `split`; 699 / 338 images).
# Link the data once:
#   ln -s ../shared/data/pascal_voc_coseg data/pascal_voc_coseg
_base_ = './pascal_voc_coseg.py'
train_fraction = 2 / 3
# The test third with 1-2 objects of other classes (cut from other test
# images) pasted into every image, labelled background; built by
# tools/experiments/evaluate_run.sh (deterministic, ~10 s):
#   python tools/dataset_converters/make_distractor_set.py \
#       data/pascal_voc_coseg data/pascal_voc_coseg_distractors/seen \
#       --split test 0.6667
test_distractor_root = 'data/pascal_voc_coseg_distractors/seen'
# The validation part, for choosing test-time settings without the test
# third (the *_voc-coseg-seen-val-* configs): train on the first three
# quarters of every class's training part, validate on its last quarter.
fit_fraction = 0.75
val_train_split = [('train', train_fraction), ('train', fit_fraction)]
val_test_split = [('train', train_fraction), ('test', fit_fraction)]
val_distractor_root = 'data/pascal_voc_coseg_distractors/seen-val'
# Groups of categories outside PASCAL's 20, which no model here learnt: for
# choosing the open-set gate (a selector's min_confidence) without any PASCAL
# test image. The 16 such COCO categories with >= 3 images in coco128 (61
# real photos, often with people or tables beside the object, labelled
# background; tools/experiments/selection_sweep.sh tests on it). Build once:
#   ln -s ../shared/data/coco128 data/coco128
#   python tools/dataset_converters/coco_seg.py \
#       data/coco128/annotations/instances_train2017.json \
#       data/coco128/train2017 data/coco128_seg --min-images 3
open_set_dataset = dict(
    data_root='data/coco128_seg',
    data_prefix=dict(img_path='images', seg_map_path='masks'),
    split=None,
    metainfo=dict(classes=[
        'bed', 'bench', 'bowl', 'broccoli', 'cake', 'cup', 'elephant',
        'giraffe', 'oven', 'pizza', 'refrigerator', 'sink', 'teddy_bear',
        'tie', 'umbrella', 'wine_glass'
    ]))

# Deterministic apart from the flip, so that a FrozenBackbone encodes every
# training image at most twice (resize + flip; no random crop or colour),
# and each data worker decodes and resizes every file once
# (CachedTransforms).
train_image_pipeline = [
    dict(type='CachedTransforms', transforms=[
        dict(type='LoadImageFromFile'),
        dict(type='LoadCoSegAnnotation'),
        dict(type='Resize', scale=(224, 224), keep_ratio=False),
    ]),
    dict(type='RandomFlip', prob=0.5),
]
# The training pipeline with objects of other categories pasted into the
# groups (GroupCopyPaste; the *-copypaste configs, with num_donors=4).
copy_paste_pipeline = [
    dict(type='GroupTransforms', transforms=train_image_pipeline),
    dict(type='GroupCopyPaste'),
    dict(type='PackCoSegInputs'),
]
train_dataloader = dict(
    batch_size=2,
    num_workers=2,
    dataset=dict(
        data_root='data/pascal_voc_coseg',
        data_prefix=dict(img_path='', seg_map_path=''),
        img_suffix='.jpg',
        seg_map_suffix='.png',
        split=('train', train_fraction),
        pipeline=[
            dict(type='GroupTransforms', transforms=train_image_pipeline),
            dict(type='PackCoSegInputs'),
        ]))
val_dataloader = dict(dataset=dict(split=('test', train_fraction)))
test_dataloader = val_dataloader
# Tests report the co-saliency metrics (S-, E-, F-measure, MAE) beside P/J.
test_evaluator = dict(type='CoSegMetric', protocols=('coseg', 'cosod'))
