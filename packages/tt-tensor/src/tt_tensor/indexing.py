"""Indexing: ``t[...]``, item assignment, gather, scatter-add and index_select.

**Shape and memory** (NumPy's rules, which PyTorch shares):

* *basic* indices (ints, slices with positive steps, ``None``, ``...``) give a **view**: no
  element is copied and writes through it change the original;
* *advanced* indices (integer tensors, bool masks, lists) give a **copy** whose shape is the
  broadcast shape of the index tensors (a bool mask selects ``mask.sum()`` elements).

**Cost**: a view costs O(ndim); a copy touches each selected element once.  The backward of an
index adds the gradient into a zero tensor of the input's shape; with advanced indices repeated
positions accumulate (scatter-add, via ``np.bincount``/``np.add.at``).
"""

from __future__ import annotations

import builtins
import functools
from typing import Any

import numpy as np

from .dispatch import Primitive, dispatch, dispatch_inplace
from .dtypes import scalar_to
from .elementwise import cast
from .reduction import max_reduce, min_reduce
from .shape import norm_dim
from .tensor import Tensor, _make

__all__ = [
    "copy_",
    "fill_",
    "gather",
    "getitem",
    "index_put",
    "index_select",
    "scatter_add",
    "setitem",
]


def _convert_index(index: Any, x: Tensor, op: str) -> Any:
    """Turn tensors in an index into NumPy arrays and reject what PyTorch rejects."""
    items = index if isinstance(index, tuple) else (index,)
    out: list[Any] = []
    arrays = False  # any index array (a tensor or a list)?
    for item in items:
        if isinstance(item, Tensor):
            arr = item._data
            if arr.dtype.kind not in "iub" or (arr.dtype.itemsize < 4 and arr.dtype.kind == "i"):
                raise IndexError(
                    f"{op}: tensors used as indices must be long, int, byte or bool tensors, "
                    f"got {item.dtype}"
                )
            if arr.dtype.kind == "u" and arr.dtype.itemsize == 1:
                arr = arr.astype(bool)  # PyTorch treats uint8 index tensors as masks
            elif arr.ndim == 0 and arr.dtype.kind in "iu":
                out.append(int(arr))  # a 0-d integer tensor indexes like an int (a view)
                continue
            out.append(arr)
            arrays = True
        elif isinstance(item, slice):
            if item.step is not None and item.step <= 0:
                raise ValueError(f"{op}: slice step must be positive, got {item.step}")
            out.append(item)
        elif isinstance(item, list):
            out.append(np.asarray(item))
            arrays = True
        elif isinstance(item, np.ndarray):
            # A NumPy index array (e.g. the saved index of getitem's gradient) indexes like a
            # tensor: 0-d integers as ints, uint8 as a mask, other integers at any width.
            if item.dtype.kind in "iu" and item.ndim == 0:
                out.append(int(item))
                continue
            if item.dtype == np.uint8:
                item = item.astype(bool)
            out.append(item.astype(np.intp) if item.dtype.kind in "iu" else item)
            arrays = True
        elif isinstance(item, float):
            raise IndexError(
                f"{op}: only integers, slices, None, Ellipsis, integer or bool tensors are "
                "valid indices, got a float"
            )
        else:
            out.append(item)
    idx = tuple(out)
    if not arrays or len(idx) == 1:
        return idx
    # Only an index mixing arrays with other items can need PyTorch's order.  There a Python
    # bool is an advanced index (a 0-d mask) to both libraries: as an array it is placed so.
    idx = tuple(np.array(i) if i is True or i is False else i for i in idx)
    return _torch_order(idx, x._data.ndim)


class _MovedIndex(tuple):  # type: ignore[type-arg]
    """An index whose advanced-index dims go at ``at`` (``ndim`` of them), where NumPy would
    put them first: the index mixes ints and index arrays separated by a slice (see
    :func:`_torch_order`)."""

    at: int
    ndim: int


