"""Checkpoints that load with ``torch.load(..., weights_only=True)``.

Since torch 2.6 ``torch.load`` defaults to ``weights_only=True``: only
tensors, plain containers/scalars and explicitly allow-listed globals may be
unpickled. Checkpoints written by mmengine 0.10.x runners fail that check for
two reasons:

* numpy objects (arrays, scalars, dtypes) in ``meta`` / ``message_hub``.
  These are harmless data types; :func:`register_safe_globals` allow-lists
  exactly the numpy globals needed to rebuild them.
* ``mmengine.logging.HistoryBuffer`` in ``message_hub['log_scalars']``,
  whose pickled state holds functions written as
  ``builtins.getattr(HistoryBuffer, 'min')`` (see
  :mod:`mmcoseg.utils.plain_state`). Allow-listing ``getattr`` would let
  any checkpoint reach any attribute of any allow-listed object, so it is
  never done here. Instead :func:`message_hub_to_plain` stores each buffer
  as plain lists and :func:`message_hub_from_plain` rebuilds the buffers on
  load (see ``mmcoseg.engine.hooks.PlainMessageHubHook``); these plain-data
  conversions live in :mod:`mmcoseg.utils.plain_state`.

Nothing here relaxes ``weights_only`` globally: a checkpoint containing any
other global (for instance a crafted ``os.system`` payload) is still refused
by torch. Importing this module registers, the way a component registers in
a registry (mmcoseg's registries import it through ``mmcoseg.utils``):

* the allow-list above (``torch.serialization.add_safe_globals``);
* :func:`load_from_local`, through mmengine's public
  ``CheckpointLoader.register_scheme``, for local files (``load_from``,
  ``--resume``, ``tools/test.py CKPT``, ``init_cfg`` ``Pretrained``,
  :func:`mmcoseg.apis.init_model`): ``weights_only=True`` passed explicitly
  (so ``TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD`` cannot turn it off), a refusal
  raised as :class:`UnsafeCheckpointError`, a message that names the file
  and the objects it would have imported;
* :func:`load_url` in place of mmengine's URL loader: the one patch of
  mmengine code that stays (see :func:`_use_weights_only_url_loader`).
"""
import os.path as osp
import pickle
from typing import Any, Callable, List, Optional, Tuple, Union

import numpy as np
import torch
from mmengine.runner import CheckpointLoader
from mmengine.runner import checkpoint as mm_checkpoint

from .plain_state import _SAFE_DTYPE_CODES

__all__ = [
    'SafeGlobal', 'UnsafeCheckpointError', 'load_from_local', 'load_url',
    'register_safe_globals', 'safe_globals_list', 'safe_torch_load'
]

SafeGlobal = Union[Callable, Tuple[Callable, str]]


def _numpy_multiarray() -> Any:
    """Return numpy's ``multiarray`` module (``numpy._core`` or ``core``)."""
    try:  # numpy >= 2.0
        from numpy._core import multiarray
    except ImportError:  # numpy 1.x
        from numpy.core import multiarray
    return multiarray


def _safe_dtype_classes() -> List[type]:
    """Return the dtype classes of the numeric and bool numpy dtypes.

    numpy >= 1.20 gives each dtype its own class (``numpy.dtypes.Float64DType``
    in numpy 2). Unpickling a dtype calls ``numpy.dtype(...)`` and then
    ``BUILD`` on the instance, which torch only allows for allow-listed
    classes.
    """
    classes: List[type] = []
    for code in _SAFE_DTYPE_CODES:
        cls = type(np.dtype(code))
        if cls is not np.dtype and cls not in classes:
            classes.append(cls)
    return classes


def safe_globals_list() -> List[SafeGlobal]:
    """Return the exact globals that :func:`register_safe_globals` adds.

    ``_reconstruct`` and ``scalar`` are listed under both the numpy 2
    (``numpy._core.multiarray``) and the numpy 1.x (``numpy.core.multiarray``)
    names, so checkpoints written with either numpy load with the installed
    one.

    Returns:
        list: Classes/functions, or ``(object, 'full.path')`` tuples, as
        accepted by ``torch.serialization.add_safe_globals``.
    """
    multiarray = _numpy_multiarray()
    entries: List[SafeGlobal] = [np.dtype, np.ndarray]
    for name in ('_reconstruct', 'scalar'):
        func = getattr(multiarray, name)
        for module in ('numpy._core.multiarray', 'numpy.core.multiarray'):
            entries.append((func, f'{module}.{name}'))
    entries.extend(_safe_dtype_classes())
    return entries


def register_safe_globals() -> List[SafeGlobal]:
    """Allow-list the harmless numpy globals for ``weights_only`` loading.

    Idempotent: torch keeps its allow-list as a set, so calling this again
    adds nothing (and restores the entries after a
    ``torch.serialization.clear_safe_globals()``).

    Returns:
        list: The allow-listed entries (see :func:`safe_globals_list`).
    """
    entries = safe_globals_list()
    torch.serialization.add_safe_globals(entries)
    return entries


class UnsafeCheckpointError(pickle.UnpicklingError):
    """A checkpoint refused by ``weights_only`` loading.

    Raised instead of torch's ``UnpicklingError`` (of which it is a
    subclass) by :func:`safe_torch_load`, :func:`load_from_local` and
    :func:`load_url`.

    Args:
        message (str): The explanation.
        filename (str): The refused checkpoint.
        unsafe_globals (list[str]): What the pickle would import.
    """

    def __init__(self, message: str, filename: str = '',
                 unsafe_globals: Optional[List[str]] = None) -> None:
        super().__init__(message)
        self.filename = filename
        self.unsafe_globals = list(unsafe_globals or [])


