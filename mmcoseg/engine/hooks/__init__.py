from .plain_message_hub_hook import PlainMessageHubHook

__all__ = ['PlainMessageHubHook']
