"""Packaging for mmcoseg.

Configs ship inside the package under ``mmcoseg/.mim/configs`` (a link to
the top-level ``configs/`` in a source tree) so that ``mmcoseg::`` config
bases resolve once the package is installed, as for OpenMMLab packages.
"""
import os.path as osp

from setuptools import find_packages, setup

HERE = osp.dirname(osp.abspath(__file__))


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
    python_requires='>=3.8',
    packages=find_packages(exclude=('configs', 'tools', 'tests')),
    include_package_data=True,
    package_data={
        'mmcoseg': [
            '.mim/model-index.yml', '.mim/configs/**/*.py',
            '.mim/configs/**/*.yaml'
        ]
    },
    install_requires=read_requirements('runtime'),
    extras_require={
        'mim': read_requirements('mminstall'),
        'tests': read_requirements('tests'),
        'optional': read_requirements('optional'),
        'pretrained': read_requirements('pretrained'),
        'demo': read_requirements('demo'),
    },
    zip_safe=False,
)
