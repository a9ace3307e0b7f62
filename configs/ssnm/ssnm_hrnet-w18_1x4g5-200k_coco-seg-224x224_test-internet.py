# The paper's HRNet-W18 model tested on a benchmark (the dataset config
# gives the expected layout): python tools/test.py THIS_CONFIG CHECKPOINT
_base_ = [
    '../_base_/models/ssnm_hrnet-w18.py',
    '../_base_/datasets/internet_coseg.py',
    '../_base_/default_runtime.py',
    '../_base_/schedules/schedule_200k_adam.py',
]
