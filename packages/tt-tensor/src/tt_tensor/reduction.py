"""Reductions: sum, mean, var, std, max/min, argmax/argmin, prod, all/any, cumsum.

**Shape**: reducing over ``dim`` (an int, a tuple, or ``None`` for every dim) removes those
dims, or keeps them as size 1 with ``keepdim=True``: ``(N, C).sum(1) -> (N,)``,
``(N, C).sum(1, keepdim=True) -> (N, 1)``.  ``cumsum`` keeps the shape.

**Dtype**: like PyTorch, sums, products and cumulative sums of bool and integer tensors give
``int64``; ``mean``/``var``/``std`` need floating point.

**Cost**: one pass over the input (``numel`` adds or compares); the output is
``numel / prod(reduced sizes)`` elements.

Primitives here are ``sum``, ``mean``, ``amax``, ``amin``, ``argmax``, ``argmin``, ``prod``,
``all``, ``any`` and ``cumsum``; ``var``, ``std`` and ``max(dim)`` are composed from them.
(``mean`` was ``sum * (1 / n)`` until the bench showed the extra node in every loss.)
"""

from __future__ import annotations

import builtins
from typing import Any, NamedTuple

import numpy as np

from .dispatch import Primitive, dispatch
from .dtypes import to_numpy_dtype
from .shape import norm_dim, norm_dims, squeeze
from .tensor import Tensor

__all__ = [
    "all",
    "amax",
    "amin",
    "any",
    "argmax",
    "argmin",
    "cumsum",
    "max",
    "mean",
    "min",
    "prod",
    "std",
    "sum",
    "sum_dims",
    "var",
]

_I64 = np.dtype(np.int64)


class MaxMin(NamedTuple):
    """``(values, indices)`` returned by ``max(dim)`` and ``min(dim)``."""

    values: Tensor
    indices: Tensor


def _acc_dtype(x: Any, dtype: Any) -> Any:
    if dtype is not None:
        return dtype
    k = x.dtype.kind
    return _I64 if k in "iub" else None


# The ufuncs' own reductions, for kernels on arrays: np.sum, np.max and ndarray.min/max/all
# add a Python-level wrapper (~1-2 us a call, several calls in every loss and softmax).  Pass
# ``axis=None`` to reduce every dim (the ufuncs' default is axis 0).
add_reduce: Any = np.add.reduce
max_reduce: Any = np.maximum.reduce
min_reduce: Any = np.minimum.reduce
all_reduce: Any = np.logical_and.reduce


def _sum(x: Any, dims: Any, keepdim: bool, dtype: Any) -> Any:
    if x.dtype == np.float16 and dtype is None:  # accumulate in float32, like PyTorch
        return np.sum(x, axis=dims, keepdims=keepdim, dtype=np.float32).astype(np.float16)
    return add_reduce(x, axis=dims, keepdims=keepdim, dtype=dtype)


def _mean(x: Any, dims: Any, keepdim: bool, n: int) -> Any:
    # sum / n, as PyTorch computes it; float16 accumulates and divides in float32.
    acc = np.float32 if x.dtype == np.float16 else None
    s = add_reduce(x, axis=dims, keepdims=keepdim, dtype=acc)
    if n == 0:  # the mean of nothing is nan (without NumPy's 0/0 warning)
        return np.full(np.shape(s), np.nan, x.dtype)
    # ``/``, not np.true_divide: a full reduction's sum is a NumPy scalar, whose own division
    # costs a fraction of a ufunc call (the same IEEE division; n >= 1 raises no flag)
    return (s / n).astype(x.dtype, copy=False)


def _prod(x: Any, dims: Any, keepdim: bool, dtype: Any) -> Any:
    return np.prod(x, axis=dims, keepdims=keepdim, dtype=dtype)


