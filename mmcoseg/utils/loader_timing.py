"""How much of a training step goes to the data loader."""
import statistics
import time
from contextlib import nullcontext
from typing import Callable, ContextManager, Dict, Optional

from torch import nn


def time_data_loading(model: nn.Module,
                      optim_wrapper,
                      loader,
                      iters: int = 10,
                      warmup: int = 2,
                      context: Optional[Callable[[], ContextManager]] = None
                      ) -> Dict[str, float]:
    """Run real training steps on a real loader and time the loading.

    The loader's workers prepare batches while the model trains, on the
    same CPU cores, so loading costs a step loop twice: the time it waits in
    ``next(loader)`` and the cores the workers take from the step. Measured,
    in this order, on one iterator of ``loader``:

    1. ``load alone s``: seconds per batch of ``iters`` batches fetched
       back to back (after the first, which starts the workers);
    2. ``wait s`` and ``step s``: ``iters`` steps of the loop (after
       ``warmup`` untimed ones), split into the wait in ``next`` and the
       step;
    3. ``step alone s``: ``iters`` steps on the last batch with nothing
       loading (the workers' prefetch queue is full).

    Args:
        model (nn.Module): The model.
        optim_wrapper: Its optimizer wrapper.
        loader: The training data loader (its workers as configured).
        iters (int): Batches and steps timed in each phase.
        warmup (int): Untimed loop steps before phase 2.
        context (callable, optional): Factory of the context every step
            runs in (e.g. autocast).

    Returns:
        dict[str, float]: Medians of the phases (seconds), ``wait share``
        (waits over the whole loop) and ``loading share``
        (1 - step alone / median loop iteration: waiting plus contention).
    """
    factory = context or nullcontext
    model.train()
    batches = iter(loader)
    data = next(batches)
    alone = []
    for _ in range(iters):
        start = time.perf_counter()
        data = next(batches)
        alone.append(time.perf_counter() - start)

    def step() -> float:
        start = time.perf_counter()
        with factory():
            model.train_step(data, optim_wrapper)
        return time.perf_counter() - start

    waits, steps = [], []
    for i in range(warmup + iters):
        start = time.perf_counter()
        data = next(batches)
        wait = time.perf_counter() - start
        seconds = step()
        if i >= warmup:
            waits.append(wait)
            steps.append(seconds)
    step_alone = statistics.median(step() for _ in range(iters))
    loop = statistics.median(w + s for w, s in zip(waits, steps))
    return {
        'load alone s': statistics.median(alone),
        'wait s': statistics.median(waits),
        'step s': statistics.median(steps),
        'step alone s': step_alone,
        'wait share': sum(waits) / (sum(waits) + sum(steps)),
        'loading share': max(0.0, 1.0 - step_alone / loop),
    }
