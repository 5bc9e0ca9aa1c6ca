"""``Identity`` and ``Linear``, the fully connected layer.

``Linear(in_features, out_features)`` holds ``weight (out, in)`` and ``bias (out,)`` and
computes ``y = x W^T + b`` (:func:`tt_nn.functional.linear.linear`).

**Shape**: ``(*, in_features) -> (*, out_features)``.
**Cost**: ``2 * N * in * out`` FLOPs forward for ``N`` rows, twice that backward.
**Memory**: ``out * (in + 1)`` parameters; autograd keeps the input for the weight gradient.

>>> import tt_tensor as tt, tt_nn as nn
>>> layer = nn.Linear(3, 2)
>>> layer
Linear(in_features=3, out_features=2, bias=True)
>>> layer(tt.zeros(5, 3)).shape
tt_tensor.Size([5, 2])
"""

from __future__ import annotations

from typing import Any

import tt_tensor as tt
from tt_tensor import Tensor

from ..functional.linear import affine
from ..init import default_layer_init_
from ..module import Module
from ..parameter import Parameter

__all__ = ["Identity", "Linear"]


class Identity(Module):
    """Returns its input unchanged (accepts and ignores constructor arguments, like PyTorch)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()

    def forward(self, input: Any) -> Any:
        return input


class Linear(Module):
    """A fully connected layer ``y = x W^T + b``; PyTorch's default initialisation
    ``U(-1/sqrt(in), 1/sqrt(in))`` for weight and bias."""

    def __init__(
        self,
        in_features: int,
        out_features: int,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        if in_features < 0 or out_features < 0:
            raise RuntimeError(
                f"Linear: in_features and out_features must be non-negative, got "
                f"({in_features}, {out_features})"
            )
        self.in_features = in_features
        self.out_features = out_features
        dt = tt.float32 if dtype is None else dtype
        self.weight = Parameter(tt.empty(out_features, in_features, dtype=dt))
        if bias:
            self.bias: Parameter | None = Parameter(tt.empty(out_features, dtype=dt))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """PyTorch's default: ``kaiming_uniform_(weight, a=sqrt(5))``, bias ``U(+-1/sqrt(in))``."""
        default_layer_init_(self.weight, self.bias)

    def forward(self, input: Tensor) -> Tensor:
        if input.ndim == 0 or input.shape[-1] != self.in_features:
            raise RuntimeError(
                f"Linear: expected input of shape (*, {self.in_features}) (in_features="
                f"{self.in_features}), got {tuple(input.shape)}"
            )
        return affine(input, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, "
            f"bias={self.bias is not None}"
        )
