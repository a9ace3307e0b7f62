"""MMEngine's runner, able to run distributed on machines without a GPU."""
import atexit
import copy
from typing import Union

import torch.distributed as torch_dist
from mmengine.config import Config, ConfigDict
from mmengine.logging import print_log
from mmengine.runner import Runner

from mmcoseg.registry import RUNNERS
from mmcoseg.utils.dist_utils import (
    setup_cpu_distributed,
    teardown_distributed,
)

from ..optimizers import amp_without_accelerator


@RUNNERS.register_module()
class CoSegRunner(Runner):
    """:class:`mmengine.runner.Runner` that also launches on CPU only.

    Selected in a config with ``runner_type = 'mmcoseg.CoSegRunner'`` (the
    scope prefix lets MMSeg's ``tools/train.py`` find it too: it builds
    runners from MMSeg's registry). Before the runner is built,
    :func:`~mmcoseg.utils.dist_utils.setup_cpu_distributed` prepares a
    ``pytorch`` or ``slurm`` launch on a machine without CUDA (gloo process
    group, DDP without device ids), which MMEngine 0.10.7 cannot do itself;
    with a GPU, or without a launcher, it changes nothing. Everything else
    is MMEngine's runner, except that mixed precision (``AmpOptimWrapper``,
    ``--amp``), which MMEngine allows on a GPU only, becomes bfloat16
    autocast on a machine without one
    (:func:`~mmcoseg.engine.optimizers.amp_without_accelerator`).

    After a distributed ``train()``, ``val()`` or ``test()`` has returned,
    :func:`~mmcoseg.utils.dist_utils.teardown_distributed` is registered
    to run at interpreter exit (once), so that any script, MMSeg's
    ``tools/dist_train.sh`` included, releases the process group while the
    interpreter is alive instead of aborting a rank at exit. A run that
    raised registers nothing (its ranks must not wait at a barrier).
    """

    _teardown_registered = False

    @classmethod
    def _teardown_at_exit(cls) -> None:
        """Register the teardown at exit once, when distributed."""
        if cls._teardown_registered or not (
                torch_dist.is_available() and torch_dist.is_initialized()):
            return
        atexit.register(teardown_distributed)
        CoSegRunner._teardown_registered = True

    def train(self):
        """:meth:`Runner.train`, then the teardown at exit is registered."""
        model = super().train()
        self._teardown_at_exit()
        return model

    def val(self) -> dict:
        """:meth:`Runner.val`, then the teardown at exit is registered."""
        metrics = super().val()
        self._teardown_at_exit()
        return metrics

    def test(self) -> dict:
        """:meth:`Runner.test`, then the teardown at exit is registered."""
        metrics = super().test()
        self._teardown_at_exit()
        return metrics

    @classmethod
    def from_cfg(cls, cfg: Union[Config, ConfigDict, dict]) -> 'Runner':
        """Build the runner from a config, as :meth:`Runner.from_cfg`.

        Args:
            cfg (Config | ConfigDict | dict): The run's config; its
                ``launcher`` says how the processes were started.

        Returns:
            Runner: The runner.
        """
        cfg = copy.deepcopy(cfg)
        setup_cpu_distributed(cfg)
        if cfg.get('optim_wrapper') and amp_without_accelerator(
                cfg['optim_wrapper']):
            print_log(
                'No GPU: mixed precision (AmpOptimWrapper, --amp) runs as '
                f"{cfg['optim_wrapper']['dtype']} autocast on the CPU "
                'without loss scaling (AutocastOptimWrapper).',
                logger='current')
        return super().from_cfg(cfg)
