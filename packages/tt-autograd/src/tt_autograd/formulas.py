"""Gradient formulas: one per differentiable primitive of tt-tensor.

Each formula receives the node (``ctx``: saved tensors, parameters, input shapes) and the
gradient of the primitive's output, and returns one gradient per input (``None`` where no
gradient is needed).  Formulas are written in tensor operations, so with ``create_graph=True``
they are themselves recorded and can be differentiated again (grad of grad).

Broadcasting: an input that was broadcast receives the sum of the gradient over the broadcast
dims (:func:`sum_to`).  The engine converts each gradient to its input's dtype.

Only primitives appear here; softmax, var, mean, ... are compositions and need nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

import tt_tensor as tt
from tt_tensor import Tensor
from tt_tensor.composite import log_softmax_backward
from tt_tensor.dispatch import PRIMITIVES, Primitive
from tt_tensor.elementwise import threshold_backward
from tt_tensor.indexing import gather_backward
from tt_tensor.linalg import matmul_t
from tt_tensor.reduction import sum_dims
from tt_tensor.shape import expand_to, unfold_backward

from .grad_mode import no_grad
from .node import Node, ViewNode

__all__ = ["NODE_CLASSES", "derivative", "sum_to"]

Grads = tuple[Tensor | None, ...]
Formula = Callable[[Node, Tensor], Grads]

NODE_CLASSES: dict[Primitive, type[Node]] = {}


def derivative(
    name: str, saves: tuple[int, ...] = (), needed_by: dict[int, int] | None = None
) -> Callable[[Formula], Formula]:
    """Register ``formula`` as the derivative of primitive ``name``.

    ``saves`` lists which inputs the formula reads (``-1``: the output).  ``needed_by`` maps a
    saved input to the one input whose gradient reads it: when that gradient is not needed the
    input is not saved (so a later in-place write to it is no error), as in PyTorch.  Creates
    the node class ``<Name>Backward0`` used as ``grad_fn``."""

    def register(formula: Formula) -> Formula:
        op = PRIMITIVES[name]
        cls_name = "".join(p.capitalize() for p in name.split("_")) + "Backward0"
        cls = type(
            cls_name,
            (ViewNode if op.view else Node,),  # a view's node keeps the view linked to its input
            {
                "__slots__": (),
                "formula": staticmethod(formula),
                "saves": saves,
                "needed_by": needed_by,
            },
        )
        NODE_CLASSES[op] = cls
        return formula

    return register


def sum_to(g: Tensor, shape: tuple[int, ...] | None) -> Tensor:
    """Sum ``g`` over the dims along which a tensor of ``shape`` was broadcast to ``g``'s
    shape.  Shape: ``g.shape -> shape``.  Cost: one pass over ``g`` (none if equal)."""
    assert shape is not None
    gs = g._data.shape
    if gs == shape:
        return g
    lead = len(gs) - len(shape)
    if gs[lead:] == shape:  # only new leading dims (a bias): one reduction, no reshape
        return sum_dims(g, tuple(range(lead)) if shape else None)
    dims = tuple(range(lead)) + tuple(
        i + lead for i, s in enumerate(shape) if s == 1 and gs[i + lead] != 1
    )
    if dims:
        g = sum_dims(g, dims if len(dims) < len(gs) else None, keepdim=True)
    return g.reshape(shape)


def _zeros(shape: tuple[int, ...], like: Tensor) -> Tensor:
    return tt.zeros(shape, dtype=like.dtype)


# ----------------------------------------------------------------------- arithmetic
@derivative("add")
def _add(ctx: Node, g: Tensor) -> Grads:
    return sum_to(g, ctx.shapes[0]) if ctx.next[0] is not None else None, (
        sum_to(g, ctx.shapes[1]) if ctx.next[1] is not None else None
    )


@derivative("add_scaled")
def _add_scaled(ctx: Node, g: Tensor) -> Grads:
    (alpha,) = ctx.params
    return sum_to(g, ctx.shapes[0]) if ctx.next[0] is not None else None, (
        sum_to(g * alpha, ctx.shapes[1]) if ctx.next[1] is not None else None
    )


@derivative("sub")
def _sub(ctx: Node, g: Tensor) -> Grads:
    return sum_to(g, ctx.shapes[0]) if ctx.next[0] is not None else None, (
        sum_to(-g, ctx.shapes[1]) if ctx.next[1] is not None else None
    )


@derivative("mul", saves=(0, 1), needed_by={0: 1, 1: 0})
def _mul(ctx: Node, g: Tensor) -> Grads:
    a, b = ctx.saved_tensors
    return sum_to(g * b, ctx.shapes[0]) if ctx.next[0] is not None else None, (
        sum_to(g * a, ctx.shapes[1]) if ctx.next[1] is not None else None
    )


@derivative("div", saves=(0, 1), needed_by={0: 1})
def _div(ctx: Node, g: Tensor) -> Grads:
    a, b = ctx.saved_tensors
    ga = sum_to(g / b, ctx.shapes[0]) if ctx.next[0] is not None else None
    # -g a / b^2 ordered as PyTorch does, (a / b) / b: b * b would overflow or vanish first
    gb = sum_to(-g * (a / b / b), ctx.shapes[1]) if ctx.next[1] is not None else None
    return ga, gb


@derivative("pow", saves=(0, 1, -1))
def _pow(ctx: Node, g: Tensor) -> Grads:
    a, b, out = ctx.saved_tensors
    ga = gb = None
    if ctx.next[0] is not None:
        if isinstance(b, Tensor):
            zero_exp = b == 0  # there a ** (b - 1) may be inf: keep 0 * inf (nan) out
            ga = tt.where(zero_exp, 0.0, g * b * a ** tt.where(zero_exp, 1.0, b - 1))
        else:
            ga = g * 0.0 if b == 0 else g * b * a ** (b - 1)
        ga = sum_to(ga, ctx.shapes[0])
    if ctx.next[1] is not None:
        # In the result's dtype: log of a float16 base under a float64 exponent loses digits.
        base = a.to(g.dtype) if isinstance(a, Tensor) else tt.tensor(float(a), dtype=g.dtype)
        zero_base = (base == 0) & (b >= 0) if isinstance(b, Tensor) else base == 0
        log_base = tt.where(zero_base, 1.0, base).log()  # no 0 * log(0): no nan, no warning
        gb = sum_to(tt.where(zero_base, 0.0, g * out * log_base), ctx.shapes[1])
    return ga, gb


def _ties(a: Any, b: Any, g: Tensor, loses: Callable[[Any, Any], Tensor]) -> Tensor:
    # PyTorch's rule: half on a tie, nothing where ``a`` loses, else all of it -- so where
    # either is NaN (no comparison holds) both operands get the whole gradient.
    return tt.where(a == b, g * 0.5, tt.where(loses(a, b), 0.0, g))


@derivative("maximum", saves=(0, 1))
def _maximum(ctx: Node, g: Tensor) -> Grads:
    a, b = ctx.saved_tensors
    ga = (
        sum_to(_ties(a, b, g, lambda x, y: x < y), ctx.shapes[0])
        if ctx.next[0] is not None
        else None
    )
    gb = (
        sum_to(_ties(b, a, g, lambda x, y: x < y), ctx.shapes[1])
        if ctx.next[1] is not None
        else None
    )
    return ga, gb


@derivative("minimum", saves=(0, 1))
def _minimum(ctx: Node, g: Tensor) -> Grads:
    a, b = ctx.saved_tensors
    ga = (
        sum_to(_ties(a, b, g, lambda x, y: x > y), ctx.shapes[0])
        if ctx.next[0] is not None
        else None
    )
    gb = (
        sum_to(_ties(b, a, g, lambda x, y: x > y), ctx.shapes[1])
        if ctx.next[1] is not None
        else None
    )
    return ga, gb


@derivative("floor_divide")
def _floor_divide(ctx: Node, g: Tensor) -> Grads:
    raise RuntimeError("derivative for floor_divide is not implemented (it is 0 almost everywhere)")


@derivative("remainder", saves=(0, 1))
def _remainder(ctx: Node, g: Tensor) -> Grads:
    a, b = ctx.saved_tensors
    ga = sum_to(g, ctx.shapes[0]) if ctx.next[0] is not None else None
    gb = None
    if ctx.next[1] is not None:
        # The quotient is piecewise constant (its derivative is 0): compute it unrecorded.
        with no_grad():
            q = tt.floor_divide(a, b)
        gb = sum_to(-g * q, ctx.shapes[1])
    return ga, gb


# ----------------------------------------------------------------------- unary
@derivative("neg")
def _neg(ctx: Node, g: Tensor) -> Grads:
    return (-g,)


@derivative("abs", saves=(0,))
def _abs(ctx: Node, g: Tensor) -> Grads:
    (a,) = ctx.saved_tensors
    return (g * a.sign(),)


@derivative("exp", saves=(-1,))
def _exp(ctx: Node, g: Tensor) -> Grads:
    (out,) = ctx.saved_tensors
    return (g * out,)


@derivative("log", saves=(0,))
def _log(ctx: Node, g: Tensor) -> Grads:
    (a,) = ctx.saved_tensors
    return (g / a,)


@derivative("log1p", saves=(0,))
def _log1p(ctx: Node, g: Tensor) -> Grads:
    (a,) = ctx.saved_tensors
    return (g / (a + 1),)


@derivative("sqrt", saves=(-1,))
def _sqrt(ctx: Node, g: Tensor) -> Grads:
    (out,) = ctx.saved_tensors
    return (g / (out * 2),)


@derivative("rsqrt", saves=(-1,))
def _rsqrt(ctx: Node, g: Tensor) -> Grads:
    (out,) = ctx.saved_tensors
    return (g * (out * out * out) * -0.5,)


@derivative("sin", saves=(0,))
def _sin(ctx: Node, g: Tensor) -> Grads:
    (a,) = ctx.saved_tensors
    return (g * a.cos(),)


@derivative("cos", saves=(0,))
def _cos(ctx: Node, g: Tensor) -> Grads:
    (a,) = ctx.saved_tensors
    return (-g * a.sin(),)


@derivative("tanh", saves=(-1,))
def _tanh(ctx: Node, g: Tensor) -> Grads:
    (out,) = ctx.saved_tensors
    return (g * (1 - out * out),)


@derivative("sigmoid", saves=(-1,))
def _sigmoid(ctx: Node, g: Tensor) -> Grads:
    (out,) = ctx.saved_tensors
    return (g * out * (1 - out),)


_TWO_OVER_SQRT_PI = 1.1283791670955126  # 2 / sqrt(pi)
_ERF_GRAD_CUT = 30.0  # exp(-30^2) underflows to 0 in every dtype; 30^2 fits float16


@derivative("erf", saves=(0,))
def _erf(ctx: Node, g: Tensor) -> Grads:
    # d/dx erf(x) = 2/sqrt(pi) * exp(-x^2).  Clamping x to [-30, 30] first changes no value
    # (the derivative, and the next one, are 0 beyond) but keeps x^2 from overflowing (a
    # NumPy warning) for float16 |x| > 256 or float32 |x| > 1.8e19.
    (a,) = ctx.saved_tensors
    a = a.clamp(-_ERF_GRAD_CUT, _ERF_GRAD_CUT)
    return (g * ((a * a).neg().exp() * _TWO_OVER_SQRT_PI),)


@derivative("relu", saves=(-1,))
def _relu(ctx: Node, g: Tensor) -> Grads:
    (out,) = ctx.saved_tensors
    return (threshold_backward(g, out),)


@derivative("threshold_backward", saves=(1,))
def _threshold_backward(ctx: Node, g: Tensor) -> Grads:
    # Linear in its gradient input; zero almost everywhere in ``out`` (no gradient there).
    (out,) = ctx.saved_tensors
    gg = threshold_backward(g, out) if ctx.next[0] is not None else None
    return gg, (tt.zeros_like(out) if ctx.next[1] is not None else None)


@derivative("sign")
def _sign(ctx: Node, g: Tensor) -> Grads:
    return (g * 0.0,)


@derivative("clamp", saves=(0,))
def _clamp(ctx: Node, g: Tensor) -> Grads:
    (a,) = ctx.saved_tensors
    lo, hi = ctx.params
    keep = None
    if lo is not None:
        keep = a >= lo
    if hi is not None:
        keep = (a <= hi) if keep is None else keep & (a <= hi)
    assert keep is not None
    return (tt.where(keep, g, 0.0),)


@derivative("where")
def _where(ctx: Node, g: Tensor) -> Grads:
    cond = tt.from_numpy(np.asarray(ctx.params[0]))
    ga = sum_to(tt.where(cond, g, 0.0), ctx.shapes[0]) if ctx.next[0] is not None else None
    gb = sum_to(tt.where(cond, 0.0, g), ctx.shapes[1]) if ctx.next[1] is not None else None
    return ga, gb


@derivative("cast")
def _cast(ctx: Node, g: Tensor) -> Grads:
    return (g,)  # the engine converts it back to the input's dtype


@derivative("softmax", saves=(-1,))
def _softmax(ctx: Node, g: Tensor) -> Grads:
    (y,) = ctx.saved_tensors
    (d,) = ctx.params
    return (y * (g - (g * y).sum(d, keepdim=True)),)


@derivative("log_softmax", saves=(-1,))
def _log_softmax(ctx: Node, g: Tensor) -> Grads:
    (y,) = ctx.saved_tensors
    (d,) = ctx.params
    return (log_softmax_backward(g, y, d),)


@derivative("log_softmax_backward", saves=(0, 1))
def _log_softmax_backward(ctx: Node, gg: Tensor) -> Grads:
    # out = g - e * S with e = exp(y), S = sum(g over dim):
    # d out / d g = I - e 1^T (within a slice), d out / d y = -diag(e * S).
    g, y = ctx.saved_tensors
    (d,) = ctx.params
    e = y.exp()
    dg = gg - (gg * e).sum(d, keepdim=True) if ctx.next[0] is not None else None
    dy = -(gg * e) * g.sum(d, keepdim=True) if ctx.next[1] is not None else None
    return dg, dy


# ----------------------------------------------------------------------- linear algebra
@derivative("matmul", saves=(0, 1))
def _matmul(ctx: Node, g: Tensor) -> Grads:
    a, b = ctx.saved_tensors
    # the common case: one product per gradient, no reshapes
    if a._data.ndim == 2 and b._data.ndim == 2:
        # out = op(a) @ op(b), op transposing where the flag is set (set only by these
        # formulas, when they are differentiated again): d op(a) = g @ op(b).T and
        # d op(b) = op(a).T @ g, transposed back where op transposed.
        ta, tb = ctx.params or (False, False)
        ga = gb = None
        if ctx.next[0] is not None:
            ga = matmul_t(b, g, tb, True) if ta else matmul_t(g, b, False, not tb)
        if ctx.next[1] is not None:
            gb = matmul_t(g, a, True, ta) if tb else matmul_t(a, g, not ta, False)
        return ga, gb
    a2 = a.unsqueeze(0) if a.ndim == 1 else a
    b2 = b.unsqueeze(-1) if b.ndim == 1 else b
    g2 = g
    if b.ndim == 1:  # before a's: for 1-D @ 1-D, g is 0-d and becomes (1, 1)
        g2 = g2.unsqueeze(-1)
    if a.ndim == 1:
        g2 = g2.unsqueeze(-2)
    ga = gb = None
    if ctx.next[0] is not None:
        ga = sum_to(g2 @ b2.mT, tuple(a2.shape)).reshape(tuple(a.shape))
    if ctx.next[1] is not None:
        gb = sum_to(a2.mT @ g2, tuple(b2.shape)).reshape(tuple(b.shape))
    return ga, gb


# ----------------------------------------------------------------------- reductions
def _keepdim_shape(shape: tuple[int, ...], dims: Any) -> tuple[int, ...]:
    if dims is None:
        return (1,) * len(shape)
    return tuple(1 if i in dims else s for i, s in enumerate(shape))


def _unreduce(g: Tensor, shape: tuple[int, ...], dims: Any, keepdim: bool) -> Tensor:
    """``g`` of a reduction's output shape, broadcast back over the reduced ``dims`` (a view)."""
    if dims is not None and not keepdim:  # put the reduced dims back as size 1 first
        g = g.reshape(_keepdim_shape(shape, dims))
    return expand_to(g, shape)  # (a full reduction's 0-d gradient expands directly)


