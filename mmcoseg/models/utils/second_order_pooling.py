"""The SP (second-order pooling) layer of the HSP head (paper eq. 3, 11)."""
from typing import Optional

import torch
import torch.nn as nn
from mmengine.model import BaseModule
from torch import Tensor


class SecondOrderPooling(BaseModule):
    """1x1 conv to c channels, c x c channel covariance, FC to d outputs.

    Args:
        in_channels (int): Input channels.
        channels (int): Reduced channels c of the covariance.
        out_channels (int): Output dimension d.
        centered (bool): Subtract the mean over positions before the Gram
            matrix (a covariance, as in the paper). False gives the
            uncentred Gram matrix of the released code. Defaults to True.
        init_cfg (dict, optional): Initialisation config.
    """

    def __init__(self,
                 in_channels: int,
                 channels: int,
                 out_channels: int,
                 centered: bool = True,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.centered = centered
        self.reduce = nn.Sequential(
            nn.Conv1d(in_channels, channels, kernel_size=1),
            nn.ReLU(inplace=True))
        self.fc = nn.Linear(channels * channels, out_channels)

    def forward(self, x: Tensor) -> Tensor:
        """Pool a set of feature vectors into one vector.

        Args:
            x (Tensor): Shape (B, C_in, P): P feature vectors per sample.

        Returns:
            Tensor: Shape (B, out_channels).
        """
        z = self.reduce(x)
        if self.centered:
            z = z - z.mean(dim=2, keepdim=True)
        cov = torch.bmm(z, z.transpose(1, 2)) / z.shape[2]
        return self.fc(cov.flatten(1))
