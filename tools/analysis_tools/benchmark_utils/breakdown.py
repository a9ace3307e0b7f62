"""Where the time of a training or inference step goes, part by part.

Each part of a co-segmentor's step (preprocessing, backbone, every
modulator of ``model.modulators``, decoder, loss, optimizer) runs alone on
the inputs it sees in the real step: detached copies of the real
intermediate tensors that require a gradient where the real ones do, so
that its backward computes what it computes in the step (with a frozen
backbone, e.g. ``FrozenBackbone``, neither the backbone nor the modulators
propagate gradients into the features). Forward and forward + backward are
timed apart, all parts interleaved (:func:`time_interleaved`).
"""
import dataclasses
from contextlib import contextmanager, nullcontext
from typing import Callable, ContextManager, Dict, List, Optional, Tuple

import torch
from torch import Tensor, nn

#: A factory of the context every call runs in (e.g. autocast).
ContextFactory = Callable[[], ContextManager]
Parts = Dict[str, Callable[[], None]]


def _leaf(x: Optional[Tensor]) -> Optional[Tensor]:
    """A detached copy of ``x`` that requires a gradient if ``x`` did."""
    return None if x is None else x.detach().requires_grad_(x.requires_grad)


def _backward(terms: List[Optional[Tensor]]) -> None:
    """Backward of the sum of the terms that require a gradient."""
    terms = [t for t in terms if t is not None and t.requires_grad]
    if terms:
        torch.autograd.backward(torch.stack([t.float() for t in terms]).sum())


def _within(factory: ContextFactory,
            fn: Callable[[], object]) -> Callable[[], None]:
    """``fn`` called inside a fresh context of ``factory``."""

    def call() -> None:
        with factory():
            fn()

    return call


def modulator_names(model: nn.Module) -> List[str]:
    """Row names of the modulators: f_spa, f_sem, then class names.

    Args:
        model (nn.Module): A co-segmentor (with ``modulators``).

    Returns:
        list[str]: One distinct name per modulator, in running order.
    """
    roles = {id(getattr(model, 'spatial_modulator', None)): 'f_spa',
             id(getattr(model, 'semantic_head', None)): 'f_sem'}
    names: List[str] = []
    for module in model.modulators:
        name = roles.get(id(module), type(module).__name__)
        while name in names:
            name += "'"
        names.append(name)
    return names


def _tensors(obj) -> Dict[str, Tensor]:
    """The tensor fields of a dataclass (``ModulatorOutput``,
    ``Modulation``): maps, channel weights, whatever a modulator gives."""
    return {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)
            if isinstance(getattr(obj, f.name), Tensor)}


def _probed(out, gen: torch.Generator) -> Callable[[object], List[Tensor]]:
    """Terms whose backward matches a modulator's in the step: each of its
    floating-point outputs against a fixed random upstream gradient, plus
    its loss terms."""
    probes = {k: torch.randn(v.shape, generator=gen).to(v)
              for k, v in _tensors(out).items() if v.is_floating_point()}

    def terms(new) -> List[Tensor]:
        return [(getattr(new, k) * p).sum() for k, p in probes.items()
                ] + list(new.losses.values())

    return terms


