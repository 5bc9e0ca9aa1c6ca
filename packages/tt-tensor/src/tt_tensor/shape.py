"""Shape operations: views wherever NumPy allows, copies where it cannot.

=================  ==================================  ==========================================
op                 result                              memory
=================  ==================================  ==========================================
reshape            same elements, new shape            view if the strides allow, else a copy
view               same elements, new shape            always a view (raises otherwise)
permute/transpose  dims reordered                      view (strides permuted)
expand             size-1 dims repeated                view with stride 0 (read-only)
squeeze/unsqueeze  size-1 dims removed/added           view
flip               order reversed along dims           view (negative strides)
unfold             sliding windows as a new last dim   view (overlapping windows)
split/chunk        pieces along a dim                  views
contiguous         row-major layout                    ``self`` if contiguous, else a copy
cat/stack/pad      joined or padded                    copy
repeat             tiled                               copy (expand then reshape)
=================  ==================================  ==========================================

Views cost O(ndim) time and no element memory; copies cost ``numel`` element moves.
"""

from __future__ import annotations

import builtins
import itertools
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from .dispatch import Primitive, dispatch
from .dtypes import result_type_np, scalar_to
from .tensor import Size, Tensor, _view_of

__all__ = [
    "cat",
    "chunk",
    "concat",
    "contiguous",
    "expand",
    "expand_to",
    "flatten",
    "flip",
    "movedim",
    "norm_dim",
    "norm_dims",
    "pad",
    "permute",
    "repeat",
    "reshape",
    "split",
    "squeeze",
    "stack",
    "transpose",
    "unbind",
    "unflatten",
    "unfold",
    "unsqueeze",
    "view",
    "view_dtype",
]


# ----------------------------------------------------------------------- argument helpers
def norm_dim(dim: Any, ndim: int, op: str, *, tensor_ndim: int | None = None) -> int:
    """Turn a possibly negative ``dim`` into ``0 <= dim < ndim`` or raise ``IndexError``.

    A 0-d tensor accepts dims -1 and 0, as in PyTorch.  ``tensor_ndim`` is the input's ndim
    for the error message when it differs from ``ndim`` (``unsqueeze`` accepts ``ndim + 1``)."""
    if type(dim) is int and ndim and -ndim <= dim < ndim:  # the common case, checked cheaply
        return dim % ndim
    if not isinstance(dim, (int, np.integer)) or isinstance(dim, bool):
        raise TypeError(f"{op}: dim must be an int, got {type(dim).__name__}")
    n = builtins.max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(
            f"{op}: dim {dim} is out of range for a tensor with "
            f"{ndim if tensor_ndim is None else tensor_ndim} dims "
            f"(expected to be in range of [{-n}, {n - 1}])"
        )
    return int(dim) % n if ndim else 0


def norm_dims(dim: Any, ndim: int, op: str) -> tuple[int, ...] | None:
    """Normalise ``dim`` (int, sequence or ``None`` for all) to a sorted tuple, or ``None``."""
    if dim is None:
        return None
    if (
        type(dim) is tuple
        and dim
        and type(dim[0]) is int
        and 0 <= dim[0] <= dim[-1] < ndim
        and dim == tuple(range(dim[0], dim[0] + len(dim)))
    ):
        return dim  # already normalised: a run of consecutive dims (sum_to's leading dims)
    if isinstance(dim, (int, np.integer)):
        d = norm_dim(dim, ndim, op)  # (a 0-d tensor accepts -1 and 0 only, as in PyTorch)
        return (d,) if ndim else ()
    try:
        items = tuple(dim)
    except TypeError:
        raise TypeError(
            f"{op}: dim must be an int or a sequence of ints, got {type(dim).__name__}"
        ) from None
    dims = tuple(norm_dim(d, ndim, op) for d in items)
    if len(set(dims)) != len(dims):
        raise RuntimeError(f"{op}: dim {dims} has a dim that appears multiple times")
    if ndim == 0:
        return ()
    return tuple(sorted(dims))


def shape_args(args: tuple[Any, ...]) -> tuple[int, ...]:
    """Accept both ``f(2, 3)`` and ``f((2, 3))``."""
    if len(args) == 1 and isinstance(args[0], (tuple, list, Size)):
        args = tuple(args[0])
    out = []
    for a in args:
        if isinstance(a, Tensor):
            a = a.item()
        if not isinstance(a, (int, np.integer)) or isinstance(a, bool):
            a = _size_index(a)
        out.append(int(a))
    return tuple(out)


