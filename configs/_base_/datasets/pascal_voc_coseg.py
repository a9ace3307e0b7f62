# PASCAL-VOC co-segmentation (20 classes, 1037 images) for validation and
# testing: <Class>/img_NNNN.jpg beside its mask <Class>/img_NNNN.png (RGB,
# R=G=B in {0, 255}). Paths resolve from the working directory; link the
# shared copy once (never copy it into the repository):
#   ln -s ../shared/data/pascal_voc_coseg data/pascal_voc_coseg
# or pass --cfg-options test_dataloader.dataset.data_root=/path/to/it
# (and val_dataloader.dataset.data_root for validation).
_base_ = './coseg_groups.py'

val_dataloader = dict(
    dataset=dict(
        data_root='data/pascal_voc_coseg',
        data_prefix=dict(img_path='', seg_map_path=''),
        img_suffix='.jpg',
        seg_map_suffix='.png'))
test_dataloader = val_dataloader
