"""mmcoseg as a downstream codebase, used the way a user types it.

From a temporary directory outside the repository, a user config that
inherits ``mmcoseg::ssnm/ssnm_r18-c16_1x4g5-1500i_synthetic-128x128.py``
(on a tiny synthetic set) is trained with mmcoseg's ``tools/train.py``,
resumed with MMSeg's own ``tools/train.py``, tested with both tools
(MMSeg's with ``--show-dir``: a picture per image and per group), used for
inference (``tools/cosegment.py`` and :func:`mmcoseg.apis.init_model`), and
run through MMSeg's ``dist_train.sh`` (2 CPU processes), ``benchmark.py``,
``analyze_logs.py`` and ``browse_dataset.py``, all from the installed
mmsegmentation (``mmseg/.mim/tools``), unchanged. MMSeg's tools never import
mmcoseg: the ``mmcoseg-import-hooks.pth`` start-up hooks and the registry
scope do the rest.

Not here: MMSeg's ``dist_test.sh`` (MMSeg's ``test.py`` builds MMEngine's
``Runner``, whose distributed set-up calls ``torch.cuda.set_device``: it
needs a GPU; mmcoseg's ``tools/dist_test.sh`` runs on CPU,
``test_distributed.py``) and MMSeg's ``get_flops.py`` (broken with MMEngine
0.10.7 for MMSeg's own configs too; mmcoseg's ``get_flops.py`` is tested).
"""
import glob
import importlib.util
import json
import math
import os
import os.path as osp
import re
import runpy
import shutil
import socket
import subprocess
import sys

import mmseg
import pytest
from mmengine.config import Config
from mmengine.registry import init_default_scope
from PIL import Image

from mmcoseg.apis import cosegment, init_model
from mmcoseg.datasets.synthetic_coseg import make_synthetic_coseg
from mmcoseg.registry import MODELS

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
MMSEG_TOOLS = osp.join(osp.dirname(mmseg.__file__), '.mim', 'tools')
CATEGORIES = ('circle', 'square')
NUM_TEST = 2
TIMEOUT = 600

USER_CONFIG = """
_base_ = 'mmcoseg::ssnm/ssnm_r18-c16_1x4g5-1500i_synthetic-128x128.py'
data_root = {data_root!r}
classes = {classes!r}
train_dataloader = dict(
    batch_size=2, num_workers=0, persistent_workers=False,
    dataset=dict(data_root=data_root, metainfo=dict(classes=classes)))
val_dataloader = dict(
    num_workers=0, persistent_workers=False,
    dataset=dict(data_root=data_root, metainfo=dict(classes=classes),
                 group_size={num_test}))
test_dataloader = val_dataloader
train_cfg = dict(max_iters=2, val_interval=100)
default_hooks = dict(checkpoint=dict(interval=1), logger=dict(interval=1))
"""

# MMSeg's benchmark.py times 200 batches (one group each) after 5 warm-up
# ones and takes no --cfg-options: 205 groups of 2 small images.
BENCH_CONFIG = """
_base_ = './user.py'
model = dict(data_preprocessor=dict(size=(64, 64)))
test_dataloader = dict(dataset=dict(
    data_root={data_root!r}, group_size=2,
    pipeline=[
        dict(type='GroupTransforms', transforms=[
            dict(type='LoadImageFromFile'),
            dict(type='Resize', scale=(64, 64), keep_ratio=False)]),
        dict(type='PackCoSegInputs')]))
"""


def _run(args, cwd, ok=True, **env):
    """Run a command as a user would, from ``cwd``."""
    proc = subprocess.run(
        args, cwd=str(cwd), stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True, timeout=TIMEOUT,
        env=dict(os.environ, PYTHONWARNINGS='ignore', OMP_NUM_THREADS='1',
                 **env))
    if ok:
        assert proc.returncode == 0, (
            f'{" ".join(args[:3])} exited with {proc.returncode}:\n'
            f'{proc.stdout[-6000:]}')
    return proc


def _python(*args):
    return [sys.executable, *args]


