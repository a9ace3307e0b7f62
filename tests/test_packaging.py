"""``setup.py`` promises the Python versions the sources can run on."""
import ast
import glob
import os.path as osp
import re

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
