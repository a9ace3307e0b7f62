"""Checkpoints that a killed process never leaves half-written."""
import glob
import os
import os.path as osp
import shutil
from typing import Any, Optional

from mmengine.dist import is_main_process
from mmengine.fileio import LocalBackend
from mmengine.hooks import CheckpointHook

from mmcoseg.registry import HOOKS

#: Suffix of a checkpoint being written (never matches ``*.pth``).
PARTIAL_SUFFIX = '.partial'


def _fsync_dir(path: str) -> None:
    """Flush a directory entry to disk (no-op where unsupported)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _fsync_file(path: str) -> None:
    with open(path, 'rb+') as f:
        os.fsync(f.fileno())


def atomic_write_text(path: str, text: str) -> None:
    """Write ``text`` to ``path`` so that readers see the old or new file.

    The text goes to a temporary file of the same folder, is flushed to
    disk, then renamed over ``path`` (``os.replace`` is atomic on POSIX and
    Windows).

    Args:
        path (str): Destination file.
        text (str): Content.
    """
    folder = osp.dirname(osp.abspath(path))
    tmp = osp.join(folder, f'.{osp.basename(path)}{PARTIAL_SUFFIX}')
    with open(tmp, 'w') as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    _fsync_dir(folder)


@HOOKS.register_module()
class AtomicCheckpointHook(CheckpointHook):
    """``CheckpointHook`` whose checkpoints survive a kill at any moment.

    mmengine's hook writes ``iter_N.pth`` in place, rewrites
    ``last_checkpoint`` in place and deletes the oldest checkpoint (with
    ``max_keep_ckpts``) *before* writing the new one; a process killed
    during a save can leave a truncated checkpoint, an empty
    ``last_checkpoint``, or a ``last_checkpoint`` naming a deleted file,
    and ``--resume`` then fails. This hook, for local ``out_dir`` folders:

    1. writes the checkpoint to ``.iter_N.pth.partial``, flushes it to
       disk and renames it to ``iter_N.pth`` (atomic);
    2. then rewrites ``last_checkpoint`` atomically (temporary file and
       rename);
    3. only then deletes the checkpoints beyond ``max_keep_ckpts``.

    At every moment ``last_checkpoint`` names a complete checkpoint.
    Partial files left by a killed run are removed when training starts.
    Other storage backends fall back to the parent's behaviour. Arguments
    are those of :class:`mmengine.hooks.CheckpointHook`.

    Example:
        >>> default_hooks = dict(checkpoint=dict(
        ...     type='AtomicCheckpointHook', by_epoch=False, interval=1000,
        ...     max_keep_ckpts=3))
    """

    def _is_local(self) -> bool:
        return isinstance(self.file_backend, LocalBackend)

    def before_train(self, runner: Any) -> None:
        """Set up as the parent, then remove stale partial checkpoints.

        Args:
            runner (Runner): The runner.
        """
        super().before_train(runner)
        if self._is_local() and is_main_process():
            for path in glob.glob(
                    osp.join(glob.escape(self.out_dir),
                             f'.*{PARTIAL_SUFFIX}')):
                runner.logger.warning(
                    f'Removing {path}, a checkpoint left half-written by an '
                    'interrupted run.')
                os.remove(path)

    def _save_checkpoint_with_step(self, runner: Any, step: int,
                                   meta: dict) -> None:
        if not self._is_local():
            super()._save_checkpoint_with_step(runner, step, meta)
            return
        outdated: Optional[int] = None
        if self.max_keep_ckpts > 0 and not (
                self.keep_ckpt_ids and self.keep_ckpt_ids[-1] == step):
            if len(self.keep_ckpt_ids) == self.max_keep_ckpts:
                outdated = self.keep_ckpt_ids.popleft()
            self.keep_ckpt_ids.append(step)
            runner.message_hub.update_info('keep_ckpt_ids',
                                           list(self.keep_ckpt_ids))

        ckpt_filename = self.filename_tmpl.format(step)
        self.last_ckpt = self.file_backend.join_path(self.out_dir,
                                                     ckpt_filename)
        runner.message_hub.update_info('last_ckpt', self.last_ckpt)
        partial = f'.{ckpt_filename}{PARTIAL_SUFFIX}'
        runner.save_checkpoint(
            self.out_dir,
            partial,
            self.file_client_args,
            save_optimizer=self.save_optimizer,
            save_param_scheduler=self.save_param_scheduler,
            meta=meta,
            by_epoch=self.by_epoch,
            backend_args=self.backend_args,
            **self.args)
        if not is_main_process():
            return
        partial_path = osp.join(self.out_dir, partial)
        _fsync_file(partial_path)
        os.replace(partial_path, self.last_ckpt)
        _fsync_dir(self.out_dir)
        atomic_write_text(
            osp.join(runner.work_dir, 'last_checkpoint'), self.last_ckpt)
        if outdated is not None:
            path = self.file_backend.join_path(
                self.out_dir, self.filename_tmpl.format(outdated))
            if osp.isfile(path):
                os.remove(path)
            elif osp.isdir(path):
                shutil.rmtree(path)
