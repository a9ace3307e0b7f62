"""Plain-data form of mmengine's message hub and checkpoint meta.

Checkpoints written by mmengine 0.10.x runners hold
``mmengine.logging.HistoryBuffer`` objects in
``message_hub['log_scalars']``. ``HistoryBuffer.__getstate__`` stores the
class-level ``_statistics_methods`` dict (``HistoryBuffer.min`` / ``max`` /
``mean`` / ``current`` and any registered custom statistics) in the pickled
state. Functions are pickled by reference, and torch pickles with protocol
2, so a function with a dotted ``__qualname__`` (``HistoryBuffer.min``) is
written as ``builtins.getattr(HistoryBuffer, 'min')``, which
``torch.load(..., weights_only=True)`` refuses (and which
:mod:`mmcoseg.utils.safe_checkpoint` never allow-lists).

Instead :func:`message_hub_to_plain` stores each buffer as plain lists and
:func:`message_hub_from_plain` rebuilds the buffers on load (see
``mmcoseg.engine.hooks.PlainMessageHubHook``); :func:`meta_to_plain` and
:func:`to_plain` turn the rest of ``meta`` / ``message_hub`` into data that
``weights_only`` loading accepts (numeric numpy arrays are kept: their
globals are the ones :mod:`mmcoseg.utils.safe_checkpoint` allow-lists).

Importing this module registers nothing.
"""
import warnings
from collections import OrderedDict, deque
from typing import Any, Callable, Dict

import numpy as np
import torch
from mmengine.logging import HistoryBuffer

#: Keys of the plain-data form of one ``HistoryBuffer``.
PLAIN_BUFFER_KEYS = ('log_history', 'count_history', 'max_length')

# Every fixed-size numeric / bool numpy dtype. Object, string, void and
# datetime dtypes are deliberately left out. Arrays of these dtypes are kept
# as arrays; safe_checkpoint allow-lists exactly their dtype classes.
_SAFE_DTYPE_CODES = '?' + np.typecodes['AllInteger'] + np.typecodes['AllFloat']


class _NotPlainError(TypeError):
    """Raised for a value that cannot be expressed as plain data."""


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
