"""Real training steps on a config's own training loader: iterations per
hour, the wait for data, and the hit rate of a feature cache.

Several models are timed interleaved (a chunk of steps of each in turn), so
that a load change on a shared machine hits all of them alike and their
ratio is measured in one run. Before the timed rounds, every model's
feature cache (a module with ``cache_hits`` and ``cache_misses``, e.g.
``FrozenBackbone``) is filled by running the backbone alone over
``fill_epochs`` passes of its loader, as a long training run would have
filled it.
"""
import math
import statistics
import time
from contextlib import nullcontext
from typing import Callable, ContextManager, Dict, List, Optional, Tuple

import torch
from torch import Tensor, nn

#: Columns of the table of :func:`compare`.
COLUMNS = ('config', 'workers', 'batch', 'img/iter', 'cache hit',
           'load alone s', 'wait s', 'step s', 'step alone s', 's/iter',
           'iter/h', 'img/h', 'wait share', 'loading share', 'vs first')


def _count_images(inputs) -> int:
    """Images in a batch's ``inputs`` (a tensor or nested lists)."""
    if isinstance(inputs, Tensor):
        return inputs.shape[0] if inputs.dim() == 4 else 1
    return sum(_count_images(x) for x in inputs)


class RealSteps:
    """Training steps of one model on its own training loader.

    Args:
        name (str): Row name (e.g. the config's file name).
        model (nn.Module): The model.
        optim_wrapper: Its optimizer wrapper.
        loader: The config's training loader (its workers as shipped).
        context (callable, optional): Factory of every step's context
            (e.g. autocast).
    """

    def __init__(self,
                 name: str,
                 model: nn.Module,
                 optim_wrapper,
                 loader,
                 context: Optional[Callable[[], ContextManager]] = None
                 ) -> None:
        self.name, self.model, self.optim_wrapper = name, model, optim_wrapper
        self.loader, self.batches = loader, iter(loader)
        self.context = context or nullcontext
        workers = getattr(loader, 'num_workers', 0)
        # Batches the workers prepared while another model ran.
        self.prefetched = workers * (getattr(loader, 'prefetch_factor', 2)
                                     or 2)
        self.caches = [m for m in model.modules()
                       if hasattr(m, 'cache_hits')
                       and hasattr(m, 'cache_misses')]
        self.data = None
        self.images = 0
        self.hits = self.lookups = 0
        self.load_alone: List[float] = []
        self.loop: List[Tuple[float, float]] = []
        self.alone: List[float] = []

    def next(self) -> dict:
        """The loader's next batch (a new pass when one ends).

        Returns:
            dict: The batch.
        """
        try:
            self.data = next(self.batches)
        except StopIteration:
            self.batches = iter(self.loader)
            self.data = next(self.batches)
        self.images = _count_images(self.data['inputs'])
        return self.data

    def _cache_counts(self) -> Tuple[int, int]:
        hits = sum(c.cache_hits for c in self.caches)
        return hits, hits + sum(c.cache_misses for c in self.caches)

    def fill(self, epochs: float) -> int:
        """Fill the feature caches: the backbone (and neck) alone on
        ``epochs`` passes of the loader (nothing without a cache).

        Args:
            epochs (float): Passes of the loader.

        Returns:
            int: Batches run.
        """
        if not self.caches or epochs <= 0:
            return 0
        iters = math.ceil(epochs * len(self.loader))
        self.model.train()
        for _ in range(iters):
            with torch.no_grad(), self.context():
                data = self.model.data_preprocessor(self.next(), True)
                self.model.extract_feat(data['inputs'])
        return iters

    def time_loading(self, iters: int) -> None:
        """Seconds per batch of ``iters`` batches fetched back to back.

        Args:
            iters (int): Batches.
        """
        for _ in range(self.prefetched):
            self.next()
        for _ in range(iters):
            start = time.perf_counter()
            self.next()
            self.load_alone.append(time.perf_counter() - start)

    def step(self) -> float:
        """One training step on the current batch.

        Returns:
            float: Its seconds.
        """
        self.model.train()
        start = time.perf_counter()
        with self.context():
            self.model.train_step(self.data, self.optim_wrapper)
        return time.perf_counter() - start

    def run(self, iters: int, warmup: int = 1) -> None:
        """A chunk of the step loop (wait for the next batch, step).

        The batches prepared while other models ran are dropped first,
        then ``warmup`` untimed loop steps, then ``iters`` timed ones and
        a third as many steps on the last batch with nothing loading.

        Args:
            iters (int): Timed loop steps.
            warmup (int): Untimed loop steps first.
        """
        for _ in range(self.prefetched):
            self.next()
        for _ in range(warmup):
            self.next()
            self.step()
        hits, lookups = self._cache_counts()
        for _ in range(iters):
            start = time.perf_counter()
            self.next()
            self.loop.append((time.perf_counter() - start, self.step()))
        new_hits, new_lookups = self._cache_counts()
        self.hits += new_hits - hits
        self.lookups += new_lookups - lookups
        self.alone.extend(self.step() for _ in range(max(1, iters // 3)))

    def row(self) -> Dict[str, str]:
        """The measurements as a row of :data:`COLUMNS`.

        Seconds per iteration (``s/iter``, and ``iter/h`` and ``img/h``
        from it) are means over the timed loop steps, as a long run
        averages them; the other seconds are medians.

        Returns:
            dict[str, str]: The row (``_iter_h``: iterations per hour as a
            float).
        """
        waits = [w for w, _ in self.loop]
        steps = [s for _, s in self.loop]
        per_iter = statistics.mean(w + s for w, s in self.loop)
        loop = statistics.median(w + s for w, s in self.loop)
        alone = statistics.median(self.alone)
        batch = getattr(self.loader, 'batch_size', None)
        return {
            'config': self.name,
            'workers': str(getattr(self.loader, 'num_workers', 0)),
            'batch': str(batch),
            'img/iter': str(self.images),
            'cache hit': (f'{100 * self.hits / self.lookups:.1f}%'
                          if self.lookups else '-'),
            'load alone s': (f'{statistics.median(self.load_alone):.4f}'
                             if self.load_alone else '-'),
            'wait s': f'{statistics.median(waits):.4f}',
            'step s': f'{statistics.median(steps):.4f}',
            'step alone s': f'{alone:.4f}',
            's/iter': f'{per_iter:.4f}',
            'iter/h': f'{3600 / per_iter:.0f}',
            'img/h': f'{3600 * self.images / per_iter:.0f}',
            'wait share': f'{100 * sum(waits) / sum(waits + steps):.1f}%',
            'loading share': f'{100 * max(0.0, 1 - alone / loop):.1f}%',
            '_iter_h': 3600 / per_iter,
        }


def compare(runs: List[RealSteps],
            iters: int,
            rounds: int = 2,
            warmup: int = 1,
            fill_epochs: float = 1.0) -> List[Dict[str, str]]:
    """Time real training steps of several models, interleaved.

    Each model first fills its feature caches (:meth:`RealSteps.fill`),
    times its loader alone and runs ``warmup`` untimed steps; then
    ``rounds`` rounds run a chunk of ``ceil(iters / rounds)`` timed loop
    steps of every model in turn.

    Args:
        runs (list[RealSteps]): The models.
        iters (int): Timed loop steps per model.
        rounds (int): Chunks they are split into.
        warmup (int): Untimed steps before the first chunk (and one before
            every later chunk).
        fill_epochs (float): Passes of the loader that fill the caches.

    Returns:
        list[dict[str, str]]: One row per model (:data:`COLUMNS`);
        ``vs first``: its iterations per hour over the first model's.
    """
    rounds = max(1, min(rounds, iters))
    chunk = math.ceil(iters / rounds)
    for run in runs:
        run.fill(fill_epochs)
        run.time_loading(min(iters, 10))
    for r in range(rounds):
        for run in runs:
            run.run(chunk, warmup if r == 0 else 1)
    rows = [run.row() for run in runs]
    for row in rows:
        row['vs first'] = f"{row['_iter_h'] / rows[0]['_iter_h']:.2f}"
    return rows
