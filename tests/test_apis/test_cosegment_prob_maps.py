"""``tools/cosegment.py --save-prob``: 0-255 probability maps for CoSOD
evaluation tools, beside the unchanged 0/255 masks."""
import numpy as np
from PIL import Image

from mmcoseg.apis import CoSegInferencer, cosegment
from mmcoseg.evaluation.functional import prob_to_uint8

SIZES = {'a': (40, 60), 'b': (70, 50), 'c': (64, 64)}  # (h, w)


def _write_images(folder):
    folder.mkdir()
    rng = np.random.default_rng(0)
    paths = []
    for name, (h, w) in SIZES.items():
        img = rng.integers(0, 60, (h, w, 3), dtype=np.uint8)
        img[h // 4:3 * h // 4, w // 4:3 * w // 4] = (200, 40, 40)
        Image.fromarray(img).save(folder / f'{name}.jpg')
        paths.append(str(folder / f'{name}.jpg'))
    return paths


def test_cli_save_prob(config_file, checkpoint, repo_root, model, tmp_path,
                       run_script):
    """The command line, run in this process (it runs in a fresh one from a
    user's folder in ``test_downstream.py``)."""
    paths = _write_images(tmp_path / 'images')
    out_dir = tmp_path / 'out'
    proc = run_script('tools/cosegment.py', config_file, checkpoint,
                      str(tmp_path / 'images'), '--out-dir', str(out_dir),
                      '--save-prob', cwd=repo_root)
    assert proc.returncode == 0, proc.stderr
    expected = cosegment(model, paths)
    for (name, (h, w)), result in zip(SIZES.items(), expected):
        prob = np.asarray(Image.open(out_dir / 'probs' / f'{name}.png'))
        assert prob.dtype == np.uint8 and prob.shape == (h, w)
        want = prob_to_uint8(result['prob'])
        assert np.abs(prob.astype(int) - want.astype(int)).max() <= 1
        assert len(np.unique(prob)) > 2  # grey levels, not a mask
        mask = np.asarray(Image.open(out_dir / 'masks' / f'{name}.png'))
        assert set(np.unique(mask)) <= {0, 255}  # masks unchanged

    # without the option: no probability maps
    plain = tmp_path / 'plain'
    proc = run_script('tools/cosegment.py', config_file, checkpoint,
                      str(tmp_path / 'images'), '--out-dir', str(plain),
                      cwd=repo_root)
    assert proc.returncode == 0, proc.stderr
    assert not (plain / 'probs').exists()
    assert (plain / 'masks' / 'a.png').is_file()


def test_inferencer_save_prob(cfg, checkpoint, tmp_path):
    paths = _write_images(tmp_path / 'images')
    inf = CoSegInferencer(cfg, checkpoint)
    out = inf(paths, out_dir=str(tmp_path / 'out'), save_prob=True)
    for name, pred in zip(SIZES, out['predictions']):
        saved = np.asarray(Image.open(tmp_path / 'out' / 'probs' /
                                      f'{name}.png'))
        np.testing.assert_array_equal(saved, prob_to_uint8(pred['prob']))


def test_cli_cfg_options(config_file, checkpoint, repo_root, model, tmp_path,
                         run_script):
    """--cfg-options reaches the model: a decoder threshold set there
    decides the masks, as ``cosegment`` with that threshold does."""
    paths = _write_images(tmp_path / 'images')
    probs = np.concatenate(
        [r['prob'].ravel() for r in cosegment(model, paths)])
    threshold = round(float(np.median(probs)), 4)
    expected = cosegment(model, paths, threshold=threshold)
    default = cosegment(model, paths)
    assert any(not np.array_equal(a['mask'], b['mask'])
               for a, b in zip(expected, default))
    out_dir = tmp_path / 'out'
    proc = run_script('tools/cosegment.py', config_file, checkpoint,
                      str(tmp_path / 'images'), '--out-dir', str(out_dir),
                      '--cfg-options',
                      f'model.decode_head.threshold={threshold}',
                      cwd=repo_root)
    assert proc.returncode == 0, proc.stderr
    for name, result in zip(SIZES, expected):
        mask = np.asarray(Image.open(out_dir / 'masks' / f'{name}.png'))
        assert np.array_equal(mask > 0, result['mask'] > 0)
