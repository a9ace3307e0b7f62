# The seen protocol's pipelines (pascal_voc_coseg_seen.py) at 384 x 384
# inputs instead of 224 x 224. A *-seen-384x384 config lists this file beside
# its 224 x 224 parent and sets its pipelines and the data preprocessor's
# size from the names below (they differ from the 224 names because
# MMEngine does not allow one key in two bases).
size_384 = (384, 384)
train_image_pipeline_384 = [
    dict(type='CachedTransforms', transforms=[
        dict(type='LoadImageFromFile'),
        dict(type='LoadCoSegAnnotation'),
        dict(type='Resize', scale=size_384, keep_ratio=False),
    ]),
    dict(type='RandomFlip', prob=0.5),
]
train_pipeline_384 = [
    dict(type='GroupTransforms', transforms=train_image_pipeline_384),
    dict(type='PackCoSegInputs'),
]
copy_paste_pipeline_384 = [
    dict(type='GroupTransforms', transforms=train_image_pipeline_384),
    dict(type='GroupCopyPaste'),
    dict(type='PackCoSegInputs'),
]
test_pipeline_384 = [
    dict(type='GroupTransforms', transforms=[
        dict(type='LoadImageFromFile'),
        dict(type='Resize', scale=size_384, keep_ratio=False),
        dict(type='LoadCoSegAnnotation'),
    ]),
    dict(type='PackCoSegInputs'),
]
