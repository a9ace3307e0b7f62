"""Mixed precision without loss scaling: bfloat16 autocast, e.g. on a CPU."""
from contextlib import contextmanager
from typing import Optional, Union

import torch
from mmengine.device import (
    is_cuda_available,
    is_mlu_available,
    is_musa_available,
    is_npu_available,
)
from mmengine.optim import OptimWrapper
from torch import nn

from mmcoseg.registry import OPTIM_WRAPPERS


@OPTIM_WRAPPERS.register_module()
class AutocastOptimWrapper(OptimWrapper):
    """:class:`~mmengine.optim.OptimWrapper` that runs the forward pass of
    each step under ``torch.autocast``.

    MMEngine's ``AmpOptimWrapper`` needs a GPU (it asserts one and scales
    the loss with CUDA's ``GradScaler``). bfloat16 has float32's exponent
    range, so it needs no loss scaling: this wrapper only autocasts, on any
    device, and so makes ``--amp`` work on a CPU (with AVX-512 BF16 or AMX,
    bfloat16 convolutions and matrix products run natively).
    ``CoSegRunner`` puts it in place of ``AmpOptimWrapper`` on a machine
    without an accelerator (:func:`amp_without_accelerator`). The model's
    parameters, gradients and optimizer state stay float32, and its state
    dict is the plain optimizer's, so a run can switch between float32 and
    bfloat16 on resume.

    Args:
        dtype (str | torch.dtype): Autocast dtype. Defaults to 'bfloat16'.
        device_type (str, optional): Autocast device type; None: 'cuda'
            when CUDA is available, else 'cpu'.
        **kwargs: :class:`~mmengine.optim.OptimWrapper` arguments
            (``optimizer``, ``accumulative_counts``, ``clip_grad``).
    """

    def __init__(self,
                 dtype: Union[str, torch.dtype] = 'bfloat16',
                 device_type: Optional[str] = None,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.cast_dtype = (getattr(torch, dtype)
                           if isinstance(dtype, str) else dtype)
        if not isinstance(self.cast_dtype, torch.dtype):
            raise TypeError(f'dtype must name a torch dtype, got {dtype!r}.')
        self.device_type = device_type or (
            'cuda' if torch.cuda.is_available() else 'cpu')

    def load_state_dict(self, state_dict: dict) -> None:
        """Load an optimizer state, also one saved by ``AmpOptimWrapper``
        (its loss-scaler state is not needed here).

        Args:
            state_dict (dict): The state to load.
        """
        state_dict = dict(state_dict)
        state_dict.pop('loss_scaler', None)
        super().load_state_dict(state_dict)

    @contextmanager
    def optim_context(self, model: nn.Module):
        """The wrapper's context (gradient accumulation) plus autocast.

        Args:
            model (nn.Module): The trained model.
        """
        with super().optim_context(model), torch.autocast(
                self.device_type, dtype=self.cast_dtype):
            yield


#: Optimizer wrapper types of a config that trains in mixed precision.
AMP_WRAPPERS = ('AmpOptimWrapper', 'mmengine.AmpOptimWrapper')


def amp_without_accelerator(optim_wrapper_cfg: dict) -> bool:
    """Turn an ``AmpOptimWrapper`` config into an
    :class:`AutocastOptimWrapper` one when no accelerator is present.

    ``AmpOptimWrapper`` (what ``tools/train.py --amp`` selects) asserts a
    GPU; on a CPU-only machine it becomes bfloat16 autocast (or the dtype
    the config gives) without loss scaling. Changed in place.

    Args:
        optim_wrapper_cfg (dict): The ``optim_wrapper`` config.

    Returns:
        bool: Whether the config was changed.
    """
    if optim_wrapper_cfg.get('type') not in AMP_WRAPPERS:
        return False
    if (is_cuda_available() or is_npu_available() or is_mlu_available()
            or is_musa_available()):
        return False
    optim_wrapper_cfg['type'] = 'mmcoseg.AutocastOptimWrapper'
    optim_wrapper_cfg.pop('loss_scale', None)
    optim_wrapper_cfg.pop('use_fsdp', None)
    if optim_wrapper_cfg.get('dtype') is None:
        optim_wrapper_cfg['dtype'] = 'bfloat16'
    optim_wrapper_cfg['device_type'] = 'cpu'
    return True