@derivative("sum")
def _sum(ctx: Node, g: Tensor) -> Grads:
    dims, keepdim, _ = ctx.params
    return (_unreduce(g, ctx.shapes[0], dims, keepdim),)


@derivative("mean")
def _mean(ctx: Node, g: Tensor) -> Grads:
    # Divide the (small) output gradient before broadcasting it over the n inputs.
    dims, keepdim, n = ctx.params
    return (_unreduce(g / n, ctx.shapes[0], dims, keepdim),)


def _extreme(ctx: Node, g: Tensor) -> Grads:
    # The gradient is split evenly among the elements equal to the result.  Over one or more
    # dims (amax/amin, PyTorch's rule) a slice whose result is NaN matches no element: its
    # count is 0 and every element of it gets NaN.  Over the whole tensor (max()/min()) a NaN
    # result goes, split evenly, to the NaN elements (PyTorch's evenly_distribute_backward).
    a, out = ctx.saved_tensors
    dims, _ = ctx.params
    shape = ctx.shapes[0]
    assert shape is not None
    ks = _keepdim_shape(shape, dims)
    outk = out.reshape(ks)
    mask = a == outk
    if dims is None and bool(outk.isnan().all()):
        mask = a.isnan()
    count = mask.sum(dims, keepdim=True)
    if dims is not None and not bool(count.all()):  # a NaN slice (PyTorch's 0 / 0, unwarned)
        empty = count == 0
        gk = tt.where(mask, g.reshape(ks) / tt.where(empty, 1, count), 0.0)
        return (tt.where(empty, float("nan"), gk),)
    return (tt.where(mask, g.reshape(ks) / count, 0.0),)