def _unsafe_globals_of(source: Any) -> List[str]:
    """Globals of a checkpoint outside torch's allow-lists ([] if unknown).

    Reads the pickle's opcodes only; nothing is imported or run.
    """
    try:
        if hasattr(source, 'seek'):
            source.seek(0)
        return list(
            torch.serialization.get_unsafe_globals_in_checkpoint(source))
    except Exception:  # noqa: BLE001 - legacy format, unreadable...
        return []


def _refusal(filename: str, err: pickle.UnpicklingError,
             source: Any = None) -> UnsafeCheckpointError:
    """Build the :class:`UnsafeCheckpointError` for a refused checkpoint."""
    found = _unsafe_globals_of(filename if source is None else source)
    reason = [line.strip() for line in str(err).splitlines()
              if 'GLOBAL' in line or 'WeightsUnpickler' in line
              or 'Unsupported' in line]
    legacy = {'builtins.getattr',
              'mmengine.logging.history_buffer.HistoryBuffer'}
    hint = ''
    if found and set(found) <= legacy | {'collections.OrderedDict'}:
        hint = (' It looks like a checkpoint written by mmengine without '
                'PlainMessageHubHook; if it comes from a trusted source, '
                "re-save it there (e.g. only checkpoint['state_dict']).")
    what = ', '.join(found) if found else 'objects outside the allow-list'
    message = (
        f'Refused to load checkpoint {filename}: unpickling it would import '
        f'{what}, which can run arbitrary code. mmcoseg loads checkpoints '
        'with torch.load(weights_only=True) only, so this file is not '
        f'loaded.{hint} (torch: Weights only load failed. '
        f'{" ".join(reason)})')
    return UnsafeCheckpointError(message, filename, found)


def safe_torch_load(filename: str, map_location: Any = None) -> Any:
    """``torch.load(filename, weights_only=True)`` with a clear refusal.

    Args:
        filename (str): Local checkpoint file.
        map_location: As for :func:`torch.load`.

    Returns:
        The loaded checkpoint.

    Raises:
        UnsafeCheckpointError: The checkpoint holds objects whose
            unpickling could run code.
    """
    try:
        return torch.load(
            filename, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as err:
        raise _refusal(filename, err) from err


@CheckpointLoader.register_scheme(prefixes='', force=True)
def load_from_local(filename: str, map_location: Any = None) -> Any:
    """mmengine's local-file checkpoint loader, ``weights_only=True``.

    Registered for the empty prefix (local paths) in place of mmengine's
    ``load_from_local``, which calls ``torch.load`` without
    ``weights_only`` and so follows ``TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD``.

    Args:
        filename (str): Local checkpoint file (``~`` expanded).
        map_location: As for :func:`torch.load`.

    Returns:
        The loaded checkpoint.

    Raises:
        FileNotFoundError: No such file.
        UnsafeCheckpointError: See :func:`safe_torch_load`.
    """
    filename = osp.expanduser(filename)
    if not osp.isfile(filename):
        raise FileNotFoundError(f'{filename} can not be found.')
    return safe_torch_load(filename, map_location)


def load_url(url: str,
             model_dir: Optional[str] = None,
             map_location: Any = None,
             progress: bool = True,
             check_hash: bool = False,
             file_name: Optional[str] = None) -> Any:
    """``torch.hub.load_state_dict_from_url`` with ``weights_only=True``.

    Same arguments as mmengine's ``load_url`` (see
    :func:`_use_weights_only_url_loader`).

    Args:
        url (str): URL of the checkpoint.
        model_dir (str, optional): Download folder.
        map_location: As for :func:`torch.load`.
        progress (bool): Show a progress bar.
        check_hash (bool): Check the hash in the file name.
        file_name (str, optional): Name of the downloaded file.

    Returns:
        The loaded checkpoint.

    Raises:
        UnsafeCheckpointError: The checkpoint would import other globals.
    """
    try:
        return torch.hub.load_state_dict_from_url(
            url,
            model_dir=model_dir,
            map_location=map_location,
            progress=progress,
            check_hash=check_hash,
            file_name=file_name,
            weights_only=True)
    except pickle.UnpicklingError as err:
        raise _refusal(url, err, source=_hub_cached_file(
            url, model_dir, file_name)) from err


def _hub_cached_file(url: str, model_dir: Optional[str],
                     file_name: Optional[str]) -> Optional[str]:
    """Where ``torch.hub`` caches the download of ``url`` (if it exists)."""
    from urllib.parse import urlparse
    if model_dir is None:
        model_dir = osp.join(torch.hub.get_dir(), 'checkpoints')
    path = osp.join(model_dir,
                    file_name or osp.basename(urlparse(url).path))
    return path if osp.isfile(path) else None


def _use_weights_only_url_loader() -> None:
    """Make mmengine read URL checkpoints with ``weights_only=True``.

    The one patch of mmengine code that mmcoseg keeps, and why: mmengine
    0.10.7 reads ``http(s)://`` checkpoints - and ``torchvision://``,
    ``open-mmlab://``, ``mmcls://``, which it resolves to URLs - in
    ``load_from_http`` through its module-level ``load_url``, i.e.
    ``torch.hub.load_state_dict_from_url`` whose default is
    ``weights_only=False``: any downloaded checkpoint could run code. The
    URL schemes other than ``http(s)://`` call ``load_from_http`` directly,
    not through ``CheckpointLoader``, so registering loaders for the
    schemes would not reach them; replacing that one module attribute does.
    Checked by ``tests/test_reliability/test_untrusted_checkpoints.py``
    (``test_url_loaders_use_weights_only``).
    """
    mm_checkpoint.load_url = load_url


# Registration when the module is imported (see the module docstring).
register_safe_globals()
_use_weights_only_url_loader()
