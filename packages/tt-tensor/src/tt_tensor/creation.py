"""Creating tensors: from data, filled, ranges, identity, and the ``*_like`` forms.

Python floats become ``float32`` and Python ints ``int64`` (PyTorch's defaults); NumPy arrays
keep their dtype.  :func:`tensor` always copies; :func:`from_numpy` and :func:`as_tensor` share
memory when they can (zero copy).

**Cost**: filling writes ``numel`` elements; ``empty`` allocates without writing.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from .dtypes import (
    DEFAULT_FLOAT,
    DEFAULT_INT,
    _promote_np,
    from_numpy_dtype,
    scalar_to,
    to_numpy_dtype,
)
from .shape import shape_args
from .tensor import Tensor, _make

__all__ = [
    "arange",
    "as_tensor",
    "empty",
    "empty_like",
    "eye",
    "from_numpy",
    "full",
    "full_like",
    "linspace",
    "ones",
    "ones_like",
    "tensor",
    "zeros",
    "zeros_like",
]


def _finish(arr: np.ndarray[Any, Any], requires_grad: bool) -> Tensor:
    t = _make(arr)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _infer(data: Any, target: Any = None) -> np.ndarray[Any, Any]:
    """NumPy array for nested Python data with PyTorch's default dtypes (given the ``target``
    NumPy dtype, NumPy's own exact inference: the caller converts to ``target`` once, so
    ``tensor(0.3, dtype=float64)`` is not rounded through float32 first)."""
    defaults = target is None
    if isinstance(data, Tensor):
        return np.array(data._data)
    if isinstance(data, (list, tuple)) and any(isinstance(d, Tensor) for d in _flat(data)):
        data = _untensor(data)
    try:
        arr = np.array(data)
    except ValueError as e:
        _check_leaves(data)
        raise ValueError(f"tensor: {e}") from None
    if arr.dtype.kind not in "biuf":  # (the rare case: every supported dtype is one of these)
        _reject(data, arr, target)
    if defaults and not isinstance(data, (np.ndarray, np.generic)):
        if arr.dtype == np.uint64:  # ints in [2**63, 2**64): PyTorch reads ints as int64
            _check_int64(data)
        with np.errstate(over="ignore"):  # tensor(1e40) is inf in float32, as in PyTorch
            arr = arr.astype(_leaf_dtype(data, arr.dtype), copy=False)
    return arr


def _check_leaves(data: Any) -> None:
    """A level of nested lists mixing numbers and sequences (``[1, [2]]``) is a TypeError in
    PyTorch; sequences of different lengths (``[[1, 2], [3]]``) stay a ValueError."""
    level = [data]
    while level and all(isinstance(d, (list, tuple)) for d in level):
        level = [x for d in level for x in d]
        if {isinstance(x, (list, tuple)) for x in level} == {True, False}:
            raise TypeError(
                "tensor: expected a sequence or a number at each level of nested data, got a "
                "mix of both (e.g. [1, [2]])"
            )


def _reject(data: Any, arr: np.ndarray[Any, Any], target: Any) -> None:
    """The error for data NumPy read as something other than bool, int or float, in
    PyTorch's words and exception types."""
    if isinstance(data, np.ndarray):
        from_numpy_dtype(arr.dtype, "tensor")  # TypeError naming the dtype
    if arr.dtype == object:
        _check_leaves(data)
        _check_int64(data, target)  # NumPy holds ints beyond 64 bits as objects
    leaves = _flat(data) if isinstance(data, (list, tuple)) else [data]
    bad = [x for x in leaves if not isinstance(x, (int, float, np.bool_, np.number))]
    bad = bad or [x for x in leaves if isinstance(x, (complex, np.complexfloating))]
    if not bad:  # an object array of ints beyond int64, going into a float or bool dtype
        return
    if isinstance(bad[0], str):  # (a TypeError, as in PyTorch)
        raise TypeError(f"tensor: strings are not supported (got {bad[0]!r}; expected numbers)")
    name = type(bad[0]).__name__
    if target is None:
        raise RuntimeError(f"tensor: could not infer the dtype of {name} (got {bad[0]!r})")
    raise TypeError(f"tensor: expected real numbers, got {name} ({bad[0]!r})")


