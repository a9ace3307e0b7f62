"""Every shipped config loads, builds its model and runs a forward pass;
every config the documentation names is shipped."""
import glob
import os.path as osp
import re

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import DefaultScope, init_default_scope

from mmcoseg.registry import MODELS

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
CONFIGS = sorted(glob.glob(osp.join(ROOT, 'configs', '*', '*.py')))
CONFIGS = [c for c in CONFIGS if '_base_' not in c]


DOCUMENTS = ['README.md', 'model-index.yml'] + sorted(
    osp.relpath(p, ROOT)
    for pattern in ('docs/*.md', 'configs/*/*.md', 'configs/*/*.yaml')
    for p in glob.glob(osp.join(ROOT, pattern)))


def test_documented_configs_are_shipped_and_built_here():
    """Every ``configs/...py`` that the README, docs, configs READMEs and
    metafiles name is a shipped config (built by the test below) or one of
    its ``_base_`` files."""
    named = {}
    for doc in DOCUMENTS:
        with open(osp.join(ROOT, doc), encoding='utf-8') as f:
            for path in re.findall(r'configs/[\w./-]+?\.py', f.read()):
                named.setdefault(path, doc)
    demo = 'configs/ssnm/ssnm_r18-c16_1x4g5-1500i_synthetic-128x128.py'
    assert demo in named  # the README's quick start
    built = {osp.relpath(c, ROOT) for c in CONFIGS}
    missing = {
        path: doc for path, doc in named.items()
        if path not in built and not (
            path.startswith('configs/_base_/')
            and osp.isfile(osp.join(ROOT, path)))
    }
    assert not missing, f'named but not shipped (config: document): {missing}'


def test_metafile_lists_every_config_once():
    """Each ``configs/<algo>/metafile.yaml`` has one entry per config of its
    folder, named after it; an entry without ``Results`` says why in a
    ``# Results: ...`` comment (e.g. not trained yet)."""
    import yaml
    metafiles = sorted(glob.glob(osp.join(ROOT, 'configs', '*',
                                          'metafile.yaml')))
    assert metafiles
    for metafile in metafiles:
        with open(metafile, encoding='utf-8') as f:
            text = f.read()
        models = yaml.safe_load(text)['Models']
        folder = osp.relpath(osp.dirname(metafile), ROOT)
        listed = [m['Config'] for m in models]
        shipped = sorted(
            osp.relpath(c, ROOT) for c in CONFIGS
            if osp.dirname(osp.relpath(c, ROOT)) == folder)
        extra = sorted(
            c for c in listed if listed.count(c) > 1 or c not in shipped)
        assert sorted(listed) == shipped, (
            f'{metafile}: missing {sorted(set(shipped) - set(listed))}, '
            f'not shipped or listed twice {extra}')
        # one block of text per entry, in order
        blocks = re.split(r'\n  - Name: ', text.split('\nModels:')[1])[1:]
        assert len(blocks) == len(models)
        for model, block in zip(models, blocks):
            assert model['Config'] == f"{folder}/{model['Name']}.py"
            if 'Results' in model:
                for result in model['Results']:
                    assert set(result['Metrics']) >= {'P', 'J'}, model['Name']
            else:
                assert '# Results: ' in block, (
                    f"{model['Name']}: no Results and no reason")
        # the configs README's results table shows the same numbers
        with open(osp.join(osp.dirname(metafile), 'README.md'),
                  encoding='utf-8') as f:
            readme = f.read().split('\n## Results\n')[1]
        rows = re.findall(
            r'^\| `([\w.-]+)\.py` \|[^|]*\| ([\d.]+) \| ([\d.]+) \|', readme,
            re.M)
        metrics = {
            m['Name']: m['Results'][0]['Metrics']
            for m in models if 'Results' in m
        }
        assert sorted(name for name, _, _ in rows) == sorted(metrics)
        for name, p, j in rows:
            assert (float(p), float(j)) == (
                metrics[name]['P'], metrics[name]['J']), name


