"""Checkpoints that a killed process never leaves half-written."""
import glob
import os
import os.path as osp
import re
from collections import deque
from typing import Any, Optional

from mmengine.dist import barrier, is_main_process
from mmengine.hooks import CheckpointHook

from mmcoseg.fileio import (
    ATOMIC_BACKEND,
    PARTIAL_SUFFIX,
    atomic_write_text,
)
from mmcoseg.registry import HOOKS

#: Message hub runtime-info key of the kept checkpoints (as mmengine's).
KEEP_KEY = 'keep_ckpt_ids'


@HOOKS.register_module()
class AtomicCheckpointHook(CheckpointHook):
    """``CheckpointHook`` whose checkpoints survive a kill at any moment.

    mmengine's hook writes ``iter_N.pth`` in place and deletes the oldest
    checkpoint (with ``max_keep_ckpts``) *before* writing the new one; a
    process killed during a save can leave a truncated checkpoint, or a
    ``last_checkpoint`` naming a deleted file, and ``--resume`` then fails.
    For a local ``out_dir`` this hook, through public interfaces only:

    1. writes every checkpoint through the ``atomic_local`` file backend
       (:class:`~mmcoseg.fileio.AtomicLocalBackend`: ``.iter_N.pth.partial``
       flushed to disk, then renamed to ``iter_N.pth``), selected by
       setting ``backend_args``;
    2. deletes the checkpoints beyond ``max_keep_ckpts`` only after the new
       one is complete and ``last_checkpoint`` names it (the parent keeps
       all of them; this hook does the keeping, in ``after_train_*``);
    3. before a run resumes (``before_run``, ahead of
       ``Runner.load_or_resume``), points a ``last_checkpoint`` that is
       empty or names a missing file - a kill during mmengine's in-place
       rewrite of those few bytes - at the newest complete checkpoint;
    4. removes partial files left by a killed run when training starts.

    Other storage backends (``backend_args`` / ``file_client_args`` given,
    or a remote ``out_dir``) keep the parent's behaviour. Arguments are
    those of :class:`mmengine.hooks.CheckpointHook`.

    Example:
        >>> default_hooks = dict(checkpoint=dict(
        ...     type='AtomicCheckpointHook', by_epoch=False, interval=1000,
        ...     max_keep_ckpts=3))
    """

    def __init__(self,
                 *args,
                 max_keep_ckpts: int = -1,
                 out_dir: Optional[str] = None,
                 backend_args: Optional[dict] = None,
                 file_client_args: Optional[dict] = None,
                 **kwargs) -> None:
        self.atomic = (backend_args is None and file_client_args is None
                       and (out_dir is None or '://' not in str(out_dir)))
        if self.atomic:
            backend_args = dict(backend=ATOMIC_BACKEND)
        super().__init__(
            *args,
            max_keep_ckpts=-1 if self.atomic else max_keep_ckpts,
            out_dir=out_dir,
            backend_args=backend_args,
            file_client_args=file_client_args,
            **kwargs)
        #: How many regular checkpoints to keep (-1: all), done by this hook
        #: (``self.max_keep_ckpts`` is -1 so that the parent deletes none).
        self.keep_ckpts = max_keep_ckpts if self.atomic else -1
        self.kept: deque = deque()

    # ------------------------------------------------------------ helpers
    def _path(self, step: int) -> str:
        return osp.join(self.out_dir, self.filename_tmpl.format(step))

    def _newest_checkpoint(self, folder: str) -> Optional[str]:
        """The complete regular checkpoint of the highest step in folder."""
        pattern = re.compile(
            re.escape(self.filename_tmpl).replace(r'\{\}', r'(\d+)'))
        steps = [int(m.group(1)) for m in map(pattern.fullmatch,
                                              os.listdir(folder)) if m]
        return osp.join(folder, self.filename_tmpl.format(max(steps))) \
            if steps else None

    def _repair_last_checkpoint(self, runner: Any) -> None:
        path = osp.join(runner.work_dir, 'last_checkpoint')
        if not osp.isfile(path):
            return
        with open(path) as f:
            named = f.read().strip()
        if named and osp.isfile(named):
            return
        folder = osp.dirname(named)
        if not folder or not osp.isdir(folder):
            folder = runner.work_dir
        newest = self._newest_checkpoint(folder)
        if newest is None:
            runner.logger.warning(
                f'{path} names {named!r}, which does not exist, and no '
                f'complete checkpoint is in {folder}.')
            return
        runner.logger.warning(
            f'{path} names {named!r}, which does not exist (a run killed '
            f'while rewriting it); pointing it at {newest}.')
        atomic_write_text(path, newest)

    def _delete(self, step: int) -> None:
        path = self._path(step)
        if self.file_backend.isfile(path):
            self.file_backend.remove(path)
        elif self.file_backend.isdir(path):
            self.file_backend.rmtree(path)

    def _keep(self, runner: Any) -> None:
        """Delete the checkpoints beyond ``keep_ckpts`` (oldest first)."""
        while self.keep_ckpts > 0 and len(self.kept) > self.keep_ckpts:
            step = self.kept.popleft()
            if is_main_process():
                self._delete(step)
        runner.message_hub.update_info(KEEP_KEY, list(self.kept))

    def _saved(self, runner: Any, step: int) -> None:
        """Record the complete checkpoint of ``step``; apply the limit."""
        if not self.kept or self.kept[-1] != step:
            self.kept.append(step)
        self._keep(runner)

    # -------------------------------------------------------------- hooks
    def before_run(self, runner: Any) -> None:
        """Repair a ``last_checkpoint`` broken by a kill, before resuming.

        Args:
            runner (Runner): The runner.
        """
        super().before_run(runner)
        if not self.atomic:
            return
        if is_main_process():
            self._repair_last_checkpoint(runner)
        barrier()

    def before_train(self, runner: Any) -> None:
        """Set up as the parent; restore the kept checkpoints of a resumed
        run; remove partial checkpoints of a killed one.

        Args:
            runner (Runner): The runner.
        """
        super().before_train(runner)
        if not self.atomic:
            return
        self.kept = deque(runner.message_hub.get_info(KEEP_KEY) or [])
        # A checkpoint holds the kept list as it was before it was saved.
        resumed = runner.epoch if self.by_epoch else runner.iter
        if resumed and resumed not in self.kept and \
                self.file_backend.isfile(self._path(resumed)):
            self.kept.append(resumed)
        self._keep(runner)
        if is_main_process():
            for path in glob.glob(
                    osp.join(glob.escape(self.out_dir),
                             f'.*{PARTIAL_SUFFIX}')):
                runner.logger.warning(
                    f'Removing {path}, a checkpoint left half-written by an '
                    'interrupted run.')
                os.remove(path)

    def after_train_iter(self,
                         runner: Any,
                         batch_idx: int,
                         data_batch: Any = None,
                         outputs: Optional[dict] = None) -> None:
        """Save as the parent; then delete the outdated checkpoints.

        Args:
            runner (Runner): The runner.
            batch_idx (int): Index of the batch.
            data_batch (dict, optional): The batch.
            outputs (dict, optional): The outputs of the step.
        """
        last = self.last_ckpt
        super().after_train_iter(runner, batch_idx, data_batch, outputs)
        if self.atomic and self.last_ckpt != last:
            self._saved(runner, runner.iter + 1)

    def after_train_epoch(self, runner: Any) -> None:
        """Save as the parent; then delete the outdated checkpoints.

        Args:
            runner (Runner): The runner.
        """
        last = self.last_ckpt
        super().after_train_epoch(runner)
        if self.atomic and self.last_ckpt != last:
            self._saved(runner, runner.epoch + 1)
