"""Tests of GroupTransforms, PackCoSegInputs, coseg_collate and
CoSegDataPreProcessor (the group structure from pipeline to model)."""
import numpy as np
import pytest
import torch
from mmengine.registry import init_default_scope
from mmengine.structures import PixelData
from mmseg.structures import SegDataSample

import mmcoseg  # noqa: F401  (registers the modules)
from mmcoseg.datasets import coseg_collate
from mmcoseg.datasets.transforms import GroupTransforms, PackCoSegInputs
from mmcoseg.datasets.transforms.formatting import GROUP_META_KEYS
from mmcoseg.registry import MODELS, TRANSFORMS

H, W = 20, 30


@pytest.fixture(autouse=True)
def _scope():
    init_default_scope('mmcoseg')


def _coord_image(h=H, w=W):
    """Channel 0 holds x, channel 1 holds y: flips/crops are readable."""
    img = np.zeros((h, w, 3), np.uint8)
    img[..., 0] = np.arange(w)[None, :]
    img[..., 1] = np.arange(h)[:, None]
    img[..., 2] = 7
    return img


def _image_result(i=0, h=H, w=W):
    return dict(img=_coord_image(h, w), img_shape=(h, w), ori_shape=(h, w),
                img_path=f'img_{i}.jpg', gt_seg_map=np.zeros((h, w),
                                                             np.uint8),
                seg_fields=['gt_seg_map'])


def _group(n=4):
    return dict(images=[_image_result(i) for i in range(n)])


def _flipped(image):
    return image['img'][0, 0, 0] == W - 1


def _crop_origin(image):
    return int(image['img'][0, 0, 0]), int(image['img'][0, 0, 1])


# ----------------------------------------------------------- GroupTransforms
def _flip_transform(share):
    return TRANSFORMS.build(
        dict(type='GroupTransforms',
             transforms=[dict(type='RandomFlip', prob=0.5,
                              direction='horizontal')],
             share_random_params=share))


def _crop_transform(share):
    return TRANSFORMS.build(
        dict(type='GroupTransforms',
             transforms=[dict(type='RandomCrop', crop_size=(8, 10))],
             share_random_params=share))


def test_built_from_registry():
    t = _flip_transform(True)
    assert isinstance(t, GroupTransforms)
    assert t.share_random_params is True
    assert 'share_random_params=True' in repr(t)


def test_shared_flip_same_for_all_images():
    np.random.seed(0)
    t = _flip_transform(True)
    decisions = []
    for _ in range(12):
        out = t(_group())
        flags = [bool(_flipped(im)) for im in out['images']]
        assert [im['flip'] for im in out['images']] == flags
        assert len(set(flags)) == 1
        decisions.append(flags[0])
    assert len(set(decisions)) == 2  # random across groups


def test_unshared_flip_can_differ():
    np.random.seed(0)
    t = _flip_transform(False)
    mixed = False
    for _ in range(12):
        out = t(_group())
        flags = {bool(_flipped(im)) for im in out['images']}
        mixed = mixed or len(flags) == 2
    assert mixed


def test_shared_crop_same_window():
    np.random.seed(0)
    t = _crop_transform(True)
    origins = set()
    for _ in range(8):
        out = t(_group())
        windows = {_crop_origin(im) for im in out['images']}
        assert len(windows) == 1
        for im in out['images']:
            assert im['img'].shape == (8, 10, 3)
            assert im['gt_seg_map'].shape == (8, 10)
            assert im['img_shape'] == (8, 10)
        origins |= windows
    assert len(origins) > 1  # random across groups


def test_unshared_crop_can_differ():
    np.random.seed(0)
    t = _crop_transform(False)
    out = t(_group())
    assert len({_crop_origin(im) for im in out['images']}) > 1


def test_shared_then_unshared_is_not_left_cached():
    """The cache of shared parameters must end with the group."""
    np.random.seed(0)
    t = _crop_transform(True)
    t(_group())
    # same transform objects afterwards draw again per call
    inner = t.transforms.transforms[0]
    windows = {_crop_origin(inner(_image_result())) for _ in range(8)}
    assert len(windows) > 1


@pytest.mark.parametrize('share', [True, False])
def test_rejecting_transform_makes_group_none(share):
    calls = []

    def reject_third(results):
        calls.append(results['img_path'])
        return None if results['img_path'] == 'img_2.jpg' else results

    t = GroupTransforms([reject_third], share_random_params=share)
    assert t(_group(4)) is None
    assert calls == ['img_0.jpg', 'img_1.jpg', 'img_2.jpg']
    assert t(_group(2)) is not None