derivative("amax", saves=(0, -1))(_extreme)
derivative("amin", saves=(0, -1))(_extreme)


@derivative("prod", saves=(0, -1))
def _prod(ctx: Node, g: Tensor) -> Grads:
    # d prod / d a_i is the product of the other elements of a_i's slice: out / a_i when the
    # slice has no zero.  With zeros, write the product of the others as (product over the
    # nonzero others) * (product over the zero others) and build each factor from tensor ops
    # that are exact where they are evaluated, so a second derivative (create_graph) is right:
    #   p / a1        with a1 = a where a != 0 else 1, p = prod(a1): the nonzero others;
    #   F             the zero others: 1 (no zero), s = sum of the zeros (one zero, not i),
    #                 and with two zeros s - a_i (i one of them) or e2 = (s^2 - sum a_z^2) / 2.
    # With three or more zeros every first and second derivative is 0: F is 0 * s.
    # Cost: a few passes over ``a`` on the zero path; one product and division otherwise.
    a, out = ctx.saved_tensors
    dims, _, _ = ctx.params
    shape = ctx.shapes[0]
    assert shape is not None
    ks = _keepdim_shape(shape, dims)
    gk = g.reshape(ks)
    zero = a == 0
    if not bool(zero.any()):
        return (gk * out.reshape(ks) / a,)
    a1 = tt.where(zero, 1.0, a)
    nonzero_others = a1.prod(None if dims is None else dims[0]).reshape(ks) / a1
    az = tt.where(zero, a, 0.0)  # value 0, but its gradient reaches the zeros
    s = az.sum(dims, keepdim=True)
    nz = zero.sum(dims, keepdim=True)
    e2 = (s * s - (az * az).sum(dims, keepdim=True)) * 0.5
    zero_others = tt.where(
        nz < 2,
        tt.where(zero | (nz == 0), 1.0, s),
        tt.where(nz == 2, tt.where(zero, s - az, e2), s * 0.0),
    )
    return (gk * (nonzero_others * zero_others),)


