"""Stop (or skip) a training step whose loss is NaN or infinite."""
import logging
from typing import Any, Dict, List, Optional

import torch
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmengine.optim import OptimWrapper, OptimWrapperDict

from mmcoseg.registry import HOOKS

ACTIONS = ('raise', 'skip')
#: Message hub runtime-info key counting the skipped steps.
INFO_KEY = 'nonfinite_loss_skipped'


class NonFiniteLossError(FloatingPointError):
    """Raised by :class:`NonFiniteLossHook` with ``action='raise'``."""


@HOOKS.register_module()
class NonFiniteLossHook(Hook):
    """Check every training loss *before* the optimizer step.

    The check sits in front of ``OptimWrapper.update_params`` (wrapped on
    the runner's optimizer wrapper instance when training starts), so a NaN
    or infinite loss never reaches the weights: with ``action='raise'``
    training stops with :class:`NonFiniteLossError` naming the iteration
    (1-based, as in the log), every loss term and the last checkpoint;
    with ``action='skip'`` the step is dropped (no backward, gradients
    zeroed), a warning is logged and the count is kept in the message hub
    (runtime info ``nonfinite_loss_skipped``, saved in checkpoints).

    A rank that skips runs no backward pass, so in distributed training
    the other ranks would wait for its gradients: use ``'skip'`` in
    single-process training; ``'raise'`` is safe everywhere. With gradient
    accumulation a skipped step also drops the gradients accumulated so
    far.

    Args:
        action (str): ``'raise'`` (default) or ``'skip'``.
        max_skips (int, optional): With ``'skip'``, raise once more steps
            than this were skipped in the run. None: no limit.

    Example:
        >>> custom_hooks = [dict(type='NonFiniteLossHook', action='skip',
        ...                      max_skips=10)]
    """

    priority = 'VERY_HIGH'

    def __init__(self, action: str = 'raise',
                 max_skips: Optional[int] = None) -> None:
        if action not in ACTIONS:
            raise ValueError(f'action must be one of {ACTIONS}, got '
                             f'{action!r}.')
        self.action = action
        self.max_skips = max_skips
        self.num_skipped = 0
        self._terms: Dict[str, Any] = {}
        self._patched: List[Any] = []

    # ------------------------------------------------------------- set up
    @staticmethod
    def _optim_wrappers(runner: Any) -> List[OptimWrapper]:
        wrapper = runner.optim_wrapper
        if isinstance(wrapper, OptimWrapperDict):
            return list(wrapper.values())
        return [wrapper] if isinstance(wrapper, OptimWrapper) else []

    def before_train(self, runner: Any) -> None:
        """Put the check in front of the optimizer step.

        Args:
            runner (Runner): The runner.
        """
        self.num_skipped = int(runner.message_hub.get_info(INFO_KEY, 0)
                               or 0)
        for wrapper in self._optim_wrappers(runner):
            self._wrap_update_params(runner, wrapper)
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        if hasattr(model, 'parse_losses'):
            self._wrap_parse_losses(model)

    def _wrap_update_params(self, runner: Any, wrapper: OptimWrapper) -> None:
        original = wrapper.update_params

        def update_params(loss: torch.Tensor, *args, **kwargs) -> None:
            if isinstance(loss, torch.Tensor) and \
                    not bool(torch.isfinite(loss.detach()).all()):
                self._non_finite(runner, wrapper, loss)
                return
            original(loss, *args, **kwargs)

        wrapper.update_params = update_params
        self._patched.append((wrapper, 'update_params'))

    def _wrap_parse_losses(self, model: Any) -> None:
        original = model.parse_losses

        def parse_losses(losses: dict) -> Any:
            loss, log_vars = original(losses)
            self._terms = log_vars
            return loss, log_vars

        model.parse_losses = parse_losses
        self._patched.append((model, 'parse_losses'))

    def after_train(self, runner: Any) -> None:
        """Remove the wrappers.

        Args:
            runner (Runner): The runner.
        """
        for obj, name in self._patched:
            obj.__dict__.pop(name, None)
        self._patched = []

    # ------------------------------------------------------------ checking
    def _describe_terms(self) -> str:
        parts = []
        for key, value in self._terms.items():
            if isinstance(value, torch.Tensor):
                value = value.detach().float().mean().item()
            parts.append(f'{key}={value:.6g}' if isinstance(
                value, float) else f'{key}={value}')
        return ', '.join(parts)

    def _non_finite(self, runner: Any, wrapper: OptimWrapper,
                    loss: torch.Tensor) -> None:
        iteration = runner.iter + 1
        value = loss.detach().float().mean().item()
        terms = self._describe_terms()
        where = (f'iteration {iteration} of {runner.max_iters} (epoch '
                 f'{runner.epoch + 1})')
        detail = f'loss={value}' + (f' ({terms})' if terms else '')
        if self.action == 'raise':
            last = runner.message_hub.get_info('last_ckpt')
            raise NonFiniteLossError(
                f'Non-finite loss at {where}: {detail}. Training stopped '
                'before the optimizer step, so no NaN reached the weights; '
                f'last checkpoint: {last or "none saved yet"}. Lower the '
                'learning rate, check the data of this iteration, or set '
                "NonFiniteLossHook(action='skip') to skip such steps.")
        wrapper.zero_grad()
        self.num_skipped += 1
        runner.message_hub.update_info(INFO_KEY, self.num_skipped)
        runner.logger.log(
            logging.WARNING,
            f'Non-finite loss at {where}: {detail}; the optimizer step is '
            f'skipped ({self.num_skipped} skipped in this run).')
        if self.max_skips is not None and self.num_skipped > self.max_skips:
            raise NonFiniteLossError(
                f'{self.num_skipped} training steps had a non-finite loss '
                f'(the last at {where}: {detail}), more than max_skips='
                f'{self.max_skips}.')