# ----------------------------------------------------------- PackCoSegInputs
def _meta_group(n, gid=3, category=1):
    group = _group(n)
    for pos, im in enumerate(group['images']):
        im.update(group_id=gid, is_padding=pos == n - 1, category=category,
                  category_name='cat', co_categories=[category],
                  seg_map_path=f'mask_{pos}.png', unrelated_key='x')
        im['gt_seg_map'][:5, :5] = 1
    return group


def test_pack_adds_group_meta():
    out = TRANSFORMS.build(dict(type='PackCoSegInputs'))(_meta_group(3))
    assert set(out) == {'inputs', 'data_samples'}
    assert len(out['inputs']) == len(out['data_samples']) == 3
    for pos, (img, sample) in enumerate(zip(out['inputs'],
                                            out['data_samples'])):
        assert isinstance(sample, SegDataSample)
        assert img.shape == (3, H, W) and img.dtype == torch.uint8
        assert sample.gt_sem_seg.shape == (H, W)
        assert int(sample.gt_sem_seg.data.sum()) == 25
        meta = sample.metainfo
        for key in GROUP_META_KEYS:
            assert key in meta
        assert meta['group_id'] == 3
        assert meta['is_padding'] is (pos == 2)
        assert meta['category'] == 1
        assert meta['category_name'] == 'cat'
        assert meta['co_categories'] == [1]
        assert meta['img_path'] == f'img_{pos}.jpg'
        assert meta['seg_map_path'] == f'mask_{pos}.png'
        assert meta['ori_shape'] == (H, W)
        assert 'unrelated_key' not in meta


def test_pack_custom_meta_keys_keep_group_keys():
    pack = PackCoSegInputs(meta_keys=('img_path', ))
    sample = pack(_meta_group(2))['data_samples'][1]
    assert set(sample.metainfo) == {'img_path', *GROUP_META_KEYS}
    assert 'index_in_group' not in sample and 'group_size' not in sample


# -------------------------------------------------------------- collate
def test_collate_keeps_groups():
    pack = PackCoSegInputs()
    batch = [pack(_meta_group(3, gid=0)), pack(_meta_group(2, gid=1))]
    data = coseg_collate(batch)
    assert set(data) == {'inputs', 'data_samples'}
    assert [len(g) for g in data['inputs']] == [3, 2]
    assert [len(g) for g in data['data_samples']] == [3, 2]
    assert data['inputs'][1][0] is batch[1]['inputs'][0]
    assert data['data_samples'][0][2] is batch[0]['data_samples'][2]
    assert [s.group_id for s in data['data_samples'][1]] == [1, 1]


def test_collate_from_function_registry():
    """As MMEngine's runner looks it up: in its root registry, by the name
    with its scope."""
    from mmengine.registry import FUNCTIONS
    assert FUNCTIONS.get('mmcoseg.coseg_collate') is coseg_collate


def test_collate_ignores_the_scope_of_an_inherited_config():
    """A config inheriting an ``mmcoseg::`` base has ``_scope_`` in its
    ``collate_fn`` dict; MMEngine passes it on to the function."""
    from mmengine.runner import Runner
    loader = Runner.build_dataloader(dict(
        dataset=[dict(inputs=[1, 2], data_samples=['a', 'b'])],
        sampler=dict(type='DefaultSampler', shuffle=False), batch_size=1,
        collate_fn=dict(type='mmcoseg.coseg_collate', _scope_='mmcoseg')))
    assert next(iter(loader)) == dict(inputs=[[1, 2]], data_samples=[['a',
                                                                     'b']])


# ------------------------------------------------------ data preprocessor
MEAN, STD = [10., 20., 30.], [2., 4., 5.]


def _preprocessor(**kwargs):
    cfg = dict(type='CoSegDataPreProcessor', mean=MEAN, std=STD,
               size=(12, 16), pad_val=0, seg_pad_val=255)
    cfg.update(kwargs)
    return MODELS.build(cfg)


