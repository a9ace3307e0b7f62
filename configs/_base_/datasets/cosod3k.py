# CoSOD3k (Fan et al., CVPR 2020; 160 categories, 3316 images) for
# validation and testing, in the GCoNet family's layout:
#   data/cosod/images/CoSOD3k/<category>/<name>.jpg
#   data/cosod/gts/CoSOD3k/<category>/<name>.png
# See ./coca.py for other roots, whole-category groups and the protocols.
_base_ = './coca.py'
cosod_test_set = 'CoSOD3k'

val_dataloader = dict(
    dataset=dict(
        data_prefix=dict(
            img_path=f'images/{cosod_test_set}',
            seg_map_path=f'gts/{cosod_test_set}')))
test_dataloader = val_dataloader