@pytest.fixture(scope='module')
def user_dir(tmp_path_factory):
    """A folder outside the repository: data and a user config."""
    root = tmp_path_factory.mktemp('user')
    make_synthetic_coseg(str(root / 'data'), num_train=4, num_test=NUM_TEST,
                         image_size=(48, 64), seed=0, categories=CATEGORIES)
    (root / 'user.py').write_text(USER_CONFIG.format(
        data_root=str(root / 'data'), classes=list(CATEGORIES),
        num_test=NUM_TEST))
    return root


@pytest.fixture(scope='module')
def trained(user_dir):
    """Two iterations with mmcoseg's tools/train.py (checkpoint each)."""
    proc = _run(_python(osp.join(REPO, 'tools', 'train.py'), 'user.py',
                        '--work-dir', 'work'), user_dir)
    return dict(work=user_dir / 'work', log=proc.stdout)


def test_train_with_mmcoseg_tools(trained):
    assert 'Iter(train) [2/2]' in trained['log']
    assert (trained['work'] / 'iter_2.pth').is_file()
    last = (trained['work'] / 'last_checkpoint').read_text().strip()
    assert osp.basename(last) == 'iter_2.pth'


def test_resume_with_mmseg_train(trained, tmp_path):
    work = tmp_path / 'work'
    shutil.copytree(trained['work'], work)
    (work / 'last_checkpoint').write_text(str(work / 'iter_2.pth'))
    proc = _run(_python(osp.join(MMSEG_TOOLS, 'train.py'), 'user.py',
                        '--work-dir', str(work), '--resume',
                        '--cfg-options', 'train_cfg.max_iters=3'),
                trained['work'].parent)
    assert 'resumed epoch: 0, iter: 2' in proc.stdout
    assert 'Iter(train) [3/3]' in proc.stdout
    assert (work / 'iter_3.pth').is_file()


def test_test_with_mmcoseg_tools(trained, tmp_path, run_script):
    """mmcoseg's tools/test.py on the user config and checkpoint (its
    command line in this process: it runs in a fresh one from a user's
    folder in ``test_cosod_test_cli.py``)."""
    proc = run_script(osp.join(REPO, 'tools', 'test.py'), 'user.py',
                      str(trained['work'] / 'iter_2.pth'), '--work-dir',
                      str(tmp_path), cwd=trained['work'].parent)
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-3000:]
    assert '|   Ave.   |' in proc.stdout
    assert 'Iter(test) [2/2]' in proc.stdout


def test_mmseg_test_draws_every_image_and_group(trained, tmp_path):
    show = tmp_path / 'show'
    proc = _run(_python(osp.join(MMSEG_TOOLS, 'test.py'), 'user.py',
                        str(trained['work'] / 'iter_2.pth'), '--work-dir',
                        str(tmp_path / 'work'), '--show-dir', str(show)),
                trained['work'].parent)
    assert 'Iter(test) [2/2]' in proc.stdout
    pictures = [osp.basename(p) for p in glob.glob(
        str(show / 'vis_data' / 'vis_image' / '*.png'))]
    groups = [p for p in pictures if p.startswith('test_group_')]
    assert len(groups) == len(CATEGORIES)  # one group of 2 per category
    assert len(pictures) - len(groups) == NUM_TEST * len(CATEGORIES)


def test_inference_from_user_config(trained, tmp_path):
    folder = trained['work'].parent
    ckpt = str(trained['work'] / 'iter_2.pth')
    images = folder / 'data' / 'test' / 'images' / 'circle'
    _run(_python(osp.join(REPO, 'tools', 'cosegment.py'), 'user.py', ckpt,
                 str(images), '--out-dir', str(tmp_path / 'out')), folder)
    assert len(os.listdir(tmp_path / 'out' / 'masks')) == NUM_TEST
    model = init_model(str(folder / 'user.py'), ckpt)
    paths = sorted(str(p) for p in images.iterdir())
    results = cosegment(model, paths)
    assert [r['mask'].shape for r in results] == [
        Image.open(p).size[::-1] for p in paths]


def test_mmseg_dist_train_on_cpu(user_dir):
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        port = sock.getsockname()[1]
    proc = _run(['bash', osp.join(MMSEG_TOOLS, 'dist_train.sh'), 'user.py',
                 '2', '--work-dir', 'dist'], user_dir, PORT=str(port))
    assert 'using the gloo backend' in proc.stdout
    # CoSegRunner's teardown at exit ran (MMSeg's train.py does not call
    # it; rank 0 logs it)
    assert 'destroying the process group' in proc.stdout, proc.stdout[-3000:]
    assert (user_dir / 'dist' / 'iter_2.pth').is_file()


