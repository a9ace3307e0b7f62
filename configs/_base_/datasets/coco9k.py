# COCO-9k (COCO9213, Zhang et al., ICNet, NeurIPS 2020; 65 categories, 9213
# images) for training, in the GCoNet family's layout:
#   data/cosod/images/coco-9k/<category>/<name>.jpg
#   data/cosod/gts/coco-9k/<category>/<name>.png
# validation and testing on CoCA (./coca.py: both protocols). A model's
# semantic head classifies the training categories: set
# model.semantic_head.num_classes=65.
_base_ = './duts_class.py'
cosod_train_set = 'coco-9k'

train_dataloader = dict(
    dataset=dict(
        data_prefix=dict(
            img_path=f'images/{cosod_train_set}',
            seg_map_path=f'gts/{cosod_train_set}')))
