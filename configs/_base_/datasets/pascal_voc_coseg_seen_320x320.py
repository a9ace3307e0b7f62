# The seen protocol's pipelines (pascal_voc_coseg_seen.py) at 320 x 320
# inputs instead of 224 x 224. A *-seen-320x320 config lists this file beside
# its 224 x 224 parent and sets its pipelines and the data preprocessor's
# size from the names below (they differ from the 224 names because
# MMEngine does not allow one key in two bases).
size_320 = (320, 320)
train_image_pipeline_320 = [
    dict(type='CachedTransforms', transforms=[
        dict(type='LoadImageFromFile'),
        dict(type='LoadCoSegAnnotation'),
        dict(type='Resize', scale=size_320, keep_ratio=False),
    ]),
    dict(type='RandomFlip', prob=0.5),
]
train_pipeline_320 = [
    dict(type='GroupTransforms', transforms=train_image_pipeline_320),
    dict(type='PackCoSegInputs'),
]
copy_paste_pipeline_320 = [
    dict(type='GroupTransforms', transforms=train_image_pipeline_320),
    dict(type='GroupCopyPaste'),
    dict(type='PackCoSegInputs'),
]
test_pipeline_320 = [
    dict(type='GroupTransforms', transforms=[
        dict(type='LoadImageFromFile'),
        dict(type='Resize', scale=size_320, keep_ratio=False),
        dict(type='LoadCoSegAnnotation'),
    ]),
    dict(type='PackCoSegInputs'),
]