@derivative("cumsum")
def _cumsum(ctx: Node, g: Tensor) -> Grads:
    (d, _) = ctx.params
    if g.ndim == 0:
        return (g,)
    return (g.flip(d).cumsum(d).flip(d),)


# ----------------------------------------------------------------------- shape
@derivative("reshape")
def _reshape(ctx: Node, g: Tensor) -> Grads:
    return (g.reshape(ctx.shapes[0]),)


derivative("view")(_reshape)
derivative("contiguous")(lambda ctx, g: (g,))
derivative("clone")(lambda ctx, g: (g,))


@derivative("permute")
def _permute(ctx: Node, g: Tensor) -> Grads:
    (dims,) = ctx.params
    return (g.permute(tuple(int(i) for i in np.argsort(dims))),)


@derivative("expand")
def _expand(ctx: Node, g: Tensor) -> Grads:
    return (sum_to(g, ctx.shapes[0]),)


@derivative("flip")
def _flip(ctx: Node, g: Tensor) -> Grads:
    (dims,) = ctx.params
    return (g.flip(dims),)


@derivative("unfold")
def _unfold(ctx: Node, g: Tensor) -> Grads:
    d, size, step = ctx.params
    shape = ctx.shapes[0]
    assert shape is not None
    return (unfold_backward(g, shape, d, size, step),)


