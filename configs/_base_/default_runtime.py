# Runtime of every mmcoseg config. Components are built in the `mmcoseg`
# registry scope (mmcoseg.registry), which also finds MMSeg's and MMEngine's
# components by their plain names; other codebases' take their scope as a
# prefix (`mmpretrain.VGG`). No custom_imports: the registries import
# mmcoseg's modules when a config first asks for one of its components.
default_scope = 'mmcoseg'
env_cfg = dict(
    cudnn_benchmark=True,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    dist_cfg=dict(backend='nccl'),
)
vis_backends = [dict(type='LocalVisBackend')]
# _scope_: built in mmcoseg's scope even by tools that set MMSeg's.
visualizer = dict(
    _scope_='mmcoseg',
    type='CoSegLocalVisualizer',
    vis_backends=vis_backends,
    name='visualizer')
log_processor = dict(by_epoch=False)
log_level = 'INFO'
load_from = None
resume = False

# Keeps checkpoints loadable with torch.load(weights_only=True); stops on a
# NaN/inf loss before the optimizer step (naming the iteration); counts the
# bad training items that were skipped (docs/reliability.md).
custom_hooks = [
    dict(type='PlainMessageHubHook'),
    dict(type='NonFiniteLossHook', action='raise'),
    dict(type='BadItemCounterHook'),
]

# MMEngine's runner, plus distributed launches on machines without a GPU
# (gloo). The scope prefix lets MMSeg's tools/train.py find it as well.
runner_type = 'mmcoseg.CoSegRunner'

# `tools/test.py --tta` wraps the model in this and reads the test set with
# the dataset config's `tta_pipeline` (views of whole groups).
tta_model = dict(_scope_='mmcoseg', type='CoSegTTAModel')
