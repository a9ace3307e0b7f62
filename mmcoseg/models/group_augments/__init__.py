from .group_exchange import GroupExchange

__all__ = ['GroupExchange']
