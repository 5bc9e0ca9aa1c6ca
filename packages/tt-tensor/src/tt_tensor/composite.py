"""The softmax family and other composites: softmax, log_softmax, logsumexp, norm.

``logsumexp`` and ``norm`` are composed from primitives and need no gradient formula of their
own.  ``softmax`` and ``log_softmax`` started that way too (``exp(x - max) / sum``), but the bench
session showed the composition costing ~15 dispatches per call in a training step, so each is now
one *fused* primitive with its own formula (written in tensor ops, so it can be differentiated
twice).  All are numerically stable: the maximum along ``dim`` is subtracted before ``exp``, so
inputs of magnitude 1e4 (or any finite magnitude) give finite results.

**Shape**: ``softmax``/``log_softmax`` keep the shape; ``logsumexp`` reduces ``dim``.
**Cost**: about five passes over the input (max, subtract, exp, sum, divide or log).
**Memory**: autograd keeps the output (one input-sized buffer) for backward.

Systems question: why may the subtracted maximum be detached from the graph without changing
the gradient?
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .dispatch import Primitive, dispatch
from .elementwise import where, zero_safe_root
from .reduction import _dims, add_reduce, all_reduce, amax, amin, max_reduce, sum
from .shape import norm_dim
from .tensor import Tensor

__all__ = ["log_softmax", "logsumexp", "norm", "softmax"]


def _stable_max(x: Tensor, dim: Any) -> Tensor:
    # The shift cancels mathematically, so it carries no gradient (detach); infinities are
    # replaced by 0 so that inf - inf never produces nan.
    if x._data.size == 0:  # amax of an empty dim raises; a shift of 0 (an empty sum) will do
        return sum(x.detach(), dim, keepdim=True)
    m = amax(x.detach(), dim, keepdim=True)
    bad = ~m.isfinite()
    if bool(bad.any()):
        m = m.masked_fill(bad, 0.0)
    return m


def _shifted(x: Any, dim: int) -> tuple[Any, bool]:
    """``x - max(x)`` along ``dim``, and whether every max was finite: then no later step of
    softmax can overflow or form an invalid value, and the callers skip NumPy's error-state
    switch (~1.5 us a call).

    A slice whose max is ``+inf`` or nan becomes all nan (``inf - inf``, ``x - nan``), as in
    PyTorch: its softmax is undefined.  A slice of ``-inf`` only is shifted by 0 instead
    (``-inf - -inf`` would be nan too, and so is its ``0 / 0`` softmax)."""
    if x.size == 0:
        return x.copy(), False  # (the sum over an empty dim is 0: log warns)
    m = max_reduce(x, axis=dim, keepdims=True)
    finite = np.isfinite(m)
    if all_reduce(finite, axis=None):
        return x - m, x.dtype != np.float16  # float16 sums of exps may still overflow
    with np.errstate(invalid="ignore"):
        return x - np.where(m == -np.inf, 0, m), False


def _softmax(x: Any, dim: int) -> Any:
    s, clean = _shifted(x, dim)
    if clean:  # (an if, not a null context manager: that costs ~0.5 us a call)
        return _normalized(np.exp(s), dim)
    with np.errstate(all="ignore"):
        return _normalized(np.exp(s), dim)


def _normalized(e: Any, dim: int) -> Any:
    return e / add_reduce(e, axis=dim, keepdims=True)


def _log_softmax(x: Any, dim: int) -> Any:
    s, clean = _shifted(x, dim)
    if clean:
        return _log_normalized(s, dim)
    with np.errstate(all="ignore"):
        return _log_normalized(s, dim)


def _log_normalized(s: Any, dim: int) -> Any:
    return s - np.log(add_reduce(np.exp(s), axis=dim, keepdims=True))


def _log_softmax_backward(g: Any, y: Any, dim: int) -> Any:
    with np.errstate(all="ignore"):
        return g - np.exp(y) * add_reduce(g, axis=dim, keepdims=True)


SOFTMAX = Primitive("softmax", _softmax)
LOG_SOFTMAX = Primitive("log_softmax", _log_softmax)
LOG_SOFTMAX_BACKWARD = Primitive("log_softmax_backward", _log_softmax_backward)


def log_softmax_backward(g: Tensor, y: Tensor, dim: int) -> Tensor:
    """The gradient of ``log_softmax`` given its output ``y``: ``g - exp(y) * sum(g, dim)``.

    A fused primitive (four dispatches as a composition).  Shape: ``g``, ``y`` and the result
    share one shape; ``dim`` is already normalised."""
    return dispatch(LOG_SOFTMAX_BACKWARD, (g, y), (g._data, y._data), (dim,))


def softmax(x: Tensor, dim: int, dtype: Any = None) -> Tensor:
    """``exp(x) / sum(exp(x))`` along ``dim``; each slice sums to 1.

    A fused primitive; its gradient is ``y * (g - sum(g * y))`` with ``y`` the output."""
    if dtype is not None:
        x = x.to(dtype)
    x = _floating(x, "softmax")
    d = norm_dim(dim, x._data.ndim, "softmax")
    return dispatch(SOFTMAX, (x,), (x._data,), (d,))


def log_softmax(x: Tensor, dim: int, dtype: Any = None) -> Tensor:
    """``x - logsumexp(x)`` along ``dim``: log-probabilities, finite for large logits.

    A fused primitive; its gradient is ``g - exp(y) * sum(g)`` with ``y`` the output."""
    if dtype is not None:
        x = x.to(dtype)
    x = _floating(x, "log_softmax")
    d = norm_dim(dim, x._data.ndim, "log_softmax")
    return dispatch(LOG_SOFTMAX, (x,), (x._data,), (d,))


def logsumexp(x: Tensor, dim: Any, keepdim: bool = False) -> Tensor:
    """``log(sum(exp(x)))`` along ``dim``, computed as ``m + log(sum(exp(x - m)))``."""
    x = _floating(x, "logsumexp")
    m = _stable_max(x, dim)
    s = sum((x - m).exp(), dim, keepdim=True).log() + m
    if not keepdim:
        from .reduction import _dims

        dims = _dims(x, dim, "logsumexp")
        s = s.reshape(_reduced_shape(x._data.shape, dims))
    return s


def _reduced_shape(shape: tuple[int, ...], dims: tuple[int, ...] | None) -> tuple[int, ...]:
    if dims is None:
        return ()
    return tuple(s for i, s in enumerate(shape) if i not in dims)


def norm(x: Tensor, p: Any = 2, dim: Any = None, keepdim: bool = False) -> Tensor:
    """The vector p-norm ``(sum |x|^p)^(1/p)`` over ``dim`` (every dim for ``None``).

    ``p`` may be any float: ``inf`` gives max |x|, ``-inf`` min |x|, ``0`` the number of
    nonzeros, a negative ``p`` ``(sum |x|^p)^(1/p)`` (0 as soon as one element is 0); ``'fro'``
    and ``None`` mean 2.  float16 accumulates in float32 and rounds once, as PyTorch does
    (``[300, 400]`` has norm 500, not an overflowed square).  Composite: its gradient follows
    the pieces (0 for ``p = 0``, not differentiable)."""
    if p is None or p == "fro":
        p = 2
    if isinstance(p, str):
        raise RuntimeError(f"norm: p={p!r} is not supported (expected a number, 'fro' or None)")
    x = _floating(x, "norm")
    if x._data.dtype == np.float16:  # sums of squares overflow float16 at 256**2
        return norm(x.float(), p, dim, keepdim).to(np.float16)
    p = float(p)
    if p < 0 or p == float("inf"):  # max, min and 1/sum(1/...) have no empty identity
        dims = _dims(x, dim, "norm")
        shp = x._data.shape
        if any(shp[d] == 0 for d in (range(len(shp)) if dims is None else dims)):
            raise RuntimeError(
                f"norm: cannot compute the {p:g} norm on an empty tensor because the operation "
                "does not have an identity"
            )
    whole = () if dim is None else dim
    if p == float("inf"):
        return amax(x.abs(), whole, keepdim)
    if p == float("-inf"):
        return amin(x.abs(), whole, keepdim)
    if p == 0:
        return sum(x.detach().ne(0), dim, keepdim).to(x._data.dtype)
    if p == 1:
        return sum(x.abs(), dim, keepdim)
    if p < 0:
        # |0|^p is inf and the sum's root 0; the gradient through a zero would be 0 * inf
        # (nan), PyTorch's is 0: take the power of 1 there and put inf in afterwards.
        a = x.abs()
        zero = a == 0
        powered = where(zero, float("inf"), where(zero, 1.0, a) ** p)
        root: Tensor = sum(powered, dim, keepdim) ** (1.0 / p)
        return root
    # the root's derivative is infinite at a zero norm; PyTorch's gradient there is 0
    return zero_safe_root(sum(x * x if p == 2 else x.abs() ** p, dim, keepdim), p)


def _floating(x: Tensor, op: str) -> Tensor:
    if x._data.dtype.kind != "f":
        if op == "logsumexp":  # PyTorch computes it for bool/int inputs in float32
            return x.to(np.float32)
        # PyTorch refuses the others (softmax: NotImplementedError from its kernel lookup).
        err = RuntimeError if op == "norm" else NotImplementedError
        raise err(
            f"{op}: expected a floating point tensor, got {x.dtype.name} (convert it with "
            ".float() first)"
        )
    return x
