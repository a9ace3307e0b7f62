"""Every option of the "make the group matter" work trains through
``tools/train.py``: a user config outside the repository derives from the
demo config, switches one option on, and trains 2 iterations on a tiny
synthetic set. The checkpoint must hold the option's parameters, and where
S reaches the decoder through learned fusion weights, the step must have
moved them (the map really feeds the decoder).

The tool runs once per option, as its command line runs it (``__main__``,
``sys.argv``), all options in the test's process: the imports are paid
once, not once per option. Every run is still its own runner and work
directory; the tool runs in a fresh process from a user's folder in
``test_downstream.py``."""
import glob
import json
import os.path as osp

import pytest
import torch

import mmcoseg  # noqa: F401  (the safe globals for weights_only loading)
from mmcoseg.datasets.synthetic_coseg import make_synthetic_coseg

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
SUFFIX = 'r18-c16_1x4g5-1500i_synthetic-128x128.py'
COPY_PASTE_PIPELINE = """
train_dataloader = dict(dataset=dict(num_donors=2, pipeline=[
    dict(type='GroupTransforms', transforms={{_base_.train_image_pipeline}}),
    dict(type='GroupCopyPaste', prob=1.0, max_objects=2),
    dict(type='PackCoSegInputs')]))
"""
FROZEN_BACKBONE = """
model = dict(backbone=dict(_delete_=True, type='FrozenBackbone',
                           backbone=_base_.model.backbone))
"""
# name -> (base config prefix, config lines, parameters the checkpoint holds,
#          fusion weights that must move away from their init of 1.0)
OPTIONS = {
    'group-copy-paste': ('ssnm', COPY_PASTE_PIPELINE,
                         ['spatial_modulator.theta.0.weight'], None),
    'paste-variants': ('ssnm', COPY_PASTE_PIPELINE.replace(
        'num_donors=2,', 'num_donors=2, paste_variants=2,')
        + FROZEN_BACKBONE, ['backbone.backbone.stem.0.weight'], None),
    'frozen-backbone': ('ssnm', FROZEN_BACKBONE,
                        ['backbone.backbone.stem.0.weight'], None),
    'group-exchange': ('ssnm', 'model = dict(data_preprocessor=dict('
                       "group_augments=[dict(type='GroupExchange', "
                       'prob=1.0)]))\n', [],
                       'decode_head.spatial_convs.0.weight'),
    'cross-group': ('ssnm', 'model = dict(train_cfg=dict(cross_group=dict('
                    'loss_weight=1.0)))\n', [], None),
    'context-pairs': ('ssnm', 'train_dataloader = dict(sampler=dict('
                      "_delete_=True, type='ContextPairSampler', contexts=["
                      "['disc', 'ring'], ['square', 'cross', 'star']]))\n",
                      [], None),
    'category-selector': ('ssnm', 'model = dict(modulators=[dict('
                          "type='CategorySelector', in_channels="
                          '{{_base_.in_channels}}, num_classes=8, '
                          'channels=16)])\n',
                          ['extra_modulators.0.projection.weight'], None),
    'category-masks': ('ssnm', 'model = dict(modulators=[dict('
                       "type='CategoryMaskSelector', in_channels="
                       '{{_base_.in_channels}}, num_classes=8, channels=16, '
                       'in_index=(1, 2, 3), in_strides=(8, 16, 32), '
                       'target_stride=8)])\n',
                       ['extra_modulators.0.head.2.weight'], None),
    # what tools/train.py --amp selects, written in the config (as the
    # *-bf16 configs do): bfloat16 autocast on a machine without a GPU
    'mixed-precision': ('ssnm', "optim_wrapper = dict(type='AmpOptimWrapper',"
                        " loss_scale='dynamic')\n", [], None),
}
#: Loss terms an option adds to every logged step.
EXTRA_LOSSES = {'cross-group': ('loss_cross', ),
                'category-selector': ('loss_cat', ),
                'category-masks': ('loss_cat', )}


@pytest.fixture(scope='module')
def data_root(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('coseg_data'))
    make_synthetic_coseg(
        root, num_train=6, num_test=2, image_size=(48, 64), seed=0)
    return root


def _train_options(data_root):
    return [f'train_dataloader.dataset.data_root={data_root}',
            f'val_dataloader.dataset.data_root={data_root}',
            f'test_dataloader.dataset.data_root={data_root}',
            'train_dataloader.num_workers=0',
            'train_dataloader.persistent_workers=False',
            'val_dataloader.num_workers=0',
            'val_dataloader.persistent_workers=False',
            'train_dataloader.batch_size=2', 'train_cfg.max_iters=2',
            'train_cfg.val_interval=100',
            'default_hooks.checkpoint.interval=2',
            'default_hooks.logger.interval=1']


@pytest.fixture(scope='module')
def trained(tmp_path_factory, data_root, run_script):
    """``name -> (work dir, console log, exit status)``: each option's user
    config trained by ``tools/train.py`` from the configs' folder (a failed
    run is reported under its name; the next one still runs)."""
    root = tmp_path_factory.mktemp('options')
    runs = {}
    for name, (base, lines, _, _) in OPTIONS.items():
        config = root / f'my_{name}.py'
        config.write_text(
            f"_base_ = '{osp.join(REPO_ROOT, 'configs', 'ssnm', base)}"
            f"_{SUFFIX}'\n" + lines)
        proc = run_script(
            osp.join(REPO_ROOT, 'tools', 'train.py'), str(config),
            '--work-dir', str(root / name), '--cfg-options',
            *_train_options(data_root), cwd=root)
        runs[name] = (str(root / name), proc.stdout + proc.stderr,
                      proc.returncode)
    return runs


@pytest.mark.parametrize('name', list(OPTIONS))
def test_option_trains(name, trained):
    _, _, params, moved = OPTIONS[name]
    work_dir, log, returncode = trained[name]
    assert returncode == 0, log[-6000:]
    ckpt = torch.load(osp.join(work_dir, 'iter_2.pth'), map_location='cpu',
                      weights_only=True)
    state = ckpt['state_dict']
    for key in params:
        assert key in state, f'{key} missing from the checkpoint'
    if name == 'frozen-backbone':  # eval mode: statistics never updated
        means = [v for k, v in state.items()
                 if k.startswith('backbone.') and k.endswith('running_mean')]
        assert means and all(torch.equal(m, torch.zeros_like(m))
                             for m in means)
    if name == 'mixed-precision':
        assert 'runs as bfloat16 autocast on the CPU' in log, log[-3000:]
        assert "type='mmcoseg.AutocastOptimWrapper'" in log
    if moved is not None:
        assert not torch.all(state[moved] == 1.0), (
            f'{moved} still at its init: S did not reach the decoder')

    scalars = glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json'))
    assert len(scalars) == 1
    with open(scalars[0]) as f:
        entries = [json.loads(line) for line in f if line.strip()]
    steps = [e for e in entries if 'loss' in e]
    assert [e['iter'] for e in steps] == [1, 2]
    for entry in steps:
        for key in ('loss', 'loss_seg', 'loss_spa', 'loss_sem',
                    *EXTRA_LOSSES.get(name, ())):
            assert key in entry and torch.isfinite(
                torch.tensor(entry[key])), (key, entry)
