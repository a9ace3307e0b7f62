"""The speed-ups of issue 13 leave what the models compute unchanged.

The code paths they replaced are kept below, verbatim from before less
the branches of options removed since (the
per-group loops of the spatial modulator, HSP head and second-order
pooling, the group consensus as a permuted product, the
concatenate-then-project descriptors, the per-level resizing
of S, the decoder in the default memory format, the labels stacked
twice). Each test builds a model, runs a training
forward + backward and an inference forward on a fixed seed with the
current code, then patches the old methods in and runs the same again from
the same weights: losses, logits and every parameter's gradient must agree
within float32 tolerance.
"""
import copy
import math
from contextlib import ExitStack
from unittest import mock

import pytest
import torch
import torch.nn.functional as F
from mmengine.registry import init_default_scope
from mmseg.models.utils import resize

import mmcoseg  # noqa: F401
from mmcoseg.models.decode_heads import ModulatedFPNDecoder
from mmcoseg.models.modulators import (
    ConsensusModulator,
    HSPHead,
    SecondOrderPooling,
    SpatialModulator,
    consensus_modulator,
)
from mmcoseg.models.modulators.spectral import _DEGENERATE_RTOL
from mmcoseg.models.segmentors import CoSegEncoderDecoder
from mmcoseg.registry import MODELS
from mmcoseg.structures import GroupLayout

init_default_scope('mmcoseg')


# ------------------------------------------------ the replaced code paths
def old_top_eigenpair(x, dtype=torch.float64):
    with torch.no_grad(), torch.autocast(x.device.type, enabled=False):
        x = x.detach().to(dtype)
        m, d = x.shape
        a_t = torch.cat([x, x.new_ones(m, 1)], dim=1)
        c = a_t.T @ a_t
        evals, evecs = torch.linalg.eigh(c)
        r = evecs * evals.clamp_min(0).sqrt()
        j = x.new_ones(d + 1)
        j[-1] = -1
        k = r.T @ (j[:, None] * r)
        lambdas, w = torch.linalg.eigh((k + k.T) / 2)
        lam = lambdas[-1]
        u = a_t @ (j * (r @ w[:, -1]))
        norm = u.norm()
        degenerate = (lam <= _DEGENERATE_RTOL * c.diagonal().sum()) | (
            norm == 0)
        u = torch.where(degenerate, torch.zeros_like(u),
                        u / norm.clamp_min(torch.finfo(dtype).tiny))
        return lam.clamp_min(0), u


def old_eigenvalue_with_grad(x, u):
    u = u.detach().to(x.dtype)
    return (x.T @ u).square().sum() - u.sum().square()


def old_border_sign(u, border):
    b = u[border]
    scores = torch.stack([torch.sign(b).sum(), b.sum(), -u.sum()])
    decided = scores != 0
    first = torch.argmax(decided.int())
    return torch.where(decided.any(), -torch.sign(scores[first]),
                       u.new_ones(()))


def old_spatial_descriptors(self, feats):
    levels = [feats[i] for i in self.in_index]
    ref, ref_stride = levels[0], self.in_strides[0]
    size = tuple(
        max(1, math.ceil(s * ref_stride / self.target_stride))
        for s in ref.shape[2:])
    fused = torch.cat([
        resize(x, size=size, mode='bilinear',
               align_corners=self.align_corners)
        if x.shape[2:] != size else x for x in levels
    ], dim=1)
    return F.normalize(self.theta_spa(fused), dim=1, eps=1e-12)


