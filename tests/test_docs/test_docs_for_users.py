"""docs/ is written for users: no issue numbers of this project, no commit
hashes, results and benchmarks open with their headline table and the
command that reproduces it, and the links between docs resolve."""
import os.path as osp
import re
import subprocess

import pytest

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))

# "issue 12", "Issue #12", "issues 6 and 13"; "#12" not part of a URL path
# or an HTML entity (a "#" preceded by "/", "&" or a word character).
ISSUE_RE = re.compile(r'\b[Ii]ssues?\s*#?\d+|(?<![\w/#&])#\d+\b')
# A hash-like token: 7-40 hex digits with at least one digit and one letter.
HEX_RE = re.compile(r'\b[0-9a-f]{7,40}\b')
# Hex-looking tokens that are not commit hashes (none needed today).
NOT_A_HASH: set = set()
URL_RE = re.compile(r'https?://\S+')


def _tracked_markdown(root: str = REPO) -> list:
    out = subprocess.run(['git', 'ls-files', '--', 'docs/*.md'],
                         cwd=root, stdout=subprocess.PIPE, text=True,
                         check=True).stdout.split()
    return sorted(set(out))


def find_issue_refs(text: str) -> list:
    text = URL_RE.sub('', text)  # upstream issues / PRs as URLs are fine
    return [m.group(0) for m in ISSUE_RE.finditer(text)]


def find_hashes(text: str) -> list:
    text = URL_RE.sub('', text)
    return [t for t in HEX_RE.findall(text)
            if re.search(r'\d', t) and re.search(r'[a-f]', t)
            and t not in NOT_A_HASH]


def headline_problem(text: str) -> str:
    """'' when the document opens with a title, at most a short paragraph,
    a markdown table and then a fenced command block; else what is wrong."""
    lines = text.splitlines()
    i = 0
    while i < len(lines) and not lines[i].strip():
        i += 1
    if i == len(lines) or not lines[i].startswith('# '):
        return 'no title on the first line'
    i += 1
    para = 0
    while i < len(lines) and not lines[i].startswith('|'):
        if lines[i].strip():
            if lines[i].startswith(('#', '```')):
                return f'line {i + 1}: a heading or code before the table'
            para += 1
        i += 1
    if para > 6:
        return f'{para} lines of text before the headline table (max 6)'
    if i + 1 >= len(lines) or not re.match(r'^\|[\s:|-]+\|\s*$',
                                           lines[i + 1]):
        return 'no markdown table after the title'
    while i < len(lines) and lines[i].startswith('|'):
        i += 1
    while i < len(lines) and not lines[i].strip():
        i += 1
    if i == len(lines) or not lines[i].startswith('```'):
        return 'the headline table is not followed by a fenced command block'
    return ''


def test_tracked_docs_are_found():
    files = _tracked_markdown()
    assert 'docs/results.md' in files and 'docs/benchmarks.md' in files
    assert 'docs/logs/README.md' in files


@pytest.mark.parametrize('path', _tracked_markdown())
def test_no_issue_numbers_or_commit_hashes(path):
    with open(osp.join(REPO, path), encoding='utf-8') as f:
        text = f.read()
    assert not find_issue_refs(text), (path, find_issue_refs(text))
    assert not find_hashes(text), (path, find_hashes(text))


@pytest.mark.parametrize('name', ['results.md', 'benchmarks.md'])
def test_opens_with_headline_table_and_command(name):
    with open(osp.join(REPO, 'docs', name), encoding='utf-8') as f:
        assert headline_problem(f.read()) == ''


@pytest.mark.parametrize('path', _tracked_markdown())
def test_relative_links_resolve(path):
    """Every relative link of a doc points at a file or folder that exists
    (anchors are not checked)."""
    with open(osp.join(REPO, path), encoding='utf-8') as f:
        text = f.read()
    missing = []
    for target in re.findall(r'\]\(([^)\s]+)\)', text):
        if re.match(r'[a-z]+:', target) or target.startswith('#'):
            continue
        file_part = target.split('#', 1)[0]
        if not osp.exists(osp.join(REPO, osp.dirname(path), file_part)):
            missing.append(target)
    assert not missing, (path, missing)


@pytest.mark.parametrize('text, issues, hashes', [
    ('as measured for issue 21 (#21).', ['issue 21', '#21'], []),
    ('see Issue #7 and issues 6', ['Issue #7', 'issues 6'], []),
    ('main at 403743e, then a1b2c3d4e5', [], ['403743e', 'a1b2c3d4e5']),
    ('https://github.com/open-mmlab/mmsegmentation/issues/3300 and '
     '[x](results.md#section-2) and 1073741824, 1e-3, deadbeef', [], []),
])
def test_the_checks_catch_what_they_should(text, issues, hashes):
    assert find_issue_refs(text) == issues
    assert find_hashes(text) == hashes


def test_headline_check_rejects_a_diary():
    good = ('# T\n\nShort.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n'
            '```bash\nx\n```\n')
    assert headline_problem(good) == ''
    assert headline_problem(good.replace('```bash\nx\n```\n', 'text\n'))
    assert headline_problem('# T\n\n## Section\n\n' + good[4:])
    assert headline_problem('# T\n' + 'diary line\n' * 7 + good[4:])
