_base_ = 'mmseg::_base_/default_runtime.py'

custom_imports = dict(imports=['mmcoseg'], allow_failed_imports=False)

visualizer = dict(type='CoSegLocalVisualizer')
# Keeps checkpoints loadable with torch.load(weights_only=True).
custom_hooks = [dict(type='PlainMessageHubHook')]
