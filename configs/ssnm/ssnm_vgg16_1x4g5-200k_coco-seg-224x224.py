_base_ = [
    '../_base_/models/ssnm_vgg16.py', '../_base_/datasets/coco_seg.py',
    '../_base_/default_runtime.py', '../_base_/schedules/schedule_200k_adam.py'
]
