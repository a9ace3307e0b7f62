# COCO-SEG for training (78 categories; folder layout in the README),
# PASCAL-VOC co-segmentation (images and masks side by side) for validation.
_base_ = './coseg_groups.py'

train_dataloader = dict(
    dataset=dict(
        data_root='data/coco_seg',
        data_prefix=dict(img_path='images', seg_map_path='masks')))
val_dataloader = dict(
    dataset=dict(
        data_root='data/pascal_voc_coseg',
        data_prefix=dict(img_path='', seg_map_path=''),
        img_suffix='.jpg',
        seg_map_suffix='.png'))
test_dataloader = val_dataloader
