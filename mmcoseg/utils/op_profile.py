"""The operators a step spends its time in (PyTorch's profiler)."""
from typing import Callable, Dict, List

import torch
from torch.profiler import ProfilerActivity, profile


def top_operators(fn: Callable[[], None],
                  iters: int = 2,
                  top_k: int = 15,
                  device: str = 'cpu') -> List[Dict[str, str]]:
    """Profile ``iters`` calls of ``fn`` and list its costliest operators.

    Operators are ranked by their self time (CPU; CUDA kernels' on a
    GPU): the time spent in the operator itself, not in the operators it
    calls.

    Args:
        fn (callable): One step.
        iters (int): Calls profiled.
        top_k (int): Operators listed.
        device (str): 'cpu' or 'cuda'.

    Returns:
        list[dict[str, str]]: Rows with ``operator``, ``self s/iter``,
        ``% of self time`` and ``calls/iter``, costliest first.
    """
    activities = [ProfilerActivity.CPU]
    cuda = device.startswith('cuda')
    if cuda:
        activities.append(ProfilerActivity.CUDA)
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
