"""Packaging for mmcoseg.

Configs and tools ship inside the package under ``mmcoseg/.mim/configs``
and ``mmcoseg/.mim/tools`` (links to the top-level folders in a source
tree), as for OpenMMLab packages: ``mmcoseg::`` config bases resolve once
the package is installed, and ``mim train mmcoseg CONFIG`` runs
``.mim/tools/train.py``.

Every install also puts :data:`PTH_FILE` into site-packages: its one line
installs mmcoseg's import hooks when Python starts
(``mmcoseg/import_hooks``: the pure-PyTorch ``mmcv.ops`` when mmcv has no
compiled ops, and the ``mmcoseg::`` config scope), so that MMSeg's own tools
work in the environment. Wheels and ``pip install .`` get it through
``build_py``; the legacy editable install (``setup.py develop``, used by
``tools/setup_env.sh``) writes it next to its egg-link and removes it on
``develop --uninstall``. A ``.pth`` left behind by ``pip uninstall`` of an
editable install does nothing once mmcoseg cannot be found.
"""
import os
import os.path as osp

from setuptools import find_packages, setup
from setuptools.command.build_py import build_py
from setuptools.command.develop import develop

HERE = osp.dirname(osp.abspath(__file__))

#: Start-up file installed into site-packages (see the module docstring).
PTH_FILE = 'mmcoseg-import-hooks.pth'
PTH_LINE = ("import importlib.util as u; u.find_spec('mmcoseg') and "
            "__import__('mmcoseg.import_hooks').import_hooks"
            '.install_import_hooks()\n')


def write_pth(folder: str) -> str:
    """Write :data:`PTH_FILE` into ``folder`` and return its path."""
    path = osp.join(folder, PTH_FILE)
    with open(path, 'w') as f:
        f.write(PTH_LINE)
    return path


class BuildPyWithPth(build_py):
    """``build_py`` that also puts :data:`PTH_FILE` at the top of the build
    (and so into site-packages and the wheel's RECORD)."""

    def run(self) -> None:
        super().run()
        os.makedirs(self.build_lib, exist_ok=True)
        write_pth(self.build_lib)

    def get_outputs(self, include_bytecode: bool = True) -> list:
        return super().get_outputs(include_bytecode) + [
            osp.join(self.build_lib, PTH_FILE)]


class DevelopWithPth(develop):
    """Legacy editable install that also writes (or removes)
    :data:`PTH_FILE` in the site-packages folder of its egg-link."""

    def run(self) -> None:
        super().run()
        path = osp.join(self.install_dir, PTH_FILE)
        if self.uninstall:
            if osp.exists(path):
                os.remove(path)
        else:
            write_pth(self.install_dir)


def read_requirements(name: str) -> list:
    """Return the requirement lines of ``requirements/<name>.txt``."""
    with open(osp.join(HERE, 'requirements', f'{name}.txt')) as f:
        lines = (line.split('#', 1)[0].strip() for line in f)
        return [line for line in lines if line]


def get_version() -> str:
    """Read ``__version__`` from ``mmcoseg/version.py`` without importing."""
    scope: dict = {}
    with open(osp.join(HERE, 'mmcoseg', 'version.py')) as f:
        exec(compile(f.read(), 'version.py', 'exec'), scope)
    return scope['__version__']


setup(
    name='mmcoseg',
    version=get_version(),
    description='Deep object co-segmentation (SSNM) for MMSegmentation',
    long_description=open(osp.join(HERE, 'README.md')).read(),
    long_description_content_type='text/markdown',
    license='Apache License 2.0',
    python_requires='>=3.9',
    packages=find_packages(exclude=('configs', 'tools', 'tests')),
    include_package_data=True,
    package_data={
        'mmcoseg': [
            '.mim/model-index.yml', '.mim/configs/**/*.py',
            '.mim/configs/**/*.yaml',
            '.mim/tools/*.py', '.mim/tools/*.sh', '.mim/tools/**/*.py',
            '.mim/tools/**/*.sh'
        ]
    },
    install_requires=read_requirements('runtime'),
    extras_require={
        'mim': read_requirements('mminstall'),
        'tests': read_requirements('tests'),
        'optional': read_requirements('optional'),
        'pretrained': read_requirements('pretrained'),
        'openmim': read_requirements('openmim'),
        'demo': read_requirements('demo'),
        'evaluation': read_requirements('evaluation'),
    },
    cmdclass={'build_py': BuildPyWithPth, 'develop': DevelopWithPth},
    zip_safe=False,
)
