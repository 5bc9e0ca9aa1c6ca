"""Activation functions (``torch.nn.functional``): element-wise non-linearities and the
softmax family, all composed from tt-tensor primitives (autograd differentiates them).

**Shape**: the output has the input's shape.  **Cost**: a few passes over the input.
**Memory**: one output per op; autograd keeps what each primitive saves (relu keeps its
output, mul keeps its operands).

>>> import tt_tensor as tt
>>> from tt_nn.functional.activation import leaky_relu
>>> leaky_relu(tt.tensor([-2.0, 3.0]), 0.5).tolist()
[-1.0, 3.0]

Systems question: why does ``elu`` take ``exp`` of ``min(x, 0)`` rather than of ``x``, although
the branch for positive ``x`` never uses it?
"""

from __future__ import annotations

from typing import Any

import tt_tensor as tt
from tt_tensor import Tensor

__all__ = [
    "elu",
    "leaky_relu",
    "log_softmax",
    "relu",
    "sigmoid",
    "silu",
    "softmax",
    "tanh",
]


def _inplace(input: Tensor, out: Tensor, inplace: bool) -> Tensor:
    """Write ``out`` into ``input`` when ``inplace`` (PyTorch's ``inplace=True``)."""
    return input.copy_(out) if inplace else out


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """``max(x, 0)``."""
    return _inplace(input, input.relu(), inplace)


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """``x`` where ``x > 0``, else ``negative_slope * x``."""
    if not input.dtype.is_floating_point:
        raise NotImplementedError(
            f"leaky_relu: not implemented for {input.dtype.name} input (a floating point "
            "tensor expected)"
        )
    return _inplace(input, tt.where(input > 0, input, input * negative_slope), inplace)


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """``x`` where ``x > 0``, else ``alpha * (exp(x) - 1)``.

    ``exp`` sees ``min(x, 0)``: for large positive ``x`` the unused branch would overflow to
    inf, and its zero gradient times inf would be nan."""
    neg = (input.clamp(max=0.0).exp() - 1) * alpha
    return _inplace(input, tt.where(input > 0, input, neg), inplace)


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """``x * sigmoid(x)`` (the swish)."""
    return _inplace(input, input * input.sigmoid(), inplace)


def sigmoid(input: Tensor) -> Tensor:
    """``1 / (1 + exp(-x))``."""
    return input.sigmoid()


def tanh(input: Tensor) -> Tensor:
    """Hyperbolic tangent."""
    return input.tanh()


def _softmax_dim(ndim: int) -> int:
    # PyTorch's legacy rule when no dim is given (it also warns): 0 for 0-, 1- and 3-D inputs.
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input: Tensor, dim: int | None = None, dtype: Any = None) -> Tensor:
    """``exp(x) / sum(exp(x))`` along ``dim`` (a fused, numerically stable primitive)."""
    return tt.softmax(input, _softmax_dim(input.ndim) if dim is None else dim, dtype=dtype)


def log_softmax(input: Tensor, dim: int | None = None, dtype: Any = None) -> Tensor:
    """``x - logsumexp(x)`` along ``dim`` (a fused, numerically stable primitive)."""
    return tt.log_softmax(input, _softmax_dim(input.ndim) if dim is None else dim, dtype=dtype)