@derivative("unfold_backward")
def _unfold_backward(ctx: Node, g: Tensor) -> Grads:
    _, d, size, step = ctx.params
    return (g.unfold(d, size, step),)


@derivative("cat")
def _cat(ctx: Node, g: Tensor) -> Grads:
    (d,) = ctx.params
    return _cat_split(ctx, g, d)


def _cat_split(ctx: Node, g: Tensor, d: int) -> Grads:
    out: list[Tensor | None] = []
    start = 0
    for shape, edge in zip(ctx.shapes, ctx.next, strict=True):
        assert shape is not None
        stop = start + shape[d]
        out.append(g[(slice(None),) * d + (slice(start, stop),)] if edge is not None else None)
        start = stop
    return tuple(out)


@derivative("pad")
def _pad(ctx: Node, g: Tensor) -> Grads:
    widths, _ = ctx.params
    return (g[tuple(slice(lo, g.shape[i] - hi) for i, (lo, hi) in enumerate(widths))],)


# ----------------------------------------------------------------------- indexing
@derivative("getitem")
def _getitem(ctx: Node, g: Tensor) -> Grads:
    (idx,) = ctx.params
    shape = ctx.shapes[0]
    assert shape is not None
    return (tt.index_put(_zeros(shape, g), _as_index(idx), g, accumulate=True),)


