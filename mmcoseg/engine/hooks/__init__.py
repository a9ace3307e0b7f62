from mmcoseg.fileio import atomic_write_text

from .atomic_checkpoint_hook import AtomicCheckpointHook
from .bad_item_counter_hook import BadItemCounterHook
from .coseg_logger_hook import CoSegLoggerHook
from .coseg_visualization_hook import CoSegVisualizationHook
from .non_finite_loss_hook import NonFiniteLossError, NonFiniteLossHook
from .plain_message_hub_hook import PlainMessageHubHook

__all__ = [
    'AtomicCheckpointHook', 'BadItemCounterHook', 'CoSegLoggerHook',
    'CoSegVisualizationHook',
    'NonFiniteLossError', 'NonFiniteLossHook', 'PlainMessageHubHook',
    'atomic_write_text'
]
