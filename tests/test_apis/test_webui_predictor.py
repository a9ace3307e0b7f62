"""The web demo's predict logic, without a browser (tiny random model)."""
import os.path as osp
import subprocess
import sys
import zipfile

import numpy as np
import pytest
from PIL import Image

from mmcoseg.apis import cosegment, load_image
from mmcoseg.apis.webui import WebDemoPredictor, list_example_groups


@pytest.fixture(scope='module')
def examples(repo_root):
    return list_example_groups(osp.join(repo_root, 'demo', 'examples'))


@pytest.fixture(scope='module')
def predictor(config_file, checkpoint, tmp_path_factory):
    return WebDemoPredictor(config_file, checkpoint,
                            work_dir=str(tmp_path_factory.mktemp('webui')))


def test_example_groups_ship(examples):
    assert len(examples) >= 2
    for name, files in examples.items():
        assert len(files) >= 2
        if not name.startswith('photos_'):  # photos keep their COCO names
            assert all(osp.basename(f).startswith(name) for f in files)


def test_predict_two_groups(predictor, examples, model, tmp_path):
    files = examples['cross'] + examples['star'][:3]
    result = predictor.predict(files, group_size=4, threshold=0.5)
    assert result.ok, result.message
    assert '7 images in 2 group(s)' in result.message
    images = [load_image(f) for f in files]
    stems = [osp.splitext(osp.basename(f))[0] for f in files]
    # Same masks as the API with the same groups.
    expected = cosegment(model, files, group_size=4, threshold=0.5)
    assert [row[1] for row in result.rows] == [1, 1, 1, 1, 2, 2, 2]
    draw = predictor.inferencer.overlay
    for row, (overlay, caption), img, pred, stem in zip(
            result.rows, result.overlays, images, expected, stems):
        name, _, width, height, percent, seconds = row
        assert name == stem and (height, width) == img.shape[:2]
        assert percent == round(100 * pred['mask'].mean(), 1)
        assert caption == f'{stem}: {100 * pred["mask"].mean():.1f}% ' \
            'foreground'
        assert seconds > 0
        np.testing.assert_array_equal(overlay, draw(img, pred['mask']))
    assert len(result.grids) == 2
    assert result.grids[1][1] == 'group 2: ' + ', '.join(stems[4:])
    with zipfile.ZipFile(result.zip_path) as archive:
        names = set(archive.namelist())
        archive.extractall(tmp_path)
    assert {'groups/group_0.jpg', 'groups/group_1.jpg'} <= names
    for stem, pred in zip(stems, expected):
        assert f'overlays/{stem}.jpg' in names
        mask = np.asarray(Image.open(tmp_path / 'masks' / f'{stem}.png'))
        np.testing.assert_array_equal(mask, pred['mask'] * 255)


def test_threshold_and_group_size_apply(predictor, examples):
    files = examples['ring']
    everything = predictor.predict(files, group_size=None, threshold=0.0)
    nothing = predictor.predict(files, group_size=2, threshold=1.0)
    assert everything.ok and nothing.ok
    assert [row[4] for row in everything.rows] == [100.0] * len(files)
    assert [row[4] for row in nothing.rows] == [0.0] * len(files)
    assert len(everything.grids) == 1 and len(nothing.grids) == 2


def test_old_results_are_removed(config_file, checkpoint, examples,
                                 tmp_path):
    predictor = WebDemoPredictor(config_file, checkpoint, keep_results=2,
                                 work_dir=str(tmp_path))
    zips = [predictor.predict(examples['star']).zip_path for _ in range(3)]
    assert [osp.exists(z) for z in zips] == [False, True, True]


