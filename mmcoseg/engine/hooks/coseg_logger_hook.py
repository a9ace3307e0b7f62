"""MMEngine's LoggerHook with one writer of the test-metrics file."""
from typing import Dict, Optional

from mmengine.dist import is_main_process
from mmengine.hooks import LoggerHook

from mmcoseg.registry import HOOKS


@HOOKS.register_module()
class CoSegLoggerHook(LoggerHook):
    """:class:`~mmengine.hooks.LoggerHook` whose test metrics are written
    by the main process only.

    In mmengine 0.10.7, ``LoggerHook.after_test_epoch`` dumps the test
    metrics to ``<work_dir>/<timestamp>/<timestamp>.json`` from *every*
    rank, and all ranks share that path. Their lines differ in length
    (``time``, ``data_time``), so two processes truncating and writing the
    file at once can leave one line followed by the tail of the other:
    a JSON file that does not parse (seen in a two-process
    ``tools/dist_test.sh`` run). Here every rank still logs the metrics
    line; only the main process writes the file. Everything else is
    MMEngine's hook.
    """

    def after_test_epoch(self,
                         runner,
                         metrics: Optional[Dict[str, float]] = None) -> None:
        """Log the test metrics; write their JSON on the main process.

        Args:
            runner (Runner): The runner of the test.
            metrics (dict, optional): The evaluation results.
        """
        if is_main_process():
            super().after_test_epoch(runner, metrics)
            return
        _, log_str = runner.log_processor.get_log_after_epoch(
            runner, len(runner.test_dataloader), 'test', with_non_scalar=True)
        runner.logger.info(log_str)
