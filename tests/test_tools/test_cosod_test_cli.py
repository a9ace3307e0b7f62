"""``tools/test.py`` reports P/J and the CoSOD measures in one run.

As a user would: in a temporary folder holding a fabricated CoCA copy in
the GCoNet family's layout (``data/cosod/images/CoCA``, ``data/cosod/gts/
CoCA``) and a 4-line config on the installed ``mmcoseg::`` bases (a model
and ``_base_/datasets/coca.py``), ``tools/test.py`` is run in a subprocess
on a checkpoint of a freshly built model, with ``--out`` and a work dir.
"""
import argparse
import glob
import json
import os
import os.path as osp
import re
import subprocess
import sys

import pytest
import torch
from mmengine.config import Config, DictAction
from mmengine.registry import init_default_scope

import mmcoseg  # noqa: F401  (registers modules)
from mmcoseg.registry import METRICS, MODELS

sys.path.insert(0, osp.join(osp.dirname(osp.dirname(__file__)),
                            'test_datasets'))
from test_cosod_layouts import make_cosod_set  # noqa: E402

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CATEGORIES = ('Accordion', 'Banana')
NUM_IMAGES = 2 * len(CATEGORIES)
COSOD_KEYS = ('Sm', 'maxEm', 'meanEm', 'maxFm', 'meanFm', 'MAE')
USER_CONFIG = """_base_ = [
    'mmcoseg::_base_/models/ssnm_efficientnet-lite0.py',
    'mmcoseg::_base_/datasets/coca.py',
    'mmcoseg::_base_/default_runtime.py',
    'mmcoseg::_base_/schedules/schedule_200k_adam.py',
]
"""
PJ_ROW = re.compile(r'^\|\s*(\S[^|]*?)\s*\|\s*(\d+)\s*\|'
                    r'\s*([\d.]+|nan)\s*\|\s*([\d.]+|nan)\s*\|$')
COSOD_ROW = re.compile(r'^\|\s*(\S[^|]*?)\s*\|\s*(\d+)\s*\|' +
                       r'\s*([\d.]+)\s*\|' * len(COSOD_KEYS) + '$')

pytest.importorskip('py_sod_metrics')
pytest.importorskip('timm')


def _rows(text, pattern):
    rows = {}
    for line in text.splitlines():
        match = pattern.match(line.strip())
        if match and match.group(1) != 'Category':
            name, num, *values = match.groups()
            rows[name] = (int(num), [float(v) for v in values])
    return rows


@pytest.fixture(scope='module')
def tested(tmp_path_factory):
    user_dir = tmp_path_factory.mktemp('user')
    make_cosod_set(str(user_dir / 'data' / 'cosod'), 'CoCA', CATEGORIES)
    (user_dir / 'my_coca.py').write_text(USER_CONFIG)
    cfg = Config.fromfile(str(user_dir / 'my_coca.py'))
    init_default_scope('mmcoseg')
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    checkpoint = str(user_dir / 'fresh.pth')
    torch.save({'state_dict': model.state_dict(), 'meta': {}}, checkpoint)
    env = dict(os.environ, PYTHONWARNINGS='ignore')
    proc = subprocess.run(
        [sys.executable, osp.join(REPO_ROOT, 'tools', 'test.py'),
         'my_coca.py', 'fresh.pth', '--work-dir', 'work', '--out', 'out',
         '--cfg-options', 'test_dataloader.num_workers=0',
         'test_dataloader.persistent_workers=False'],
        cwd=str(user_dir), env=env, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, universal_newlines=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-6000:]
    return dict(dir=user_dir, stdout=proc.stdout)


def test_both_protocols_printed(tested):
    out = tested['stdout']
    pj = _rows(out, PJ_ROW)
    assert set(pj) == set(CATEGORIES) | {'Ave.'}, out[-4000:]
    assert pj['Ave.'][0] == NUM_IMAGES
    assert 'protocol: cosod (pysodmetrics' in out
    cosod = _rows(out, COSOD_ROW)
    assert set(cosod) == set(CATEGORIES) | {'All images'}, out[-4000:]
    for name, (num, values) in cosod.items():
        assert num == (NUM_IMAGES if name == 'All images' else 2)
        assert all(0 <= v <= 1.5 for v in values), (name, values)

    runs = glob.glob(str(tested['dir'] / 'work' / '*' / '*.json'))
    assert len(runs) == 1, runs
    with open(runs[0]) as f:
        metrics = json.loads(f.read().strip().splitlines()[-1])
    for key in ('P', 'J', *COSOD_KEYS):
        assert key in metrics, metrics
    # the logged metrics are the table's "All images" row
    assert [metrics[k] for k in COSOD_KEYS] == cosod['All images'][1]
    # --out still writes the binary masks and the per-image P/J
    masks = glob.glob(str(tested['dir'] / 'out' / '*' / '*.png'))
    assert len(masks) == NUM_IMAGES
    assert (tested['dir'] / 'out' / 'per_image_scores.csv').is_file()


def test_protocols_from_the_command_line():
    """``--cfg-options test_evaluator.protocols=coseg,cosod`` (DictAction)
    turns the CoSOD measures on for a P/J-only config, and
    ``protocols=cosod`` leaves P/J out."""
    parser = argparse.ArgumentParser()
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    cfg = Config(dict(test_evaluator=dict(type='CoSegMetric')))
    for value, expected in (('coseg,cosod', ('coseg', 'cosod')),
                            ('cosod', ('cosod', ))):
        args = parser.parse_args(
            ['--cfg-options', f'test_evaluator.protocols={value}'])
        cfg.merge_from_dict(args.cfg_options)
        init_default_scope('mmcoseg')
        metric = METRICS.build(cfg.test_evaluator)
        assert metric.protocols == expected