def _cumsum(x: Any, dim: int, dtype: Any) -> Any:
    if x.ndim == 0:
        return x.astype(dtype) if dtype is not None else x.copy()
    if x.dtype == np.float16 and dtype is None:  # accumulate in float32, like PyTorch
        return np.cumsum(x, axis=dim, dtype=np.float32).astype(np.float16)
    return np.cumsum(x, axis=dim, dtype=dtype)


def _argext(fn: Any) -> Any:
    def run(x: Any, dim: int | None, keepdim: bool) -> Any:
        if dim is None:
            r = fn(x.reshape(-1), axis=0)
            return np.full((1,) * x.ndim, r, dtype=np.int64) if keepdim else np.int64(r)
        if x.ndim == 0:
            return np.zeros((), np.int64)
        return fn(x, axis=dim, keepdims=keepdim).astype(np.int64, copy=False)

    return run


SUM = Primitive("sum", _sum)
MEAN = Primitive("mean", _mean)
PROD = Primitive("prod", _prod)
AMAX = Primitive("amax", lambda x, dims, keepdim: np.max(x, axis=dims, keepdims=keepdim))
AMIN = Primitive("amin", lambda x, dims, keepdim: np.min(x, axis=dims, keepdims=keepdim))
ARGMAX = Primitive("argmax", _argext(np.argmax), differentiable=False)
ARGMIN = Primitive("argmin", _argext(np.argmin), differentiable=False)


def _logical(fn: Any) -> Any:
    def run(x: Any, dims: Any, keepdim: bool) -> Any:
        out = fn(x, axis=dims, keepdims=keepdim)
        return out.astype(np.uint8) if x.dtype == np.uint8 else out  # PyTorch keeps uint8

    return run


ALL = Primitive("all", _logical(np.all), differentiable=False)
ANY = Primitive("any", _logical(np.any), differentiable=False)
CUMSUM = Primitive("cumsum", _cumsum)


def _dims(x: Tensor, dim: Any, op: str) -> tuple[int, ...] | None:
    """Normalised reduction dims; ``None`` means every dim (an empty tuple does too)."""
    dims = norm_dims(dim, x._data.ndim, op)
    if not dims or len(dims) == x._data.ndim:
        return None
    return dims


