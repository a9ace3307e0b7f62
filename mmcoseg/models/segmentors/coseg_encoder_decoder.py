"""A group-aware encoder-decoder segmentor for co-segmentation (SSNM)."""
from typing import List, Optional, Sequence

import torch
import torch.nn as nn
from mmengine.config import ConfigDict
from mmseg.models.segmentors import EncoderDecoder
from mmseg.models.utils import resize
from mmseg.utils import ConfigType, OptConfigType, OptMultiConfig, SampleList
from torch import Tensor

from mmcoseg.registry import MODELS

from ...structures import GroupLayout, layout_from_metas
from ..losses.coseg_loss import weighted_bce_per_image
from ..modulators.base_modulator import BaseModulator
from ..modulators.modulation import Modulation
from .cross_group import CrossGroupProbes, cross_group_probes


@MODELS.register_module()
class CoSegEncoderDecoder(EncoderDecoder):
    """Encoder-decoder that segments the object shared by each image group.

    A batch holds B groups of N images, flattened to B*N images; the
    :class:`~mmcoseg.structures.GroupLayout` that
    ``CoSegDataPreProcessor`` puts into the metainfo says which images
    form a group. A batch without it raises, unless
    ``test_cfg.ungrouped='single'`` declares a flat batch one group. The
    backbone runs on all B*N images; the modulators then run per group:
    the spatial modulator (f_spa, e.g. :class:`SpatialModulator` or
    :class:`ConsensusModulator`), the semantic HSP head (f_sem) and any
    further ``modulators``, each a :class:`BaseModulator` whose
    contributions (spatial maps, channel weights, loss terms) are combined
    into one :class:`Modulation`; the decoder (f_seg) decodes the modulated
    levels. ``predict`` returns a
    flat list of :class:`SegDataSample` at the original image size, so
    MMSeg's metrics, visualisation hook and ``tools/test.py --show-dir``
    work unchanged.

    Args:
        backbone (dict): Backbone config.
        decode_head (dict): Decoder config, e.g. ``ModulatedFPNDecoder``.
        spatial_modulator (dict, optional): ``SpatialModulator`` config;
            None disables f_spa (ablation "w/o f_spa").
        semantic_head (dict, optional): ``HSPHead`` config; None disables
            f_sem (ablation "w/o f_sem").
        modulators (list[dict], optional): Further modulators
            (:class:`BaseModulator` subclasses), run after f_spa and f_sem.
        neck (dict, optional): Neck config.
        train_cfg (dict, optional): Training config; ``cross_group=dict(
            loss_weight=w)`` adds the cross-group loss ``loss_cross``
            (see :meth:`loss`).
        test_cfg (dict, optional): Testing config; only ``mode='whole'``;
            ``ungrouped`` ('error' or 'single', see
            :func:`~mmcoseg.structures.layout_from_metas`).
        data_preprocessor (dict, optional): Usually
            ``CoSegDataPreProcessor``.
        pretrained (str, optional): Backbone checkpoint.
        init_cfg (dict, optional): Initialisation config.
    """

    def __init__(self,
                 backbone: ConfigType,
                 decode_head: ConfigType,
                 spatial_modulator: OptConfigType = None,
                 semantic_head: OptConfigType = None,
                 modulators: Optional[Sequence[ConfigType]] = None,
                 neck: OptConfigType = None,
                 train_cfg: OptConfigType = None,
                 test_cfg: OptConfigType = None,
                 data_preprocessor: OptConfigType = None,
                 pretrained: Optional[str] = None,
                 init_cfg: OptMultiConfig = None):
        super().__init__(
            backbone=backbone,
            decode_head=decode_head,
            neck=neck,
            train_cfg=train_cfg,
            test_cfg=ConfigDict(test_cfg or dict(mode='whole')),
            data_preprocessor=data_preprocessor,
            pretrained=pretrained,
            init_cfg=init_cfg)
        if self.test_cfg.get('mode', 'whole') != 'whole':
            raise ValueError(
                "CoSegEncoderDecoder supports test_cfg.mode='whole' only: "
                'sliding windows would split the images of a group.')
        self.spatial_modulator = self._build_modulator(
            spatial_modulator, 'spatial_modulator')
        self.semantic_head = self._build_modulator(semantic_head,
                                                   'semantic_head')
        self.extra_modulators = nn.ModuleList(
            self._build_modulator(cfg, f'modulators[{i}]')
            for i, cfg in enumerate(modulators or ()))
        if (self.semantic_head is not None
                and self.semantic_head.channels != self.decode_head.channels):
            raise ValueError(
                f'semantic_head.channels ({self.semantic_head.channels}) '
                'must equal decode_head.channels '
                f'({self.decode_head.channels}): gamma scales the channels '
                'of every decoder level.')

    @staticmethod
    def _build_modulator(cfg: OptConfigType,
                         where: str) -> Optional[BaseModulator]:
        if not cfg:
            return None
        module = MODELS.build(cfg)
        if not isinstance(module, BaseModulator):
            raise TypeError(
                f'{where}: {type(module).__name__} is not a modulator '
                '(a subclass of mmcoseg.models.modulators.BaseModulator with '
                '`modulate(feats, layout, gt, with_loss)`).')
        return module

    @property
    def modulators(self) -> List[BaseModulator]:
        """The modulators in the order they run: f_spa, f_sem, the rest."""
        first = [self.spatial_modulator, self.semantic_head]
        return [m for m in first if m is not None] + list(
            self.extra_modulators)

    @property
    def with_spatial_modulator(self) -> bool:
        """Whether f_spa is enabled."""
        return self.spatial_modulator is not None

    @property
    def with_semantic_head(self) -> bool:
        """Whether f_sem is enabled."""
        return self.semantic_head is not None

    def group_layout(self, batch_img_metas: Optional[List[dict]],
                     num_images: int) -> Optional[GroupLayout]:
        """The groups of a batch, from the metainfo.

        Args:
            batch_img_metas (list[dict], optional): Image metainfo.
            num_images (int): Images in the batch.

        Returns:
            GroupLayout | None: The batch's layout; None for a model
            without modulators (the ablation "w/o both" segments each
            image on its own and needs no groups).
        """
        if not self.modulators:
            return None
        return layout_from_metas(batch_img_metas, num_images,
                                 self.test_cfg.get('ungrouped', 'error'))

    def modulate(self,
                 feats: Sequence[Tensor],
                 layout: Optional[GroupLayout],
                 gt: Optional[Tensor] = None,
                 with_loss: bool = False) -> Modulation:
        """Run every modulator on every group of the batch.

        Args:
            feats (Sequence[Tensor]): Backbone levels for all images.
            layout (GroupLayout, optional): The groups of the batch (None
                only without modulators).
            gt (Tensor, optional): Labels (B*N, H, W), for modulators that
                are supervised.
            with_loss (bool): Also compute their unweighted loss terms.

        Returns:
            Modulation: S, gamma per image and, if asked, the loss terms.
        """
        mod = Modulation()
        for modulator in self.modulators:
            mod.add(
                modulator.modulate(feats, layout, gt if with_loss else None,
                                   with_loss), modulator.loss_weight)
        return mod

    def loss(self, inputs: Tensor, data_samples: SampleList) -> dict:
        """Compute the losses of a batch of groups (eq. 14).

        With ``train_cfg.cross_group``, pairs of groups whose co-categories
        are disjoint also give probe groups (:func:`cross_group_probes`):
        a group's own modulation applied to one image of the other group,
        whose target is empty; ``loss_cross`` is the weighted BCE of those
        images, decoded in the same pass as the batch (0 for a batch
        without such a pair).

        Args:
            inputs (Tensor): Images (B*N, C, H, W).
            data_samples (list[SegDataSample]): One per image, with
                ``gt_sem_seg`` and the group metainfo.

        Returns:
            dict[str, Tensor]: ``loss_seg``, ``loss_spa``, ``loss_sem``,
            ``acc_seg`` (and ``loss_cross``).
        """
        feats = self.extract_feat(inputs)
        layout = self.group_layout([s.metainfo for s in data_samples],
                                   inputs.shape[0])
        gt = self.decode_head._stack_batch_gt(data_samples).squeeze(1)
        modulation = self.modulate(feats, layout, gt, with_loss=True)
        modulation.seg_label = gt  # stacked once for both losses
        cross = (self.train_cfg or {}).get('cross_group')
        probes = (cross_group_probes(layout)
                  if cross and layout is not None else None)
        if probes is None:
            losses = self.decode_head.loss(feats, data_samples,
                                           self.train_cfg, modulation)
            if cross:  # logged every step, 0 without a disjoint pair
                losses['loss_cross'] = feats[0].new_zeros(())
            return losses
        return self._loss_with_probes(feats, data_samples, modulation,
                                      probes, cross.get('loss_weight', 1.0))

    def _loss_with_probes(self, feats: Sequence[Tensor],
                          data_samples: SampleList, modulation: Modulation,
                          probes: CrossGroupProbes,
                          weight: float) -> dict:
        """The losses of a batch and of its probe groups' intruders.

        Args:
            feats (Sequence[Tensor]): Backbone levels of the batch.
            data_samples (list[SegDataSample]): The batch's samples.
            modulation (Modulation): The batch's modulation, with labels.
            probes (CrossGroupProbes): The probe groups.
            weight (float): Weight of ``loss_cross``.

        Returns:
            dict[str, Tensor]: The decoder's losses and ``loss_cross``.
        """
        index = torch.as_tensor(probes.index, device=feats[0].device)
        probe = self.modulate([f[index] for f in feats], probes.layout)
        intruders = index[probes.intruders]
        picked = index.new_tensor(probes.intruders)
        both = Modulation(
            spatial=None if modulation.spatial is None else torch.cat(
                [modulation.spatial, probe.spatial[picked]]),
            gamma=None if modulation.gamma is None else torch.cat(
                [modulation.gamma, probe.gamma[picked]]))
        # one decoder pass, so that its batch norms see the whole batch
        logits = self.decode_head.forward(
            [torch.cat([f, f[intruders]]) for f in feats], both)
        num = modulation.seg_label.shape[0]
        losses = self.decode_head.loss_by_feat(logits[:num], data_samples,
                                               modulation)
        ignore = self.decode_head.ignore_index
        label = modulation.seg_label[intruders]
        label = torch.where(label == ignore, label, torch.zeros_like(label))
        logits = resize(logits[num:], size=label.shape[1:], mode='bilinear',
                        align_corners=self.decode_head.align_corners)
        weighting = getattr(self.decode_head.loss_decode, 'weighting',
                            'balanced')
        losses['loss_cross'] = weight * weighted_bce_per_image(
            logits, label, weighting, ignore).mean()
        return losses

    def encode_decode(self, inputs: Tensor,
                      batch_img_metas: List[dict]) -> Tensor:
        """Foreground logits of every image, at the padded input size:
        decoded from the modulated levels, then refined by each modulator
        (:meth:`BaseModulator.refine_logits`, e.g. the category selection).

        Args:
            inputs (Tensor): Images (B*N, C, H, W).
            batch_img_metas (list[dict]): Image metainfo with the groups.

        Returns:
            Tensor: Logits (B*N, 1, H, W).
        """
        feats = self.extract_feat(inputs)
        layout = self.group_layout(batch_img_metas, inputs.shape[0])
        logits = self.decode_head.forward(feats,
                                          self.modulate(feats, layout))
        for modulator in self.modulators:
            logits = modulator.refine_logits(logits, feats, layout)
        return self.decode_head.predict_by_feat(logits, batch_img_metas)

    def inference(self, inputs: Tensor, batch_img_metas: List[dict]) -> Tensor:
        """Whole-image inference (the images of a group differ in size by
        design, so MMSeg's warning about that is not raised).

        Args:
            inputs (Tensor): Images (B*N, C, H, W).
            batch_img_metas (list[dict]): Image metainfo with the groups.

        Returns:
            Tensor: Logits (B*N, 1, H, W).
        """
        return self.whole_inference(inputs, batch_img_metas)

    def slide_inference(self, inputs: Tensor,
                        batch_img_metas: List[dict]) -> Tensor:
        """Not supported: windows would break up the groups."""
        raise NotImplementedError(
            'Sliding-window inference is not supported for co-segmentation; '
            "use test_cfg=dict(mode='whole').")

    def _forward(self,
                 inputs: Tensor,
                 data_samples: SampleList = None) -> Tensor:
        """Plain forward (tensor mode) returning the decoder logits.

        Args:
            inputs (Tensor): Images (B*N, C, H, W).
            data_samples (list[SegDataSample], optional): With the group
                layout in their metainfo (see :meth:`group_layout`).

        Returns:
            Tensor: Logits at the decoder's resolution.
        """
        feats = self.extract_feat(inputs)
        metas = ([sample.metainfo for sample in data_samples]
                 if data_samples else None)
        layout = self.group_layout(metas, inputs.shape[0])
        return self.decode_head.forward(feats, self.modulate(feats, layout))