def test_mmseg_benchmark(user_dir):
    make_synthetic_coseg(str(user_dir / 'bench'), num_train=1, num_test=205,
                         image_size=(32, 32), seed=1, categories=CATEGORIES)
    (user_dir / 'bench.py').write_text(
        BENCH_CONFIG.format(data_root=str(user_dir / 'bench')))
    proc = _run(_python(
        osp.join(MMSEG_TOOLS, 'analysis_tools', 'benchmark.py'), 'bench.py',
        'no_checkpoint.pth', '--work-dir', 'fps', '--repeat-times', '1'),
        user_dir)
    # all 200 timed batches (one group each) ran through predict; with
    # fewer batches MMSeg's script writes nan
    assert 'Done image [200/ 200]' in proc.stdout, proc.stdout[-3000:]
    with open(glob.glob(str(user_dir / 'fps' / 'fps_*.json'))[0]) as f:
        result = json.load(f)
    assert math.isfinite(result['average_fps'])
    assert result['overall_fps_1'] == result['average_fps']


def test_mmseg_analyze_logs(trained, tmp_path):
    scalars = glob.glob(str(trained['work'] / '*' / 'vis_data' /
                            'scalars.json'))
    assert len(scalars) == 1
    out = tmp_path / 'curve.png'
    _run(_python(osp.join(MMSEG_TOOLS, 'analysis_tools', 'analyze_logs.py'),
                 scalars[0], '--keys', 'loss', 'loss_seg', '--backend',
                 'agg', '--out', str(out)), tmp_path)
    assert out.stat().st_size > 0


def test_mmseg_browse_dataset_points_to_the_group_browser(user_dir):
    proc = _run(_python(osp.join(MMSEG_TOOLS, 'analysis_tools',
                                 'browse_dataset.py'), 'user.py',
                        '--output-dir', 'browse', '--not-show'), user_dir,
                ok=False)
    assert proc.returncode != 0
    assert 'a co-segmentation item is a group of 5 images' in proc.stdout
    assert 'tools/analysis_tools/browse_group_dataset.py' in proc.stdout


def test_get_flops_of_a_group(user_dir):
    proc = _run(_python(osp.join(REPO, 'tools', 'analysis_tools',
                                 'get_flops.py'), 'user.py', '--shape', '64',
                        '--group-size', '3'), user_dir)
    assert 'Input: a group of 3 images of 64x64' in proc.stdout
    assert 'Flops: ' in proc.stdout
    # the parameters of the config's model, counted here
    cfg = Config.fromfile(osp.join(user_dir, 'user.py'))
    init_default_scope('mmcoseg')
    model = MODELS.build(cfg.model)
    params = sum(p.numel() for p in model.parameters()) / 1e6
    printed = float(re.search(r'Params: ([\d.]+)M', proc.stdout).group(1))
    assert printed == pytest.approx(params, abs=1e-3)


def test_mim_finds_configs_and_tools(user_dir, monkeypatch, capsys):
    """``mim train/test mmcoseg`` run ``<package>/.mim/tools/*.py`` with
    configs from ``<package>/.mim/configs`` (the tools' ``-h`` run in this
    process: they run end to end in a fresh one above)."""
    package = importlib.util.find_spec('mmcoseg').submodule_search_locations
    mim_dir = osp.join(package[0], '.mim')
    assert osp.isfile(osp.join(
        mim_dir, 'configs', 'ssnm',
        'ssnm_r18-c16_1x4g5-1500i_synthetic-128x128.py'))
    monkeypatch.chdir(user_dir)
    for tool in ('train.py', 'test.py'):
        monkeypatch.setattr(sys, 'argv', [tool, '-h'])
        with pytest.raises(SystemExit) as exit_:
            runpy.run_path(osp.join(mim_dir, 'tools', tool),
                           run_name='__main__')
        assert exit_.value.code == 0
        assert '--cfg-options' in capsys.readouterr().out
