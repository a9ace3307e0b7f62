"""Merge the test-time views of a group (``tools/test.py --tta``)."""
from typing import List

import torch
from mmengine.model import BaseTTAModel
from mmengine.structures import PixelData
from mmseg.utils import SampleList

from mmcoseg.registry import MODELS


@MODELS.register_module()
class CoSegTTAModel(BaseTTAModel):
    """Average a co-segmentation model's foreground maps over group views.

    :class:`~mmcoseg.datasets.transforms.GroupTestTimeAug` makes several
    views of each test group (e.g. as is and mirrored); the wrapped model
    predicts every view as a whole group and turns each prediction back to
    the original image (un-flipped, original size). This model averages the
    foreground probabilities of the views per image and thresholds the
    mean. Unlike MMSeg's ``SegTTAModel`` it treats MMSeg 1.2.2's
    one-channel ``seg_logits`` as what they are (sigmoid probabilities
    already), and it stores the averaged map as ``seg_logits`` so that
    ``CoSegMetric(protocol='released')`` evaluates the merged map too.

    Args:
        module (dict | nn.Module): The co-segmentation model.
        data_preprocessor (dict, optional): Unused (each view goes through
            the module's own preprocessor).
    """

    def merge_preds(self, data_samples_list: List[SampleList]) -> SampleList:
        """Merge the views' predictions of every image.

        Args:
            data_samples_list (list[list[SegDataSample]]): Per image, its
                prediction in every view.

        Returns:
            list[SegDataSample]: One merged prediction per image, with the
            metainfo and ground truth of its first view.
        """
        one_channel = self.module.out_channels == 1
        merged = []
        for views in data_samples_list:
            maps = [view.seg_logits.data for view in views]
            if one_channel:
                prob = torch.stack(maps).mean(0)
                pred = (prob > self.module.decode_head.threshold).to(prob)
                seg_logits = prob
            else:
                prob = torch.stack([m.softmax(dim=0) for m in maps]).mean(0)
                pred = prob.argmax(dim=0, keepdim=True).to(prob)
                seg_logits = prob.clamp_min(1e-12).log()
            sample = views[0].clone()
            sample.set_data({
                'seg_logits': PixelData(data=seg_logits),
                'pred_sem_seg': PixelData(data=pred),
            })
            merged.append(sample)
        return merged
