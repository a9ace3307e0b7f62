"""Checkpoints that load with ``torch.load(..., weights_only=True)``.

Since torch 2.6 ``torch.load`` defaults to ``weights_only=True``: only
tensors, plain containers/scalars and explicitly allow-listed globals may be
unpickled. Checkpoints written by mmengine 0.10.x runners fail that check for
two reasons:

* numpy objects (arrays, scalars, dtypes) in ``meta`` / ``message_hub``.
  These are harmless data types; :func:`register_safe_globals` allow-lists
  exactly the numpy globals needed to rebuild them.
* ``mmengine.logging.HistoryBuffer`` in ``message_hub['log_scalars']``.
  ``HistoryBuffer.__getstate__`` stores the class-level
  ``_statistics_methods`` dict (``HistoryBuffer.min`` / ``max`` / ``mean`` /
  ``current`` and any registered custom statistics) in the pickled state.
  Functions are pickled by reference, and torch pickles with protocol 2, so
  a function with a dotted ``__qualname__`` (``HistoryBuffer.min``) is
  written as ``builtins.getattr(HistoryBuffer, 'min')``. Allow-listing
  ``getattr`` would let any checkpoint reach any attribute of any
  allow-listed object, so it is never done here. Instead
  :func:`message_hub_to_plain` stores each buffer as plain lists and
  :func:`message_hub_from_plain` rebuilds the buffers on load (see
  ``mmcoseg.engine.hooks.PlainMessageHubHook``).

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
import warnings
from collections import OrderedDict, deque
from typing import Any, Callable, Dict, List, Optional, Tuple, Union

import numpy as np
import torch
from mmengine.logging import HistoryBuffer
from mmengine.runner import CheckpointLoader
from mmengine.runner import checkpoint as mm_checkpoint

SafeGlobal = Union[Callable, Tuple[Callable, str]]

#: Keys of the plain-data form of one ``HistoryBuffer``.
PLAIN_BUFFER_KEYS = ('log_history', 'count_history', 'max_length')

# Every fixed-size numeric / bool numpy dtype. Object, string, void and
# datetime dtypes are deliberately left out.
_SAFE_DTYPE_CODES = '?' + np.typecodes['AllInteger'] + np.typecodes['AllFloat']


class _NotPlainError(TypeError):
    """Raised for a value that cannot be expressed as plain data."""


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


def history_buffer_to_plain(buffer: HistoryBuffer) -> Dict[str, Any]:
    """Return a ``HistoryBuffer`` as a dict of plain lists and ints.

    Custom statistics methods are not stored: they are class-level and come
    back when the code registering them is imported.

    Args:
        buffer (HistoryBuffer): The buffer to convert.

    Returns:
        dict: ``log_history`` and ``count_history`` (lists of Python
        floats/ints), ``max_length`` (int) and the two arrays' dtype names.
    """
    logs, counts = buffer.data
    return {
        'log_history': logs.tolist(),
        'count_history': counts.tolist(),
        'max_length': int(buffer.max_length),
        'log_dtype': str(logs.dtype),
        'count_dtype': str(counts.dtype)}


def is_plain_history_buffer(value: Any) -> bool:
    """Whether ``value`` is the output of :func:`history_buffer_to_plain`."""
    return isinstance(value, dict) and all(k in value
                                           for k in PLAIN_BUFFER_KEYS)


def history_buffer_from_plain(plain: Dict[str, Any]) -> HistoryBuffer:
    """Rebuild a ``HistoryBuffer`` from :func:`history_buffer_to_plain`.

    Args:
        plain (dict): The plain form of the buffer.

    Returns:
        HistoryBuffer: A buffer with the same history, counts and max length.
    """
    logs = np.array(plain['log_history'], dtype=plain.get('log_dtype'))
    counts = np.array(plain['count_history'], dtype=plain.get('count_dtype'))
    return HistoryBuffer(logs, counts, int(plain['max_length']))


def _is_safe_array(value: Any) -> bool:
    """Whether ``value`` is a numpy array of an allow-listed dtype."""
    return (isinstance(value, np.ndarray) and type(value) is np.ndarray
            and value.dtype.char in _SAFE_DTYPE_CODES
            and value.dtype.isnative)


def _plain_leaf(value: Any) -> Any:
    """Convert a non-container value to a ``weights_only``-safe value.

    Raises:
        _NotPlainError: If the value has no plain equivalent.
    """
    if value is None or type(value) in (bool, int, float, complex, str,
                                        bytes):
        return value
    if isinstance(value, (torch.Tensor, torch.Size, torch.dtype,
                          torch.device)):
        return value
    if isinstance(value, np.generic):
        return to_plain(value.item())
    if isinstance(value, np.ndarray):
        return value if _is_safe_array(value) else to_plain(value.tolist())
    for base in (int, float, complex, str, bytes):
        if isinstance(value, base):
            return base(value)
    raise _NotPlainError(f'{type(value).__module__}.'
                         f'{type(value).__qualname__} is not plain data')


def to_plain(value: Any) -> Any:
    """Recursively turn ``value`` into data ``weights_only`` loading accepts.

    Builtin scalars, strings, tensors and numeric numpy arrays are kept;
    numpy scalars become Python scalars; other numpy arrays become lists;
    ``dict`` / ``OrderedDict`` / ``list`` / ``tuple`` / ``set`` subclasses
    (``ConfigDict``, named tuples, ``defaultdict``, ``deque``, ...) become
    their plain base type.

    Args:
        value: The value to convert.

    Returns:
        The converted value.

    Raises:
        TypeError: If ``value`` contains an object with no plain equivalent.
    """
    if isinstance(value, OrderedDict):
        return OrderedDict(
            (to_plain(k), to_plain(v)) for k, v in value.items())
    if isinstance(value, dict):
        return {to_plain(k): to_plain(v) for k, v in value.items()}
    if isinstance(value, (list, deque)):
        return [to_plain(v) for v in value]
    if isinstance(value, tuple) and not isinstance(value, torch.Size):
        return tuple(to_plain(v) for v in value)
    if isinstance(value, (set, frozenset)):
        return {to_plain(v) for v in value}
    return _plain_leaf(value)


_DROP = object()


def _drop(value: Any) -> object:
    """``on_error`` for :func:`_plain_items` that leaves the item out."""
    return _DROP


def _plain_items(state: Dict[str, Any],
                 what: str,
                 on_error: Callable[[Any], Any],
                 convert: Callable[[Any], Any] = to_plain) -> Dict[str, Any]:
    """Apply ``convert`` (:func:`to_plain`) to each item of ``state``.

    Args:
        state (dict): Mapping to convert (not modified).
        what (str): Name of the mapping, for warnings.
        on_error (Callable): Called with a value that is not plain data;
            returns its replacement, or ``_DROP`` to leave the item out.
        convert (Callable): Converts one value; raises ``TypeError`` for a
            value that is not plain data. Defaults to :func:`to_plain`.

    Returns:
        dict: A converted copy (an ``OrderedDict`` if ``state`` is one).
    """
    out = OrderedDict() if isinstance(state, OrderedDict) else {}
    for key, value in state.items():
        try:
            out[key] = convert(value)
            continue
        except TypeError as err:
            replacement = on_error(value)
            reason = str(err)
        action = 'dropped' if replacement is _DROP else 'saved as its repr'
        warnings.warn(f'{what}[{key!r}] is not plain data ({reason}); it is '
                      f'{action} so that the checkpoint loads with '
                      'weights_only=True.')
        if replacement is not _DROP:
            out[key] = replacement
    return out


def _log_scalar_to_plain(value: Any) -> Any:
    """Convert one ``log_scalars`` value (normally a ``HistoryBuffer``)."""
    if isinstance(value, HistoryBuffer):
        return history_buffer_to_plain(value)
    return to_plain(value)


def meta_to_plain(meta: Dict[str, Any]) -> Dict[str, Any]:
    """Return a copy of checkpoint ``meta`` holding only plain data.

    Entries with no plain equivalent are replaced by their ``repr`` (meta is
    informational) and a warning is emitted.

    Args:
        meta (dict): ``checkpoint['meta']``.

    Returns:
        dict: The converted copy.
    """
    return _plain_items(meta, 'meta', repr)


def message_hub_to_plain(state: Dict[str, Any]) -> Dict[str, Any]:
    """Return a message hub state dict that holds only plain data.

    ``log_scalars`` ``HistoryBuffer`` objects become dicts of lists (see
    :func:`history_buffer_to_plain`); ``runtime_info`` values go through
    :func:`to_plain`. Values with no plain form are dropped with a warning
    (a ``repr`` would be wrong state to resume). ``state`` is not modified.

    Args:
        state (dict): ``MessageHub.state_dict()``, i.e. with keys
            ``log_scalars``, ``runtime_info`` and ``resumed_keys``.

    Returns:
        dict: The converted state.
    """
    out = dict(state)
    if isinstance(state.get('log_scalars'), dict):
        out['log_scalars'] = _plain_items(
            state['log_scalars'], 'message_hub.log_scalars', _drop,
            _log_scalar_to_plain)
    if isinstance(state.get('runtime_info'), dict):
        out['runtime_info'] = _plain_items(state['runtime_info'],
                                           'message_hub.runtime_info', _drop)
    if 'resumed_keys' in state:
        out['resumed_keys'] = to_plain(state['resumed_keys'])
    return out


def message_hub_from_plain(state: Dict[str, Any]) -> Dict[str, Any]:
    """Rebuild the ``HistoryBuffer`` objects of a plain message hub state.

    Inverse of :func:`message_hub_to_plain` for ``log_scalars``; buffers
    that are already ``HistoryBuffer`` objects (checkpoints written without
    the conversion) are kept. ``state`` is not modified.

    Args:
        state (dict): A message hub state dict.

    Returns:
        dict: The state with ``HistoryBuffer`` objects in ``log_scalars``,
        ready for ``MessageHub.load_state_dict``.
    """
    out = dict(state)
    scalars = state.get('log_scalars')
    if isinstance(scalars, dict):
        items = ((key, history_buffer_from_plain(value)
                  if is_plain_history_buffer(value) else value)
                 for key, value in scalars.items())
        out['log_scalars'] = (
            OrderedDict(items)
            if isinstance(scalars, OrderedDict) else dict(items))
    return out


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
