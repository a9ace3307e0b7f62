"""A parameter-free head that predicts the spatial modulator's map S."""
from typing import List, Optional, Tuple

from mmseg.models.utils import resize
from mmseg.utils import ConfigType
from torch import Tensor, nn

from mmcoseg.registry import MODELS

from ..modulators.modulation import Modulation


@MODELS.register_module()
class SpatialMapHead(nn.Module):
    """Training-free co-segmentation: the foreground logit of a pixel is its
    entry of the group's spectral map S (eq. 6-9), so the prediction is
    "S > 0" at ``threshold=0.5``.

    Pair it with a frozen pretrained backbone and a ``SpatialModulator``
    built with ``channels=None`` (raw L2-normalised backbone features, no
    learned projection). It has no weights and no loss: such a model is
    evaluated without a checkpoint (``tools/test.py CONFIG``).

    Args:
        threshold (float): Foreground probability threshold (on
            sigmoid(S)). Defaults to 0.5.
        align_corners (bool): For resizing S to the input size.
            Defaults to False.
    """

    def __init__(self, threshold: float = 0.5,
                 align_corners: bool = False) -> None:
        super().__init__()
        self.threshold = threshold
        self.align_corners = align_corners
        self.out_channels = 1
        self.num_classes = 2
        self.channels = 0

    def forward(self, inputs: Tuple[Tensor],
                modulation: Optional[Modulation] = None) -> Tensor:
        """Return S (the backbone levels are not used).

        Args:
            inputs (tuple[Tensor]): Backbone levels (unused).
            modulation (Modulation): Must hold ``spatial``.

        Returns:
            Tensor: S of shape (B*N, 1, h, w).
        """
        if modulation is None or modulation.spatial is None:
            raise ValueError('SpatialMapHead needs the spatial modulator: '
                             'set model.spatial_modulator.')
        return modulation.spatial

    def predict(self,
                inputs: Tuple[Tensor],
                batch_img_metas: List[dict],
                test_cfg: ConfigType,
                modulation: Optional[Modulation] = None) -> Tensor:
        """S resized to the padded input size.

        Args:
            inputs (tuple[Tensor]): Backbone levels (unused).
            batch_img_metas (list[dict]): Image metainfo.
            test_cfg (dict): The testing config.
            modulation (Modulation): Modulator outputs.

        Returns:
            Tensor: Logits of shape (B*N, 1, H, W).
        """
        return self.predict_by_feat(self.forward(inputs, modulation),
                                    batch_img_metas)

    def predict_by_feat(self, seg_logits: Tensor,
                        batch_img_metas: List[dict]) -> Tensor:
        """S resized to the padded input size.

        Args:
            seg_logits (Tensor): S, shape (B*N, 1, h, w).
            batch_img_metas (list[dict]): Image metainfo.

        Returns:
            Tensor: Logits of shape (B*N, 1, H, W).
        """
        meta = batch_img_metas[0]
        size = meta['pad_shape'][:2] if 'pad_shape' in meta \
            else meta['img_shape']
        return resize(
            seg_logits,
            size=size,
            mode='bilinear',
            align_corners=self.align_corners)

    def loss(self, *args, **kwargs) -> dict:
        """Not trainable."""
        raise RuntimeError('SpatialMapHead is training-free; it has no loss.')
