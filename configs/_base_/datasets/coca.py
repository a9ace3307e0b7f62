# CoCA (Zhang et al., ECCV 2020; 80 categories, 1295 images, each also
# holding salient objects of other categories) for validation and testing,
# in the layout the co-salient object detection (CoSOD) GCoNet family reads:
#   data/cosod/images/CoCA/<category>/<name>.jpg
#   data/cosod/gts/CoCA/<category>/<name>.png   (0/255 masks)
# Paths resolve from the working directory; link the folder holding images/
# and gts/ as data/cosod, or pass e.g.
#   --cfg-options test_dataloader.dataset.data_root=/path/to/sod
# A copy whose image and mask folders are named otherwise (e.g. CoCA/image
# and CoCA/binary) is read with
#   test_dataloader.dataset.data_root=/path/to/CoCA
#   test_dataloader.dataset.data_prefix.img_path=image
#   test_dataloader.dataset.data_prefix.seg_map_path=binary
# Every category folder is a category. Test groups hold `group_size` (5)
# images of a category as for the co-segmentation benchmarks; the GCoNet
# family feeds each whole category as one group:
#   test_dataloader.dataset.group_size=None
# Both protocols are reported: P/J and the CoSOD measures (S-measure,
# max/mean E-measure, max/mean F-measure, MAE; pysodmetrics, pip install
# mmcoseg[evaluation]).
_base_ = './coseg_groups.py'
cosod_root = 'data/cosod'
cosod_test_set = 'CoCA'

val_dataloader = dict(
    dataset=dict(
        data_root=cosod_root,
        data_prefix=dict(
            img_path=f'images/{cosod_test_set}',
            seg_map_path=f'gts/{cosod_test_set}'),
        seg_map_suffix='.png'))
test_dataloader = val_dataloader
val_evaluator = dict(type='CoSegMetric', protocols=('coseg', 'cosod'))
test_evaluator = val_evaluator
