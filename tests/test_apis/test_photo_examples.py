"""The web demo's real-photo example groups: redistributable, attributed,
and exactly what tools/misc/make_photo_examples.py copies from COCO."""
import filecmp
import importlib.util
import os
import os.path as osp
import subprocess
import sys

import pytest

from mmcoseg.apis.webui import list_example_groups

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
EXAMPLES = osp.join(REPO_ROOT, 'demo', 'examples')
COCO128 = osp.join(REPO_ROOT, '..', 'shared', 'data', 'coco128')
ALLOWED = ('Attribution License', 'Attribution-ShareAlike License',
           'No known copyright restrictions')


def _photo_groups():
    return {name: files for name, files in list_example_groups(
        EXAMPLES).items() if name.startswith('photos_')}


def test_every_photo_is_attributed_under_a_redistributable_licence():
    groups = _photo_groups()
    assert set(groups) == {'photos_motorbike', 'photos_person'}
    for name, files in groups.items():
        with open(osp.join(EXAMPLES, name, 'ATTRIBUTION.txt')) as f:
            lines = {line.split(':', 1)[0]: line for line in f
                     if line.endswith(')\n') or 'COCO image id' in line}
        assert sorted(lines) == sorted(osp.basename(p) for p in files)
        for line in lines.values():
            assert 'staticflickr.com' in line
            assert any(f' - {lic} (' in line for lic in ALLOWED), line


@pytest.mark.skipif(not osp.isdir(COCO128),
                    reason='COCO128 (../shared/data/coco128) is absent')
def test_shipped_photos_are_what_the_tool_copies(tmp_path):
    proc = subprocess.run(
        [sys.executable, 'tools/misc/make_photo_examples.py', COCO128,
         str(tmp_path)], cwd=REPO_ROOT, capture_output=True, text=True,
        timeout=120)
    assert proc.returncode == 0, proc.stderr
    for name in _photo_groups():
        ours = sorted(os.listdir(osp.join(EXAMPLES, name)))
        assert ours == sorted(os.listdir(tmp_path / name))
        for file in ours:
            assert filecmp.cmp(osp.join(EXAMPLES, name, file),
                               tmp_path / name / file, shallow=False), file


@pytest.mark.skipif(not osp.isdir(COCO128),
                    reason='COCO128 (../shared/data/coco128) is absent')
def test_a_photo_without_a_redistributable_licence_is_refused(tmp_path):
    spec = importlib.util.spec_from_file_location(
        'make_photo_examples',
        osp.join(REPO_ROOT, 'tools', 'misc', 'make_photo_examples.py'))
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    # 000000000009.jpg is under licence id 3 (by-nc-nd)
    with pytest.raises(ValueError, match='does not allow redistribution'):
        tool.write_groups(COCO128, str(tmp_path),
                          {'bad': ('x', ('000000000009.jpg', ))})