def _leaf_dtype(data: Any, found: np.dtype[Any]) -> Any:
    """PyTorch's dtype for nested Python data: every leaf has one (a Python float float32, an
    int int64, a bool bool, a NumPy scalar or array its own) and they promote like tensors:
    ``[np.float64(1), 2.5]`` is float64, ``[np.int32(1), 2.5]`` float32."""
    leaves = _flat(data) if isinstance(data, (list, tuple)) else [data]
    arrays = [x for x in leaves if isinstance(x, (np.generic, np.ndarray))]
    if not arrays:  # Python numbers only: NumPy found the category, PyTorch's default the width
        return DEFAULT_FLOAT if found.kind == "f" else DEFAULT_INT if found.kind in "iu" else found
    dtypes = {x.dtype for x in arrays}
    dtypes |= {_PY_DTYPES[type(x)] for x in leaves if type(x) in _PY_DTYPES}
    out = dtypes.pop()
    for dt in dtypes:
        out = _promote_np(out, dt)
    return out


_PY_DTYPES = {bool: np.dtype(np.bool_), int: DEFAULT_INT, float: DEFAULT_FLOAT}


def _flat(data: Any) -> list[Any]:
    out: list[Any] = []
    stack = [data]
    while stack:
        d = stack.pop()
        if isinstance(d, (list, tuple)):
            stack.extend(d)
        else:
            out.append(d)
    return out


def _untensor(data: Any) -> Any:
    if isinstance(data, Tensor):
        if data._data.size != 1:  # PyTorch reads each tensor of a list as a Python number
            raise ValueError(
                "tensor: only one element tensors can be converted to Python scalars (got a "
                f"tensor of shape {tuple(data._data.shape)} in a list; use tt.stack)"
            )
        return data._data.reshape(())  # (a one-element tensor of any shape is one number)
    if isinstance(data, (list, tuple)):
        return [_untensor(d) for d in data]
    return data


def _check_int64(data: Any, target: Any = None) -> None:
    """PyTorch reads Python ints as int64 (NumPy would make the array uint64 or object, so only
    those are scanned): a bigger one raises, unless the ``target`` dtype is a float or bool one,
    which PyTorch converts the int to directly (``tensor(2**70, dtype=float64)``)."""
    if target is not None and target.kind in "fb":
        return
    leaves = _flat(data) if isinstance(data, (list, tuple)) else [data]
    for v in leaves:
        if type(v) is int and not -(2**63) <= v < 2**63:
            raise ValueError(f"tensor: Overflow when unpacking long long: {v} does not fit int64")


def _check_range(arr: np.ndarray[Any, Any], dt: np.dtype[Any]) -> None:
    """Python numbers into an integer dtype: nan, inf and values out of range raise, by the
    rule of a single number (:func:`~tt_tensor.dtypes.scalar_to`) applied to the extremes."""
    if arr.dtype.kind == "f" and not np.isfinite(arr).all():
        scalar_to(arr[~np.isfinite(arr)].flat[0].item(), dt, "tensor")
    scalar_to(arr.min().item(), dt, "tensor")
    scalar_to(arr.max().item(), dt, "tensor")


