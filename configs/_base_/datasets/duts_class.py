# DUTS_class (Zhang et al., GICD, ECCV 2020; DUTS regrouped into 291
# categories, 8250 images) for training, in the GCoNet family's layout:
#   data/cosod/images/DUTS_class/<category>/<name>.jpg
#   data/cosod/gts/DUTS_class/<category>/<name>.png
# validation and testing on CoCA (./coca.py: both protocols). A model's
# semantic head classifies the training categories: set
# model.semantic_head.num_classes=291.
_base_ = './coca.py'
cosod_train_set = 'DUTS_class'

train_dataloader = dict(
    dataset=dict(
        data_root='data/cosod',
        data_prefix=dict(
            img_path=f'images/{cosod_train_set}',
            seg_map_path=f'gts/{cosod_train_set}'),
        seg_map_suffix='.png'))
