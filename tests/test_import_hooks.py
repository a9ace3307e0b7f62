"""The import hooks that the installed ``.pth`` puts in place at start-up.

Each check runs a fresh interpreter from a temporary directory that never
imports mmcoseg itself, as MMSeg's own tools do: with mmcv-lite it still
imports ``mmseg.models`` (mmcoseg's ``mmcv.ops``), and ``Config.fromfile``
reads a config that inherits an ``mmcoseg::`` base. The finders are also
exercised on stand-in packages: a "full mmcv" (with ``_ext``) is left
untouched. The fallback is strict (only mmcv 2.x op names import, as the
README's "Install" notes say), and ``MMCOSEG_NO_IMPORT_HOOKS=1`` turns the
hooks off.
"""
import ast
import importlib.util
import json
import os
import subprocess
import sys
import sysconfig
import textwrap

import pytest

from mmcoseg.import_hooks import (
    DISABLE_ENV,
    MmcvOpsFallbackFinder,
    PostImportHook,
    is_fallback_active,
    mmcv_has_compiled_ops,
)
from mmcoseg.import_hooks.mmcv_ops_names import MMCV_OPS_NAMES

HEAVY = ('torch', 'mmengine', 'mmcv', 'mmseg', 'mmpretrain', 'numpy')
CONFIG = 'mmcoseg::ssnm/ssnm_r18-c16_1x4g5-1500i_synthetic-128x128.py'