def _torch_order(idx: tuple[Any, ...], ndim: int) -> tuple[Any, ...]:
    """Mark the one kind of index where PyTorch and NumPy place the advanced dims differently.

    NumPy counts an int as an advanced index; PyTorch applies the ints first (a select) and
    then looks at the index arrays alone.  ``x[0, :, [0, 1]]`` of a ``(2, 3, 4)`` tensor: NumPy
    sees advanced indices split by a slice and puts their dims first, ``(2, 3)``; PyTorch sees
    one index array after a slice and keeps its place, ``(3, 2)``.  Only when the arrays form
    one run without the ints but not with them do the two differ; every other index is
    returned unchanged (one scan of the index)."""
    arrays = [k for k, i in enumerate(idx) if isinstance(i, np.ndarray)]
    if not arrays:
        return idx
    ints = {k for k, i in enumerate(idx) if _is_int(i)}
    if not ints:
        return idx
    adv = ints.union(arrays)
    first, last = arrays[0], arrays[-1]
    if not all(k in adv for k in range(first, last + 1)):
        return idx  # arrays split by a slice, None or ...: both put the index dims first
    if all(k in adv for k in range(min(adv), max(adv) + 1)):
        return idx  # ints and arrays in one run: the same place for both
    at = 0  # the index dims go where the first array stands once the ints are dropped
    for i in idx[:first]:
        if i is Ellipsis:
            at += ndim - sum(_consumed(j) for j in idx)
        elif not _is_int(i):
            at += 1  # a slice or None gives one result dim
    moved = _MovedIndex(idx)
    moved.at = at
    moved.ndim = max(1 if idx[k].dtype == bool else idx[k].ndim for k in arrays)
    return moved


def _is_int(i: Any) -> bool:
    return isinstance(i, (int, np.integer)) and not isinstance(i, bool)


def _consumed(i: Any) -> int:
    """How many dims of the indexed tensor one index item uses up."""
    if isinstance(i, np.ndarray):
        return i.ndim if i.dtype == bool else 1
    return 1 if isinstance(i, slice) or _is_int(i) else 0


def _is_basic(index: tuple[Any, ...]) -> bool:
    return all(isinstance(i, (slice, int, np.integer, type(None))) or i is Ellipsis for i in index)


def _getitem(x: Any, idx: tuple[Any, ...]) -> Any:
    if type(idx) is _MovedIndex:  # NumPy put the index dims first, PyTorch keeps their place
        out = x[tuple(idx)]
        return np.moveaxis(out, range(idx.ndim), range(idx.at, idx.at + idx.ndim))
    out = x[idx]
    if type(out) is not np.ndarray:  # all ints: NumPy copies out a scalar, PyTorch gives a
        out = x[(*idx, Ellipsis)]  # 0-d view (writes through it must reach x)
    return out


GETITEM = Primitive("getitem", _getitem, view=True)


def _index_put(x: Any, v: Any, idx: Any, accumulate: bool) -> Any:
    out = x.copy()
    _index_put_into(out, v, idx, accumulate)
    return out


def _index_put_into(out: Any, v: Any, idx: Any, accumulate: bool) -> None:
    if type(idx) is _MovedIndex:  # v is laid out PyTorch's way: move the index dims first
        v = np.asarray(v)
        rest = out.ndim - sum(_consumed(i) for i in idx)  # dims left to slices and the end
        rest += sum(i is None or isinstance(i, (slice, bool)) for i in idx)
        v = v.reshape((1,) * max(0, rest + idx.ndim - v.ndim) + v.shape)
        lead = v.ndim - rest - idx.ndim  # extra leading dims of v (must be 1s to broadcast)
        where = range(lead + idx.at, lead + idx.at + idx.ndim)
        v = np.moveaxis(v, where, range(lead, lead + idx.ndim))
        idx = tuple(idx)
    if not accumulate:
        out[idx] = v
    elif _is_basic(idx):
        out[idx] += v  # a basic index selects each position at most once
    else:
        np.add.at(out, idx, v)


INDEX_PUT = Primitive(
    "index_put", _index_put, inplace=lambda t, x, v, idx, acc: _index_put_into(t, v, idx, acc)
)


def getitem(x: Tensor, index: Any) -> Tensor:
    """``x[index]``: a view for basic indices, a copy for advanced ones (see module doc)."""
    idx = _convert_index(index, x, "getitem")
    try:
        return dispatch(GETITEM, (x,), (x._data,), (idx,))
    except IndexError as e:
        raise IndexError(f"getitem: {e} (tensor shape {tuple(x._data.shape)})") from None


