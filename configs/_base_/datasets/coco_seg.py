# COCO-SEG for training (78 categories; folder layout in the README),
# PASCAL-VOC co-segmentation for validation and testing.
_base_ = './pascal_voc_coseg.py'

train_dataloader = dict(
    dataset=dict(
        data_root='data/coco_seg',
        data_prefix=dict(img_path='images', seg_map_path='masks')))
