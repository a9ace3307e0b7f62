"""Where the time of a training or inference step goes, part by part.

Each part of a :class:`~mmcoseg.models.CoSegEncoderDecoder` step
(preprocessing, backbone, spatial modulator f_spa, HSP head f_sem, decoder,
loss, optimizer) is run alone on the inputs it sees in the real step:
detached copies of the real intermediate tensors, made leaves that require
a gradient where the real ones do, so that its backward computes the same
gradients (parameters and inputs) as in the step. Forward and
forward + backward are timed separately; the parts are timed interleaved
(one call of each in turn, per repeat) so that a load change on a shared
machine hits all of them alike, and each reports the median of its
repeats. ``tools/analysis_tools/benchmark.py --breakdown`` prints them.
"""
import statistics
import time
from contextlib import contextmanager, nullcontext
from typing import (
    Callable,
    ContextManager,
    Dict,
    List,
    Optional,
    Sequence,
    Tuple,
)

import torch
from torch import Tensor, nn

#: A factory of the context every call runs in (e.g. autocast).
ContextFactory = Callable[[], ContextManager]

#: Parts of a training step, in step order (those a model lacks are left
#: out); each has a forward and a forward + backward timing.
TRAIN_PARTS = ('preprocess', 'backbone', 'f_spa', 'HSP', 'decoder', 'loss',
               'optimizer')
#: Parts of an inference step (forward only).
INFER_PARTS = ('preprocess', 'backbone', 'f_spa', 'HSP', 'decoder',
               'postprocess')
#: Parts that are SSNM's own machinery (the co-segmentation overhead).
COSEG_PARTS = ('f_spa', 'HSP', 'decoder', 'loss', 'postprocess')


def _leaf(x: Optional[Tensor]) -> Optional[Tensor]:
    """A detached copy of ``x`` that requires a gradient if ``x`` did."""
    if x is None:
        return None
    return x.detach().requires_grad_(x.requires_grad)


def _probe(x: Tensor, gen: torch.Generator) -> Tensor:
    """A fixed random upstream gradient for ``x``."""
    return torch.randn(
        x.shape, generator=gen).to(device=x.device, dtype=x.dtype)


def _backward(terms: Sequence[Optional[Tensor]]) -> None:
    terms = [t for t in terms if t is not None and t.requires_grad]
    if terms:
        torch.autograd.backward(torch.stack([t.float() for t in terms]).sum())


def _is_coseg(model: nn.Module) -> bool:
    return hasattr(model, 'modulate') and hasattr(model, 'group_layout')


def _within(factory: ContextFactory,
            fn: Callable[[], object]) -> Callable[[], None]:
    """``fn`` called inside a fresh context of ``factory``."""

    def call() -> None:
        with factory():
            fn()

    return call


def _no_grad(factory: ContextFactory) -> ContextFactory:
    """``factory``'s context under ``torch.no_grad``."""

    @contextmanager
    def both():
        with torch.no_grad(), factory():
            yield

    return both


def train_parts(model: nn.Module,
                data: dict,
                optim_wrapper,
                context: Optional[ContextFactory] = None,
                seed: int = 0) -> Dict[str, Callable[[], None]]:
    """Closures that run a training step and each of its parts alone.

    Keys: ``'step'`` (``model.train_step``), then ``'<part> fwd'`` and
    ``'<part> fwd+bwd'`` for every part of :data:`TRAIN_PARTS` the model
    has (``'preprocess fwd'`` and ``'optimizer fwd'`` only: the optimizer
    entry is ``optim_wrapper.step()`` + ``zero_grad()`` on the gradients of
    one real backward pass). Models other than co-segmentors get the step,
    preprocessing, backbone and optimizer entries.

    Args:
        model (nn.Module): The model, in training mode.
        data (dict): A batch as the data loader yields it.
        optim_wrapper: The model's optimizer wrapper.
        context (callable, optional): Factory of the context every call
            runs in (e.g. autocast); None for none.
        seed (int): Seed of the fixed upstream gradients.

    Returns:
        dict[str, callable]: The closures, in step order.
    """
    factory = context or nullcontext
    gen = torch.Generator().manual_seed(seed)
    model.train()
    with factory():
        prepared = model.data_preprocessor(data, True)
        inputs, samples = prepared['inputs'], prepared['data_samples']
        feats = model.extract_feat(inputs)
        feat_grads = [_probe(f, gen) for f in feats]
        losses = model(**prepared, mode='loss')
        loss, _ = model.parse_losses(losses)
    # Gradients of one real backward pass for the optimizer entry.
    optim_wrapper.zero_grad()
    loss.backward()
    grads = [(p, p.grad) for p in model.parameters() if p.grad is not None]
    optim_wrapper.zero_grad()

    def clean() -> None:
        model.zero_grad(set_to_none=True)

    def backbone(backward: bool) -> Callable[[], None]:

        def fn() -> None:
            clean()
            outs = model.extract_feat(inputs)
            if backward:
                torch.autograd.backward(list(outs), feat_grads)
            clean()

        return _within(factory, fn)

    def optimizer_step() -> None:
        for param, grad in grads:
            param.grad = grad
        optim_wrapper.step()
        optim_wrapper.zero_grad()

    parts: Dict[str, Callable[[], None]] = {
        'step':
        _within(factory, lambda: model.train_step(data, optim_wrapper)),
        'preprocess fwd':
        _within(factory, lambda: model.data_preprocessor(data, True)),
        'backbone fwd': backbone(False),
        'backbone fwd+bwd': backbone(True),
    }
    if _is_coseg(model):
        parts.update(
            _coseg_train_parts(model, feats, samples, factory, gen, clean))
    parts['optimizer fwd'] = optimizer_step
    return parts