def index_put(x: Tensor, index: Any, values: Tensor, accumulate: bool = False) -> Tensor:
    """A copy of ``x`` with ``values`` written (or, with ``accumulate``, added) at ``index``.

    With ``accumulate`` repeated positions all add up.  Cost: one copy of ``x`` plus one pass
    over ``values``."""
    idx = _convert_index(index, x, "index_put")
    _same_dtype("index_put", x, values)
    return dispatch(INDEX_PUT, (x, values), (x._data, values._data), (idx, accumulate))


def _same_dtype(op: str, x: Tensor, values: Tensor) -> None:
    """PyTorch converts a value tensor under basic indices only: under index tensors or
    masks its dtype must be the target's."""
    if values._data.dtype != x._data.dtype:
        raise RuntimeError(
            f"{op}: Index put requires the source and destination dtypes match, got "
            f"{x.dtype.name} for the destination and {values.dtype.name} for the source."
        )


def setitem(x: Tensor, index: Any, value: Any) -> Tensor:
    """``x[index] = value`` in place (``value`` is broadcast and converted to ``x``'s dtype).

    Writes only the selected elements; bumps ``x``'s version counter."""
    idx = _convert_index(index, x, "setitem")
    if isinstance(value, Tensor):
        if (
            value._data.dtype != x._data.dtype
            and not _is_basic(idx)
            and not _one_mask_fill(idx, value)
        ):
            _same_dtype("setitem", x, value)
        v: Tensor | None = value if value._data.dtype == x._data.dtype else cast(value, x.dtype.np)
        varr: Any = v._data  # type: ignore[union-attr]
    elif isinstance(value, (int, float, np.number)) and x._data.dtype.kind in "iu":
        v = None
        varr = scalar_to(value, x._data.dtype, "setitem")  # nan or 300 into int8 raises
    else:
        v = None
        try:
            with np.errstate(over="ignore"):  # 1e6 into float16 is inf, as in PyTorch
                varr = np.asarray(value).astype(x._data.dtype)
        except (TypeError, ValueError):
            raise TypeError(
                f"setitem: can't assign a {type(value).__name__} to a {x.dtype.name} tensor"
            ) from None
    try:
        return dispatch_inplace(INDEX_PUT, x, (x, v), (x._data, varr), (idx, False))
    except ValueError as e:
        raise RuntimeError(f"setitem: {e}") from None


def _one_mask_fill(idx: tuple[Any, ...], value: Tensor) -> bool:
    """``x[mask] = v`` with one element in ``v``: PyTorch runs a masked fill, which converts."""
    arrays = [i for i in idx if isinstance(i, np.ndarray)]
    return value._data.size == 1 and len(arrays) == 1 and arrays[0].dtype == bool


def fill_(x: Tensor, value: Any) -> Tensor:
    """Set every element to ``value`` in place (a number that does not fit the dtype raises,
    ``1e6`` into float16 too, as in PyTorch; ``t[...] = 1e6`` gives inf there)."""
    if isinstance(value, (int, float, np.number)):
        value = scalar_to(value, x._data.dtype, "fill_")  # (checked once, here)
    return setitem(x, Ellipsis, value)


def copy_(x: Tensor, src: Tensor) -> Tensor:
    """Copy ``src`` into ``x`` in place (broadcast to ``x``'s shape, converted to its dtype).

    Shape: ``src`` broadcasts to ``x.shape``.  Cost: writes ``x.numel()`` elements, no new
    memory.  ``src`` may be a Python number (a fill, as PyTorch allows)."""
    if not isinstance(src, Tensor):
        if isinstance(src, (bool, int, float, np.bool_, np.number)):
            return fill_(x, src)
        raise TypeError(f"copy_: expected a Tensor or a number as src, got {type(src).__name__}")
    try:
        np.broadcast_shapes(src._data.shape, x._data.shape)
        ok = np.broadcast_shapes(src._data.shape, x._data.shape) == x._data.shape
    except ValueError:
        ok = False
    if not ok:
        raise RuntimeError(
            f"copy_: the source of shape {tuple(src._data.shape)} cannot be broadcast to the "
            f"destination of shape {tuple(x._data.shape)}"
        )
    return setitem(x, Ellipsis, src)


