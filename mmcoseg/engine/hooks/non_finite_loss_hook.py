"""Stop (or skip) a training step whose loss is NaN or infinite."""
import logging
from functools import partial
from typing import Any, Dict, List, Optional

import torch
from mmengine.dist import get_world_size
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmengine.optim import OptimWrapperDict
from torch.utils.hooks import RemovableHandle

from mmcoseg.registry import HOOKS

ACTIONS = ('raise', 'skip')
#: Message hub runtime-info key counting the skipped steps.
INFO_KEY = 'nonfinite_loss_skipped'


class NonFiniteLossError(FloatingPointError):
    """Raised by :class:`NonFiniteLossHook` with ``action='raise'``."""


def _detached(losses: Dict[str, Any]) -> Dict[str, Any]:
    """The loss dict with every tensor (or list of tensors) detached."""
    out = {}
    for key, value in losses.items():
        if isinstance(value, torch.Tensor):
            value = value.detach()
        elif isinstance(value, (list, tuple)):
            value = [v.detach() if isinstance(v, torch.Tensor) else v
                     for v in value]
        out[key] = value
    return out


def _grads_finite(optimizer: torch.optim.Optimizer) -> bool:
    """Whether every gradient of ``optimizer``'s parameters is finite."""
    grads = [param.grad for group in optimizer.param_groups
             for param in group['params'] if param.grad is not None]
    if not grads:
        return True
    return bool(torch.stack([torch.isfinite(g).all() for g in grads]).all())


@HOOKS.register_module()
class NonFiniteLossHook(Hook):
    """Check every training loss before it reaches the weights.

    Uses two public PyTorch hooks, registered when training starts and
    removed when it ends (nothing of MMEngine is replaced):

    * a forward hook on the model sees the loss dict of every ``'loss'``
      forward pass and sums it as the model's ``parse_losses`` does. A
      non-finite total with ``action='raise'`` stops training at once with
      :class:`NonFiniteLossError` naming the iteration (1-based, as in the
      log), every loss term and the last checkpoint, before the backward
      pass. With ``action='skip'`` a warning is logged, the count is kept in
      the message hub (runtime info ``nonfinite_loss_skipped``, saved in
      checkpoints) and the next optimizer step is skipped;
    * an optimizer step pre-hook skips that step by dropping the gradients
      (``zero_grad(set_to_none=True)``: PyTorch's optimizers leave
      parameters without gradient unchanged). In distributed training it
      also skips a step whose gradients are non-finite, which is how a NaN
      loss of another process arrives (DDP averages the gradients), so that
      every process skips the same step.

    With gradient accumulation a skipped step drops the gradients
    accumulated since the previous step.

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
        self._skip_next_step = False
        self._handles: List[RemovableHandle] = []

    # ------------------------------------------------------------- set up
    @staticmethod
    def _optimizers(runner: Any) -> List[torch.optim.Optimizer]:
        wrapper = runner.optim_wrapper
        wrappers = (list(wrapper.values())
                    if isinstance(wrapper, OptimWrapperDict) else [wrapper])
        return [w.optimizer for w in wrappers if hasattr(w, 'optimizer')]

    def before_train(self, runner: Any) -> None:
        """Register the loss check and the optimizer step pre-hook.

        Args:
            runner (Runner): The runner.
        """
        self.num_skipped = int(runner.message_hub.get_info(INFO_KEY, 0)
                               or 0)
        self._skip_next_step = False
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        self._handles.append(model.register_forward_hook(
            partial(self._check_losses, runner), with_kwargs=True))
        for optimizer in self._optimizers(runner):
            self._handles.append(optimizer.register_step_pre_hook(
                partial(self._before_step, runner)))

    def after_train(self, runner: Any) -> None:
        """Remove the PyTorch hooks.

        Args:
            runner (Runner): The runner.
        """
        for handle in self._handles:
            handle.remove()
        self._handles = []

    # ------------------------------------------------------------ checking
    def _check_losses(self, runner: Any, model: Any, args: tuple,
                      kwargs: dict, output: Any) -> None:
        """Forward hook: act on a non-finite total loss."""
        if kwargs.get('mode') != 'loss' or not isinstance(output, dict):
            return
        with torch.no_grad():
            loss, log_vars = model.parse_losses(_detached(output))
        if not isinstance(loss, torch.Tensor) or \
                bool(torch.isfinite(loss).all()):
            return
        terms = ', '.join(f'{key}={value.float().mean().item():.6g}'
                          for key, value in log_vars.items()
                          if key != 'loss')
        detail = f'loss={loss.float().mean().item()}' + (
            f' ({terms})' if terms else '')
        where = self._where(runner)
        if self.action == 'raise':
            last = runner.message_hub.get_info('last_ckpt')
            raise NonFiniteLossError(
                f'Non-finite loss at {where}: {detail}. Training stopped '
                'before the optimizer step, so no NaN reached the weights; '
                f'last checkpoint: {last or "none saved yet"}. Lower the '
                'learning rate, check the data of this iteration, or set '
                "NonFiniteLossHook(action='skip') to skip such steps.")
        self._skip_next_step = True
        self._count_skip(runner, f'Non-finite loss at {where}: {detail}')

    def _before_step(self, runner: Any, optimizer: torch.optim.Optimizer,
                     args: tuple, kwargs: dict) -> None:
        """Optimizer step pre-hook: skip the step if it must not happen."""
        skip = self._skip_next_step
        if not skip and get_world_size() > 1 and \
                not _grads_finite(optimizer):
            skip = True
            if self.action == 'raise':
                raise NonFiniteLossError(
                    f'Non-finite gradients at {self._where(runner)} '
                    '(averaged in from another process whose loss was '
                    'non-finite); training stopped before the optimizer '
                    'step.')
            self._count_skip(
                runner, f'Non-finite gradients at {self._where(runner)} '
                '(from another process)')
        if skip:
            optimizer.zero_grad(set_to_none=True)
            self._skip_next_step = False

    @staticmethod
    def _where(runner: Any) -> str:
        return (f'iteration {runner.iter + 1} of {runner.max_iters} (epoch '
                f'{runner.epoch + 1})')

    def _count_skip(self, runner: Any, what: str) -> None:
        """Count one skipped step, log it, enforce ``max_skips``."""
        self.num_skipped += 1
        runner.message_hub.update_info(INFO_KEY, self.num_skipped)
        runner.logger.log(
            logging.WARNING,
            f'{what}; the optimizer step is skipped ({self.num_skipped} '
            'skipped in this run).')
        if self.max_skips is not None and self.num_skipped > self.max_skips:
            raise NonFiniteLossError(
                f'{self.num_skipped} training steps were skipped (the last: '
                f'{what}), more than max_skips={self.max_skips}.')
