"""Timers, peak memory and the operator profile of a step."""
import resource
import statistics
import time
from typing import Callable, Dict, List, Optional

import torch
from torch.profiler import ProfilerActivity, profile


def sync(device: torch.device) -> None:
    """Wait for the device's queued work (a no-op on CPU).

    Args:
        device (torch.device): The device.
    """
    if device.type == 'cuda':
        torch.cuda.synchronize(device)


def reset_peak_memory(device: torch.device) -> bool:
    """Reset the peak-memory counter.

    Args:
        device (torch.device): The device measured.

    Returns:
        bool: Whether it could be reset (on CPU, where it cannot, the peak
        is the process's lifetime peak).
    """
    if device.type == 'cuda':
        torch.cuda.reset_peak_memory_stats(device)
        return True
    try:
        with open('/proc/self/clear_refs', 'w') as f:
            f.write('5')
        return True
    except OSError:
        return False


def peak_memory_mb(device: torch.device) -> float:
    """Peak memory since the last reset, in MiB.

    Args:
        device (torch.device): The device measured.

    Returns:
        float: ``torch.cuda.max_memory_allocated`` on CUDA; on CPU the peak
        resident set size (Linux ``VmHWM``, else ``ru_maxrss``).
    """
    if device.type == 'cuda':
        return torch.cuda.max_memory_allocated(device) / 2**20
    try:
        with open('/proc/self/status') as f:
            for line in f:
                if line.startswith('VmHWM:'):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def time_interleaved(fns: Dict[str, Callable[[], object]],
                     warmup: int = 1,
                     repeats: int = 5,
                     device: Optional[torch.device] = None
                     ) -> Dict[str, float]:
    """Median seconds per call of every closure, timed interleaved.

    Each round calls every closure once in turn, so that a load change on
    a shared machine hits all of them alike.

    Args:
        fns (dict[str, callable]): The closures.
        warmup (int): Untimed rounds first.
        repeats (int): Timed rounds.
        device (torch.device, optional): Synchronised around each call.

    Returns:
        dict[str, float]: Median seconds per closure.
    """
    device = device or torch.device('cpu')
    for _ in range(warmup):
        for fn in fns.values():
            fn()
    times: Dict[str, List[float]] = {name: [] for name in fns}
    for _ in range(max(1, repeats)):
        for name, fn in fns.items():
            sync(device)
            start = time.perf_counter()
            fn()
            sync(device)
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(ts) for name, ts in times.items()}


def top_operators(fn: Callable[[], object],
                  iters: int = 2,
                  top_k: int = 15,
                  device: str = 'cpu') -> List[Dict[str, str]]:
    """Profile ``iters`` calls of ``fn`` and list its costliest operators.

    Operators are ranked by self time (CPU; CUDA kernels' on a GPU): the
    time spent in the operator itself, not in the operators it calls.

    Args:
        fn (callable): One step.
        iters (int): Calls profiled.
        top_k (int): Operators listed.
        device (str): 'cpu' or 'cuda'.

    Returns:
        list[dict[str, str]]: Rows with ``operator``, ``self s/iter``,
        ``% of self time`` and ``calls/iter``, costliest first.
    """
    cuda = device.startswith('cuda')
    activities = [ProfilerActivity.CPU] + ([ProfilerActivity.CUDA]
                                           if cuda else [])
    with profile(activities=activities) as prof:
        for _ in range(iters):
            fn()
        if cuda:
            torch.cuda.synchronize()
    key = 'self_device_time_total' if cuda else 'self_cpu_time_total'
    events = [e for e in prof.key_averages()
              if not e.key.startswith('ProfilerStep')]
    total = sum(getattr(e, key) for e in events) or 1.0
    events.sort(key=lambda e: getattr(e, key), reverse=True)
    return [{
        'operator': e.key,
        'self s/iter': f'{getattr(e, key) / 1e6 / iters:.4f}',
        '% of self time': f'{100 * getattr(e, key) / total:.1f}',
        'calls/iter': f'{e.count / iters:g}'
    } for e in events[:top_k]]