def _as_index(idx: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(tt.from_numpy(i) if isinstance(i, np.ndarray) else i for i in idx)


@derivative("index_put")
def _index_put(ctx: Node, g: Tensor) -> Grads:
    idx, accumulate = ctx.params
    index = _as_index(idx)
    gx = gv = None
    if ctx.next[0] is not None:
        gx = g if accumulate else tt.index_put(g, index, _zeros((), g))
    if ctx.next[1] is not None:
        gv = sum_to(g[index], ctx.shapes[1])
    return gx, gv


@derivative("gather")
def _gather(ctx: Node, g: Tensor) -> Grads:
    index, d = ctx.params
    shape = ctx.shapes[0]
    assert shape is not None
    return (gather_backward(g, index, d, shape),)


@derivative("gather_backward")
def _gather_backward(ctx: Node, g: Tensor) -> Grads:
    index, d, _ = ctx.params
    return (g.gather(d, tt.from_numpy(index)),)  # gather and its adjoint are transposes


@derivative("scatter_add")
def _scatter_add(ctx: Node, g: Tensor) -> Grads:
    index, d = ctx.params
    gb = g if ctx.next[0] is not None else None
    gs = None
    if ctx.next[1] is not None:
        gs = g.gather(d, tt.from_numpy(index))
        src_shape = ctx.shapes[1]
        assert src_shape is not None
        if tuple(gs.shape) != src_shape:
            widths: list[int] = []
            for have, want in zip(reversed(gs.shape), reversed(src_shape), strict=True):
                widths += [0, want - have]
            gs = tt.pad(gs, widths)
    return gb, gs


def missing_formulas() -> list[str]:
    """Names of differentiable primitives that have no formula (should be empty)."""
    return sorted(
        name for name, op in PRIMITIVES.items() if op.differentiable and op not in NODE_CLASSES
    )