def test_user_errors_are_messages(predictor, examples, tmp_path):
    text = tmp_path / 'notes.txt'
    text.write_text('not an image')
    broken = tmp_path / 'broken.jpg'
    broken.write_bytes(b'\xff\xd8\xff not a jpeg')
    good = examples['cross'][:2]

    for files in (None, []):
        result = predictor.predict(files)
        assert not result.ok and 'at least two images' in result.message
    result = predictor.predict(good[:1])
    assert not result.ok
    assert 'at least two readable images, got 1' in result.message
    assert result.status_markdown().startswith('**Error:**')
    result = predictor.predict([good[0], str(broken)])
    assert not result.ok and 'broken.jpg: not a readable image' \
        in result.message
    # Unreadable files are skipped when two images remain.
    result = predictor.predict(good + [str(text)])
    assert result.ok and len(result.overlays) == 2
    assert 'Skipped: notes.txt: not a readable image' in result.message
    result = predictor.predict(good, group_size=1)
    assert not result.ok and 'group size must be at least 2' \
        in result.message
    result = predictor.predict(good, threshold=1.5)
    assert not result.ok and 'threshold must be in [0, 1]' in result.message


def test_limits(config_file, checkpoint, examples, tmp_path):
    predictor = WebDemoPredictor(config_file, checkpoint, max_images=3,
                                 max_pixels=300 * 200)
    huge = tmp_path / 'huge.png'
    Image.new('RGB', (400, 200)).save(huge)
    result = predictor.predict(examples['cross'][:2] + [str(huge)])
    assert result.ok
    assert 'huge.png: 400 x 200 pixels (0.1 MP) is more than the limit' \
        in result.message
    result = predictor.predict(examples['cross'])
    assert not result.ok and 'at most 3' in result.message


def test_wrong_checkpoint_is_reported(repo_root, checkpoint, examples,
                                      tmp_path):
    """A checkpoint of another config: no exception, a message instead."""
    other = osp.join(repo_root, 'configs', 'ssnm',
                     'ssnm_effnet-lite0_1x2g5-400i_voc-coseg-fold-a-224x224.py')
    predictor = WebDemoPredictor(other, checkpoint)
    assert predictor.inferencer is None
    assert 'does not match the config' in predictor.load_error
    assert osp.basename(checkpoint) in predictor.load_error
    assert 'missing parameters, e.g. backbone.timm_model' \
        in predictor.load_error
    result = predictor.predict(examples['cross'])
    assert not result.ok and 'does not match the config' in result.message

    junk = tmp_path / 'junk.pth'
    junk.write_text('not a checkpoint')
    predictor = WebDemoPredictor(other, str(junk))
    assert 'could not load the model' in predictor.load_error
    assert 'junk.pth' in predictor.load_error


def test_package_does_not_import_gradio():
    code = ('import sys, mmcoseg, mmcoseg.apis, mmcoseg.apis.webui; '
            "print('gradio' in sys.modules)")
    out = subprocess.run([sys.executable, '-c', code], capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == 'False'


def test_shipped_examples_come_from_the_generator(repo_root, examples,
                                                  tmp_path):
    proc = subprocess.run(
        [sys.executable, 'tools/misc/make_webui_examples.py',
         str(tmp_path)], cwd=repo_root, capture_output=True, text=True,
        timeout=120)
    assert proc.returncode == 0, proc.stderr
    regenerated = list_example_groups(str(tmp_path))
    synthetic = {name: files for name, files in examples.items()
                 if not name.startswith('photos_')}  # see test_photo_examples
    assert list(regenerated) == list(synthetic)
    for name, files in synthetic.items():
        assert [osp.basename(f) for f in regenerated[name]] == \
            [osp.basename(f) for f in files]
        for ours, fresh in zip(files, regenerated[name]):
            diff = np.abs(load_image(ours).astype(int) - load_image(fresh))
            assert diff.mean() < 1.0


def test_page_says_the_model_did_not_load(repo_root, checkpoint, examples):
    pytest.importorskip('gradio', reason='the demo extra is not installed '
                        '(requirements/demo.txt)')
    from mmcoseg.apis.webui import build_webui
    other = osp.join(repo_root, 'configs', 'ssnm',
                     'ssnm_effnet-lite0_1x2g5-400i_voc-coseg-fold-a-224x224.py')
    page = build_webui(WebDemoPredictor(other, checkpoint), examples)
    by_id = {getattr(block, 'elem_id', None): block
             for block in page.blocks.values()}
    assert by_id['load-error'].value.startswith('**Error:** the checkpoint')
    assert 'does not match the config' in by_id['load-error'].value
    assert by_id['example'].choices == [(n, n) for n in examples]
    assert page.analytics_enabled is False  # no telemetry