def _size_index(a: Any) -> int:
    """A size that is not an int but converts to one exactly (a 0-d integer NumPy array, as
    PyTorch accepts through ``__index__``), else the TypeError."""
    if isinstance(a, np.ndarray) and a.ndim == 0 and a.dtype.kind in "iu":
        return int(a)
    raise TypeError(f"sizes must be ints, got {type(a).__name__}")


def _infer_shape(shape: tuple[int, ...], numel: int, op: str) -> tuple[int, ...]:
    if -1 not in shape and math.prod(shape) == numel and builtins.min(shape, default=0) >= 0:
        return shape  # the common case: a complete, valid shape
    if shape.count(-1) > 1:
        raise RuntimeError(f"{op}: only one dimension can be inferred, got shape {list(shape)}")
    known = 1
    for s in shape:
        if s != -1:
            if s < 0:
                raise RuntimeError(f"{op}: invalid shape dimension {s} in {list(shape)}")
            known *= s
    if -1 in shape:
        if known == 0 or numel % known:
            raise RuntimeError(f"{op}: shape {list(shape)} is invalid for input of size {numel}")
        shape = tuple(numel // known if s == -1 else s for s in shape)
    elif known != numel:
        raise RuntimeError(f"{op}: shape {list(shape)} is invalid for input of size {numel}")
    return shape


# ----------------------------------------------------------------------- primitives
def _reshape_view(x: Any, shape: tuple[int, ...]) -> Any:
    v = x.view()
    try:
        v.shape = shape  # raises when a copy would be needed
    except AttributeError:
        raise RuntimeError(
            f"view: view size {list(shape)} is not compatible with input tensor's size "
            f"{list(x.shape)} and stride (at least one dimension spans across two contiguous "
            "subspaces). Use .reshape(...) instead."
        ) from None
    return v


def _unfold(x: Any, dim: int, size: int, step: int) -> Any:
    if x.ndim == 0:  # PyTorch: a 0-d tensor gives shape (size,) with size 0 or 1
        return x.reshape(1)[:size]
    w = np.lib.stride_tricks.sliding_window_view(x, size, axis=dim)
    if step != 1:
        idx = [slice(None)] * x.ndim
        idx[dim] = slice(None, None, step)
        w = w[tuple(idx)]
    return w


def _unfold_backward(g: Any, in_shape: tuple[int, ...], dim: int, size: int, step: int) -> Any:
    # Each input element collects the gradient of every window it sits in: ``size`` strided
    # adds (one per position inside the window), never a loop over windows or elements.
    if not in_shape:  # a 0-d input: unfold gave shape (size,), one window of the one value
        return np.sum(g, dtype=g.dtype).reshape(())
    out = np.zeros(in_shape, dtype=g.dtype)
    n = g.shape[dim]
    idx: list[Any] = [slice(None)] * len(in_shape)
    for k in range(size):
        idx[dim] = slice(k, k + step * (n - 1) + 1, step)
        out[tuple(idx)] += g[..., k]
    return out


def _cat(*args: Any) -> Any:
    return np.concatenate(args[:-1], axis=args[-1])


def _pad(x: Any, widths: tuple[tuple[int, int], ...], value: Any) -> Any:
    return np.pad(x, widths, mode="constant", constant_values=value)


RESHAPE = Primitive("reshape", lambda x, shape: x.reshape(shape), view=True)
VIEW = Primitive("view", _reshape_view, view=True)
PERMUTE = Primitive("permute", lambda x, dims: x.transpose(dims), view=True)


def _expand(x: Any, shape: tuple[int, ...]) -> Any:
    # A contiguous array can be re-strided directly (stride 0 along expanded dims), which
    # skips np.broadcast_to's Python-level iterator setup (~3 us against ~1 us).
    if x.ndim == 0:  # a full reduction's gradient: stride 0 everywhere
        strides: Any = (0,) * len(shape)
    elif x.flags.c_contiguous:
        strides = [0] * len(shape)
        lead = len(shape) - x.ndim
        for i, (s, st) in enumerate(zip(x.shape, x.strides, strict=True)):
            strides[lead + i] = st if s != 1 else 0
        strides = tuple(strides)
    else:
        return np.broadcast_to(x, shape)
    out = np.ndarray(shape, x.dtype, x, 0, strides)  # (shape, dtype, buffer, offset, strides)
    out.setflags(write=False)  # expanded memory is shared: writes would be ambiguous
    return out


EXPAND = Primitive("expand", _expand, view=True)
FLIP = Primitive("flip", lambda x, dims: np.flip(x, dims), view=True)
UNFOLD = Primitive("unfold", _unfold, view=True)
UNFOLD_BACKWARD = Primitive("unfold_backward", _unfold_backward)
CONTIGUOUS = Primitive("contiguous", np.ascontiguousarray)


def _clone(a: Any) -> Any:
    # NumPy's order "K" keeps a dense layout (a transpose stays transposed, as PyTorch's
    # preserve_format does) but lays an expanded (stride-0) array out column-first; PyTorch
    # makes such a non-dense tensor contiguous.
    return a.copy(order="C" if 0 in a.strides else "K")


CLONE = Primitive("clone", _clone)
CAT = Primitive("cat", _cat)
PAD = Primitive("pad", _pad)


# ----------------------------------------------------------------------- public ops
def reshape(x: Tensor, shape: Sequence[int]) -> Tensor:
    """Shape: ``(*any) -> shape`` with the same numel (one -1 is inferred).

    A view when the strides allow (always for contiguous input), else a copy."""
    shape = _infer_shape(tuple(shape), x._data.size, "reshape")
    return dispatch(RESHAPE, (x,), (x._data,), (shape,))


def view(x: Tensor, shape: Sequence[int]) -> Tensor:
    """Like :func:`reshape` but never copies: raises when the layout does not allow a view."""
    shape = _infer_shape(tuple(shape), x._data.size, "view")
    return dispatch(VIEW, (x,), (x._data,), (shape,))


_TORCH_NAMES = {
    "float64": "Double", "float32": "Float", "float16": "Half", "int64": "Long",
    "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool",
}  # fmt: skip


def view_dtype(x: Tensor, dtype: np.dtype[Any]) -> Tensor:
    """Reinterpret the bytes of ``x`` as ``dtype`` (``t.view(tt.int32)``): no value changes.

    Shape: unchanged for an element of the same size; else the last dim is scaled by the size
    ratio (``float32 (2,) -> float16 (4,)``), which needs a last dim of stride 1, a size (and,
    for a larger element, the other strides and the offset) divisible by the ratio.  A view:
    it shares memory and version counter with ``x``, and is not differentiable (PyTorch's
    result does not require grad either).  Cost: O(ndim)."""
    arr = x._data
    old, new = arr.dtype.itemsize, dtype.itemsize
    if old != new:
        names = f"{_TORCH_NAMES[arr.dtype.name]} as {_TORCH_NAMES[dtype.name]}"
        why = f"to view {names} (different element sizes)"
        if arr.ndim == 0:
            raise RuntimeError(f"view: self.dim() cannot be 0 {why}")
        strides = [s // old for s in arr.strides]
        if strides[-1] != 1 and arr.size:
            raise RuntimeError(f"view: self.stride(-1) must be 1 {why}, but got {strides[-1]}")
        if new > old:
            ratio = new // old
            if arr.shape[-1] % ratio:
                raise RuntimeError(
                    f"view: self.size(-1) must be divisible by {ratio} {why}, "
                    f"but got {arr.shape[-1]}"
                )
            root = arr
            while isinstance(root.base, np.ndarray):
                root = root.base
            offset = (arr.ctypes.data - root.ctypes.data) // old  # in elements, as PyTorch's
            if offset % ratio:
                raise RuntimeError(
                    f"view: self.storage_offset() must be divisible by {ratio} {why}, "
                    f"but got {offset}"
                )
            for d, s in enumerate(strides[:-1]):
                if s % ratio:
                    raise RuntimeError(
                        f"view: self.stride({d}) must be divisible by {ratio} {why}, but got {s}"
                    )
        if strides[-1] != 1:  # an empty tensor, any stride: NumPy wants stride 1
            arr = np.lib.stride_tricks.as_strided(arr, strides=(*arr.strides[:-1], old))
    # (a view of the detached tensor: the same memory and version counter, but no base that
    # requires grad, since this view is never recorded and so is no "view made in no_grad")
    return _view_of(x.detach() if x._requires_grad else x, arr.view(dtype))


def flatten(x: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Merge dims ``start_dim..end_dim``: ``(2, 3, 4).flatten(1) -> (2, 12)``.  View if
    possible."""
    nd = x._data.ndim
    if nd == 0:
        return reshape(x, (1,))
    s, e = norm_dim(start_dim, nd, "flatten"), norm_dim(end_dim, nd, "flatten")
    if s > e:
        raise RuntimeError("flatten: start_dim cannot come after end_dim")
    shp = x._data.shape
    merged = 1  # explicit, not -1: -1 is ambiguous when another dim has size 0
    for size in shp[s : e + 1]:
        merged *= size
    return reshape(x, (*shp[:s], merged, *shp[e + 1 :]))


def unflatten(x: Tensor, dim: int, sizes: Sequence[int]) -> Tensor:
    """Split dim ``dim`` into ``sizes`` (one may be -1)."""
    d = norm_dim(dim, x._data.ndim, "unflatten")
    shp = x._data.shape
    inner = _infer_shape(tuple(sizes), shp[d], "unflatten")
    return reshape(x, shp[:d] + inner + shp[d + 1 :])


def squeeze(x: Tensor, dim: Any = None) -> Tensor:
    """Remove size-1 dims (all of them, or those listed in ``dim`` that have size 1)."""
    shp = x._data.shape
    dims = norm_dims(dim, x._data.ndim, "squeeze")
    keep = [s for i, s in enumerate(shp) if not (s == 1 and (dims is None or i in dims))]
    return reshape(x, tuple(keep))


def unsqueeze(x: Tensor, dim: int) -> Tensor:
    """Insert a size-1 dim at ``dim`` (``-1`` appends).  A view."""
    nd = x._data.ndim
    d = norm_dim(dim, nd + 1, "unsqueeze", tensor_ndim=nd)
    shp = x._data.shape
    return reshape(x, (*shp[:d], 1, *shp[d:]))


def permute(x: Tensor, dims: Sequence[int]) -> Tensor:
    """Reorder dims: ``out.shape[i] = x.shape[dims[i]]``.  A view (no copy)."""
    nd = x._data.ndim
    if len(dims) != nd:
        raise RuntimeError(
            f"permute: number of dims don't match: the tensor has {nd} dims but {len(dims)} "
            "were given"
        )
    norm = tuple(norm_dim(d, nd, "permute") for d in dims)
    if len(set(norm)) != nd:
        raise RuntimeError(f"permute: duplicate dims are not allowed, got {tuple(dims)}")
    return dispatch(PERMUTE, (x,), (x._data,), (norm,))


def reverse_dims(x: Tensor) -> Tensor:
    """All dims in reverse order (``x.T``): ``(a, b, c) -> (c, b, a)``.  A view."""
    nd = x._data.ndim
    return dispatch(PERMUTE, (x,), (x._data,), (tuple(range(nd - 1, -1, -1)),))


def transpose(x: Tensor, dim0: int, dim1: int) -> Tensor:
    """Swap ``dim0`` and ``dim1``.  A view."""
    nd = x._data.ndim
    if nd == 0:
        norm_dim(dim0, 0, "transpose")
        norm_dim(dim1, 0, "transpose")
        return x
    a, b = norm_dim(dim0, nd, "transpose"), norm_dim(dim1, nd, "transpose")
    perm = list(range(nd))
    perm[a], perm[b] = perm[b], perm[a]
    return dispatch(PERMUTE, (x,), (x._data,), (tuple(perm),))


def movedim(x: Tensor, source: Any, destination: Any) -> Tensor:
    """Move dim ``source`` to position ``destination`` (or each of a sequence of dims to the
    matching position; the other dims keep their order).  A view."""
    nd = x._data.ndim
    src = [source] if isinstance(source, (int, np.integer)) else list(source)
    dst = [destination] if isinstance(destination, (int, np.integer)) else list(destination)
    if len(src) != len(dst):
        raise RuntimeError(
            f"movedim: Invalid source or destination dims: source ({src} dims) should contain "
            f"the same number of dims as destination ({dst} dims)"
        )
    s = [norm_dim(i, nd, "movedim") for i in src]
    d = [norm_dim(i, nd, "movedim") for i in dst]
    if len(set(s)) != len(s) or len(set(d)) != len(d):
        raise RuntimeError(f"movedim: repeated dim in source {src} or destination {dst}")
    rest = iter(i for i in range(nd) if i not in s)
    placed = dict(zip(d, s, strict=True))
    perm = [placed[k] if k in placed else next(rest) for k in range(nd)]
    return dispatch(PERMUTE, (x,), (x._data,), (tuple(perm),))


def expand(x: Tensor, sizes: Sequence[int]) -> Tensor:
    """Repeat size-1 dims to ``sizes`` without copying (stride 0); ``-1`` keeps a dim; new
    leading dims may be added.  The result is read-only, like PyTorch's expanded tensors
    (writing into overlapping memory would be ambiguous)."""
    shp = x._data.shape
    sizes = tuple(sizes)
    if len(sizes) < len(shp):
        raise RuntimeError(
            f"expand: the number of sizes provided ({len(sizes)}) must be greater or equal to "
            f"the number of dimensions in the tensor ({len(shp)})"
        )
    lead = len(sizes) - len(shp)
    target = []
    for i, s in enumerate(sizes):
        if i < lead:
            if s < 0:
                raise RuntimeError(
                    f"expand: the expanded size of the tensor ({s}) isn't allowed in a leading, "
                    "non-existing dimension"
                )
            target.append(s)
            continue
        cur = shp[i - lead]
        if s == -1:
            target.append(cur)
        elif cur == s or cur == 1:
            target.append(s)
        else:
            raise RuntimeError(
                f"expand: the expanded size of the tensor ({s}) must match the existing size "
                f"({cur}) at non-singleton dimension {i}.  Target sizes: {list(sizes)}.  "
                f"Tensor sizes: {list(shp)}"
            )
    if tuple(target) == shp:
        return dispatch(RESHAPE, (x,), (x._data,), (shp,))
    return dispatch(EXPAND, (x,), (x._data,), (tuple(target),))


def expand_to(x: Tensor, shape: tuple[int, ...]) -> Tensor:
    """:func:`expand` to a full target ``shape`` that is known to be valid, without checks:
    the entry point for gradient formulas (broadcasting a reduction's gradient back), where
    the checks would cost more than the view itself."""
    return dispatch(EXPAND, (x,), (x._data,), (shape,))


def contiguous(x: Tensor) -> Tensor:
    """``x`` itself when row-major contiguous, else a contiguous copy (numel element moves)."""
    if x._data.flags.c_contiguous:
        return x
    return dispatch(CONTIGUOUS, (x,), (x._data,))


def clone(x: Tensor) -> Tensor:
    """A copy in new memory, differentiable (the gradient passes through unchanged)."""
    return dispatch(CLONE, (x,), (x._data,))


def flip(x: Tensor, dims: Sequence[int]) -> Tensor:
    """Reverse the order of elements along ``dims``.  A view with negative strides (PyTorch
    copies here)."""
    norm = norm_dims(tuple(dims), x._data.ndim, "flip")
    return dispatch(FLIP, (x,), (x._data,), (norm,))


def split(x: Tensor, split_size: Any, dim: int = 0) -> tuple[Tensor, ...]:
    """Views of consecutive pieces along ``dim``: of ``split_size`` each (the last may be
    smaller) or of the listed sizes (which must add up to the dim's size)."""
    from .indexing import getitem

    d = norm_dim(dim, x._data.ndim, "split")
    n = x._data.shape[d]
    if isinstance(split_size, (int, np.integer)):
        if split_size <= 0 and n:
            raise RuntimeError(f"split: split_size must be positive, got {split_size}")
        step = builtins.max(int(split_size), 1)
        bounds = [(i, builtins.min(i + step, n)) for i in range(0, n, step)] or [(0, 0)]
    else:
        sizes = [int(s) for s in split_size]
        if builtins.any(s < 0 for s in sizes):
            raise RuntimeError(
                "split: split_with_sizes expects split_sizes have only non-negative entries, "
                f"but got split_sizes={sizes}"
            )
        if sum(sizes) != n:
            raise RuntimeError(
                f"split: split_with_sizes expects split_sizes to sum exactly to {n} "
                f"(input tensor's size at dimension {d}), but got split_sizes={sizes}"
            )
        starts = np.cumsum([0, *sizes])
        bounds = [(int(a), int(b)) for a, b in itertools.pairwise(starts)]
    lead = (slice(None),) * d
    return tuple(getitem(x, (*lead, slice(a, b))) for a, b in bounds)


def chunk(x: Tensor, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
    """Split into ``chunks`` views of ``ceil(n / chunks)`` along ``dim`` (fewer if n is
    small)."""
    if chunks <= 0:
        raise RuntimeError(f"chunk: chunks must be greater than 0, got {chunks}")
    n = x._data.shape[norm_dim(dim, x._data.ndim, "chunk")]
    if n == 0:  # PyTorch: ``chunks`` empty pieces
        return split(x, [0] * chunks, dim)
    return split(x, builtins.max(-(-n // chunks), 1), dim)


def unbind(x: Tensor, dim: int = 0) -> tuple[Tensor, ...]:
    """All slices along ``dim`` (views, the dim removed)."""
    from .indexing import getitem

    d = norm_dim(dim, x._data.ndim, "unbind")
    lead = (slice(None),) * d
    return tuple(getitem(x, (*lead, i)) for i in range(x._data.shape[d]))


def repeat(x: Tensor, sizes: Sequence[int]) -> Tensor:
    """Tile ``x``: ``out.shape[i] = x.shape[i] * sizes[i]`` (``sizes`` may add leading dims).

    Composite: unsqueeze, expand (free), reshape (one copy of the output)."""
    sizes = tuple(sizes)
    nd = x._data.ndim
    if len(sizes) < nd:
        raise RuntimeError(
            "repeat: number of dimensions of repeat dims can not be smaller than number of "
            f"dimensions of tensor ({len(sizes)} < {nd})"
        )
    shp = (1,) * (len(sizes) - nd) + x._data.shape
    inter: list[int] = []
    big: list[int] = []
    for r, s in zip(sizes, shp, strict=True):
        inter += [1, s]
        big += [r, s]
    y = expand(reshape(x, tuple(inter)), tuple(big))
    out = reshape(y, tuple(r * s for r, s in zip(sizes, shp, strict=True)))
    if not out._data.flags.writeable or np.may_share_memory(out._data, x._data):
        out = clone(out)  # all sizes 1 (a view of x) or empty (read-only): still new memory
    return out


def unfold(x: Tensor, dimension: int, size: int, step: int) -> Tensor:
    """All windows of ``size`` along ``dimension``, ``step`` apart, as a new last dim.

    Shape: dim ``d`` of size ``n`` becomes ``(n - size) // step + 1`` and a trailing dim of
    ``size`` is added: ``(N, C, L).unfold(2, K, S) -> (N, C, (L - K) // S + 1, K)``.
    Memory: a read-only view with overlapping windows (no copy); convolution is this view
    followed by one matrix multiply.  Backward adds the ``size`` window positions back with
    strided adds."""
    nd = x._data.ndim
    d = norm_dim(dimension, nd, "unfold")
    n = x._data.shape[d] if nd else 1
    if step <= 0:
        raise RuntimeError(f"unfold: step is {step} but must be > 0")
    if size < 0 or size > n:
        raise RuntimeError(
            f"unfold: maximum size for tensor at dimension {d} is {n} but size is {size}"
        )
    return dispatch(UNFOLD, (x,), (x._data,), (d, size, step))


def unfold_backward(g: Tensor, in_shape: tuple[int, ...], dim: int, size: int, step: int) -> Tensor:
    """The adjoint of :func:`unfold`: add each window's values back to the positions they
    came from.  Cost: ``size`` strided adds over the input."""
    return dispatch(UNFOLD_BACKWARD, (g,), (g._data,), (in_shape, dim, size, step))


def cat(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """Join tensors along an existing ``dim`` (dtypes promote).  A copy.

    Shape: all sizes equal except along ``dim``, where they add up."""
    tensors = list(tensors)
    if not tensors:
        raise ValueError("cat: expected a non-empty list of Tensors")
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"cat: expected Tensors, but element {i} is {type(t).__name__}")
    dt = result_type_np(*(t._data for t in tensors))
    # PyTorch skips empty 1-D tensors (a legacy "empty" placeholder) when it checks shapes:
    # cat([zeros(0), ones(2, 3)]) is ones(2, 3).  They still take part in the dtype.
    joined = [t for t in tensors if t._data.shape != (0,)]
    if joined and len(joined) < len(tensors):
        tensors = joined
    nd = tensors[0]._data.ndim
    if nd == 0:
        raise RuntimeError("cat: zero-dimensional tensor (at position 0) cannot be concatenated")
    d = norm_dim(dim, nd, "cat")
    ref = tensors[0]._data.shape
    for i, t in enumerate(tensors[1:], 1):
        shp = t._data.shape
        if len(shp) != nd:
            raise RuntimeError(
                f"cat: tensors must have same number of dimensions: got {nd} and {len(shp)}"
            )
        for k in range(nd):
            if k != d and shp[k] != ref[k]:
                raise RuntimeError(
                    f"cat: sizes of tensors must match except in dimension {d}. Expected size "
                    f"{ref[k]} but got size {shp[k]} for tensor number {i} in the list."
                )
    arrays = [t._data for t in tensors]
    arrays = [a if a.dtype == dt else a.astype(dt) for a in arrays]
    return dispatch(CAT, tensors, arrays, (d,))


concat = cat


def stack(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """Join equally shaped tensors along a new ``dim``.  Composite: unsqueeze each, then cat."""
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("stack: expects a non-empty TensorList")
    ref = tensors[0]._data.shape
    for i, t in enumerate(tensors):
        if t._data.shape != ref:
            raise RuntimeError(
                f"stack: expects each tensor to be equal size, but got {list(ref)} at entry 0 "
                f"and {list(t._data.shape)} at entry {i}"
            )
    d = norm_dim(dim, len(ref) + 1, "stack", tensor_ndim=len(ref))
    return cat([unsqueeze(t, d) for t in tensors], d)


def pad(
    x: Tensor, pad: Sequence[int], mode: str = "constant", value: float | None = None
) -> Tensor:
    """Pad (or, with negative widths, crop) the last ``len(pad) // 2`` dims.

    ``pad = (left_last, right_last, left_second_last, ...)`` as in
    ``torch.nn.functional.pad``.  Only ``mode="constant"`` is implemented.  A copy: the output
    has ``prod(size + left + right)`` elements."""
    if mode != "constant":
        raise NotImplementedError(f"pad: mode {mode!r} is not implemented (only 'constant')")
    pad = [int(p) for p in pad]
    nd = x._data.ndim
    if len(pad) % 2 or len(pad) // 2 > nd:
        raise RuntimeError(
            f"pad: padding length must be even and at most twice the number of dims ({nd}), "
            f"got {len(pad)}"
        )
    widths = [(0, 0)] * nd
    crop: list[slice] = [slice(None)] * nd
    for i in range(len(pad) // 2):
        d = nd - 1 - i
        lo, hi = pad[2 * i], pad[2 * i + 1]
        widths[d] = (builtins.max(lo, 0), builtins.max(hi, 0))
        size = x._data.shape[d] + widths[d][0] + widths[d][1]
        if x._data.shape[d] + builtins.min(lo, 0) + builtins.min(hi, 0) < 0:
            # (PyTorch crops the input before padding: the crop alone must not go negative)
            raise RuntimeError(
                f"pad: narrow(): length must be non-negative: cropping {-builtins.min(lo, 0)} "
                f"and {-builtins.min(hi, 0)} from dim {d} of size {x._data.shape[d]}"
            )
        crop[d] = slice(-builtins.min(lo, 0), size + builtins.min(hi, 0))
    out = x
    padded = any(w != (0, 0) for w in widths)
    if padded:
        # PyTorch takes the value as a float: pad(uint8, value=-1) raises, 1.5 into int is 1.
        fill = 0 if value is None else scalar_to(float(value), x._data.dtype, "pad")
        out = dispatch(PAD, (x,), (x._data,), (tuple(widths), fill))
    if any(c != slice(None) for c in crop):
        from .indexing import getitem

        out = getitem(out, tuple(crop))
    if not padded:
        out = clone(out)  # crop-only or all-zero widths: still new memory, as in PyTorch
    return out
