# Test the small synthetic-trained model on PASCAL-VOC co-seg (a smoke test of
# the evaluation path on real data: the model has never seen real images).
#   python tools/test.py THIS_CONFIG work_dirs/demo/ssnm/iter_1500.pth \
#       --cfg-options test_evaluator.protocol=paper|released|pooled \
#       test_dataloader.dataset.data_root=../shared/data/pascal_voc_coseg
_base_ = './ssnm_r18-c16_1x4g5-1500i_synthetic-128x128.py'

test_dataloader = dict(
    dataset=dict(
        data_root='data/pascal_voc_coseg',
        data_prefix=dict(img_path='', seg_map_path=''),
        img_suffix='.jpg',
        seg_map_suffix='.png'))