def tensor(
    data: Any, *, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    """A new tensor holding a copy of ``data`` (a number, nested lists, an array or a tensor).

    >>> import tt_tensor as tt
    >>> tt.tensor([[1, 2], [3, 4]]).dtype
    tt_tensor.int64
    >>> tt.tensor([0.5]).dtype
    tt_tensor.float32
    """
    target = None if dtype is None else to_numpy_dtype(dtype, "tensor")
    python_data = not isinstance(data, (np.ndarray, np.generic, Tensor))
    arr = _infer(data, target)
    if python_data and arr.dtype == np.uint64 and target is not None:
        _check_int64(data, target)  # NumPy holds ints in [2**63, 2**64) as uint64
    if target is not None:
        if python_data and target.kind in "iu" and arr.size:
            _check_range(arr, target)
        with np.errstate(over="ignore"):  # 1e6 into float16 is inf, as in PyTorch
            arr = arr.astype(target)  # (an object array: ints beyond int64 into a float/bool)
    else:
        from_numpy_dtype(arr.dtype, "tensor")
    return _finish(np.array(arr, copy=True, order="C"), requires_grad)


def as_tensor(data: Any, dtype: Any = None, device: Any = None) -> Tensor:
    """Like :func:`tensor` but shares memory with a tensor or NumPy array of the right dtype."""
    if isinstance(data, Tensor):
        return data if dtype is None else data.to(dtype)
    if isinstance(data, np.ndarray) and (dtype is None or to_numpy_dtype(dtype) == data.dtype):
        return from_numpy(data)
    return tensor(data, dtype=dtype)


def from_numpy(arr: np.ndarray[Any, Any]) -> Tensor:
    """A tensor sharing ``arr``'s memory (zero copy): writes to either show in both."""
    if not isinstance(arr, np.ndarray):
        raise TypeError(f"from_numpy: expected np.ndarray (got {type(arr).__name__})")
    from_numpy_dtype(arr.dtype, "from_numpy")
    return _make(arr)


def _dtype(dtype: Any, default: Any = DEFAULT_FLOAT) -> Any:
    return default if dtype is None else to_numpy_dtype(dtype)


def _size(size: tuple[Any, ...], op: str, keyword: Any = None) -> tuple[int, ...]:
    """The shape given as varargs (``zeros(2, 3)``), one sequence (``zeros((2, 3))``, a list or
    a :class:`Size`) or the ``size=`` keyword; sizes must be ints (or 0-d integer arrays and
    tensors) and non-negative.  (``zeros()`` with no size is 0-d here; PyTorch raises.)"""
    if keyword is not None:
        if size:
            raise TypeError(f"{op}: got the size both positionally and as size=")
        size = (keyword,)
    shp = shape_args(size)
    if any(s < 0 for s in shp):
        raise RuntimeError(f"{op}: trying to create tensor with negative dimension: {list(shp)}")
    return shp


def zeros(
    *shape: Any,
    size: Any = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """A tensor of zeros (float32 unless ``dtype`` is given).

    Shape: the ints given, one tuple/list/:class:`Size`, or ``size=``.  Cost: allocates and
    writes ``numel`` elements (new memory)."""
    return _finish(np.zeros(_size(shape, "zeros", size), _dtype(dtype)), requires_grad)


def ones(
    *shape: Any,
    size: Any = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """A tensor of ones; shape and cost as :func:`zeros`."""
    return _finish(_ones(_size(shape, "ones", size), _dtype(dtype)), requires_grad)


def empty(
    *shape: Any,
    size: Any = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """An uninitialised tensor (its values are whatever memory held); shape as :func:`zeros`.
    Cost: allocates without writing."""
    return _finish(np.empty(_size(shape, "empty", size), _dtype(dtype)), requires_grad)


def _fill_dtype(value: Any) -> Any:
    if isinstance(value, (bool, np.bool_)):
        return np.dtype(np.bool_)
    if isinstance(value, (int, np.integer)):  # np.int32(3) too: PyTorch gives int64
        return DEFAULT_INT
    return DEFAULT_FLOAT


def full(
    size: Sequence[int],
    fill_value: Any,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """A tensor of shape ``size`` filled with ``fill_value`` (a number or 0-d tensor; the dtype
    is inferred from it: bool, int64 or float32).  Cost: writes ``numel`` elements."""
    fill_value = _number(fill_value, "full", "fill_value")
    dt = _dtype(dtype, _fill_dtype(fill_value))
    # Converted like PyTorch: -1 into uint8 wraps to 255, 300 or nan into an int raises.
    fill = scalar_to(fill_value, dt, "full")
    return _finish(np.full(_size((size,), "full"), fill, dt), requires_grad)


def arange(
    start: Any = None,
    end: Any = None,
    step: Any = 1,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """``start, start + step, ...`` up to but excluding ``end`` (int64 if all are ints).

    Into an integer ``dtype`` with fractional bounds, PyTorch's rules: int64 truncates
    ``start``, ``end`` and ``step`` first (a step below 1 is then 0 and raises); the other
    integer dtypes count ``ceil((end - start) / step)`` values and truncate ``start`` and
    ``step`` (``arange(1, 2.5, 0.5, dtype=int32)`` is ``[1, 1, 1]``).

    Shape: ``(ceil((end - start) / step),)``.  Cost: writes that many elements (new memory).
    Bounds may be numbers or 0-d tensors; a bool ``dtype`` raises (PyTorch has no bool kernel
    and raises NotImplementedError)."""
    if start is None and end is None:
        raise TypeError("arange: missing the end of the range")
    if end is None:
        start, end = 0, start
    elif start is None:
        start = 0
    start, end, step = (_number(v, "arange") for v in (start, end, step))
    if step == 0 or step != step:  # (nan)
        raise RuntimeError(f"arange: step must be nonzero, got {step}")
    if not (math.isfinite(start) and math.isfinite(end)):
        raise RuntimeError(f"arange: unsupported range: {start} -> {end}")
    if (end - start) * step < 0:
        raise RuntimeError(
            f"arange: upper bound and larger bound inconsistent with step sign "
            f"(start={start}, end={end}, step={step})"
        )
    ints = all(isinstance(v, (int, np.integer)) for v in (start, end, step))
    dt = _dtype(dtype, DEFAULT_INT if ints else DEFAULT_FLOAT)
    _no_bool(dt, "arange")
    if not ints and dt.kind in "iu":
        if dt == np.int64:
            start, end, step = int(start), int(end), int(step)  # (toward zero)
            if step == 0:
                raise ValueError("arange: step must be nonzero (after truncation to int64)")
            n = max(0, -((start - end) // step))  # ceil((end - start) / step) in ints
        else:
            n = int(np.ceil((end - start) / step))
            start, step = int(start), int(step)
        return _finish((start + np.arange(n, dtype=np.int64) * step).astype(dt), requires_grad)
    n = int(np.ceil((end - start) / step))
    arr = (start + np.arange(n, dtype=np.float64 if not ints else np.int64) * step).astype(dt)
    return _finish(arr, requires_grad)


def linspace(
    start: float,
    end: float,
    steps: int,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end`` inclusive (float32 unless
    ``dtype`` is given; bounds may be numbers or 0-d tensors; a bool ``dtype`` raises, as in
    PyTorch).  Shape: ``(steps,)``.  Cost: writes ``steps`` elements (new memory)."""
    if steps < 0:
        raise RuntimeError("linspace: number of steps must be non-negative")
    start, end = _number(start, "linspace"), _number(end, "linspace")
    dt = _dtype(dtype)
    if steps > 1:  # (PyTorch's bool kernel is missing; 0 or 1 steps never reach it)
        _no_bool(dt, "linspace")
    if dt.kind == "f":  # a bound beyond the dtype's range raises (1e5 into float16)
        scalar_to(start, dt, "linspace")
        scalar_to(end, dt, "linspace")
    arr = np.linspace(start, end, steps).astype(dt)
    return _finish(arr, requires_grad)


def _number(v: Any, op: str, what: str = "a range bound") -> Any:
    """A real number, or a 0-d tensor read as one (as PyTorch reads a Number argument: a 0-d
    int tensor gives an int); anything else is a ``TypeError`` naming ``what``."""
    if isinstance(v, Tensor):
        if v._data.ndim:
            raise TypeError(
                f"{op}: {what} must be a number or a 0-d tensor, got a tensor of shape "
                f"{tuple(v._data.shape)}"
            )
        return v._data.item()
    if not isinstance(v, (int, float, np.bool_, np.number)) or isinstance(v, np.complexfloating):
        raise TypeError(f"{op}: {what} must be a real number, got {type(v).__name__}")
    return v


def _no_bool(dt: Any, op: str) -> None:
    if dt.kind == "b":
        raise RuntimeError(f"{op}: not implemented for dtype bool (expected a number dtype)")


def eye(
    n: int,
    m: int | None = None,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """The ``n x m`` identity matrix (``m`` defaults to ``n``)."""
    if n < 0 or (m is not None and m < 0):
        raise RuntimeError(f"eye: n and m must be non-negative, got {n} and {m}")
    return _finish(np.eye(n, m, dtype=_dtype(dtype)), requires_grad)


def _ones(shape: Any, dtype: Any) -> Any:
    # What np.ones does, as two C calls instead of its Python wrapper (~0.6 us less: every
    # backward() of a scalar loss starts from ones_like(loss)).
    arr = np.empty(shape, dtype)
    arr.fill(1)
    return arr


def _like(x: Tensor, dtype: Any, op: str) -> Any:
    try:
        return x._data.dtype if dtype is None else to_numpy_dtype(dtype, op)
    except AttributeError:
        raise TypeError(f"{op}: expected a Tensor, got {type(x).__name__}") from None


# The *_like forms: shape ``x.shape``, dtype ``x``'s unless ``dtype`` is given, new
# row-major memory (PyTorch would keep a transposed ``x``'s strides); cost as the plain forms.
def zeros_like(
    x: Tensor, *, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    """Zeros with ``x``'s shape and dtype (new memory; writes ``numel`` elements)."""
    dt = _like(x, dtype, "zeros_like")  # (first: it checks that x is a tensor)
    return _finish(np.zeros(x._data.shape, dt), requires_grad)


def ones_like(
    x: Tensor, *, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    """Ones with ``x``'s shape and dtype (new memory; writes ``numel`` elements)."""
    dt = _like(x, dtype, "ones_like")  # (first: it checks that x is a tensor)
    return _finish(_ones(x._data.shape, dt), requires_grad)


def empty_like(
    x: Tensor, *, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    """Uninitialised, with ``x``'s shape and dtype (new memory, not written)."""
    dt = _like(x, dtype, "empty_like")  # (first: it checks that x is a tensor)
    return _finish(np.empty(x._data.shape, dt), requires_grad)


def full_like(
    x: Tensor,
    fill_value: Any,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """``fill_value`` with ``x``'s shape and dtype (new memory; writes ``numel`` elements).
    The value converts as in :func:`full`: 300 or nan into an integer dtype raises."""
    dt = _like(x, dtype, "full_like")
    fill = scalar_to(_number(fill_value, "full_like", "fill_value"), dt, "full_like")
    return _finish(np.full(x._data.shape, fill, dt), requires_grad)
