"""``teardown_distributed``: after a distributed run nothing of the process
group is alive, in particular no gloo thread (a thread alive at interpreter
exit can abort the process after correct results).

Two real processes (gloo, ``env://``) run a DDP step with the model held in
a reference cycle, as MMEngine's runner holds it, drop it, and tear down;
each reports what is left.
"""
import json
import os
import socket
import subprocess
import sys
import textwrap

import pytest

from mmcoseg.utils.dist_utils import teardown_distributed

RANK_SCRIPT = textwrap.dedent("""
    import json, os, sys
    import torch
    import torch.distributed as dist
    from mmcoseg.utils.dist_utils import teardown_distributed

    def threads():
        names = []
        for tid in os.listdir('/proc/self/task'):
            with open(f'/proc/self/task/{tid}/comm') as f:
                names.append(f.read().strip())
        return sorted(n for n in names if 'gloo' in n)

    dist.init_process_group('gloo')

    class Runner:  # a reference cycle, like MMEngine's runner and loops
        def __init__(self):
            self.model = torch.nn.parallel.DistributedDataParallel(
                torch.nn.Linear(3, 1))
            self.loop = dict(runner=self)

    runner = Runner()
    runner.model(torch.ones(2, 3)).sum().backward()
    before = threads()
    del runner
    torn_down = teardown_distributed()
    with open(sys.argv[1], 'w') as f:
        json.dump(dict(before=before, after=threads(), torn_down=torn_down,
                       initialized=dist.is_initialized()), f)
    """)


def _free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def test_not_distributed_does_nothing():
    assert teardown_distributed() is False


@pytest.mark.skipif(not os.path.isdir('/proc/self/task'),
                    reason='needs /proc to list threads')
def test_no_gloo_thread_left_after_teardown(tmp_path):
    env = dict(os.environ, MASTER_ADDR='127.0.0.1',
               MASTER_PORT=str(_free_port()), WORLD_SIZE='2',
               OMP_NUM_THREADS='1', PYTHONWARNINGS='ignore')
    procs = [
        subprocess.Popen(
            [sys.executable, '-c', RANK_SCRIPT, str(tmp_path / f'{rank}')],
            env=dict(env, RANK=str(rank), LOCAL_RANK=str(rank)),
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for rank in range(2)
    ]
    for proc in procs:
        out, _ = proc.communicate(timeout=300)
        assert proc.returncode == 0, out[-3000:]
    for rank in range(2):
        report = json.loads((tmp_path / f'{rank}').read_text())
        assert report['before'], 'gloo runs no thread: nothing is tested'
        assert report['torn_down'] is True
        assert report['initialized'] is False
        assert report['after'] == [], report