def _coseg_train_parts(model: nn.Module, feats: Sequence[Tensor],
                       samples: list, factory: ContextFactory,
                       gen: torch.Generator,
                       clean: Callable[[], None]
                       ) -> Dict[str, Callable[[], None]]:
    """The f_spa, HSP, decoder and loss entries of :func:`train_parts`."""
    head = model.decode_head
    layout = model.group_layout([s.metainfo for s in samples],
                                feats[0].shape[0])
    with factory():
        gt = (head._stack_batch_gt(samples).squeeze(1)
              if model.with_spatial_modulator else None)
        mod = model.modulate(feats, layout, gt, with_loss=True)
        logits = head.forward(feats, mod)
    feats = [f.detach() for f in feats]
    out: Dict[str, Callable[[], None]] = {}

    def entry(name: str, forward: Callable[[], List[Optional[Tensor]]]):

        def fwd() -> None:
            clean()
            forward()
            clean()

        def fwd_bwd() -> None:
            clean()
            _backward(forward())
            clean()

        out[f'{name} fwd'] = _within(factory, fwd)
        out[f'{name} fwd+bwd'] = _within(factory, fwd_bwd)

    def leaves() -> List[Tensor]:
        return [f.detach().requires_grad_() for f in feats]

    if model.with_spatial_modulator:
        spa_grad = _probe(mod.spatial, gen)

        def spatial() -> List[Optional[Tensor]]:
            maps, loss = model.spatial_modulator(leaves(), layout, gt)
            probe = (maps * spa_grad).sum() if maps.requires_grad else None
            return [probe, loss]

        entry('f_spa', spatial)
    if model.with_semantic_head:
        gamma_grad = _probe(mod.gamma, gen)

        def semantic() -> List[Optional[Tensor]]:
            sem = model.semantic_head
            gamma, cls_logits = sem(leaves(), layout)
            targets = sem.group_targets(layout, cls_logits.device)
            return [(layout.expand(gamma) * gamma_grad).sum(),
                    sem.loss_by_feat(cls_logits, targets)]

        entry('HSP', semantic)
    logit_grad = _probe(logits, gen)

    def decoder() -> List[Optional[Tensor]]:
        leaf_mod = type(mod)(
            spatial=_leaf(mod.spatial), gamma=_leaf(mod.gamma))
        return [(head.forward(leaves(), leaf_mod) * logit_grad).sum()]

    entry('decoder', decoder)

    def loss() -> List[Optional[Tensor]]:
        leaf_mod = type(mod)(
            losses={k: _leaf(v) for k, v in mod.losses.items()},
            loss_weights=mod.loss_weights)
        losses = head.loss_by_feat(_leaf(logits), samples, leaf_mod)
        return [model.parse_losses(losses)[0]]

    entry('loss', loss)
    return out