def sum(x: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """Sum over ``dim``.  Bool/int inputs give int64.  Cost: numel adds."""
    dims = _dims(x, dim, "sum")
    dt = to_numpy_dtype(dtype, "sum") if dtype is not None else _acc_dtype(x._data, None)
    return dispatch(SUM, (x,), (x._data,), (dims, keepdim, dt))


def sum_dims(x: Tensor, dims: tuple[int, ...] | None, keepdim: bool = False) -> Tensor:
    """:func:`sum` over ``dims`` that are already normalised (distinct, non-negative, fewer
    than all; ``None`` for all), without checks: the entry point for gradient formulas."""
    return dispatch(SUM, (x,), (x._data,), (dims, keepdim, _acc_dtype(x._data, None)))


def mean(x: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """Arithmetic mean ``sum / n`` over ``dim`` (floating point only); the mean of zero
    elements is nan.  Cost: numel adds and one divide per output element."""
    if dtype is not None:
        x = x.to(dtype)
    if x._data.dtype.kind != "f":
        raise RuntimeError(
            "mean(): could not infer output dtype. Input dtype must be either a floating point "
            f"or complex dtype. Got: {x.dtype.name}"
        )
    dims = _dims(x, dim, "mean")
    n = _count(x, dims, "mean")
    return dispatch(MEAN, (x,), (x._data,), (dims, keepdim, n))


def _count(x: Tensor, dim: Any, op: str) -> int:
    dims = norm_dims(dim, x._data.ndim, op)
    shp = x._data.shape
    n = 1
    for d in dims if dims else range(len(shp)):  # None and () both mean every dim
        n *= shp[d]
    return n


def var(
    x: Tensor,
    dim: Any = None,
    unbiased: bool | None = None,
    keepdim: bool = False,
    *,
    correction: float | None = None,
) -> Tensor:
    """Variance ``sum((x - mean)^2) / (n - correction)`` over ``dim``.

    ``correction=1`` (the default, like PyTorch) is the unbiased estimator; ``unbiased=False``
    is ``correction=0``.  PyTorch's positional forms work too: ``var(dim, unbiased, keepdim)``
    and ``var(unbiased)``.  Composite (mean, sub, mul, sum, div): two passes over the input."""
    dim, correction = _correction("var", dim, unbiased, correction)
    if x._data.dtype.kind != "f":
        raise RuntimeError(f"var: expected a floating point tensor, got {x.dtype.name}")
    n = _count(x, dim, "var")
    mu = mean(x, dim, keepdim=True)
    d = x - mu
    s = sum(d * d, dim, keepdim)
    return s / float(n - correction if n - correction > 0 else 0)


def _correction(
    op: str, dim: Any, unbiased: bool | None, correction: float | None
) -> tuple[Any, float]:
    if isinstance(dim, bool):  # var(True): the legacy ``var(unbiased)`` form
        dim, unbiased = None, dim
    if unbiased is not None and correction is not None:
        raise RuntimeError(f"{op}: can't specify both unbiased and correction")
    if correction is None:
        correction = 0 if unbiased is False else 1
    return dim, correction


def std(
    x: Tensor,
    dim: Any = None,
    unbiased: bool | None = None,
    keepdim: bool = False,
    *,
    correction: float | None = None,
) -> Tensor:
    """Standard deviation: ``sqrt(var(...))`` with the same arguments; where the variance is 0
    (constant data) the gradient is 0, as in PyTorch (:func:`zero_safe_root`)."""
    from .elementwise import zero_safe_root

    return zero_safe_root(var(x, dim, correction=correction, keepdim=keepdim, unbiased=unbiased))


def _extreme(
    x: Tensor, dim: Any, keepdim: bool, op: str, prim: Primitive, arg_prim: Primitive
) -> Any:
    from .elementwise import maximum, minimum

    if isinstance(dim, Tensor):
        return (maximum if op == "max" else minimum)(x, dim)
    if dim is None:
        if x._data.size == 0:
            raise RuntimeError(
                f"{op}(): Expected reduction dim to be specified for input.numel() == 0. "
                "Specify the reduction dim with the 'dim' argument."
            )
        return dispatch(prim, (x,), (x._data,), (None, False))
    d = norm_dim(dim, x._data.ndim, op)
    if x._data.ndim and x._data.shape[d] == 0:
        raise IndexError(f"{op}(): Expected reduction dim {d} to have non-zero size.")
    from .indexing import gather

    idx = _arg(arg_prim, x, d, True)  # (bool input too, unlike argmax: PyTorch's max(dim))
    values = gather(x, d, idx) if x._data.ndim else x
    if not keepdim and x._data.ndim:
        values, idx = squeeze(values, d), squeeze(idx, d)
    return MaxMin(values, idx)


def max(x: Tensor, dim: Any = None, keepdim: bool = False) -> Any:
    """The largest element; with ``dim``, ``(values, indices)`` along it; with a tensor
    argument, the elementwise maximum.  Composite for ``dim``: argmax then gather, so the
    gradient goes to the selected index."""
    return _extreme(x, dim, keepdim, "max", AMAX, ARGMAX)


def min(x: Tensor, dim: Any = None, keepdim: bool = False) -> Any:
    """The smallest element; with ``dim``, ``(values, indices)``."""
    return _extreme(x, dim, keepdim, "min", AMIN, ARGMIN)


def amax(x: Tensor, dim: Any = (), keepdim: bool = False) -> Tensor:
    """Maximum over ``dim`` (``()`` = all).  The gradient is split evenly among ties."""
    dims = None if dim == () or dim is None else _dims(x, dim, "amax")
    _nonempty(x, dims, "amax")
    return dispatch(AMAX, (x,), (x._data,), (dims, keepdim))


def amin(x: Tensor, dim: Any = (), keepdim: bool = False) -> Tensor:
    """Minimum over ``dim`` (``()`` = all).  The gradient is split evenly among ties."""
    dims = None if dim == () or dim is None else _dims(x, dim, "amin")
    _nonempty(x, dims, "amin")
    return dispatch(AMIN, (x,), (x._data,), (dims, keepdim))


def _nonempty(x: Tensor, dims: Any, op: str) -> None:
    shp = x._data.shape
    if builtins.any(shp[d] == 0 for d in (range(len(shp)) if dims is None else dims)):
        raise IndexError(f"{op}(): Expected reduction dim to have non-zero size.")


def argmax(x: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    """Index (int64) of the first maximum along ``dim``, or in the flattened tensor (not of a
    bool tensor, as in PyTorch: ``max(dim)`` gives those)."""
    _no_bool(x, "argmax")
    return _arg(ARGMAX, x, dim, keepdim)


def argmin(x: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    """Index (int64) of the first minimum."""
    _no_bool(x, "argmin")
    return _arg(ARGMIN, x, dim, keepdim)


def _no_bool(x: Tensor, op: str) -> None:
    if x._data.dtype.kind == "b":
        raise RuntimeError(f"{op}(): does not support bool input")


def _arg(prim: Primitive, x: Tensor, dim: int | None, keepdim: bool) -> Tensor:
    d = None if dim is None else norm_dim(dim, x._data.ndim, prim.name)
    if x._data.size == 0:  # PyTorch: IndexError, and only when the reduced dim is empty
        if d is None:
            raise IndexError(
                f"{prim.name}(): Expected reduction dim to be specified for input.numel() == 0."
            )
        if x._data.shape[d] == 0:
            raise IndexError(f"{prim.name}(): Expected reduction dim {d} to have non-zero size.")
    return dispatch(prim, (x,), (x._data,), (d, keepdim))


def prod(x: Tensor, dim: int | None = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """Product over ``dim`` (one int, or all).  Bool/int inputs give int64."""
    dims = None if dim is None else (norm_dim(dim, x._data.ndim, "prod"),)
    if dims is not None and x._data.ndim == 0:
        dims = None
    dt = to_numpy_dtype(dtype, "prod") if dtype is not None else _acc_dtype(x._data, None)
    return dispatch(PROD, (x,), (x._data,), (dims, keepdim, dt))


def all(x: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    """Whether every element (along ``dim``) is nonzero; a bool tensor (uint8 for uint8
    input, as in PyTorch).  ``dim=()`` reduces nothing (unlike ``sum``): the elementwise
    truth of ``x``, same shape."""
    return dispatch(ALL, (x,), (x._data,), (_logical_dims(x, dim, "all"), keepdim))


def any(x: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    """Whether some element (along ``dim``) is nonzero; a bool tensor.  ``dim=()`` reduces
    nothing (see :func:`all`)."""
    return dispatch(ANY, (x,), (x._data,), (_logical_dims(x, dim, "any"), keepdim))


def _logical_dims(x: Tensor, dim: Any, op: str) -> tuple[int, ...] | None:
    # PyTorch's all/any read an empty dim list as "no dim" (NumPy's axis=()), where its sum
    # and mean read it as "every dim" (legacy).
    if isinstance(dim, (tuple, list)) and not dim:
        return ()
    return _dims(x, dim, op)


def cumsum(x: Tensor, dim: int, *, dtype: Any = None) -> Tensor:
    """Running sum along ``dim``: ``out[i] = x[0] + ... + x[i]``.  Bool/int give int64."""
    d = norm_dim(dim, x._data.ndim, "cumsum")
    dt = to_numpy_dtype(dtype, "cumsum") if dtype is not None else _acc_dtype(x._data, None)
    return dispatch(CUMSUM, (x,), (x._data,), (d, dt))