# ----------------------------------------------------------------------- gather / scatter
def _along(index: Any, dim: int) -> tuple[Any, ...]:
    """The advanced index that pairs each position of ``index`` with itself in every dim but
    ``dim``, where ``index`` gives the coordinate: ``x[_along(i, 1)][r, c] = x[r, i[r, c]]``."""
    shape = index.shape
    # Only small grids are remembered: a (10**7, 1) index would pin an 80 MB arange.
    grid = _grid(shape, dim) if max(shape, default=0) <= _GRID_CACHE_MAX else _grid_of(shape, dim)
    return (*grid[:dim], index, *grid[dim + 1 :])


_GRID_CACHE_MAX = 4096


def _grid_of(shape: tuple[int, ...], dim: int) -> tuple[Any, ...]:
    """For every dim but ``dim``, the coordinates ``0 .. s-1`` shaped to broadcast along it
    (read-only, so one copy can serve every call with this shape: see :func:`_grid`)."""
    coords: list[Any] = []
    for d, s in enumerate(shape):
        c = np.arange(s).reshape([s if k == d else 1 for k in range(len(shape))])
        c.flags.writeable = False
        coords.append(None if d == dim else c)
    return tuple(coords)


_grid = functools.lru_cache(maxsize=64)(_grid_of)


def _gather(x: Any, index: Any, dim: int) -> Any:
    if x.ndim == 0:  # every index is 0 (checked): the value repeated in index's shape
        return np.broadcast_to(x, index.shape).copy()
    return x[_along(index, dim)]


def _scatter_add_into(out: Any, src: Any, index: Any, dim: int) -> Any:
    """Add ``src`` into ``out`` (in place) at ``index`` along ``dim``; returns ``out``."""
    if out.ndim == 0:  # every index is 0 (checked): add the first index.size values of src
        out += np.sum(src.reshape(-1)[: index.size], dtype=out.dtype)
        return out
    if src.shape != index.shape:
        src = src[tuple(slice(0, s) for s in index.shape)]
    if index.shape[dim] == 1:  # one index per slice: positions are distinct, a plain add does
        out[_along(index, dim)] += src
    else:
        np.add.at(out, _along(index, dim), src)  # repeated indices accumulate
    return out


def _scatter_add(base: Any, src: Any, index: Any, dim: int) -> Any:
    return _scatter_add_into(np.array(base, copy=True, order="C"), src, index, dim)


def _gather_backward(g: Any, index: Any, dim: int, shape: tuple[int, ...]) -> Any:
    return _scatter_add_into(np.zeros(shape, g.dtype), g, index, dim)


GATHER = Primitive("gather", _gather)
SCATTER_ADD = Primitive("scatter_add", _scatter_add)
GATHER_BACKWARD = Primitive("gather_backward", _gather_backward)


_UNSIGNED = {4: np.uint32, 8: np.uint64}


def _check_index(op: str, x: Tensor, dim: int, index: Tensor, other: str = "input") -> int:
    if not isinstance(index, Tensor) or index._data.dtype not in (np.int64, np.int32):
        got = index.dtype if isinstance(index, Tensor) else type(index).__name__
        raise RuntimeError(f"{op}: expected dtype int32/int64 for index, got {got}")
    nd = x._data.ndim
    d = norm_dim(dim, nd, op)
    if index._data.ndim != nd and not (nd == 0 and index._data.ndim <= 1):
        raise RuntimeError(
            f"{op}: index tensor must have the same number of dimensions as {other} tensor "
            f"({index._data.ndim} != {nd})"
        )
    for k in range(index._data.ndim):
        if k != d and index._data.shape[k] > x._data.shape[k]:
            raise RuntimeError(
                f"{op}: size does not match at dimension {k}: expected index "
                f"{list(index._data.shape)} to be no larger than {other} "
                f"{list(x._data.shape)} apart from dimension {d}"
            )
    n = x._data.shape[d] if nd else 1
    idx = index._data
    # One pass checks both bounds: seen as unsigned, a negative index is larger than any n.
    if idx.size and max_reduce(idx.view(_UNSIGNED[idx.dtype.itemsize]), axis=None) >= n:
        lo, hi = min_reduce(idx, axis=None), max_reduce(idx, axis=None)
        bad = int(hi if hi >= n else lo)
        raise RuntimeError(f"{op}: index {bad} is out of bounds for dimension {d} with size {n}")
    return d


