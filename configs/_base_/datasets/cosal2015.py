# CoSal2015 (Zhang et al., CVPR 2015; 50 categories, 2015 images) for
# validation and testing, in the GCoNet family's layout:
#   data/cosod/images/CoSal2015/<category>/<name>.jpg
#   data/cosod/gts/CoSal2015/<category>/<name>.png
# See ./coca.py for other roots, whole-category groups and the protocols.
_base_ = './coca.py'
cosod_test_set = 'CoSal2015'

val_dataloader = dict(
    dataset=dict(
        data_prefix=dict(
            img_path=f'images/{cosod_test_set}',
            seg_map_path=f'gts/{cosod_test_set}')))
test_dataloader = val_dataloader
