_base_ = 'mmseg::_base_/default_runtime.py'

custom_imports = dict(imports=['mmcoseg'], allow_failed_imports=False)

visualizer = dict(type='CoSegLocalVisualizer')
# Keeps checkpoints loadable with torch.load(weights_only=True); stops on a
# NaN/inf loss before the optimizer step (naming the iteration); counts the
# bad training items that were skipped (docs/reliability.md).
custom_hooks = [
    dict(type='PlainMessageHubHook'),
    dict(type='NonFiniteLossHook', action='raise'),
    dict(type='BadItemCounterHook'),
]
