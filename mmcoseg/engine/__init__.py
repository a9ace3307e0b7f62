from .hooks import (
                    AtomicCheckpointHook,
                    BadItemCounterHook,
                    CoSegVisualizationHook,
                    NonFiniteLossError,
                    NonFiniteLossHook,
                    PlainMessageHubHook,
                    atomic_write_text,
)

__all__ = [
    'AtomicCheckpointHook', 'BadItemCounterHook', 'CoSegVisualizationHook',
    'NonFiniteLossError', 'NonFiniteLossHook', 'PlainMessageHubHook',
    'atomic_write_text'
]