def gather(x: Tensor, dim: int, index: Tensor) -> Tensor:
    """``out[i][j][k] = x[index[i][j][k]][j][k]`` (for ``dim=0``; likewise other dims).

    Shape: ``out.shape == index.shape``; ``index`` may be smaller than ``x`` in dims other than
    ``dim``.  Cost: one read per output element; allocates the output.  Backward is a
    scatter-add into zeros of ``x``'s shape."""
    if x._data.ndim == 1 and isinstance(index, Tensor) and index._data.ndim == 0:
        # PyTorch reads a 0-d index of a 1-D input as one element: a 0-d result
        return gather(x, dim, index.reshape(1)).reshape(())
    d = _check_index("gather", x, dim, index)
    return dispatch(GATHER, (x,), (x._data,), (index._data, d))


def gather_backward(g: Tensor, index: Any, dim: int, shape: tuple[int, ...]) -> Tensor:
    """The adjoint of :func:`gather`: scatter-add ``g`` into zeros of ``shape`` at ``index``
    (an int64 array already checked by the gather it came from) along ``dim``.

    A fused primitive (zeros + scatter_add were two dispatches and a second bounds check in
    every cross-entropy step).  Shape: ``g.shape == index.shape -> shape``."""
    return dispatch(GATHER_BACKWARD, (g,), (g._data,), (index, dim, shape))


def scatter_add(x: Tensor, dim: int, index: Tensor, src: Tensor) -> Tensor:
    """A copy of ``x`` where ``out[index[i][j]][j] += src[i][j]`` (``dim=0``); repeated
    indices accumulate.  Cost: one pass over ``index`` plus a copy of ``x``."""
    d = _check_index("scatter_add", x, dim, index)
    if not isinstance(src, Tensor) or src._data.dtype != x._data.dtype:
        got = src.dtype if isinstance(src, Tensor) else type(src).__name__
        raise RuntimeError(
            f"scatter_add: expected self.dtype to be equal to src.dtype ({x.dtype} != {got})"
        )
    if src._data.ndim != index._data.ndim and not (src._data.ndim <= 1 and index._data.ndim <= 1):
        raise RuntimeError(
            f"scatter_add: index tensor must have the same number of dimensions as src tensor "
            f"({index._data.ndim} != {src._data.ndim})"
        )
    if builtins.any(i > s for i, s in zip(index._data.shape, src._data.shape, strict=False)):
        raise RuntimeError(
            f"scatter_add: expected index {list(index._data.shape)} to be no larger size than "
            f"src {list(src._data.shape)}"
        )
    return dispatch(SCATTER_ADD, (x, src), (x._data, src._data), (index._data, d))


def index_select(x: Tensor, dim: int, index: Tensor) -> Tensor:
    """The entries ``index`` (1-D int tensor) along ``dim``; a copy of shape ``x.shape`` with
    dim ``dim`` replaced by ``len(index)``."""
    if not isinstance(index, Tensor) or index._data.dtype not in (np.int64, np.int32):
        got = index.dtype if isinstance(index, Tensor) else type(index).__name__
        raise RuntimeError(f"index_select: expected dtype int32 or int64 for index, got {got}")
    if index._data.ndim > 1:
        raise IndexError("index_select: index_select(): Index is supposed to be a vector")
    d = norm_dim(dim, x._data.ndim, "index_select")
    n = x._data.shape[d] if x._data.ndim else 1
    arr = index._data.reshape(-1)
    if x._data.ndim == 0:  # PyTorch: one index, 0, and a 0-d copy of x
        if arr.size != 1:
            raise RuntimeError(
                f"index_select: index_select(): Index to scalar can have only 1 value, got "
                f"{arr.size} value(s)"
            )
        if arr[0] != 0:
            raise IndexError(f"index_select: index out of range in self (index {arr[0]})")
        from .shape import clone

        return clone(x)
    if arr.size and (arr.min() < 0 or arr.max() >= n):
        raise IndexError(f"index_select: index out of range in self (dim {d} has size {n})")
    return getitem(x, (*(slice(None),) * d, _make(arr.astype(np.int64))))
