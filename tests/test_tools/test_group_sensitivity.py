"""tools/analysis_tools/group_sensitivity.py as a user runs it."""
import json
import os
import os.path as osp
import subprocess
import sys

import pytest

from mmcoseg.datasets.synthetic_coseg import (
    DEFAULT_CATEGORIES,
    make_synthetic_coseg,
)

#: Four categories of the synthetic set, enough for mixed groups of 4 (one
#: image per category), at half the cost of all eight.
CATEGORIES = DEFAULT_CATEGORIES[:4]
REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = osp.join(REPO, 'configs', 'ssnm',
                  'ssnm_r18-c16_1x4g5-1500i_synthetic-128x128.py')
TOOL = osp.join(REPO, 'tools', 'analysis_tools', 'group_sensitivity.py')


@pytest.fixture(scope='module')
def data_root(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('gs_data'))
    make_synthetic_coseg(root, num_train=1, num_test=2, image_size=(64, 80),
                         categories=CATEGORIES)
    return root


def _args(tmp_path, data_root, *extra):
    opts = [f'test_dataloader.dataset.data_root={data_root}',
            'test_dataloader.num_workers=0',
            'test_dataloader.persistent_workers=False',
            'test_dataloader.dataset.group_size=4', *extra]
    return [CONFIG, '--out', str(tmp_path / 'gs.json'), '--work-dir',
            str(tmp_path / 'work'), '--cfg-options', *opts]


def _results(tmp_path):
    with open(tmp_path / 'gs.json') as f:
        return json.load(f)['results']


def test_single_image_model_is_insensitive(tmp_path, data_root, run_script):
    """The control: a decoder without modulators segments each image on its
    own, so its masks, and J, are the same in every grouping. (The tool's
    command line in this process: it runs in a fresh one below.)"""
    proc = run_script(TOOL, *_args(tmp_path, data_root,
                                   'model.spatial_modulator=None',
                                   'model.semantic_head=None'), cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    stdout, results = proc.stdout, _results(tmp_path)
    assert set(results) == {'category', 'mixed', 'single'}
    js = {mode: r['J'] for mode, r in results.items()}
    assert js['category'] == js['mixed'] == js['single'], js
    assert 'group sensitivity (J drop, category -> mixed): 0.00' in stdout
    # 8 scored images: 4 categories x 2, groups of 4 (2 with padding)
    assert results['category']['groups'] == len(CATEGORIES)
    assert results['single']['groups'] == 2 * len(CATEGORIES)
    assert '| mixed |' in stdout and '| single |' in stdout


def test_group_model_table(tmp_path, data_root):
    """As a user runs it, in a fresh process."""
    proc = subprocess.run(
        [sys.executable, TOOL, *_args(tmp_path, data_root)],
        cwd=tmp_path, env=dict(os.environ, PYTHONWARNINGS='ignore'),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        timeout=600)
    assert proc.returncode == 0, proc.stdout[-4000:]
    stdout, results = proc.stdout, _results(tmp_path)
    assert set(results) == {'category', 'mixed', 'single'}
    assert results['category']['groups'] == len(CATEGORIES)
    assert results['single']['groups'] == 2 * len(CATEGORIES)
    # the printed drop is the one of the JSON results
    drop = results['category']['J'] - results['mixed']['J']
    assert f'(J drop, category -> mixed): {drop:.2f}' in stdout
    assert '| mode | groups | P | J | J - J(category) |' in stdout
    rows = {cells[1].strip(): cells[-2].strip() for cells in (
        line.split('|') for line in stdout.splitlines()
        if line.startswith('| ') and not line.startswith('| mode '))}
    assert rows['category'] == '-', stdout[-3000:]
    for mode in ('mixed', 'single'):
        delta = results[mode]['J'] - results['category']['J']
        assert rows[mode] == f'{delta:+.2f}', stdout[-3000:]