def _tagged_batch(sizes, shape=(3, 12, 16)):
    """Groups of constant images whose value is their flat position."""
    inputs, samples, k = [], [], 0
    for size in sizes:
        imgs, group = [], []
        for _ in range(size):
            imgs.append(torch.full(shape, k, dtype=torch.uint8))
            sample = SegDataSample()
            sample.gt_sem_seg = PixelData(
                data=torch.zeros((1, *shape[1:]), dtype=torch.long))
            sample.set_metainfo(dict(tag=k))
            group.append(sample)
            k += 1
        inputs.append(imgs)
        samples.append(group)
    return dict(inputs=inputs, data_samples=samples)


def _expected(k, channels=3):
    mean = torch.tensor(MEAN).view(-1, 1, 1)
    std = torch.tensor(STD).view(-1, 1, 1)
    return ((torch.full((channels, 1, 1), float(k)) - mean) / std)


@pytest.mark.parametrize('training', [True, False])
def test_preprocessor_flattens_groups(training):
    pre = _preprocessor()
    out = pre(_tagged_batch([3, 2]), training=training)
    inputs, samples = out['inputs'], out['data_samples']
    assert inputs.shape == (5, 3, 12, 16)
    assert len(samples) == 5
    for k in range(5):
        assert samples[k].tag == k  # order kept
        torch.testing.assert_close(
            inputs[k, :, :1, :1], _expected(k))
    # one layout object, built here, shared by every sample
    layout = samples[0].group_layout
    assert layout.sizes == (3, 2)
    assert all(s.group_layout is layout for s in samples)


def test_preprocessor_pads_training_groups_of_varying_size():
    pre = _preprocessor()
    data = _tagged_batch([2], shape=(3, 10, 14))
    data['inputs'][0][1] = torch.ones((3, 12, 16), dtype=torch.uint8)
    data['data_samples'][0][1].gt_sem_seg = PixelData(
        data=torch.zeros((1, 12, 16), dtype=torch.long))
    out = pre(data, training=True)
    assert out['inputs'].shape == (2, 3, 12, 16)
    seg = out['data_samples'][0].gt_sem_seg.data
    assert seg.shape == (1, 12, 16)
    assert (seg[:, 10:, :] == 255).all() and (seg[:, :10, :14] == 0).all()
    assert out['data_samples'][1].group_layout.sizes == (2, )


def test_preprocessor_group_as_stacked_tensor():
    pre = _preprocessor()
    data = _tagged_batch([3, 2])
    data['inputs'] = [torch.stack(g) for g in data['inputs']]
    out = pre(data, training=False)
    assert out['inputs'].shape == (5, 3, 12, 16)
    torch.testing.assert_close(out['inputs'][4, :, :1, :1], _expected(4))
    assert out['data_samples'][0].group_layout.sizes == (3, 2)


def test_preprocessor_flat_batch_passes_through():
    pre = _preprocessor()
    flat = _tagged_batch([3])
    flat = dict(inputs=flat['inputs'][0], data_samples=flat['data_samples'][0])
    out = pre(flat, training=False)
    assert out['inputs'].shape == (3, 3, 12, 16)
    # no layout: a model refuses it unless told it is one group
    assert all('group_layout' not in s for s in out['data_samples'])
    # an already stacked (B, C, H, W) tensor is flat as well
    out = pre(dict(inputs=torch.zeros((2, 3, 12, 16))), training=False)
    assert out['inputs'].shape == (2, 3, 12, 16)


def test_preprocessor_with_packed_pipeline_output():
    pack = PackCoSegInputs()
    data = coseg_collate([pack(_meta_group(3, gid=0)),
                          pack(_meta_group(2, gid=1))])
    out = _preprocessor(size=(24, 32), bgr_to_rgb=True)(data, training=True)
    assert out['inputs'].shape == (5, 3, 24, 32)
    # BGR -> RGB: channel 2 of the packed image (constant 7) comes first
    torch.testing.assert_close(out['inputs'][0, 0, :1, :1],
                               (torch.full((1, 1), 7.) - MEAN[0]) / STD[0])
    assert [s.group_id for s in out['data_samples']] == [0, 0, 0, 1, 1]
    assert out['data_samples'][0].group_layout.sizes == (3, 2)


def test_preprocessor_broken_structure():
    pre = _preprocessor()
    data = _tagged_batch([3, 2])
    data['data_samples'] = data['data_samples'][:1]
    with pytest.raises(ValueError, match='groups'):
        pre(data, training=False)
    data = _tagged_batch([3, 2])
    data['data_samples'][1] = data['data_samples'][1][:1]
    with pytest.raises(ValueError, match='2 images but 1 data samples'):
        pre(data, training=False)
