"""``tools/build_demo_model.sh`` without the data: a clear message, exit 2.

(The training itself, ~20 min, is not run by the test suite.)
"""
import os
import os.path as osp
import subprocess

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def test_missing_data_is_explained(tmp_path):
    missing = tmp_path / 'no_such_pascal'
    proc = subprocess.run(
        ['bash', 'tools/build_demo_model.sh'], cwd=REPO_ROOT,
        env=dict(os.environ, VOC_COSEG=str(missing)), capture_output=True,
        text=True, timeout=60)
    assert proc.returncode == 2
    assert f'PASCAL-VOC co-seg set is missing: {missing}' in proc.stderr
    assert 'ln -s /path/to/pascal_voc_coseg' in proc.stderr
    assert not (tmp_path / 'no_such_pascal').exists()