def train_parts(model: nn.Module,
                data: dict,
                optim_wrapper,
                context: Optional[ContextFactory] = None,
                seed: int = 0) -> Parts:
    """Closures that run a training step and each of its parts alone.

    Keys: ``'step'`` (``model.train_step``), ``'preprocess fwd'``,
    ``'backbone fwd'`` and ``'backbone fwd+bwd'``, for a co-segmentor
    ``'<part> fwd'`` and ``'<part> fwd+bwd'`` of every modulator (see
    :func:`modulator_names`), ``decoder`` and ``loss``, and
    ``'optimizer fwd'`` (``step()`` + ``zero_grad()`` on the gradients of
    one real backward pass).

    Args:
        model (nn.Module): The model.
        data (dict): A batch as the data loader yields it.
        optim_wrapper: The model's optimizer wrapper.
        context (callable, optional): Factory of every call's context.
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
        loss, _ = model.parse_losses(model(**prepared, mode='loss'))
    optim_wrapper.zero_grad()
    loss.backward()
    grads = [(p, p.grad) for p in model.parameters() if p.grad is not None]
    optim_wrapper.zero_grad()
    feat_grads = [torch.randn(f.shape, generator=gen).to(f) for f in feats]

    def backbone(backward: bool) -> Callable[[], None]:

        def fn() -> None:
            outs = list(model.extract_feat(inputs))
            if backward and any(o.requires_grad for o in outs):
                torch.autograd.backward(outs, feat_grads)
            model.zero_grad(set_to_none=True)

        return _within(factory, fn)

    def optimizer_step() -> None:
        for param, grad in grads:
            param.grad = grad
        optim_wrapper.step()
        optim_wrapper.zero_grad()

    parts: Parts = {
        'step': _within(factory,
                        lambda: model.train_step(data, optim_wrapper)),
        'preprocess fwd': _within(factory,
                                  lambda: model.data_preprocessor(data,
                                                                  True)),
        'backbone fwd': backbone(False),
        'backbone fwd+bwd': backbone(True),
    }
    if hasattr(model, 'modulators'):
        parts.update(_coseg_train_parts(model, feats, samples, factory, gen))
    parts['optimizer fwd'] = optimizer_step
    return parts


def _coseg_train_parts(model: nn.Module, feats: List[Tensor], samples: list,
                       factory: ContextFactory,
                       gen: torch.Generator) -> Parts:
    """The modulator, decoder and loss entries of :func:`train_parts`."""
    head = model.decode_head
    layout = model.group_layout([s.metainfo for s in samples],
                                feats[0].shape[0])
    with factory():
        gt = head._stack_batch_gt(samples).squeeze(1)
        outs = [m.modulate(feats, layout, gt, True)
                for m in model.modulators]
        mod = model.modulate(feats, layout, gt, with_loss=True)
        mod.seg_label = gt
        logits = head.forward(feats, mod)
    logit_grad = torch.randn(logits.shape, generator=gen).to(logits)
    out: Parts = {}

    def leaves() -> List[Tensor]:
        return [_leaf(f) for f in feats]

    def entry(name: str, forward: Callable[[], List[Tensor]]) -> None:

        def fwd_bwd() -> None:
            _backward(forward())
            model.zero_grad(set_to_none=True)

        out[f'{name} fwd'] = _within(factory, forward)
        out[f'{name} fwd+bwd'] = _within(factory, fwd_bwd)

    for name, module, real in zip(modulator_names(model), model.modulators,
                                  outs):
        terms = _probed(real, gen)
        entry(name, lambda m=module, t=terms: t(
            m.modulate(leaves(), layout, gt, True)))

    def decoder() -> List[Tensor]:
        leaf_mod = dataclasses.replace(
            mod, **{k: _leaf(v) for k, v in _tensors(mod).items()})
        return [(head.forward(leaves(), leaf_mod) * logit_grad).sum()]

    def loss() -> List[Tensor]:
        leaf_mod = dataclasses.replace(
            mod, losses={k: _leaf(v) for k, v in mod.losses.items()})
        losses = head.loss_by_feat(_leaf(logits), samples, leaf_mod)
        return [model.parse_losses(losses)[0]]

    entry('decoder', decoder)
    entry('loss', loss)
    return out


def infer_parts(model: nn.Module,
                data: dict,
                context: Optional[ContextFactory] = None) -> Parts:
    """Closures that run an inference step and each of its parts alone.

    Keys: ``'step'`` (``model.test_step``), ``'preprocess fwd'``,
    ``'backbone fwd'`` and, for a co-segmentor, ``'<modulator> fwd'``,
    ``'decoder fwd'`` and ``'postprocess fwd'``; all under ``no_grad``.

    Args:
        model (nn.Module): The model.
        data (dict): A batch as the data loader yields it.
        context (callable, optional): Factory of every call's context.

    Returns:
        dict[str, callable]: The closures, in step order.
    """
    inner = context or nullcontext

    @contextmanager
    def factory():
        with torch.no_grad(), inner():
            yield

    model.eval()
    with factory():
        prepared = model.data_preprocessor(data, False)
        inputs, samples = prepared['inputs'], prepared['data_samples']
        feats = model.extract_feat(inputs)
    parts: Parts = {
        'step': _within(factory, lambda: model.test_step(data)),
        'preprocess fwd': _within(factory,
                                  lambda: model.data_preprocessor(data,
                                                                  False)),
        'backbone fwd': _within(factory, lambda: model.extract_feat(inputs)),
    }
    if not hasattr(model, 'modulators'):
        return parts
    metas = [s.metainfo for s in samples]
    layout = model.group_layout(metas, inputs.shape[0])
    with factory():
        mod = model.modulate(feats, layout)
        logits = model.decode_head.forward(feats, mod)
    for name, module in zip(modulator_names(model), model.modulators):
        parts[f'{name} fwd'] = _within(
            factory, lambda m=module: m.modulate(feats, layout))
    parts['decoder fwd'] = _within(
        factory, lambda: model.decode_head.forward(feats, mod))

    def postprocess() -> None:
        resized = model.decode_head.predict_by_feat(logits, metas)
        model.postprocess_result(resized, samples)

    parts['postprocess fwd'] = _within(factory, postprocess)
    return parts


def summarize(times: Dict[str, float]
              ) -> Tuple[List[Dict[str, str]], Dict[str, float]]:
    """Table rows and ratios of a breakdown.

    Args:
        times (dict[str, float]): Seconds per closure of
            :func:`train_parts` or :func:`infer_parts`.

    Returns:
        tuple[list[dict[str, str]], dict[str, float]]: One row per part
        (``part``, ``fwd s``, ``bwd s``, ``fwd+bwd s``, ``% of step``),
        then the sum of the parts and what no part holds; and the ratios
        ``'step / backbone'`` (the step over the backbone's forward, plus
        backward in training), ``'co-seg / backbone'`` (every part but
        preprocessing, backbone and optimizer over the same) and
        ``'modulators s'`` (the modulators' seconds together).
    """
    step = times['step']
    rows = [{'part': 'whole step', 'fwd+bwd s': f'{step:.4f}',
             '% of step': '100.0'}]
    totals: Dict[str, float] = {}
    for key, fwd in times.items():
        if not key.endswith(' fwd'):
            continue
        part = key[:-4]
        both = times.get(f'{part} fwd+bwd')
        totals[part] = fwd if both is None else both
        rows.append({
            'part': part,
            'fwd s': f'{fwd:.4f}',
            'bwd s': '-' if both is None else f'{both - fwd:.4f}',
            'fwd+bwd s': f'{totals[part]:.4f}',
            '% of step': f'{100 * totals[part] / step:.1f}'
        })
    summed = sum(totals.values())
    rows.append({'part': 'sum of parts', 'fwd+bwd s': f'{summed:.4f}',
                 '% of step': f'{100 * summed / step:.1f}'})
    rows.append({'part': 'not in a part', 'fwd+bwd s': f'{step - summed:.4f}',
                 '% of step': f'{100 * (step - summed) / step:.1f}'})
    base = totals['backbone']
    plain = ('preprocess', 'backbone', 'optimizer')
    coseg = sum(v for k, v in totals.items() if k not in plain)
    modulators = sum(v for k, v in totals.items()
                     if k not in plain + ('decoder', 'loss', 'postprocess'))
    return rows, {'step / backbone': step / base,
                  'co-seg / backbone': coseg / base,
                  'modulators s': modulators}
