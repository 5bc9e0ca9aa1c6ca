"""Convolution as im2col plus one matrix multiply (``torch.nn.functional.conv1d/conv2d``).

A convolution slides a small kernel over the input and takes a dot product at every position.
Written as loops that is ``N * C_out * H_out * W_out`` dot products of length ``C_in * kH * kW``;
written as linear algebra it is **one matrix multiply**:

1. lay every ``kH x kW`` window of the padded input out as a column of a matrix ``(C * kH *
   kW, N * H_out * W_out)`` ("im2col": the one big copy, ``kH * kW`` times the input's size).
   Its rows are in ``(c, i, j)`` order, or in ``(i, j, c)`` order (the weight's columns
   permuted to match) where that copies in longer contiguous runs (:func:`channels_last_pays`).
   By definition this is pad, two :meth:`~tt_tensor.Tensor.unfold` views and a reshape
   (:func:`im2col_reference`); it runs as the fused primitive :class:`Im2col` (measured faster,
   see there), whose backward :class:`Col2im` adds the ``kH * kW`` kernel-offset slices back;
2. multiply by the weight seen as a matrix ``(C_out, C * kH * kW)``; add the bias;
3. view the result ``(C_out, N, H_out, W_out)`` as ``(N, C_out, H_out, W_out)`` (a permuted view).

Steps 2 and 3 are tensor operations that autograd differentiates: the matrix multiply's
gradient gives the weight gradient (``grad @ cols.T``) and the columns' gradient (``weight.T @
grad``), which :class:`Col2im` turns into the input's gradient.

With ``groups = G`` the channels split into ``G`` independent convolutions; the matrix multiply
becomes one *batched* multiply ``(G, C_out/G, C/G*kH*kW) @ (G, C/G*kH*kW, N*H_out*W_out)``.

A 1-D convolution is a 2-D one over an input of height 1 (and a kernel of height 1).

Systems questions: why is the im2col copy worth its memory (what would the ``N * H_out *
W_out`` small dot products cost in Python or even in NumPy)?  Which layout of the column
matrix makes the copy read the input in long contiguous runs?
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Sequence
from typing import Any, NamedTuple, TypeVar, cast

import numpy as np
from numpy.lib.stride_tricks import as_strided

import tt_tensor as tt
from tt_autograd import Function, records
from tt_tensor import Tensor

__all__ = ["conv1d", "conv2d"]

Padding = int | Sequence[int] | str


# ----------------------------------------------------------------------- argument helpers
def ntuple(value: Any, n: int, name: str, op: str) -> tuple[int, ...]:
    """``value`` (an int, or a sequence of 1 or ``n`` ints) as a tuple of ``n`` ints.

    >>> ntuple(2, 2, "stride", "conv2d"), ntuple((1, 3), 2, "stride", "conv2d")
    ((2, 2), (1, 3))
    """
    if isinstance(value, bool):
        raise TypeError(f"{op}: {name} must be an int or a tuple of ints, got a bool")
    if isinstance(value, int):
        return (value,) * n
    try:
        items = tuple(value)
    except TypeError:
        raise TypeError(
            f"{op}: {name} must be an int or a tuple of {n} ints, got {type(value).__name__}"
        ) from None
    if len(items) == 1:
        items = items * n
    if len(items) != n or not all(isinstance(i, int) and not isinstance(i, bool) for i in items):
        raise RuntimeError(
            f"{op}: expected {name} to be a single integer value or a list of {n} values to "
            f"match the convolution dimensions, but got {name}={list(items)}"
        )
    return items


def _check_float(x: Tensor, what: str, op: str) -> None:
    if x._data.dtype.kind != "f":
        raise RuntimeError(f"{op}: expected a floating-point {what}, got dtype {x.dtype.name}")


def remembered(parse: Callable[..., _T], *args: Any) -> _T:
    """``parse(*args)``, remembered per distinct arguments when every argument is exactly an
    int, a str, ``None`` or a tuple of ints (bools and floats compare and hash equal to ints,
    so they would share an answer that should differ).  For checks and parsing that depend on
    a layer's hyper-parameters alone: done once, not on every call (batch-1 inference spent
    ~10 us a layer on them).  Errors are raised every time (an exception is not remembered)."""
    # The check, inline and in plain loops (a helper call per argument, or a generator, cost
    # more than the parsing it saves: ~20K instructions a call, measured with callgrind).
    for a in args:
        kind = a.__class__
        if kind is tuple:
            for v in a:
                if v.__class__ is not int:
                    return parse(*args)
        elif not (kind is int or kind is str or a is None):
            return parse(*args)
    cached = _REMEMBERED.get(parse)
    if cached is None:
        cached = _REMEMBERED[parse] = functools.lru_cache(maxsize=1024)(parse)
    return cast(_T, cached(*args))


_T = TypeVar("_T")
_REMEMBERED: dict[Any, Any] = {}


def _conv_args(
    op: str,
    nd: int,
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None,
    stride: Any,
    padding: Any,
    dilation: Any,
    groups: int,
) -> tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]:
    """Validate a convolution call (before any work); return stride, dilation and the
    ``(before, after)`` padding of each spatial dim, flattened: ``(t, b, l, r)`` for 2-D.
    The shape checks are remembered per shapes and setting (see :func:`remembered`)."""
    for name, t in (("input", input), ("weight", weight), ("bias", bias)):
        if t is not None and not isinstance(t, Tensor):
            raise TypeError(f"{op}: {name} must be a Tensor, got {type(t).__name__}")
    x, w = input._data, weight._data
    plan = remembered(_conv_plan, op, nd, x.shape, w.shape, stride, padding, dilation, groups)
    # then, as in PyTorch, the dtypes before the bias's shape (compared as NumPy dtypes: the
    # tt dtype objects cost a lookup each, on every call of every layer)
    _check_float(input, "input", op)
    if w.dtype != x.dtype or (bias is not None and bias._data.dtype != x.dtype):
        got = [t.dtype.name for t in (input, weight, bias) if t is not None]
        raise RuntimeError(
            f"{op}: input, weight and bias must have the same dtype, got {', '.join(got)}"
        )
    if bias is not None and bias._data.shape != w.shape[:1]:
        raise RuntimeError(
            f"{op}: Given weight of size {list(w.shape)}, expected bias to be 1-dimensional "
            f"with {w.shape[0]} elements, but got bias of size {list(bias.shape)} instead"
        )
    return plan


def _conv_plan(
    op: str,
    nd: int,
    shape: tuple[int, ...],
    wshape: tuple[int, ...],
    stride: Any,
    padding: Any,
    dilation: Any,
    groups: Any,
) -> tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]:
    """The checks of :func:`_conv_args` that depend on shapes and settings alone (ranks,
    hyper-parameters, channels, kernel size), and its result."""
    if len(shape) not in (nd + 1, nd + 2):
        raise RuntimeError(
            f"{op}: Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to {op}, but "
            f"got input of size: {list(shape)}"
        )
    if len(wshape) != nd + 2:
        spatial = ", ".join(f"k{d}" for d in ("H", "W")[2 - nd :]) if nd == 2 else "kL"
        raise RuntimeError(
            f"{op}: expected a {nd + 2}-D weight (out_channels, in_channels / groups, "
            f"{spatial}), but got weight of size {list(wshape)}"
        )
    if isinstance(groups, bool) or not isinstance(groups, int) or groups <= 0:
        raise RuntimeError(f"{op}: non-positive groups is not supported, got groups={groups}")
    s = ntuple(stride, nd, "stride", op)
    d = ntuple(dilation, nd, "dilation", op)
    if min(s) <= 0:
        raise RuntimeError(f"{op}: non-positive stride is not supported, got stride={list(s)}")
    if min(d) <= 0:
        raise RuntimeError(f"{op}: non-positive dilation is not supported, got dilation={list(d)}")
    kernel = wshape[2:]
    if isinstance(padding, str):
        if padding == "valid":
            pads: tuple[int, ...] = (0,) * (2 * nd)
        elif padding == "same":
            if max(s) != 1:
                raise RuntimeError(
                    f"{op}: padding='same' is not supported for strided convolutions"
                )
            # Total padding d * (k - 1) keeps the size; an odd total puts the extra on the
            # right/bottom, as PyTorch does.
            pads = ()
            for k, dil in zip(kernel, d, strict=True):
                total = dil * (k - 1)
                pads += (total // 2, total - total // 2)
        else:
            raise RuntimeError(f"{op}: Invalid padding string: {padding!r}")
    else:
        p = ntuple(padding, nd, "padding", op)
        if min(p) < 0:
            raise RuntimeError(f"{op}: negative padding is not supported, got {list(p)}")
        pads = tuple(v for pi in p for v in (pi, pi))
    if wshape[0] % groups:
        raise RuntimeError(
            f"{op}: Given groups={groups}, expected weight to be divisible by {groups} at "
            f"dimension 0, but got weight of size {list(wshape)} instead"
        )
    channels = shape[-nd - 1]
    if channels != wshape[1] * groups:
        shown = shape if len(shape) == nd + 2 else (1, *shape)
        raise RuntimeError(
            f"{op}: Given groups={groups}, weight of size {list(wshape)}, expected "
            f"input{list(shown)} to have {wshape[1] * groups} channels, but got {channels} "
            "channels instead"
        )
    padded = [shape[-nd + i] + pads[2 * i] + pads[2 * i + 1] for i in range(nd)]
    effective = [d[i] * (kernel[i] - 1) + 1 for i in range(nd)]
    if any(e > p_ for e, p_ in zip(effective, padded, strict=True)):
        fmt = " x ".join
        raise RuntimeError(
            f"{op}: Calculated padded input size per channel: ({fmt(map(str, padded))}). "
            f"Kernel size: ({fmt(map(str, effective))}). Kernel size can't be greater than "
            "actual input size"
        )
    return s, d, pads


# ----------------------------------------------------------------------- im2col
class Geometry(NamedTuple):
    """Where every window of a 2-D convolution or pooling sits in its (batched) input."""

    in_shape: tuple[int, ...]  # (N, C, H, W) or (*, H, W)
    pads: tuple[int, int, int, int]  # top, bottom, left, right (bottom/right may be larger)
    kernel: tuple[int, int]
    stride: tuple[int, int]
    dilation: tuple[int, int]
    out: tuple[int, int]  # H_out, W_out
    # A convolution's column matrix with its rows in (i, j, c) order instead of (c, i, j)
    # (see channels_last_pays); pooling ignores it.
    channels_last: bool = False

    def padded(self, x: np.ndarray[Any, Any], fill: float = 0.0) -> np.ndarray[Any, Any]:
        """``x`` with the geometry's borders (itself when there are none): one C-order array
        filled with ``fill`` and ``x`` copied into its middle."""
        top, bottom, left, right = self.pads
        if not (top or bottom or left or right):
            return x
        h, w = x.shape[-2:]
        shape = (*x.shape[:-2], h + top + bottom, w + left + right)
        out = np.zeros(shape, x.dtype) if fill == 0 else np.full(shape, fill, x.dtype)
        out[..., top : top + h, left : left + w] = x
        return out

    def offsets(self) -> Iterator[tuple[int, int, tuple[slice, slice]]]:
        """For each kernel offset ``(i, j)``: the strided slice of the padded input that the
        offset reads at every output position (``H_out x W_out`` elements)."""
        (kh, kw), (sh, sw), (dh, dw), (ho, wo) = self.kernel, self.stride, self.dilation, self.out
        for i in range(kh):
            for j in range(kw):
                rows = slice(i * dh, i * dh + sh * (ho - 1) + 1, sh)
                cols = slice(j * dw, j * dw + sw * (wo - 1) + 1, sw)
                yield i, j, (rows, cols)

    def cropped(self, xp: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        """The inverse of :meth:`padded` (a contiguous copy, or ``xp`` itself)."""
        top, _, left, _ = self.pads
        h, w = self.in_shape[-2:]
        if xp.shape[-2:] == (h, w):
            return xp
        return np.ascontiguousarray(xp[..., top : top + h, left : left + w])


def channels_last_pays(in_channels: int, geo: Geometry) -> bool:
    """Whether the column matrix copies in longer contiguous runs with its rows in ``(i, j,
    c)`` order: a run is then ``kW * C`` elements of a channels-last copy of the input (``C``
    when dilated), against ``W_out`` (1 when strided) in ``(c, i, j)`` order.  Deep layers on
    small images win: on the benchmark CNN's second layer (32 channels, 16 x 16, 3 x 3) the
    copy takes ~10 us in runs of 96 instead of ~43 us in runs of 16 at batch 1, and ~1.0 ms
    instead of ~2.7 ms at batch 64."""
    (_, kw), (_, sw), (_, dw), (_, wo) = geo.kernel, geo.stride, geo.dilation, geo.out
    return (in_channels * kw if dw == 1 else in_channels) > (wo if sw == 1 else 1)


def _im2col(x: np.ndarray[Any, Any], geo: Geometry) -> np.ndarray[Any, Any]:
    if geo.channels_last:
        return _im2col_rows(x, geo).T
    n, c = geo.in_shape[:2]
    (kh, kw), (sh, sw), (dh, dw), (ho, wo) = geo.kernel, geo.stride, geo.dilation, geo.out
    # (C, N, Hp, Wp), the column matrix's order; padded after the transpose, so the padded
    # copy is written in that order (a (C, N, H, W) memory layout, as pooling hands back,
    # is then read in order too)
    xp = geo.padded(x.transpose(1, 0, 2, 3))
    # Every window as one strided view (C, kH, kW, N, H_out, W_out) of the padded input --
    # offset (i, j) of output (y, x) sits at row i*dh + y*sh, column j*dw + x*sw -- then one
    # copy into the column matrix (a read-only view, copied at once: nothing writes to it).
    s_c, s_n, s_h, s_w = xp.strides
    shape = (c, kh, kw, n, ho, wo)
    strides = (s_c, s_h * dh, s_w * dw, s_n, s_h * sh, s_w * sw)
    if xp.flags.c_contiguous:  # the array constructor: a cheaper call than as_strided
        windows = np.ndarray(shape, xp.dtype, buffer=xp, strides=strides)
    else:
        windows = as_strided(xp, shape, strides, writeable=False)
    return np.ascontiguousarray(windows).reshape(c * kh * kw, n * ho * wo)


def _channels_last_padded(x: np.ndarray[Any, Any], geo: Geometry) -> np.ndarray[Any, Any]:
    """``(N, C, H, W)`` ``x`` as a zero-padded channels-last ``(N, Hp, Wp, C)`` copy."""
    n, c, h, w = geo.in_shape
    top, bottom, left, right = geo.pads
    xp = np.zeros((n, h + top + bottom, w + left + right, c), x.dtype)
    xp[:, top : top + h, left : left + w] = x.transpose(0, 2, 3, 1)
    return xp


def _im2col_rows(x: np.ndarray[Any, Any], geo: Geometry) -> np.ndarray[Any, Any]:
    """The transposed column matrix in ``(i, j, c)`` order, ``(N * H_out * W_out, kH * kW *
    C)``: row ``(n, y, x)`` holds window ``(y, x)`` of image ``n``.  Two copies: the padded
    channels-last input, then the strided view of every window."""
    n, c = geo.in_shape[:2]
    (kh, kw), (sh, sw), (dh, dw), (ho, wo) = geo.kernel, geo.stride, geo.dilation, geo.out
    xp = _channels_last_padded(x, geo)
    s_n, s_h, s_w, s_c = xp.strides
    shape = (n, ho, wo, kh, kw, c)
    strides = (s_n, s_h * sh, s_w * sw, s_h * dh, s_w * dw, s_c)
    windows = np.ndarray(shape, xp.dtype, buffer=xp, strides=strides)
    return np.ascontiguousarray(windows).reshape(n * ho * wo, kh * kw * c)


def _col2im(cols: np.ndarray[Any, Any], geo: Geometry) -> np.ndarray[Any, Any]:
    n, c, h, w = geo.in_shape
    top, bottom, left, right = geo.pads
    (kh, kw), (ho, wo) = geo.kernel, geo.out
    grad = np.zeros((c, n, h + top + bottom, w + left + right), cols.dtype)
    if geo.channels_last:  # rows in (i, j, c) order
        blocks = cols.reshape(kh, kw, c, n, ho, wo)
    else:
        blocks = cols.reshape(c, kh, kw, n, ho, wo).transpose(1, 2, 0, 3, 4, 5)
    for i, j, (rows, cs) in geo.offsets():
        grad[:, :, rows, cs] += blocks[i, j]  # the kernel-offset slices added back
    return geo.cropped(grad).transpose(1, 0, 2, 3)  # cropped in memory order, then a view


class Im2col(Function):
    """The column matrix of a convolution, as one autograd node (a fused primitive).

    ``Im2col.apply(x, geo)``: ``(N, C, H, W) -> (C * kH * kW, N * H_out * W_out)``, row
    ``(c, i, j)`` holding what kernel offset ``(i, j)`` of channel ``c`` reads at every output
    position (rows in ``(i, j, c)`` order when ``geo.channels_last``: then it is the transposed
    view of :func:`_im2col_rows`).  The same values as :func:`im2col_reference` (pad, two
    unfolds, a permute and a reshape), built with one strided copy; its backward is
    :class:`Col2im`, which adds the ``kH * kW`` slices back with strided adds.  Both are linear
    and each is the other's adjoint, so gradients of any order work.

    Why fused: measured on the benchmark CNN (batch 64, 3x32x32, two 3x3 convolutions), the
    composed version's backward spent most of its time in the unfold gradients, which add
    slices of a 6-D permuted view into a 5-D one (strides that defeat the cache); this one
    adds ``(N, H_out, W_out)`` blocks into ``(N, H, W)`` blocks.
    """

    @staticmethod
    def forward(ctx: Any, x: Tensor, geo: Geometry) -> Tensor:
        ctx.geo = geo
        return tt.from_numpy(_im2col(x.numpy(force=True), geo))

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> tuple[Tensor, None]:
        return Col2im.apply(g, ctx.geo), None


class Col2im(Function):
    """The adjoint of :class:`Im2col`: ``(C * kH * kW, N * H_out * W_out) -> (N, C, H, W)``,
    each column entry added to the input position it was read from (``kH * kW`` strided
    adds into a zero padded image, then the border cropped)."""

    @staticmethod
    def forward(ctx: Any, cols: Tensor, geo: Geometry) -> Tensor:
        ctx.geo = geo
        return tt.from_numpy(_col2im(cols.numpy(force=True), geo))

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> tuple[Tensor, None]:
        return Im2col.apply(g, ctx.geo), None


def im2col_reference(x: Tensor, geo: Geometry) -> Tensor:
    """:class:`Im2col` composed from tensor views (pad, unfold, permute, reshape): the
    definition the fused primitive is tested against."""
    n, c = geo.in_shape[:2]
    top, bottom, left, right = geo.pads
    (kh, kw), (sh, sw), (dh, dw), (ho, wo) = geo.kernel, geo.stride, geo.dilation, geo.out
    if top or bottom or left or right:
        x = tt.pad(x, (left, right, top, bottom))
    win = x.unfold(2, dh * (kh - 1) + 1, sh).unfold(3, dw * (kw - 1) + 1, sw)
    win = win[:, :, :ho, :wo, ::dh, ::dw]  # (N, C, H_out, W_out, kH, kW)
    rows_order = (4, 5, 1) if geo.channels_last else (1, 4, 5)
    return win.permute(*rows_order, 0, 2, 3).reshape(c * kh * kw, n * ho * wo)


# ----------------------------------------------------------------------- the computation
def _conv2d(
    x: Tensor,
    weight: Tensor,
    bias: Tensor | None,
    stride: tuple[int, ...],
    dilation: tuple[int, ...],
    pads: tuple[int, ...],
    groups: int,
) -> Tensor:
    """The 2-D convolution of a batched input; arguments already checked."""
    n, c, _, _ = x._data.shape
    out_ch, c_g, kh, kw = weight._data.shape
    geo = remembered(
        _conv_geometry, x._data.shape, weight._data.shape, stride, dilation, pads, groups
    )
    ho, wo = geo.out
    if not records(x, weight, bias):
        return _conv2d_no_grad(x, weight, bias, geo, groups)
    cols: Tensor = Im2col.apply(x, geo)  # (C*kH*kW, N*H_out*W_out)
    if geo.channels_last:  # the weight's columns in the rows' (i, j, c) order (a copy)
        out = weight.permute(0, 2, 3, 1).reshape(out_ch, c * kh * kw) @ cols
    elif groups == 1:
        out = weight.reshape(out_ch, c * kh * kw) @ cols
    else:
        k_g = c_g * kh * kw
        out = weight.reshape(groups, out_ch // groups, k_g) @ cols.reshape(groups, k_g, -1)
    out = out.reshape(out_ch, n, ho, wo)
    if bias is not None:
        out = out + bias.reshape(out_ch, 1, 1, 1)
    return out.permute(1, 0, 2, 3)


def _conv_geometry(
    shape: tuple[int, ...],
    wshape: tuple[int, ...],
    stride: tuple[int, ...],
    dilation: tuple[int, ...],
    pads: tuple[int, ...],
    groups: int,
) -> Geometry:
    """Where a 2-D convolution's windows sit, and its column matrix's row order (remembered
    per shapes and setting, see :func:`remembered`)."""
    n, c, h, w = shape
    _, _, kh, kw = wshape
    (sh, sw), (dh, dw) = stride, dilation
    top, bottom, left, right = pads
    ho = (h + top + bottom - dh * (kh - 1) - 1) // sh + 1
    wo = (w + left + right - dw * (kw - 1) - 1) // sw + 1
    geo = Geometry((n, c, h, w), (top, bottom, left, right), (kh, kw), (sh, sw), (dh, dw), (ho, wo))
    if groups == 1 and channels_last_pays(c, geo):
        geo = geo._replace(channels_last=True)
    return geo


def _conv2d_no_grad(
    x: Tensor, weight: Tensor, bias: Tensor | None, geo: Geometry, groups: int
) -> Tensor:
    """The same values as the recorded path, computed on the arrays in one go when no graph
    is wanted (inference): no autograd nodes, no intermediate tensors, the bias added in
    place.  Batch-1 inference spends more time in per-op overhead than in arithmetic."""
    n = geo.in_shape[0]
    (ho, wo), out_ch = geo.out, weight.shape[0]
    cols = _im2col(x.numpy(force=True), geo)
    w = weight.numpy(force=True)
    if geo.channels_last:
        out = w.transpose(0, 2, 3, 1).reshape(out_ch, -1) @ cols
    elif groups == 1:
        out = w.reshape(out_ch, -1) @ cols
    else:
        out = w.reshape(groups, out_ch // groups, -1) @ cols.reshape(groups, w[0].size, -1)
    out = out.reshape(out_ch, n, ho, wo)
    if bias is not None:
        out += bias.numpy(force=True).reshape(out_ch, 1, 1, 1)
    return tt.from_numpy(out.transpose(1, 0, 2, 3))


def conv2d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: int | Sequence[int] = 1,
    padding: Padding = 0,
    dilation: int | Sequence[int] = 1,
    groups: int = 1,
) -> Tensor:
    """Apply a 2-D convolution (cross-correlation, as in PyTorch) over an image batch.

    ``out[n, o] = bias[o] + sum_c sum_{i,j} weight[o, c, i, j] * x_pad[n, g*C/G + c,
    s_h*y + d_h*i, s_w*x + d_w*j]`` for output channel ``o`` in group ``g``.

    ``padding`` is an int, a pair, ``'valid'`` (none) or ``'same'`` (output size = input size;
    stride must be 1; an odd total ``dilation * (k - 1)`` puts the extra row/column at the
    bottom/right).

    **Shape**: input ``(N, C_in, H, W)`` or unbatched ``(C_in, H, W)``; weight ``(C_out,
    C_in / groups, kH, kW)``; bias ``(C_out,)``; output ``(N, C_out, H_out, W_out)`` with
    ``H_out = (H + pad_top + pad_bottom - dilation[0] * (kH - 1) - 1) // stride[0] + 1``
    (``W_out`` likewise).

    **Cost**: ``2 * N * C_out * H_out * W_out * (C_in / groups) * kH * kW`` FLOPs in one
    (batched) matrix multiply, plus the im2col copy of ``N * C_in * kH * kW * H_out * W_out``
    elements.  Backward costs twice the FLOPs (weight and input gradients) plus ``kH * kW``
    strided adds over the input.

    **Memory**: the padded input (a copy) and the column matrix ``(C_in * kH * kW, N * H_out *
    W_out)`` (``kH * kW`` times the input for stride 1), both kept by autograd for the weight
    gradient; the output is a permuted view of the ``(C_out, N, H_out, W_out)`` product.

    >>> import tt_tensor as tt
    >>> x = tt.ones(1, 1, 4, 4)
    >>> conv2d(x, tt.ones(2, 1, 3, 3), padding=1)[0, 0].tolist()[0]
    [4.0, 6.0, 6.0, 4.0]
    """
    s, d, pads = _conv_args("conv2d", 2, input, weight, bias, stride, padding, dilation, groups)
    if input.ndim == 3:
        return _conv2d(input.unsqueeze(0), weight, bias, s, d, pads, groups).squeeze(0)
    return _conv2d(input, weight, bias, s, d, pads, groups)


def conv1d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: int | Sequence[int] = 1,
    padding: Padding = 0,
    dilation: int | Sequence[int] = 1,
    groups: int = 1,
) -> Tensor:
    """Apply a 1-D convolution (cross-correlation) over a batch of sequences.

    Computed as :func:`conv2d` over an input of height 1 with a kernel of height 1.

    **Shape**: input ``(N, C_in, L)`` or unbatched ``(C_in, L)``; weight ``(C_out, C_in /
    groups, K)``; bias ``(C_out,)``; output ``(N, C_out, L_out)`` with ``L_out = (L +
    pad_left + pad_right - dilation * (K - 1) - 1) // stride + 1``.

    **Cost**: ``2 * N * C_out * L_out * (C_in / groups) * K`` FLOPs in one matrix multiply,
    plus the im2col copy of ``N * C_in * K * L_out`` elements.

    **Memory**: the padded input and the ``(C_in * K, N * L_out)`` column matrix (kept for
    backward); the output is a view of the product.

    >>> import tt_tensor as tt
    >>> conv1d(tt.ones(1, 1, 5), tt.ones(1, 1, 3)).tolist()
    [[[3.0, 3.0, 3.0]]]
    """
    (s,), (d,), pads = _conv_args(
        "conv1d", 1, input, weight, bias, stride, padding, dilation, groups
    )
    x = input.unsqueeze(0) if input.ndim == 2 else input
    out = _conv2d(x.unsqueeze(2), weight.unsqueeze(2), bias, (1, s), (1, d), (0, 0, *pads), groups)
    out = out.squeeze(2)
    return out.squeeze(0) if input.ndim == 2 else out
