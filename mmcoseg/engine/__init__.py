from .hooks import CoSegVisualizationHook, PlainMessageHubHook

__all__ = ['CoSegVisualizationHook', 'PlainMessageHubHook']
