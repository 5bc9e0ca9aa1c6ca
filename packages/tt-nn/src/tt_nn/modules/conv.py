"""Convolution layers: ``Conv1d`` and ``Conv2d`` (``torch.nn.Conv1d/Conv2d``).

A layer holds the hyper-parameters and the two parameters (``weight`` of shape ``(C_out,
C_in / groups, *kernel_size)`` and ``bias`` of shape ``(C_out,)``); ``forward`` calls
:func:`tt_nn.functional.conv.conv2d` (or ``conv1d``), where the computation is explained.

Initialisation (``reset_parameters``) is PyTorch's: ``kaiming_uniform_(weight, a=sqrt(5))``,
which works out to ``U(-1/sqrt(fan_in), 1/sqrt(fan_in))`` with ``fan_in = C_in / groups *
prod(kernel_size)``, and the bias from the same range.

Systems question: a 3x3 convolution from 64 to 64 channels has how many parameters, and how
many FLOPs does it spend on a 32x32 image?  Why is the ratio so different from a Linear layer's?
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import tt_tensor as tt
from tt_autograd import no_grad
from tt_tensor import Tensor

from ..functional.conv import conv1d, conv2d, ntuple
from ..module import Module
from ..parameter import Parameter

__all__ = ["Conv1d", "Conv2d"]

_PADDING_MODES = {"zeros", "reflect", "replicate", "circular"}


class _ConvNd(Module):
    """What Conv1d and Conv2d share: argument checks, parameters, init and ``extra_repr``."""

    _nd = 2
    _name = "Conv2d"

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int | Sequence[int],
        stride: int | Sequence[int] = 1,
        padding: int | Sequence[int] | str = 0,
        dilation: int | Sequence[int] = 1,
        groups: int = 1,
        bias: bool = True,
        padding_mode: str = "zeros",
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        nd, name = self._nd, self._name
        if groups <= 0:
            raise ValueError("groups must be a positive integer")
        if in_channels % groups != 0:
            raise ValueError("in_channels must be divisible by groups")
        if out_channels % groups != 0:
            raise ValueError("out_channels must be divisible by groups")
        k = ntuple(kernel_size, nd, "kernel_size", name)
        s = ntuple(stride, nd, "stride", name)
        d = ntuple(dilation, nd, "dilation", name)
        pad: tuple[int, ...] | str
        if isinstance(padding, str):
            if padding not in ("valid", "same"):
                raise ValueError(
                    f"Invalid padding string {padding!r}, should be one of {{'valid', 'same'}}"
                )
            if padding == "same" and any(si != 1 for si in s):
                raise ValueError("padding='same' is not supported for strided convolutions")
            pad = padding
        else:
            pad = ntuple(padding, nd, "padding", name)
        if padding_mode not in _PADDING_MODES:
            raise ValueError(
                f"padding_mode must be one of {_PADDING_MODES}, but got "
                f"padding_mode='{padding_mode}'"
            )
        if padding_mode != "zeros":
            raise NotImplementedError(
                f"{name}: padding_mode={padding_mode!r} is not implemented (only 'zeros')"
            )
        if device not in (None, "cpu"):
            raise RuntimeError(f"{name}: only device='cpu' exists in tt, got {device!r}")
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = k
        self.stride = s
        self.padding = pad
        self.dilation = d
        self.transposed = False
        self.output_padding = (0,) * nd
        self.groups = groups
        self.padding_mode = padding_mode
        dt = tt.get_default_dtype() if dtype is None else dtype
        self.weight = Parameter(tt.empty((out_channels, in_channels // groups, *k), dtype=dt))
        if bias:
            self.bias: Parameter | None = Parameter(tt.empty(out_channels, dtype=dt))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """PyTorch's default init: ``kaiming_uniform_(weight, a=sqrt(5))`` and the bias from
        ``U(-1/sqrt(fan_in), 1/sqrt(fan_in))``.

        Kaiming-uniform draws from ``U(-bound, bound)`` with ``bound = gain * sqrt(3 /
        fan_in)`` and ``gain = sqrt(2 / (1 + a**2))``; with ``a = sqrt(5)`` the gain is
        ``sqrt(1/3)``, so ``bound = 1 / sqrt(fan_in)`` for the weight too."""
        fan_in = self.weight.shape[1] * math.prod(self.weight.shape[2:])
        a = math.sqrt(5)
        gain = math.sqrt(2.0 / (1 + a * a))
        w_bound = gain * math.sqrt(3.0 / fan_in) if fan_in else 0.0
        with no_grad():
            self.weight.uniform_(-w_bound, w_bound)
            if self.bias is not None:
                b_bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0.0
                self.bias.uniform_(-b_bound, b_bound)

    def extra_repr(self) -> str:
        s = (
            f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
            f"stride={self.stride}"
        )
        if self.padding != (0,) * self._nd:
            s += f", padding={self.padding}"
        if self.dilation != (1,) * self._nd:
            s += f", dilation={self.dilation}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s


class Conv2d(_ConvNd):
    """A 2-D convolution layer: ``Conv2d(in_channels, out_channels, kernel_size, stride=1,
    padding=0, dilation=1, groups=1, bias=True, padding_mode='zeros', device=None,
    dtype=None)``.

    ``padding`` is an int, a pair, ``'valid'`` or ``'same'``; only ``padding_mode='zeros'`` is
    implemented (the other PyTorch modes raise ``NotImplementedError``).

    **Shape**: ``(N, C_in, H, W) -> (N, C_out, H_out, W_out)`` (or unbatched ``(C_in, H, W)``)
    with ``H_out = (H + 2 * padding[0] - dilation[0] * (kH - 1) - 1) // stride[0] + 1``.

    **Cost**: ``2 * N * C_out * H_out * W_out * (C_in / groups) * kH * kW`` FLOPs forward,
    twice that backward.  Parameters: ``C_out * (C_in / groups) * kH * kW + C_out``.

    **Memory**: autograd keeps the ``(C_in * kH * kW, N * H_out * W_out)`` column matrix (about
    ``kH * kW`` times the input) for the weight gradient.

    >>> import tt_tensor as tt
    >>> m = Conv2d(3, 8, 3, padding=1)
    >>> m
    Conv2d(3, 8, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))
    >>> tuple(m(tt.zeros(2, 3, 16, 16)).shape)
    (2, 8, 16, 16)
    """

    _nd = 2
    _name = "Conv2d"

    def forward(self, input: Tensor) -> Tensor:
        return conv2d(
            input, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups
        )


class Conv1d(_ConvNd):
    """A 1-D convolution layer: ``Conv1d(in_channels, out_channels, kernel_size, stride=1,
    padding=0, dilation=1, groups=1, bias=True, padding_mode='zeros', device=None,
    dtype=None)``.

    **Shape**: ``(N, C_in, L) -> (N, C_out, L_out)`` (or unbatched ``(C_in, L)``) with ``L_out
    = (L + 2 * padding - dilation * (K - 1) - 1) // stride + 1``.

    **Cost**: ``2 * N * C_out * L_out * (C_in / groups) * K`` FLOPs forward, twice that
    backward.

    **Memory**: autograd keeps the ``(C_in * K, N * L_out)`` column matrix.

    >>> import tt_tensor as tt
    >>> Conv1d(4, 2, 5, stride=2)
    Conv1d(4, 2, kernel_size=(5,), stride=(2,))
    """

    _nd = 1
    _name = "Conv1d"

    def forward(self, input: Tensor) -> Tensor:
        return conv1d(
            input, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups
        )
