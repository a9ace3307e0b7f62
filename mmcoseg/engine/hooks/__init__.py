from .coseg_visualization_hook import CoSegVisualizationHook
from .plain_message_hub_hook import PlainMessageHubHook

__all__ = ['CoSegVisualizationHook', 'PlainMessageHubHook']
