"""GroupTestTimeAug, the collate of its views and CoSegTTAModel's merge."""
import numpy as np
import pytest
import torch
from mmengine.registry import init_default_scope
from mmengine.structures import PixelData
from mmseg.structures import SegDataSample
from PIL import Image

import mmcoseg  # noqa: F401  (registers the modules)
from mmcoseg.datasets import coseg_collate
from mmcoseg.models import CoSegTTAModel
from mmcoseg.registry import TRANSFORMS

H, W = 12, 18


@pytest.fixture(autouse=True)
def _scope():
    init_default_scope('mmcoseg')


def _group(tmp_path, n=3):
    """n images with an asymmetric mask (left third foreground)."""
    images = []
    for i in range(n):
        img = np.zeros((H, W, 3), np.uint8)
        img[..., 0] = np.arange(W)[None, :] * 10
        mask = np.zeros((H, W), np.uint8)
        mask[:, :W // 3] = 255
        Image.fromarray(img).save(tmp_path / f'{i}.png')
        Image.fromarray(mask).save(tmp_path / f'{i}_m.png')
        images.append(
            dict(img_path=str(tmp_path / f'{i}.png'),
                 seg_map_path=str(tmp_path / f'{i}_m.png'),
                 seg_fields=[], reduce_zero_label=False, group_id=0,
                 is_padding=False, category=0, category_name='c',
                 co_categories=[0]))
    return dict(images=images, group_id=0)


def _tta(scales=((W, H), )):
    return TRANSFORMS.build(
        dict(type='GroupTestTimeAug',
             transforms=[
                 [dict(type='LoadImageFromFile')],
                 [dict(type='Resize', scale=s, keep_ratio=False)
                  for s in scales],
                 [dict(type='RandomFlip', prob=0.0, direction='horizontal'),
                  dict(type='RandomFlip', prob=1.0, direction='horizontal')],
                 [dict(type='LoadCoSegAnnotation')],
             ]))


def test_views_are_whole_groups_with_upright_masks(tmp_path):
    out = _tta()(_group(tmp_path))
    assert out['num_views'] == 2
    plain, mirrored = out['inputs']
    assert len(plain) == len(mirrored) == 3  # every view is the whole group
    for a, b in zip(plain, mirrored):
        assert torch.equal(a.flip(-1), b)
    for a, b in zip(*out['data_samples']):
        assert a.flip is False and b.flip is True
        assert b.flip_direction == 'horizontal'
        # masks loaded after the flip: the truth stays upright in both views
        assert torch.equal(a.gt_sem_seg.data, b.gt_sem_seg.data)
        assert a.gt_sem_seg.data[0, :, :W // 3].all()
    # two scales x two flips
    assert _tta(((W, H), (2 * W, 2 * H)))(_group(tmp_path))['num_views'] == 4


def test_empty_step_is_refused():
    with pytest.raises(ValueError, match='at least one transform per step'):
        TRANSFORMS.build(dict(type='GroupTestTimeAug', transforms=[[]]))


def test_collate_gives_one_batch_per_view(tmp_path):
    items = [_tta()(_group(tmp_path)) for _ in range(2)]
    batch = coseg_collate(items)
    assert len(batch['inputs']) == len(batch['data_samples']) == 2  # views
    for view in range(2):
        assert len(batch['inputs'][view]) == 2  # groups
        for group, item in zip(batch['inputs'][view], items):
            assert group is item['inputs'][view]


class _Head:
    threshold = 0.5


class _Module(torch.nn.Module):
    out_channels = 1
    decode_head = _Head()

    def test_step(self, data):
        raise AssertionError('merge_preds only')


def _sample(prob, **meta):
    sample = SegDataSample(metainfo=meta)
    sample.seg_logits = PixelData(data=torch.tensor(prob)[None])
    sample.pred_sem_seg = PixelData(
        data=(torch.tensor(prob)[None] > 0.5).float())
    return sample


def test_merge_averages_probabilities_of_the_views():
    model = CoSegTTAModel(module=_Module())
    a = _sample([[0.9, 0.2], [0.6, 0.1]], img_path='x.jpg', category=3)
    b = _sample([[0.3, 0.7], [0.5, 0.0]], img_path='x.jpg', category=3)
    merged, = model.merge_preds([(a, b)])
    expected = torch.tensor([[[0.6, 0.45], [0.55, 0.05]]])
    assert torch.allclose(merged.seg_logits.data, expected)
    assert merged.pred_sem_seg.data.tolist() == [[[1.0, 0.0], [1.0, 0.0]]]
    assert merged.img_path == 'x.jpg' and merged.category == 3


def test_merge_two_channel_logits():
    module = _Module()
    module.out_channels = 2
    model = CoSegTTAModel(module=module)
    a, b = SegDataSample(), SegDataSample()
    a.seg_logits = PixelData(data=torch.tensor([[[0.0]], [[2.0]]]))
    b.seg_logits = PixelData(data=torch.tensor([[[0.0]], [[-4.0]]]))
    merged, = model.merge_preds([(a, b)])
    fg = (torch.sigmoid(torch.tensor(2.0)) +
          torch.sigmoid(torch.tensor(-4.0))) / 2
    assert torch.allclose(merged.seg_logits.data.softmax(0)[1], fg)
    assert merged.pred_sem_seg.data.item() == 0  # mean fg 0.45 < bg 0.55
