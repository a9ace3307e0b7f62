from .context_pair_sampler import ContextPairSampler

__all__ = ['ContextPairSampler']
