"""Count and log the training items a dataset skipped as bad."""
import logging
from typing import Any, Optional, Sequence

from mmengine.hooks import Hook

from mmcoseg.datasets.bad_items import SKIPPED_KEY
from mmcoseg.registry import HOOKS

#: Message hub keys: runtime info (saved in checkpoints) and log scalar.
INFO_KEY = 'bad_items_skipped'
SCALAR_KEY = 'train/bad_items'


def _skipped_in_batch(data_batch: Any) -> int:
    """Sum of ``skipped_bad_items`` over the data samples of a batch."""
    if not isinstance(data_batch, dict):
        return 0
    total = 0
    stack = [data_batch.get('data_samples')]
    while stack:
        item = stack.pop()
        if isinstance(item, (list, tuple)):
            stack.extend(item)
        elif hasattr(item, 'metainfo'):
            total += int(item.metainfo.get(SKIPPED_KEY, 0) or 0)
    return total


@HOOKS.register_module()
class BadItemCounterHook(Hook):
    """Make the bad training items that a dataset skipped visible.

    ``GroupDataset(on_bad_item='skip')`` replaces a training group whose
    files fail to load by another group and records, on the first data
    sample of the next group it delivers, how many it skipped. The count
    travels with the data, so it is right with any number of dataloader
    workers. This hook sums it into the message hub (runtime info
    ``bad_items_skipped``, saved in checkpoints and restored on resume, and
    the log scalar ``train/bad_items`` once it is non-zero), logs a warning
    when it grows, and raises once it exceeds ``max_bad_items``.

    Args:
        max_bad_items (int, optional): Stop training (``RuntimeError``) when
            more items than this were skipped in the whole run. None
            (default) sets no limit.

    Example:
        >>> custom_hooks = [dict(type='BadItemCounterHook')]
    """

    priority = 'NORMAL'

    def __init__(self, max_bad_items: Optional[int] = None) -> None:
        self.max_bad_items = max_bad_items
        self.total = 0

    def before_train(self, runner: Any) -> None:
        """Restore the count of a resumed run.

        Args:
            runner (Runner): The runner.
        """
        self.total = int(
            runner.message_hub.get_info(INFO_KEY, 0) or 0)

    def after_train_iter(self,
                         runner: Any,
                         batch_idx: int,
                         data_batch: Any = None,
                         outputs: Optional[Sequence] = None) -> None:
        """Add the items skipped for this batch to the count.

        Args:
            runner (Runner): The runner.
            batch_idx (int): Index of the batch.
            data_batch (dict, optional): The batch from the dataloader.
            outputs (dict, optional): The log variables of the step.
        """
        skipped = _skipped_in_batch(data_batch)
        if skipped:
            self.total += skipped
            runner.logger.warning(
                f'{skipped} bad training item(s) were skipped for '
                f'iteration {runner.iter + 1} ({self.total} in this run; '
                'the dataset log names the files).')
        runner.message_hub.update_info(INFO_KEY, self.total)
        if self.total:
            runner.message_hub.update_scalar(SCALAR_KEY, self.total)
        if self.max_bad_items is not None and \
                self.total > self.max_bad_items:
            raise RuntimeError(
                f'{self.total} bad training items skipped by iteration '
                f'{runner.iter + 1}, more than max_bad_items='
                f'{self.max_bad_items}; see the warnings naming the files.')

    def after_train(self, runner: Any) -> None:
        """Log the total at the end of training.

        Args:
            runner (Runner): The runner.
        """
        if self.total:
            runner.logger.log(
                logging.WARNING,
                f'{self.total} bad training item(s) were skipped in this '
                'run.')
