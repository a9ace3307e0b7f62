"""mmcoseg's registry scope: children of MMSeg's registries, every mmcoseg
component registered there (not in MMSeg's), lazy imports, MMSeg's and
MMEngine's components reachable through the parents."""
import glob
import os
import os.path as osp
import subprocess
import sys
import textwrap

import mmengine.registry as mmengine_registry
import mmseg.registry as mmseg_registry
import pytest
from mmengine.registry import DefaultScope

import mmcoseg.registry as mmcoseg_registry
from mmcoseg.utils import register_all_modules

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
REGISTRIES = [
    name for name, value in vars(mmcoseg_registry).items()
    if isinstance(value, mmengine_registry.Registry)
    and value.scope == 'mmcoseg'
]
COMPONENTS = {
    'DATASETS': ['GroupDataset'],
    'TRANSFORMS': ['GroupTransforms', 'LoadCoSegAnnotation',
                   'PackCoSegInputs'],
    'FUNCTIONS': ['coseg_collate'],
    'MODELS': ['CoSegDataPreProcessor', 'CoSegEncoderDecoder', 'CoSegLoss',
               'HSPHead', 'ModulatedFPNDecoder', 'SpatialMapHead',
               'SpatialModulator'],
    'METRICS': ['CoSegMetric'],
    'VISUALIZERS': ['CoSegLocalVisualizer'],
    'HOOKS': ['AtomicCheckpointHook', 'BadItemCounterHook',
              'CoSegVisualizationHook', 'NonFiniteLossHook',
              'PlainMessageHubHook'],
    'RUNNERS': ['CoSegRunner'],
}
# Components of MMSeg, MMEngine and MMCV that the configs use, found
# through the parents; MMPretrain's with their prefix.
INHERITED = {
    'MODELS': ['ResNetV1c', 'HRNet', 'TIMMBackbone', 'SegDataPreProcessor',
               'mmpretrain.VGG', 'BN'],
    'HOOKS': ['IterTimerHook', 'LoggerHook', 'ParamSchedulerHook',
              'CheckpointHook', 'DistSamplerSeedHook',
              'SegVisualizationHook'],
    'OPTIMIZERS': ['Adam', 'AdamW', 'SGD'],
    'OPTIM_WRAPPERS': ['OptimWrapper', 'AmpOptimWrapper'],
    'PARAM_SCHEDULERS': ['PolyLR', 'StepLR', 'LinearLR', 'PolyLRRatio'],
    'LOOPS': ['IterBasedTrainLoop', 'ValLoop', 'TestLoop'],
    'DATA_SAMPLERS': ['InfiniteSampler', 'DefaultSampler'],
    'TRANSFORMS': ['LoadImageFromFile', 'Resize', 'RandomCrop',
                   'RandomFlip', 'PhotoMetricDistortion', 'PackSegInputs'],
    'METRICS': ['IoUMetric'],
    'VISBACKENDS': ['LocalVisBackend', 'TensorboardVisBackend'],
    'VISUALIZERS': ['SegLocalVisualizer'],
    'LOG_PROCESSORS': ['LogProcessor'],
}


def _parent(name):
    """MMSeg's registry ``name``, or MMEngine's where MMSeg has none."""
    if hasattr(mmseg_registry, name):
        return getattr(mmseg_registry, name)
    return getattr(mmengine_registry, name)


def test_every_registry_is_a_child_of_mmsegs():
    assert len(REGISTRIES) == 22
    for name in REGISTRIES:
        registry = getattr(mmcoseg_registry, name)
        parent = _parent(name)
        assert registry.scope == 'mmcoseg', name
        assert registry.parent is parent, name
        assert parent._children['mmcoseg'] is registry, name


@pytest.mark.parametrize('name', sorted(COMPONENTS))
def test_components_registered_in_mmcoseg_only(name):
    register_all_modules(init_default_scope=False)
    ours = getattr(mmcoseg_registry, name)
    theirs = _parent(name)
    for component in COMPONENTS[name]:
        assert component in ours.module_dict, component
        assert component not in theirs.module_dict, component


@pytest.mark.parametrize('name', sorted(INHERITED))
def test_inherited_components_resolve(name):
    registry = getattr(mmcoseg_registry, name)
    for component in INHERITED[name]:
        assert registry.get(component) is not None, component


def test_collate_function_found_with_its_scope():
    """MMEngine's runner looks collate functions up in its root registry."""
    from mmcoseg.datasets import coseg_collate
    found = mmengine_registry.FUNCTIONS.get('mmcoseg.coseg_collate')
    assert found is coseg_collate


def test_no_component_registers_into_another_codebase():
    offenders = []
    for path in glob.glob(osp.join(ROOT, 'mmcoseg', '**', '*.py'),
                          recursive=True):
        if path.endswith(osp.join('mmcoseg', 'registry.py')):
            continue
        with open(path) as f:
            text = f.read()
        if 'from mmseg.registry import' in text or \
                'from mmengine.registry import FUNCTIONS' in text:
            offenders.append(osp.relpath(path, ROOT))
    assert offenders == []


def test_registries_import_their_modules_lazily(tmp_path):
    code = textwrap.dedent("""
        import sys
        from mmcoseg.registry import MODELS, HOOKS
        before = 'mmcoseg.models' in sys.modules
        cls = MODELS.get('CoSegEncoderDecoder')
        print(before, cls.__module__, 'mmcoseg.engine' in sys.modules)
        """)
    proc = subprocess.run([sys.executable, '-c', code], cwd=str(tmp_path),
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, timeout=300,
                          env=dict(os.environ, PYTHONWARNINGS='ignore'))
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.split() == [
        'False', 'mmcoseg.models.segmentors.coseg_encoder_decoder', 'False']


def test_register_all_modules_sets_the_default_scope():
    register_all_modules(init_default_scope=True)
    assert DefaultScope.get_current_instance().scope_name == 'mmcoseg'