def infer_parts(model: nn.Module,
                data: dict,
                context: Optional[ContextFactory] = None
                ) -> Dict[str, Callable[[], None]]:
    """Closures that run an inference step and each of its parts alone.

    Keys: ``'step'`` (``model.test_step``) and ``'<part> fwd'`` for every
    part of :data:`INFER_PARTS` the model has; all under ``no_grad``.

    Args:
        model (nn.Module): The model, in eval mode.
        data (dict): A batch as the data loader yields it.
        context (callable, optional): Factory of the context every call
            runs in (e.g. autocast).

    Returns:
        dict[str, callable]: The closures, in step order.
    """
    factory = _no_grad(context or nullcontext)
    model.eval()
    with factory():
        prepared = model.data_preprocessor(data, False)
        inputs, samples = prepared['inputs'], prepared['data_samples']
        feats = model.extract_feat(inputs)
    parts: Dict[str, Callable[[], None]] = {
        'step': _within(factory, lambda: model.test_step(data)),
        'preprocess fwd':
        _within(factory, lambda: model.data_preprocessor(data, False)),
        'backbone fwd': _within(factory, lambda: model.extract_feat(inputs)),
    }
    if not _is_coseg(model):
        return parts
    metas = [s.metainfo for s in samples]
    layout = model.group_layout(metas, inputs.shape[0])
    with factory():
        mod = model.modulate(feats, layout)
        logits = model.decode_head.forward(feats, mod)
    if model.with_spatial_modulator:
        parts['f_spa fwd'] = _within(
            factory, lambda: model.spatial_modulator(feats, layout))
    if model.with_semantic_head:
        parts['HSP fwd'] = _within(
            factory,
            lambda: layout.expand(model.semantic_head(feats, layout)[0]))
    parts['decoder fwd'] = _within(
        factory, lambda: model.decode_head.forward(feats, mod))

    def postprocess() -> None:
        resized = model.decode_head.predict_by_feat(logits, metas)
        model.postprocess_result(resized, samples)

    parts['postprocess fwd'] = _within(factory, postprocess)
    return parts


def time_interleaved(fns: Dict[str, Callable[[], None]],
                     warmup: int = 1,
                     repeats: int = 5,
                     sync: Optional[Callable[[], None]] = None
                     ) -> Dict[str, float]:
    """Median seconds per call of every closure, timed interleaved.

    Args:
        fns (dict[str, callable]): The closures.
        warmup (int): Untimed rounds first.
        repeats (int): Timed rounds; each calls every closure once.
        sync (callable, optional): Called before and after each timed call
            (e.g. ``torch.cuda.synchronize``).

    Returns:
        dict[str, float]: Median seconds per closure.
    """
    sync = sync or (lambda: None)
    for _ in range(warmup):
        for fn in fns.values():
            fn()
    times: Dict[str, List[float]] = {name: [] for name in fns}
    for _ in range(max(1, repeats)):
        for name, fn in fns.items():
            sync()
            start = time.perf_counter()
            fn()
            sync()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(ts) for name, ts in times.items()}


def summarize(times: Dict[str, float],
              mode: str) -> Tuple[List[Dict[str, str]], Dict[str, float]]:
    """Table rows and ratios of a breakdown.

    Args:
        times (dict[str, float]): Seconds per closure of
            :func:`train_parts` or :func:`infer_parts`.
        mode (str): 'train' or 'infer'.

    Returns:
        tuple[list[dict[str, str]], dict[str, float]]: One row per part
        (``part``, ``fwd s``, ``bwd s``, ``fwd+bwd s``, ``% of step``),
        then the sum of the parts and what no part holds; and the ratios
        ``'step / backbone'`` (the whole step over the backbone's forward
        (+ backward in training)) and ``'co-seg / backbone'`` (the parts of
        :data:`COSEG_PARTS` over the same).
    """
    step = times['step']
    rows = [{'part': 'whole step', 'fwd+bwd s': f'{step:.4f}',
             '% of step': '100.0'}]
    totals: Dict[str, float] = {}
    for part in (TRAIN_PARTS if mode == 'train' else INFER_PARTS):
        fwd = times.get(f'{part} fwd')
        if fwd is None:
            continue
        both = times.get(f'{part} fwd+bwd')
        totals[part] = both if both is not None else fwd
        rows.append({
            'part': part,
            'fwd s': f'{fwd:.4f}',
            'bwd s': f'{both - fwd:.4f}' if both is not None else '-',
            'fwd+bwd s': f'{totals[part]:.4f}',
            '% of step': f'{100 * totals[part] / step:.1f}'
        })
    summed = sum(totals.values())
    rows.append({'part': 'sum of parts', 'fwd+bwd s': f'{summed:.4f}',
                 '% of step': f'{100 * summed / step:.1f}'})
    rows.append({'part': 'not in a part', 'fwd+bwd s': f'{step - summed:.4f}',
                 '% of step': f'{100 * (step - summed) / step:.1f}'})
    backbone = totals['backbone']
    coseg = sum(v for k, v in totals.items() if k in COSEG_PARTS)
    return rows, {'step / backbone': step / backbone,
                  'co-seg / backbone': coseg / backbone}
