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

from typing import Any

import numpy as np

import tt_tensor as tt
from tt_autograd import Function, is_grad_enabled, records
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


class LinearFunction(Function):
    """``x @ W^T + b`` for a 2-D ``x`` as one autograd node (a fused primitive):
    ``apply(x, weight, bias_or_None)``.

    Forward: one matrix multiply (BLAS reads ``W`` transposed in place) and the bias added
    into the fresh product.  Backward: ``g @ W``, ``g^T @ x`` and ``g.sum(0)``, each only for an
    input that needs it: on the arrays for a plain backward, with tensor ops (recorded) under
    ``create_graph``, so gradients of gradients work.

    Why fused: the composed form records two nodes per layer (``matmul_t``, ``add``) and
    allocates the sum separately; on the MLP benchmark step every layer paid both.
    """

    @staticmethod
    def forward(ctx: Any, x: Tensor, weight: Tensor, bias: Tensor | None) -> Tensor:
        ctx.save_for_backward(x, weight)
        ctx.has_bias = bias is not None
        return tt.from_numpy(_affine(*_arrays(x, weight, bias)))

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> tuple[Tensor | None, Tensor | None, Tensor | None]:
        x, weight = ctx.saved_tensors
        wants_x, wants_w, wants_b = (n is not None for n in ctx.next)
        wants_b = wants_b and ctx.has_bias
        if not is_grad_enabled():  # a plain backward: on the arrays, wrapped once each
            ga, xa, wa = g.numpy(force=True), x.numpy(force=True), weight.numpy(force=True)
            return (
                tt.from_numpy(ga @ wa) if wants_x else None,
                tt.from_numpy(ga.T @ xa) if wants_w else None,
                tt.from_numpy(ga.sum(0)) if wants_b else None,
            )
        gx = matmul_t(g, weight, False, False) if wants_x else None  # create_graph: recorded
        gw = matmul_t(g, x, True, False) if wants_w else None
        gb = g.sum(0) if wants_b else None
        return gx, gw, gb


def _arrays(x: Tensor, weight: Tensor, bias: Tensor | None) -> tuple[Any, Any, Any]:
    """The operands' arrays (``None`` for a missing bias)."""
    b = None if bias is None else bias.numpy(force=True)
    return x.numpy(force=True), weight.numpy(force=True), b


def _affine(x: Any, w: Any, b: Any) -> Any:
    """``x @ w^T + b`` on arrays: one matrix multiply, the bias added into its fresh result."""
    out = np.matmul(x, w.T)
    if b is not None:
        out += b
    return out


def affine(input: Tensor, weight: Tensor, bias: Tensor | None) -> Tensor:
    """:func:`linear` without its shape check, for callers that already made it (``Linear``
    checks once, naming the layer).  A 2-D input of one float dtype takes the fused node, or,
    when no graph is wanted (inference), the arrays directly."""
    x, w, b = _arrays(input, weight, bias)
    same = w.dtype == x.dtype and (b is None or b.dtype == x.dtype)
    if x.ndim == 2 and same and x.dtype.kind == "f":
        if not records(input, weight, bias):
            return tt.from_numpy(_affine(x, w, b))
        fused: Tensor = LinearFunction.apply(input, weight, bias)
        return fused
    if not same:  # (checked only off the fast path above, where the dtypes already agree)
        if w.dtype != x.dtype:
            raise RuntimeError(
                f"linear: mat1 and mat2 must have the same dtype: expected input of dtype "
                f"{weight.dtype.name} (the weight's), got {input.dtype.name}"
            )
        assert bias is not None
        raise RuntimeError(
            f"linear: expected bias of dtype {input.dtype.name} (the input's and weight's), "
            f"got {bias.dtype.name}"
        )
    if input.ndim == 2:
        out = matmul_t(input, weight, False, True)
    else:  # (*, in): fold the leading dims into rows, multiply once, unfold
        shape = input.shape
        rows = input.reshape(-1, shape[-1])
        out = matmul_t(rows, weight, False, True).reshape(*shape[:-1], weight.shape[0])
    return out if bias is None else out + bias
