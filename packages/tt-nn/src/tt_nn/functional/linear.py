"""``linear``: the affine map ``y = x W^T + b`` of a fully connected layer.

**Shape**: ``x (*, in)``, ``W (out, in)``, ``b (out,)`` -> ``y (*, out)``.
**Cost**: ``2 * N * in * out`` FLOPs for ``N`` rows of ``x`` (one matrix multiply) plus ``N * out``
adds for the bias.
**Memory**: the output; autograd keeps ``x`` and ``W`` (both already alive) for backward.

The product is taken with ``W`` transposed by a flag (``matmul_t``), not by a transpose
view: one primitive and one graph node instead of two, in every layer of every step.

>>> import tt_tensor as tt
>>> from tt_nn.functional.linear import linear
>>> linear(tt.ones(2, 3), tt.ones(4, 3), tt.zeros(4)).shape
tt_tensor.Size([2, 4])
"""

from __future__ import annotations

from tt_tensor import Tensor
from tt_tensor.linalg import matmul_t

__all__ = ["linear"]


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``input @ weight.T + bias`` (``torch.nn.functional.linear``)."""
    if weight.ndim != 2 or input.ndim == 0 or input.shape[-1] != weight.shape[1]:
        raise RuntimeError(
            f"linear: input of shape {tuple(input.shape)} and weight of shape "
            f"{tuple(weight.shape)} cannot be multiplied: expected input (*, "
            f"{weight.shape[-1]}) and a 2-D weight"
        )
    return affine(input, weight, bias)


def affine(input: Tensor, weight: Tensor, bias: Tensor | None) -> Tensor:
    """:func:`linear` without its shape check, for callers that already made it (``Linear``
    checks once, naming the layer)."""
    if input.ndim == 2:
        out = matmul_t(input, weight, False, True)
    else:  # (*, in): fold the leading dims into rows, multiply once, unfold
        shape = input.shape
        rows = input.reshape(-1, shape[-1])
        out = matmul_t(rows, weight, False, True).reshape(*shape[:-1], weight.shape[0])
    return out if bias is None else out + bias
