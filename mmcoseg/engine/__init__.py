from .hooks import PlainMessageHubHook

__all__ = ['PlainMessageHubHook']
