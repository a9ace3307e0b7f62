from .hooks import (
                    AtomicCheckpointHook,
                    BadItemCounterHook,
                    CoSegVisualizationHook,
                    NonFiniteLossError,
                    NonFiniteLossHook,
                    PlainMessageHubHook,
                    atomic_write_text,
)
from .optimizers import AutocastOptimWrapper, amp_without_accelerator
from .runner import CoSegRunner

__all__ = [
    'AtomicCheckpointHook', 'AutocastOptimWrapper', 'BadItemCounterHook',
    'CoSegRunner', 'CoSegVisualizationHook', 'NonFiniteLossError',
    'NonFiniteLossHook', 'PlainMessageHubHook', 'amp_without_accelerator',
    'atomic_write_text'
]
