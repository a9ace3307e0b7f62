"""A local storage backend whose writes are atomic (temporary file, rename).

Registered with MMEngine's file backends under :data:`ATOMIC_BACKEND` (its
public ``register_backend``), so anything that writes through a file backend
can select it with ``backend_args=dict(backend='atomic_local')``;
:class:`~mmcoseg.engine.AtomicCheckpointHook` does so for checkpoints.
"""
import os
import os.path as osp
from pathlib import Path
from typing import Union

from mmengine.fileio import LocalBackend, register_backend

#: Name of the backend in MMEngine's file backends.
ATOMIC_BACKEND = 'atomic_local'
#: Suffix of a file being written (never matches ``*.pth``).
PARTIAL_SUFFIX = '.partial'


def partial_path(path: Union[str, Path]) -> str:
    """The temporary name a file is written under: ``.<name>.partial``."""
    folder, name = osp.split(str(path))
    return osp.join(folder, f'.{name}{PARTIAL_SUFFIX}')


def fsync_dir(path: str) -> None:
    """Flush a directory entry to disk (no-op where unsupported)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def commit(partial: str, path: str) -> None:
    """Flush the complete file ``partial`` to disk and rename it to ``path``.

    ``os.replace`` is atomic on POSIX and Windows: readers see the old
    ``path`` or the new one, never a part.

    Args:
        partial (str): The fully written temporary file.
        path (str): Its final name.
    """
    with open(partial, 'rb+') as f:
        os.fsync(f.fileno())
    os.replace(partial, path)
    fsync_dir(osp.dirname(osp.abspath(path)))


def atomic_write_text(path: str, text: str) -> None:
    """Write ``text`` to ``path`` so that readers see the old or new file.

    Args:
        path (str): Destination file.
        text (str): Content.
    """
    partial = partial_path(path)
    with open(partial, 'w') as f:
        f.write(text)
    commit(partial, path)


@register_backend(ATOMIC_BACKEND, force=True)
class AtomicLocalBackend(LocalBackend):
    """:class:`~mmengine.fileio.LocalBackend` whose ``put`` is atomic.

    ``put`` / ``put_text`` write ``.<name>.partial`` next to the target
    (through ``LocalBackend``), flush it to disk and rename it over the
    target. A process killed during the write leaves the partial file and
    the previous target untouched; reading is ``LocalBackend``'s.
    """

    def put(self, obj: bytes, filepath: Union[str, Path]) -> None:
        """Write bytes atomically.

        Args:
            obj (bytes): Data to be written.
            filepath (str | Path): Path to write data.
        """
        partial = partial_path(filepath)
        super().put(obj, partial)
        commit(partial, str(filepath))

    def put_text(self,
                 obj: str,
                 filepath: Union[str, Path],
                 encoding: str = 'utf-8') -> None:
        """Write text atomically.

        Args:
            obj (str): Data to be written.
            filepath (str | Path): Path to write data.
            encoding (str): Text encoding. Defaults to 'utf-8'.
        """
        partial = partial_path(filepath)
        super().put_text(obj, partial, encoding)
        commit(partial, str(filepath))