def _python(code, cwd, **env_vars):
    """Run ``code`` in a fresh interpreter; return its last stdout line."""
    env = dict(os.environ, PYTHONWARNINGS='ignore')
    env.pop(DISABLE_ENV, None)
    env.update(env_vars)
    proc = subprocess.run([sys.executable, '-c', textwrap.dedent(code)],
                          cwd=str(cwd), stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, timeout=300,
                          env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout.strip().splitlines()[-1]


def test_pth_file_is_installed():
    path = os.path.join(sysconfig.get_paths()['purelib'],
                        'mmcoseg-import-hooks.pth')
    with open(path) as f:
        line = f.read()
    assert line.startswith('import ') and 'install_import_hooks()' in line


def test_hooks_active_at_startup_and_light(tmp_path):
    out = _python(f"""
        import json, sys
        finders = [getattr(f, '__name__', type(f).__name__)
                   for f in sys.meta_path]
        import mmcoseg
        heavy = sorted(m for m in sys.modules
                       if m.split('.')[0] in {HEAVY!r})
        print(json.dumps(dict(finders=finders, heavy=heavy)))
        """, tmp_path)
    finders = json.loads(out)['finders']
    # before the path finder, which would find mmcv-lite's ops sources
    assert finders.index('MmcvOpsFallbackFinder') < finders.index(
        'PathFinder')
    assert 'PostImportHook' in finders
    # start-up and `import mmcoseg` import nothing heavy
    assert json.loads(out)['heavy'] == []


def test_mmseg_models_import_without_mmcoseg(tmp_path):
    out = _python("""
        import sys
        import mmseg.models
        from mmcv.ops import point_sample
        print(getattr(sys.modules['mmcv.ops'], '__mmcoseg_fallback__',
                      False), 'mmcoseg.models' in sys.modules)
        """, tmp_path)
    fallback, imported_models = out.split()
    assert fallback == str(not mmcv_has_compiled_ops())
    assert imported_models == 'False'


def test_config_with_mmcoseg_base_reads_without_importing_mmcoseg(
        tmp_path):
    (tmp_path / 'user.py').write_text(
        f'_base_ = {CONFIG!r}\ntrain_cfg = dict(max_iters=7)\n')
    out = _python("""
        import sys
        from mmengine.config import Config
        cfg = Config.fromfile('user.py')
        print(cfg.train_cfg.max_iters, cfg.model.type,
              'mmcoseg.models' in sys.modules)
        """, tmp_path)
    assert out == '7 CoSegEncoderDecoder False'


def _package(root, name, with_ext):
    """A stand-in for mmcv: ``ops/__init__.py`` sets ``REAL = True``."""
    pkg = root / name
    (pkg / 'ops').mkdir(parents=True)
    (pkg / '__init__.py').write_text('')
    (pkg / 'ops' / '__init__.py').write_text('REAL = True\n')
    if with_ext:
        (pkg / '_ext.py').write_text('')


@pytest.mark.parametrize('with_ext', [True, False],
                         ids=['compiled', 'lite'])
def test_fallback_only_without_compiled_ops(tmp_path, monkeypatch,
                                            with_ext):
    name = f'fake_mmcv_{with_ext}'
    _package(tmp_path, name, with_ext)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(sys, 'meta_path',
                        [MmcvOpsFallbackFinder(name)] + sys.meta_path)
    for mod in [m for m in sys.modules if m.startswith(name)]:
        monkeypatch.delitem(sys.modules, mod)
    ops = __import__(f'{name}.ops', fromlist=['ops'])
    try:
        if with_ext:  # a full mmcv: its own ops, untouched
            assert ops.REAL is True
            assert not is_fallback_active(name)
        else:
            assert is_fallback_active(name)
            assert ops.point_sample.__module__ == \
                'mmcoseg.import_hooks.mmcv_ops_fallback'
            with pytest.raises(RuntimeError, match='nms needs the compiled'):
                ops.nms()
            # strict: a name that is no mmcv op is missing, as in mmcv
            with pytest.raises(ImportError):
                exec(f'from {name}.ops import NoSuchOp', {})
            assert not hasattr(ops, 'NoSuchOp')
    finally:
        for mod in [m for m in sys.modules if m.startswith(name)]:
            del sys.modules[mod]


def test_post_import_hook_runs_after_the_module(tmp_path, monkeypatch):
    (tmp_path / 'post_import_target.py').write_text('TABLE = {}\n')
    monkeypatch.syspath_prepend(str(tmp_path))
    seen = []

    def callback(module):
        module.TABLE['added'] = True
        seen.append(module.__name__)

    monkeypatch.setattr(
        sys, 'meta_path',
        [PostImportHook('post_import_target', callback)] + sys.meta_path)
    monkeypatch.delitem(sys.modules, 'post_import_target', raising=False)
    import post_import_target
    try:
        assert seen == ['post_import_target']
        assert post_import_target.TABLE == {'added': True}
        assert post_import_target.__file__.endswith('post_import_target.py')
    finally:
        del sys.modules['post_import_target']


needs_lite = pytest.mark.skipif(
    mmcv_has_compiled_ops(), reason='a compiled mmcv.ops is installed')


@needs_lite
def test_unknown_op_name_raises_import_error(tmp_path):
    """Code that guards an optional op keeps taking its except branch."""
    out = _python("""
        import mmcv.ops
        try:
            from mmcv.ops import NoSuchOp
            got = 'imported'
        except ImportError as e:
            got = type(e).__name__
        print(got, hasattr(mmcv.ops, 'no_such_op'),
              mmcv.ops.__mmcoseg_fallback__)
        """, tmp_path)
    assert out == 'ImportError False True'


@needs_lite
def test_guarded_import_of_unimplemented_op_gets_a_stub(tmp_path):
    """What the README says: a real but unimplemented op imports; using it
    raises a RuntimeError naming it; isinstance against a class is False."""
    out = _python("""
        import json
        import torch
        try:
            from mmcv.ops import DeformConv2d, nms
            got = 'stub'
        except ImportError:
            got = 'ImportError'
        errors = []
        for use in (lambda: nms(torch.zeros(1, 4), torch.zeros(1), 0.5),
                    lambda: DeformConv2d(3, 3, 3)):
            try:
                use()
                errors.append('no error')
            except RuntimeError as e:
                errors.append(str(e))
        print(json.dumps(dict(
            got=got, errors=errors,
            isinstance=isinstance(torch.nn.Conv2d(1, 1, 1), DeformConv2d))))
        """, tmp_path)
    result = json.loads(out)
    assert result['got'] == 'stub'
    assert result['errors'][0].startswith('mmcv.ops.nms needs the compiled')
    assert result['errors'][1].startswith(
        'mmcv.ops.DeformConv2d needs the compiled')
    assert result['isinstance'] is False


def _installed_mmcv_ops_all():
    """``__all__`` of the installed ``mmcv/ops/__init__.py``, read as text
    (mmcv-lite ships the sources; importing them would need ``_ext``)."""
    spec = importlib.util.find_spec('mmcv')
    path = os.path.join(os.path.dirname(spec.origin), 'ops', '__init__.py')
    if not os.path.isfile(path):
        pytest.skip('the installed mmcv has no ops/__init__.py')
    with open(path) as f:
        tree = ast.parse(f.read())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(
                getattr(t, 'id', None) == '__all__' for t in node.targets):
            names |= {ast.literal_eval(e) for e in node.value.elts}
    return names


def test_op_names_are_mmcv_ops_all():
    names = _installed_mmcv_ops_all()
    assert 'point_sample' in names and 'nms' in names
    assert MMCV_OPS_NAMES - names <= {
        'DeformConv2dPack_MLU', 'ModulatedDeformConv2dPack_MLU'}
    assert names <= MMCV_OPS_NAMES


def test_env_var_turns_the_hooks_off(tmp_path):
    out = _python("""
        import json, sys
        def hooks():
            return sorted(type(f).__name__ for f in sys.meta_path
                          if type(f).__module__.startswith('mmcoseg'))
        at_startup = hooks()
        import mmcoseg
        after_import = hooks()
        try:
            import mmcv.ops
            ops = getattr(mmcv.ops, '__mmcoseg_fallback__', 'real')
        except ImportError:
            ops = 'ImportError'
        print(json.dumps([at_startup, after_import, ops]))
        """, tmp_path, **{DISABLE_ENV: '1'})
    at_startup, after_import, ops = json.loads(out)
    assert at_startup == after_import == []
    assert ops == ('real' if mmcv_has_compiled_ops() else 'ImportError')
    # and on by default (the variable unset or '0')
    out = _python("""
        import sys
        print(sorted(type(f).__name__ for f in sys.meta_path
                     if type(f).__module__.startswith('mmcoseg')))
        """, tmp_path, **{DISABLE_ENV: '0'})
    assert out == "['MmcvOpsFallbackFinder', 'PostImportHook']"
