"""File storage: the atomic local backend for checkpoints."""
from .atomic_local_backend import (
    ATOMIC_BACKEND,
    PARTIAL_SUFFIX,
    AtomicLocalBackend,
    atomic_write_text,
    partial_path,
)

__all__ = [
    'ATOMIC_BACKEND', 'AtomicLocalBackend', 'PARTIAL_SUFFIX',
    'atomic_write_text', 'partial_path'
]
