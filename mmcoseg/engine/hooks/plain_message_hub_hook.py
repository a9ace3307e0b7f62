"""Keep checkpoints loadable with ``torch.load(..., weights_only=True)``."""
from typing import Any

from mmengine.hooks import Hook

from mmcoseg.registry import HOOKS
from mmcoseg.utils.plain_state import (
    message_hub_from_plain,
    message_hub_to_plain,
    meta_to_plain,
)


@HOOKS.register_module()
class PlainMessageHubHook(Hook):
    """Save the message hub and meta of checkpoints as plain data.

    mmengine pickles the ``HistoryBuffer`` objects of the message hub, whose
    state holds functions pickled through ``builtins.getattr``; torch >= 2.6
    refuses such checkpoints by default. Before a checkpoint is saved this
    hook turns ``checkpoint['message_hub']`` (history buffers and runtime
    info) and ``checkpoint['meta']`` into plain data; after a checkpoint is
    loaded by the runner (``load_from`` / ``resume``), it rebuilds the
    ``HistoryBuffer`` objects, before ``Runner.resume`` hands them to
    ``MessageHub.load_state_dict``. Checkpoints written without this hook
    are still read (their buffers are kept as they are), but only if torch
    can load them at all.

    The priority is ``'LOWEST'`` so that ``before_save_checkpoint`` runs
    after every other hook has added its part of the checkpoint. The same
    priority delays ``after_load_checkpoint``, which is harmless: no other
    hook reads the message hub there and ``Runner.resume`` only uses it
    after all hooks ran.

    Example:
        >>> custom_hooks = [dict(type='PlainMessageHubHook')]
    """

    priority = 'LOWEST'

    def before_save_checkpoint(self, runner: Any, checkpoint: dict) -> None:
        """Convert the message hub and meta of ``checkpoint`` in place.

        Args:
            runner (Runner): The runner saving the checkpoint.
            checkpoint (dict): The checkpoint about to be saved.
        """
        if isinstance(checkpoint.get('message_hub'), dict):
            checkpoint['message_hub'] = message_hub_to_plain(
                checkpoint['message_hub'])
        if isinstance(checkpoint.get('meta'), dict):
            checkpoint['meta'] = meta_to_plain(checkpoint['meta'])

    def after_load_checkpoint(self, runner: Any, checkpoint: dict) -> None:
        """Rebuild the ``HistoryBuffer`` objects of ``checkpoint`` in place.

        Args:
            runner (Runner): The runner loading the checkpoint.
            checkpoint (dict): The loaded checkpoint.
        """
        if isinstance(checkpoint.get('message_hub'), dict):
            checkpoint['message_hub'] = message_hub_from_plain(
                checkpoint['message_hub'])
