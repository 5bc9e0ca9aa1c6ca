"""Pooling layers: ``MaxPool2d``, ``AvgPool2d``, ``AdaptiveAvgPool2d`` (``torch.nn``).

Pooling layers have no parameters: they store their hyper-parameters and call the functional
form (:mod:`tt_nn.functional.pooling`, where the computation is explained).

Systems question: a 2x2 max pool with stride 2 keeps a quarter of the activations; what does
autograd keep for its backward, and how does that compare with the input's size?
"""

from __future__ import annotations

from collections.abc import Sequence

from tt_tensor import Tensor

from ..functional.pooling import adaptive_avg_pool2d, avg_pool2d, max_pool2d
from ..module import Module

__all__ = ["AdaptiveAvgPool2d", "AvgPool2d", "MaxPool2d"]

IntOrPair = int | Sequence[int]


class MaxPool2d(Module):
    """2-D max pooling: ``MaxPool2d(kernel_size, stride=None, padding=0, dilation=1,
    return_indices=False, ceil_mode=False)``; ``stride`` defaults to ``kernel_size``.

    ``return_indices=True`` is not implemented (raises ``NotImplementedError``).

    **Shape**: ``(N, C, H, W) -> (N, C, H_out, W_out)`` with ``H_out = (H + 2 * padding -
    dilation * (kH - 1) - 1) // stride + 1`` (rounded up under ``ceil_mode``).

    **Cost**: ``N * C * H_out * W_out * kH * kW`` comparisons.  **Memory**: the output and one
    byte per output element and kernel offset (which offset won), kept for backward.

    >>> import tt_tensor as tt
    >>> MaxPool2d(2)
    MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)
    >>> tuple(MaxPool2d(2)(tt.zeros(1, 3, 8, 8)).shape)
    (1, 3, 4, 4)
    """

    def __init__(
        self,
        kernel_size: IntOrPair,
        stride: IntOrPair | None = None,
        padding: IntOrPair = 0,
        dilation: IntOrPair = 1,
        return_indices: bool = False,
        ceil_mode: bool = False,
    ) -> None:
        super().__init__()
        if return_indices:
            raise NotImplementedError("MaxPool2d: return_indices=True is not implemented")
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.dilation = dilation
        self.return_indices = return_indices
        self.ceil_mode = ceil_mode

    def forward(self, input: Tensor) -> Tensor:
        return max_pool2d(
            input, self.kernel_size, self.stride, self.padding, self.dilation, self.ceil_mode
        )

    def extra_repr(self) -> str:
        return (
            f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
            f"dilation={self.dilation}, ceil_mode={self.ceil_mode}"
        )


class AvgPool2d(Module):
    """2-D average pooling: ``AvgPool2d(kernel_size, stride=None, padding=0, ceil_mode=False,
    count_include_pad=True, divisor_override=None)``.

    **Shape**: ``(N, C, H, W) -> (N, C, H_out, W_out)`` with ``H_out = (H + 2 * padding - kH)
    // stride + 1`` (rounded up under ``ceil_mode``).

    **Cost**: ``N * C * H_out * W_out * kH * kW`` additions.  **Memory**: autograd keeps no
    activation (the gradient of a window sum is the same for every element).

    >>> AvgPool2d(3, 1, 1)
    AvgPool2d(kernel_size=3, stride=1, padding=1)
    """

    def __init__(
        self,
        kernel_size: IntOrPair,
        stride: IntOrPair | None = None,
        padding: IntOrPair = 0,
        ceil_mode: bool = False,
        count_include_pad: bool = True,
        divisor_override: int | None = None,
    ) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad
        self.divisor_override = divisor_override

    def forward(self, input: Tensor) -> Tensor:
        return avg_pool2d(
            input,
            self.kernel_size,
            self.stride,
            self.padding,
            self.ceil_mode,
            self.count_include_pad,
            self.divisor_override,
        )

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AdaptiveAvgPool2d(Module):
    """2-D adaptive average pooling to ``output_size`` (an int, or a pair whose ``None``
    entries keep the input's size).

    **Shape**: ``(N, C, H, W) -> (N, C, H_out, W_out)``; window ``i`` covers rows
    ``floor(i * H / H_out)`` to ``ceil((i + 1) * H / H_out) - 1``.

    **Cost**: ``N * C * H * W`` additions when the sizes divide, else two small matrix
    products.  **Memory**: see :func:`~tt_nn.functional.pooling.adaptive_avg_pool2d`.

    >>> AdaptiveAvgPool2d((2, None))
    AdaptiveAvgPool2d(output_size=(2, None))
    """

    def __init__(self, output_size: int | Sequence[int | None] | None) -> None:
        super().__init__()
        self.output_size = output_size

    def forward(self, input: Tensor) -> Tensor:
        return adaptive_avg_pool2d(input, self.output_size)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"