def old_solve_group(self, phi):
    n, d, h, w = phi.shape
    x = phi.permute(0, 2, 3, 1).reshape(-1, d)
    lam, u = old_top_eigenpair(x, self.solve_dtype)
    bw = max(1, min(1, h // 2, w // 2))
    mask = torch.ones(h, w, dtype=torch.bool, device=u.device)
    mask[bw:h - bw, bw:w - bw] = False
    u = u * old_border_sign(u, mask.expand(n, h, w).reshape(-1))
    m = x.shape[0]
    maps = (u * math.sqrt(m)).to(phi.dtype).reshape(n, 1, h, w)
    with torch.autocast(x.device.type, enabled=False):
        lam_grad = old_eigenvalue_with_grad(x.float(), u)
    return maps, lam_grad / m


def old_spatial_forward(self, feats, layout, gt=None):
    layout = GroupLayout.of(layout)
    phi = self.descriptors(feats)
    maps, lams = [], []
    for group in layout.split(phi):
        group_maps, lam = old_solve_group(self, group)
        maps.append(group_maps)
        lams.append(lam)
    return torch.cat(maps, dim=0), -torch.stack(lams).mean()


def old_consensus_descriptors(self, feats):
    levels = [feats[i] for i in self.in_index]
    size = tuple(
        max(1, math.ceil(s * self.in_strides[0] / self.target_stride))
        for s in levels[0].shape[2:])
    fused = torch.cat([
        resize(x, size=size, mode='bilinear',
               align_corners=self.align_corners)
        if x.shape[2:] != size else x for x in levels
    ], dim=1)
    return F.normalize(self.theta(fused), dim=1, eps=1e-12)


def old_group_consensus(phi, layout):
    layout = GroupLayout.of(layout)
    _, d, h, w = phi.shape
    if layout.uniform:
        chunks = [phi.reshape(layout.num_groups, -1, d, h * w)]
    else:
        chunks = [g.reshape(1, -1, d, h * w) for g in layout.split(phi)]
    out = []
    for x in chunks:
        x = x.transpose(2, 3)
        sim = torch.einsum('gnpd,gmqd->gnmpq', x, x)
        match = sim.amax(dim=-1)
        n = x.shape[1]
        if n == 1:
            out.append(x.new_zeros(x.shape[0], 1, h * w))
            continue
        others = ~torch.eye(n, dtype=torch.bool, device=x.device)
        match = match * others[None, :, :, None]
        out.append(match.sum(dim=2) / (n - 1))
    return torch.cat([o.reshape(-1, 1, h, w) for o in out], dim=0)


def old_forward_sets(self, vectors, sizes):
    z = self.reduce(vectors.T.unsqueeze(0))[0]
    return torch.cat([
        self._pool(part.unsqueeze(0))
        for part in torch.split(z, list(sizes), dim=1)
    ])


def old_hsp_forward(self, feats, layout):
    layout = GroupLayout.of(layout)
    x = feats[self.in_index]
    per_image = self.image_sp(x.flatten(2))
    pooled = self.group_sp.forward_sets(per_image, layout.sizes)
    if self.group_residual:
        pooled = pooled + torch.stack(
            [g.mean(dim=0) for g in layout.split(per_image)])
    return pooled.sigmoid(), self.classifier(pooled)


def old_decoder_modulate(self, x, modulation, level=0):
    if modulation is None:
        return x
    if modulation.gamma is not None:
        x = x * modulation.gamma[:, :, None, None].to(x.dtype)
    if modulation.spatial is not None:
        s = resize(
            modulation.spatial.to(x.dtype),
            size=x.shape[2:],
            mode='bilinear',
            align_corners=self.align_corners)
        if self.spatial_fusion == 'add':
            x = x + s
        else:
            x = x + self.spatial_convs[level](s)
    return x


def old_decoder_forward(self, inputs, modulation=None):
    levels = self._transform_inputs(inputs)
    outs = [
        self.modulate(conv(x), modulation, i)
        for i, (conv, x) in enumerate(zip(self.lateral_convs, levels))
    ]
    fused = outs[-1]
    for lateral in reversed(outs[:-1]):
        fused = lateral + resize(
            fused,
            size=lateral.shape[2:],
            mode='bilinear',
            align_corners=self.align_corners)
    return self.cls_seg(self.fuse_conv(fused))


def old_segmentor_loss(self, inputs, data_samples):
    feats = self.extract_feat(inputs)
    layout = self.group_layout([s.metainfo for s in data_samples],
                               inputs.shape[0])
    gt = (self.decode_head._stack_batch_gt(data_samples).squeeze(1)
          if self.with_spatial_modulator else None)
    modulation = self.modulate(feats, layout, gt, with_loss=True)
    return self.decode_head.loss(feats, data_samples, self.train_cfg,
                                 modulation)


OLD_CODE = [
    (consensus_modulator, 'group_consensus', old_group_consensus),
    (SpatialModulator, 'descriptors', old_spatial_descriptors),
    (SpatialModulator, 'forward', old_spatial_forward),
    (ConsensusModulator, 'descriptors', old_consensus_descriptors),
    (SecondOrderPooling, 'forward_sets', old_forward_sets),
    (HSPHead, 'forward', old_hsp_forward),
    (ModulatedFPNDecoder, 'modulate', old_decoder_modulate),
    (ModulatedFPNDecoder, 'forward', old_decoder_forward),
    (CoSegEncoderDecoder, 'loss', old_segmentor_loss),
]


# --------------------------------------------------------------- models
# the levels of the demo backbone (tests/conftest.py)
IN_CHANNELS = [16, 32, 64, 128]
PAPER = dict(type='SpatialModulator', in_channels=IN_CHANNELS, channels=16,
             target_stride=4)
CONSENSUS = dict(type='ConsensusModulator', in_channels=IN_CHANNELS,
                 channels=16, in_index=(1, 2, 3), in_strides=(8, 16, 32),
                 target_stride=8)
VARIANTS = {
    # the paper's f_spa (stride 4, all levels, eq. 5 'add')
    'paper': (PAPER, 'add'),
    'paper-channel': (PAPER, 'channel'),
    'paper-float32-solve': (dict(PAPER, solve_dtype='float32'), 'add'),
    # the default (improved) SSNM
    'consensus': (CONSENSUS, 'channel'),
}


def _run(model, state, data):
    """Losses, gradients and eval-mode logits from ``state``."""
    model.load_state_dict(state)
    torch.manual_seed(0)  # the decoder's dropout
    model.train()
    model.zero_grad(set_to_none=True)
    prepared = model.data_preprocessor(copy.deepcopy(data), True)
    losses = model(**prepared, mode='loss')
    total, _ = model.parse_losses(losses)
    total.backward()
    grads = {n: p.grad.clone() for n, p in model.named_parameters()
             if p.grad is not None}
    model.eval()
    prepared = model.data_preprocessor(copy.deepcopy(data), False)
    with torch.no_grad():
        logits = model(**prepared, mode='tensor')
        predicted = model.encode_decode(
            prepared['inputs'],
            [s.metainfo for s in prepared['data_samples']])
    return {k: v.detach() for k, v in losses.items()}, grads, dict(
        logits=logits, predicted=predicted)


def _close(new, old, what, rtol=1e-4, atol=1e-5):
    scale = max(float(old.abs().max()), 1e-6)
    torch.testing.assert_close(
        new, old, rtol=rtol, atol=atol * scale, msg=lambda m: f'{what}: {m}')


def _close_norm(new, old, what, tol=1e-3):
    """Relative error in norm: gradients are sums of thousands of float32
    products whose order the rewritten code (and the thread count) changes,
    so near-zero elements and sums that cancel (a BatchNorm weight's
    gradient) move by up to ~1e-4 in norm with one thread; a wrong
    gradient is off by O(1)."""
    err = float((new - old).norm() / old.norm().clamp_min(1e-12))
    assert err < tol, f'{what}: relative error {err:.2e} >= {tol:.0e}'


@pytest.mark.parametrize('variant,group_sizes', [
    ('paper', [3, 3]), ('paper', [2, 3]), ('consensus', [3, 3]),
    ('consensus', [2, 3]), ('paper-channel', [2, 3]),
    ('paper-float32-solve', [3, 3])
])
def test_outputs_and_gradients_unchanged(variant, group_sizes,
                                         tiny_ssnm_cfg, coseg_groups):
    torch.manual_seed(0)
    model = MODELS.build(tiny_ssnm_cfg(*VARIANTS[variant]))
    model.init_weights()
    state = copy.deepcopy(model.state_dict())
    data = coseg_groups(group_sizes)

    new = _run(model, state, data)
    with ExitStack() as stack:
        for cls, name, fn in OLD_CODE:
            stack.enter_context(mock.patch.object(cls, name, fn))
        old = _run(model, state, data)

    new_losses, new_grads, new_out = new
    old_losses, old_grads, old_out = old
    assert set(new_losses) == set(old_losses)
    assert {'loss_seg', 'loss_spa', 'loss_sem'} <= set(new_losses)
    for key in old_losses:
        _close(new_losses[key], old_losses[key], key)
    for key in old_out:
        _close(new_out[key], old_out[key], key)
    assert set(new_grads) == set(old_grads)
    assert 'spatial_modulator.' + (
        'theta_spa.weight' if 'paper' in variant else 'theta.0.weight'
    ) in new_grads
    for name in old_grads:
        _close_norm(new_grads[name], old_grads[name], f'grad of {name}')


@pytest.mark.parametrize('sizes', [(4, 4, 4), (1, 2, 4)])
def test_group_solve_matches_the_per_group_solve(sizes):
    """The batched eigen-solve, sign rule and lambda_max gradient equal the
    old per-group path, also with degenerate (all-equal) groups."""
    torch.manual_seed(1)
    layout = GroupLayout(sizes)
    phi = F.normalize(torch.randn(layout.num_images, 6, 5, 7), dim=1)
    phi[:sizes[0]] = phi[0, :, 0, 0][None, :, None, None]  # degenerate
    module = SpatialModulator([6], channels=None, in_index=[0],
                              in_strides=[4])
    leaf_new = phi.clone().requires_grad_()
    leaf_old = phi.clone().requires_grad_()
    with mock.patch.object(SpatialModulator, 'descriptors',
                           lambda self, feats: feats[0]):
        maps, loss = module([leaf_new], layout)
        ref_maps, ref_loss = old_spatial_forward(module, [leaf_old], layout)
    assert torch.count_nonzero(maps[:sizes[0]]) == 0
    torch.testing.assert_close(maps, ref_maps, rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(loss, ref_loss)
    loss.backward()
    ref_loss.backward()
    torch.testing.assert_close(leaf_new.grad, leaf_old.grad, rtol=1e-4,
                               atol=1e-6)
