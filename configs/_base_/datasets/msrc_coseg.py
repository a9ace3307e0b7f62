# MSRC co-segmentation subset (7 classes x 10 images: cow, plane, car, sheep,
# cat, dog, bird) for validation and testing. Expected download folder
# (BMP images and BMP masks in parallel per-class trees):
#   data/msrc_coseg/images/<class>/<name>.bmp
#   data/msrc_coseg/GroundTruth/<class>/<name>.bmp
# Paths resolve from the working directory; link or move the download there,
# or pass e.g.
#   --cfg-options test_dataloader.dataset.data_root=/path/to/msrc_coseg
# (and val_dataloader.dataset.data_root for validation).
_base_ = './coseg_groups.py'

val_dataloader = dict(
    dataset=dict(
        data_root='data/msrc_coseg',
        data_prefix=dict(img_path='images', seg_map_path='GroundTruth'),
        img_suffix='.bmp',
        seg_map_suffix='.bmp',
        metainfo=dict(
            classes=('cow', 'plane', 'car', 'sheep', 'cat', 'dog', 'bird'))))
test_dataloader = val_dataloader