@pytest.mark.parametrize('path', CONFIGS, ids=osp.basename)
def test_config_builds(path):
    cfg = Config.fromfile(path)
    assert cfg.default_scope == 'mmcoseg'
    assert 'custom_imports' not in cfg  # the registries import lazily
    assert cfg.runner_type == 'mmcoseg.CoSegRunner'
    init_default_scope(cfg.default_scope)
    model = MODELS.build(cfg.model)
    assert type(model).__name__ == 'CoSegEncoderDecoder'
    # all datasets are grouped and collated without transposing groups
    # (a config without a held-out split has no validation)
    loaders = ['train_dataloader', 'test_dataloader']
    if cfg.get('val_dataloader') is not None:
        loaders.append('val_dataloader')
    else:
        assert cfg.get('val_cfg') is None and cfg.get('val_evaluator') is None
    for loader in loaders:
        assert cfg[loader].dataset.type == 'GroupDataset'
        assert cfg[loader].collate_fn.type == 'mmcoseg.coseg_collate'
    size = 64
    model.test_cfg['ungrouped'] = 'single'  # a bare tensor is one group
    model.eval()
    with torch.no_grad():
        out = model(torch.rand(3, 3, size, size), mode='tensor')
    assert out.shape[:2] == (3, 1)


def _size_transforms(node, found):
    """Collect ``(type, scale)`` of every resize and crop under ``node``."""
    if isinstance(node, dict):
        if node.get('type') in ('Resize', 'RandomCrop'):
            found.append((node['type'],
                          tuple(node.get('scale') or node['crop_size'])))
        for value in node.values():
            _size_transforms(value, found)
    elif isinstance(node, (list, tuple)):
        for value in node:
            _size_transforms(value, found)
    return found


@pytest.mark.parametrize('path', CONFIGS, ids=osp.basename)
def test_input_size_matches_config_name(path):
    """The ``-{H}x{W}`` in a config's name is what the model sees: the data
    preprocessor's size, the test pipeline's resize and the training crop
    (or, without a crop, the training resize). The test resize may differ
    only where the config states it, as ``test_size_{H}`` (models trained
    at 320 x 320 are tested at 448 x 448). A derived config that changes
    the size in one place only fails here."""
    height, width = map(int, re.search(r'-(\d+)x(\d+)(_test-[\w-]+)?\.py$',
                                       osp.basename(path)).groups()[:2])
    cfg = Config.fromfile(path)
    assert tuple(cfg.model.data_preprocessor['size']) == (height, width)
    test = _size_transforms(cfg.test_dataloader.dataset.pipeline, [])
    stated = cfg.get(f'test_size_{height}')
    assert test == [('Resize', tuple(stated or (width, height)))], test
    train = _size_transforms(cfg.train_dataloader.dataset.pipeline, [])
    crops = [scale for kind, scale in train if kind == 'RandomCrop']
    final = crops if crops else [scale for _, scale in train]
    assert final == [(height, width)], train


@pytest.mark.parametrize('path', [
    c for c in CONFIGS
    if osp.basename(c).startswith(('ssnm_r18', 'ssnm_hrnet', 'ssnm_vgg16_'))
], ids=osp.basename)
def test_model_builds_in_mmseg_scope(path):
    """The model dict carries ``_scope_='mmcoseg'``: tools that set MMSeg's
    scope (MMSeg's ``get_flops.py``) still build it."""
    cfg = Config.fromfile(path)
    with DefaultScope.overwrite_default_scope('mmseg'):
        model = MODELS.build(cfg.model)
    assert type(model).__name__ == 'CoSegEncoderDecoder'


def test_mmcoseg_scope_resolves_installed_configs(tmp_path):
    """``mmcoseg::`` bases resolve from the installed package; their dicts
    are scoped to mmcoseg, which builds MMSeg's backbone too."""
    user_cfg = tmp_path / 'my_config.py'
    user_cfg.write_text(
        "_base_ = 'mmcoseg::ssnm/"
        "ssnm_r18-c16_1x4g5-1500i_synthetic-128x128.py'\n"
        'train_cfg = dict(max_iters=10)\n')
    cfg = Config.fromfile(str(user_cfg))
    assert cfg.train_cfg.max_iters == 10
    assert cfg.model.type == 'CoSegEncoderDecoder'
    assert cfg.model._scope_ == 'mmcoseg'
    assert cfg.default_hooks.timer._scope_ == 'mmcoseg'
    with DefaultScope.overwrite_default_scope('mmseg'):
        model = MODELS.build(cfg.model)
    assert type(model.backbone).__name__ == 'ResNetV1c'
