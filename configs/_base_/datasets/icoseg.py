# iCoseg (Batra et al., CVPR 2010), the usual 8-group subset (bear2,
# brownbear, cheetah, elephant, helicopter, hotballoon, panda1, panda2) for
# validation and testing. Expected download folder:
#   data/icoseg/images/<group>/<name>.jpg
#   data/icoseg/ground_truth/<group>/<name>.png
# Paths resolve from the working directory; link the download there, or pass
# e.g.
#   --cfg-options test_dataloader.dataset.data_root=/path/to/icoseg
# (and val_dataloader.dataset.data_root for validation).
_base_ = './coseg_groups.py'

icoseg_8_classes = ('bear2', 'brownbear', 'cheetah', 'elephant',
                    'helicopter', 'hotballoon', 'panda1', 'panda2')

val_dataloader = dict(
    dataset=dict(
        data_root='data/icoseg',
        data_prefix=dict(img_path='images', seg_map_path='ground_truth'),
        img_suffix='.jpg',
        seg_map_suffix='.png',
        metainfo=dict(classes=icoseg_8_classes)))
test_dataloader = val_dataloader

# All 38 groups: drop the class restriction so that every sub-folder of
# images/ is a category, e.g. in a config inheriting this one
#   val_dataloader = dict(dataset=dict(metainfo=dict(_delete_=True)))
#   test_dataloader = val_dataloader
# or on the command line
#   --cfg-options test_dataloader.dataset.metainfo.classes=None
