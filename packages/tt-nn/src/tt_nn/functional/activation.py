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

import warnings
from typing import Any

import tt_tensor as tt
from tt_tensor import Tensor

from .normalization import check_floating

__all__ = [
    "elu",
    "elu_",
    "leaky_relu",
    "leaky_relu_",
    "log_softmax",
    "relu",
    "relu_",
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


def relu_(input: Tensor) -> Tensor:
    """``relu(input, inplace=True)``: ``input`` overwritten with ``max(x, 0)`` and returned."""
    return relu(input, inplace=True)


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """``x`` where ``x > 0``, else ``negative_slope * x``."""
    check_floating("leaky_relu", input)
    return _inplace(input, tt.where(input > 0, input, input * negative_slope), inplace)


def leaky_relu_(input: Tensor, negative_slope: float = 0.01) -> Tensor:
    """``leaky_relu(input, negative_slope, inplace=True)``."""
    return leaky_relu(input, negative_slope, inplace=True)


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """``x`` where ``x > 0``, else ``alpha * (exp(x) - 1)``.

    ``exp`` sees ``min(x, 0)`` (written ``where(x > 0, 0, x)``): for large positive ``x`` the
    unused branch would overflow to inf, and its zero gradient times inf would be nan.  No op
    here saves ``x`` itself for backward (``where`` keeps the mask, ``exp`` its output), so
    ``inplace=True`` can overwrite ``x`` and still be differentiated.

    **Shape**: any, kept.  **Cost**: about five elementwise passes.  **Memory**: autograd
    keeps the bool mask ``x > 0`` and ``exp(min(x, 0))``.
    """
    check_floating("elu", input)
    pos = input > 0
    neg = (tt.where(pos, 0.0, input).exp() - 1) * alpha
    return _inplace(input, tt.where(pos, input, neg), inplace)


def elu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    """``elu(input, alpha, inplace=True)``."""
    return elu(input, alpha, inplace=True)


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """``x * sigmoid(x)`` (the swish).

    The product's backward needs the original ``x``; with ``inplace=True`` on an input that
    requires grad it is computed from a copy of ``x`` (what PyTorch's ``silu_`` saves too).

    **Shape**: any, kept.  **Cost**: two elementwise passes (plus one copy in place with
    grad).  **Memory**: autograd keeps ``x`` and ``sigmoid(x)``.
    """
    check_floating("silu", input)
    x = input.clone() if inplace and input.requires_grad else input
    return _inplace(input, x * x.sigmoid(), inplace)


def sigmoid(input: Tensor) -> Tensor:
    """``1 / (1 + exp(-x))``."""
    return input.sigmoid()


def tanh(input: Tensor) -> Tensor:
    """Hyperbolic tangent."""
    return input.tanh()


def _softmax_dim(op: str, ndim: int) -> int:
    """PyTorch's legacy rule when no dim is given: 0 for 0-, 1- and 3-D inputs, else 1; it
    warns (a ``UserWarning``) that the implicit choice is deprecated, and so do we."""
    warnings.warn(
        f"Implicit dimension choice for {op} has been deprecated. Change the call to include "
        "dim=X as an argument.",
        stacklevel=3,
    )
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input: Tensor, dim: int | None = None, dtype: Any = None) -> Tensor:
    """``exp(x) / sum(exp(x))`` along ``dim`` (a fused, numerically stable primitive);
    ``dim=None`` picks a dim by PyTorch's deprecated rule, with its warning."""
    return tt.softmax(
        input, _softmax_dim("softmax", input.ndim) if dim is None else dim, dtype=dtype
    )


def log_softmax(input: Tensor, dim: int | None = None, dtype: Any = None) -> Tensor:
    """``x - logsumexp(x)`` along ``dim`` (a fused, numerically stable primitive);
    ``dim=None`` as in :func:`softmax`."""
    d = _softmax_dim("log_softmax", input.ndim) if dim is None else dim
    return tt.log_softmax(input, d, dtype=dtype)
