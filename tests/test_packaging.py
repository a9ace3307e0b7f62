"""``setup.py`` promises the Python versions the sources can run on, and a
built package ships every config and tool (``mmcoseg/.mim``) and the
start-up hook file."""
import ast
import glob
import os.path as osp
import re
import subprocess
import sys

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
SOURCES = ('mmcoseg', 'tools', 'configs')


def _python_requires() -> tuple:
    text = open(osp.join(REPO_ROOT, 'setup.py')).read()
    match = re.search(r"python_requires='>=(\d+)\.(\d+)'", text)
    assert match, 'setup.py must state python_requires=">=3.X"'
    return int(match.group(1)), int(match.group(2))


def _files():
    for folder in SOURCES:
        yield from glob.glob(
            osp.join(REPO_ROOT, folder, '**', '*.py'), recursive=True)


def test_every_source_parses_with_the_oldest_promised_python():
    lowest = _python_requires()
    for path in _files():
        source = open(path, encoding='utf-8').read()
        ast.parse(source, filename=path, feature_version=lowest)


def test_standard_library_features_fit_the_promise():
    """``functools.cache`` is new in 3.9 (a syntax check cannot see it)."""
    users = [
        path for path in _files()
        if re.search(r'functools\.cache\b|from functools import .*\bcache\b',
                     open(path, encoding='utf-8').read())
    ]
    if users:
        assert _python_requires() >= (3, 9), users


def _shipped(folder: str, *patterns: str) -> set:
    """Paths (relative to ``folder``) of the files matching ``patterns``."""
    return {
        osp.relpath(path, folder)
        for pattern in patterns
        for path in glob.glob(osp.join(folder, pattern), recursive=True)
        if osp.isfile(path)
    }


def test_built_package_ships_every_config_and_tool(tmp_path):
    """What ``pip install .`` and a wheel put into site-packages: every
    config (``mmcoseg::`` bases) and tool (``mim train mmcoseg``) as real
    files under ``mmcoseg/.mim``, and the start-up hook file."""
    build = tmp_path / 'lib'
    proc = subprocess.run(
        [sys.executable, 'setup.py', '-q', 'egg_info', '--egg-base',
         str(tmp_path), 'build_py', '--build-lib', str(build)],
        cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:]
    mim = build / 'mmcoseg' / '.mim'
    for folder, patterns in (('configs', ('**/*.py', '**/*.yaml')),
                             ('tools', ('**/*.py', '**/*.sh'))):
        source = _shipped(osp.join(REPO_ROOT, folder), *patterns)
        assert source, folder
        built = _shipped(str(mim / folder), *patterns)
        assert sorted(source - built) == [], f'{folder} not shipped'
    assert (mim / 'model-index.yml').is_file()
    assert not (mim / 'configs').is_symlink()
    pth = build / 'mmcoseg-import-hooks.pth'
    assert 'install_import_hooks()' in pth.read_text()
    assert not (build / 'tests').exists()
