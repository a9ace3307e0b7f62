from .consensus_modulator import ConsensusModulator, group_consensus
from .spatial_modulator import SpatialModulator

__all__ = ['ConsensusModulator', 'SpatialModulator', 'group_consensus']
