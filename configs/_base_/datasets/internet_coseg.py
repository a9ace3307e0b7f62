# Internet co-segmentation dataset (Rubinstein et al., CVPR 2013), the
# Airplane100 / Car100 / Horse100 subset, for validation and testing.
# As distributed, images lie in <root>/Data/<Class>100/*.jpg and their masks
# in <root>/Data/<Class>100/GroundTruth/*.png - a folder *inside* each class
# folder, which GroupDataset (parallel trees <root>/<seg>/<class>/) cannot
# index directly. This config therefore reads a converted layout
#   data/internet_coseg/images/<Class>100/<name>.jpg
#   data/internet_coseg/masks/<Class>100/<name>.png
# which symbolic links produce without copying (run in data/internet_coseg,
# the folder holding the downloaded Data/):
#   mkdir -p images masks
#   for c in Airplane100 Car100 Horse100; do
#     ln -s ../Data/$c images/$c; ln -s ../Data/$c/GroundTruth masks/$c
#   done
# (the GroundTruth sub-folder inside images/<Class>100 is ignored: only
# files are listed). Some masks are lossy (JPEG-like values); read_mask
# thresholds them. Paths resolve from the working directory, or pass e.g.
#   --cfg-options test_dataloader.dataset.data_root=/path/to/internet_coseg
# (and val_dataloader.dataset.data_root for validation).
_base_ = './coseg_groups.py'

val_dataloader = dict(
    dataset=dict(
        data_root='data/internet_coseg',
        data_prefix=dict(img_path='images', seg_map_path='masks'),
        img_suffix='.jpg',
        seg_map_suffix='.png',
        metainfo=dict(classes=('Airplane100', 'Car100', 'Horse100'))))
test_dataloader = val_dataloader
