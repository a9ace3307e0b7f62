from .hooks import (
                    AtomicCheckpointHook,
                    BadItemCounterHook,
                    CoSegVisualizationHook,
                    NonFiniteLossError,
                    NonFiniteLossHook,
                    PlainMessageHubHook,
                    atomic_write_text,
)
from .runner import CoSegRunner

__all__ = [
    'AtomicCheckpointHook', 'BadItemCounterHook', 'CoSegRunner',
    'CoSegVisualizationHook', 'NonFiniteLossError', 'NonFiniteLossHook',
    'PlainMessageHubHook', 'atomic_write_text'
]
