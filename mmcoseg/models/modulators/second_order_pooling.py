"""The SP (second-order pooling) layer of the HSP head (paper eq. 3, 11)."""
from typing import Optional, Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModule
from torch import Tensor


class SecondOrderPooling(BaseModule):
    """1x1 conv to c channels, c x c second-order matrix, FC to d outputs.

    The matrix is the uncentred Gram matrix of the reduced features (as in
    the released code): across a group the mean is the shared signal, which
    centring would remove.

    The c x c matrix is normalised before the FC layer as usual for
    second-order pooling (signed square root, then L2 over its entries), so
    its scale does not depend on the feature magnitudes or the number of
    positions and the FC output stays in the range where gamma's sigmoid
    has gradient.

    Args:
        in_channels (int): Input channels.
        channels (int): Reduced channels c of the matrix.
        out_channels (int): Output dimension d.
        init_cfg (dict, optional): Initialisation config.
    """

    def __init__(self,
                 in_channels: int,
                 channels: int,
                 out_channels: int,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        # BN (not ReLU) keeps signed, centred-per-channel responses so the
        # second-order statistics differ between inputs from the start.
        self.reduce = nn.Sequential(
            nn.Conv1d(in_channels, channels, kernel_size=1, bias=False),
            nn.BatchNorm1d(channels))
        self.fc = nn.Linear(channels * channels, out_channels)

    def _pool(self, z: Tensor) -> Tensor:
        """Second-order statistics of reduced features z (B, c, P) -> FC."""
        cov = (torch.bmm(z, z.transpose(1, 2)) / z.shape[2]).flatten(1)
        cov = torch.sign(cov) * torch.sqrt(cov.abs() + 1e-6)
        cov = F.normalize(cov, dim=1)
        return self.fc(cov)

    def forward(self, x: Tensor) -> Tensor:
        """Pool a set of feature vectors into one vector.

        Args:
            x (Tensor): Shape (B, C_in, P): P feature vectors per sample.

        Returns:
            Tensor: Shape (B, out_channels).
        """
        return self._pool(self.reduce(x))

    def forward_sets(self, vectors: Tensor,
                     sizes: Sequence[int]) -> Tensor:
        """Pool consecutive sets of vectors of different sizes.

        The 1x1 conv and its BN see all vectors of the batch at once, so the
        BN statistics are taken over every set rather than within one set
        (which would subtract each set's own mean: its shared signal).

        Args:
            vectors (Tensor): Shape (T, C_in), the sets one after another.
            sizes (Sequence[int]): Length of each set; they sum to T.

        Returns:
            Tensor: Shape (len(sizes), out_channels).
        """
        z = self.reduce(vectors.T.unsqueeze(0))[0]  # (c, T)
        if len(set(sizes)) == 1:  # sets of one size: pooled as one batch
            return self._pool(
                z.reshape(z.shape[0], len(sizes), sizes[0]).transpose(0, 1))
        return torch.cat([
            self._pool(part.unsqueeze(0))
            for part in torch.split(z, list(sizes), dim=1)
        ])
