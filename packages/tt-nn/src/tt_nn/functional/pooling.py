"""Pooling: reduce each window of an image to one number (``torch.nn.functional``).

Like convolution, pooling reads every ``kH x kW`` window; the windows come from the same view
(pad, then two :meth:`~tt_tensor.Tensor.unfold` calls: ``(N, C, H_out, W_out, kH, kW)``, no
copy), and a reduction over the last two dims replaces the matrix multiply:

* :func:`max_pool2d`: ``amax`` over each window (padding is ``-inf``, so it never wins);
* :func:`avg_pool2d`: ``sum`` over each window divided by a per-position divisor;
* :func:`adaptive_avg_pool2d`: windows whose sizes vary with the position, written as two
  small averaging matrices, ``A_h @ x @ A_w.T``.

No backward code: the reductions' gradients flow back through the unfold views (strided adds
of the ``kH * kW`` window offsets) and the pad (a crop).  ``max_pool2d`` sends each window's
gradient to its maximum; where several elements tie for the maximum the gradient is split
evenly among them (``amax``'s rule) while PyTorch gives it all to the first one.

Output size per spatial dim (size ``L``, kernel ``k``, stride ``s``, padding ``p``, dilation
``d``)::

    L_out = floor_or_ceil((L + 2p - d(k - 1) - 1) / s) + 1

with ``ceil`` under ``ceil_mode=True``, where a last window that would start in the right
padding is dropped.

Systems question: why can a max pool's backward not be computed from its output alone, while
an average pool's can?
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

import tt_tensor as tt
from tt_autograd import Function, records
from tt_tensor import Tensor

from .conv import Geometry, ntuple, remembered

__all__ = ["adaptive_avg_pool2d", "avg_pool2d", "max_pool2d"]

IntOrPair = int | Sequence[int]


def pool_output_size(size: int, k: int, s: int, p: int, d: int, ceil_mode: bool) -> int:
    """The output length of a pooling window sliding over ``size`` elements (see module doc).

    >>> pool_output_size(5, 2, 2, 0, 1, False), pool_output_size(5, 2, 2, 0, 1, True)
    (2, 3)
    """
    span = size + 2 * p - d * (k - 1) - 1
    out = (span + (s - 1 if ceil_mode else 0)) // s + 1
    if ceil_mode and (out - 1) * s >= size + p:  # the last window would start in the padding
        out -= 1
    return out


def _parse_pool_config(
    op: str, kernel_size: Any, stride: Any, padding: Any, dilation: Any
) -> tuple[tuple[int, ...], ...]:
    """The checked kernel, stride (the kernel when not given), padding and dilation of a 2-D
    pooling (see :func:`~tt_nn.functional.conv.remembered`)."""
    k = ntuple(kernel_size, 2, "kernel_size", op)
    s = k if stride is None or stride == () else ntuple(stride, 2, "stride", op)
    p = ntuple(padding, 2, "padding", op)
    d = ntuple(dilation, 2, "dilation", op)
    if min(k) <= 0:
        raise RuntimeError(f"{op}: kernel_size must be greater than zero, but got {list(k)}")
    if min(s) <= 0:
        raise RuntimeError(f"{op}: stride should not be zero, but got {list(s)}")
    if min(d) <= 0:
        raise RuntimeError(f"{op}: dilation should be greater than zero, but got {list(d)}")
    if min(p) < 0 or p[0] > k[0] // 2 or p[1] > k[1] // 2:
        raise RuntimeError(
            f"{op}: pad should be at least zero and at most half of kernel size, but got "
            f"padding={list(p)} and kernel_size={list(k)}"
        )
    return k, s, p, d


def _pool_args(
    op: str,
    input: Tensor,
    kernel_size: IntOrPair,
    stride: IntOrPair | None,
    padding: IntOrPair,
    dilation: IntOrPair,
    ceil_mode: bool,
) -> Geometry:
    """Validate a pooling call; return where its windows sit (remembered per input shape and
    setting, see :func:`~tt_nn.functional.conv.remembered`)."""
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}: input must be a Tensor, got {type(input).__name__}")
    rounding = "ceil" if ceil_mode else "floor"  # (a bool is never remembered)
    shape = input._data.shape
    return remembered(_pool_plan, op, shape, kernel_size, stride, padding, dilation, rounding)


def _pool_plan(
    op: str,
    shape: tuple[int, ...],
    kernel_size: IntOrPair,
    stride: IntOrPair | None,
    padding: IntOrPair,
    dilation: IntOrPair,
    rounding: str,
) -> Geometry:
    """The checks of :func:`_pool_args` and the windows' geometry: padding ``p`` on the
    top/left, and ``p`` plus whatever ``ceil_mode``'s last window needs on the bottom/right."""
    ceil_mode = rounding == "ceil"
    if len(shape) not in (3, 4) or 0 in shape[-3:]:
        raise RuntimeError(
            f"{op}: Expected 3D (unbatched) or 4D (batched) non-empty input, but got input of "
            f"size: {list(shape)}"
        )
    k, s, p, d = _parse_pool_config(op, kernel_size, stride, padding, dilation)
    hw = shape[-2:]
    out = tuple(pool_output_size(hw[i], k[i], s[i], p[i], d[i], ceil_mode) for i in range(2))
    if min(out) <= 0:
        raise RuntimeError(
            f"{op}: Given input size: ({'x'.join(map(str, shape[-3:]))}). Calculated output "
            f"size: ({shape[-3]}x{out[0]}x{out[1]}). Output size is too small"
        )
    extra = [
        max(0, (out[i] - 1) * s[i] + d[i] * (k[i] - 1) + 1 - (hw[i] + 2 * p[i])) for i in (0, 1)
    ]
    pads = (p[0], p[0] + extra[0], p[1], p[1] + extra[1])
    return Geometry(shape, pads, (k[0], k[1]), (s[0], s[1]), (d[0], d[1]), (out[0], out[1]))


def _windows(x: Tensor, geo: Geometry, fill: float) -> Tensor:
    """The view ``(*, H_out, W_out, kH, kW)`` of every window of ``x`` padded with ``fill``
    (pad, then two unfolds; a dilated window keeps every ``d``-th element)."""
    (kh, kw), (sh, sw), (dh, dw) = geo.kernel, geo.stride, geo.dilation
    top, bottom, left, right = geo.pads
    if top or bottom or left or right:
        x = tt.pad(x, (left, right, top, bottom), value=fill)
    win = x.unfold(-2, dh * (kh - 1) + 1, sh).unfold(-2, dw * (kw - 1) + 1, sw)
    if dh > 1 or dw > 1:
        win = win[..., ::dh, ::dw]
    return win  # exactly H_out x W_out windows: the padding was sized for that


def lead_order(x: np.ndarray[Any, Any]) -> tuple[int, ...]:
    """A permutation of ``x``'s dims: the leading dims ordered as they lie in memory (slowest
    first), then the two spatial dims.  For a convolution's output, an ``(N, C, H, W)`` view
    of ``(C, N, H, W)`` memory, it is ``(1, 0, 2, 3)``: working on ``x.transpose(order)``
    walks memory in order, which measured 3x faster than NumPy's pass over the view."""
    lead = sorted(range(x.ndim - 2), key=lambda d: -abs(x.strides[d]))
    return (*lead, x.ndim - 2, x.ndim - 1)


def inverse(order: tuple[int, ...]) -> tuple[int, ...]:
    """The permutation that undoes ``order`` (``np.argsort`` of a tuple costs ~3 us, most of
    it converting the tuple to an array)."""
    return tuple(order.index(d) for d in range(len(order)))


def _max_select(
    xp: np.ndarray[Any, Any], geo: Geometry, winner: np.ndarray[Any, Any]
) -> np.ndarray[Any, Any]:
    """For each window, the element of the padded ``xp`` at the window's winning offset."""
    out = np.zeros((*xp.shape[:-2], *geo.out), xp.dtype)
    for k, (_, _, (rows, cols)) in enumerate(geo.offsets()):
        np.copyto(out, xp[..., rows, cols], where=winner[k])
    return out


def _max_scatter(
    g: np.ndarray[Any, Any], geo: Geometry, winner: np.ndarray[Any, Any]
) -> np.ndarray[Any, Any]:
    """Each window's gradient put at its maximum: ``kH * kW`` strided writes into a zero
    padded image (adds where windows overlap), then the border cropped.  The adjoint of
    :func:`_max_select`."""
    top, bottom, left, right = geo.pads
    h, w = geo.in_shape[-2:]
    grad = np.zeros((*g.shape[:-2], h + top + bottom, w + left + right), g.dtype)
    (kh, kw), (sh, sw), (dh, dw) = geo.kernel, geo.stride, geo.dilation
    disjoint = sh >= dh * (kh - 1) + 1 and sw >= dw * (kw - 1) + 1  # windows don't overlap
    for k, (_, _, (rows, cols)) in enumerate(geo.offsets()):
        if disjoint:  # each input position is read by one offset at most: write, don't add
            np.multiply(g, winner[k], out=grad[..., rows, cols])
        else:
            grad[..., rows, cols] += g * winner[k]
    return geo.cropped(grad)


class MaxPool2dFunction(Function):
    """2-D max pooling as one autograd node (a fused primitive): ``apply(x, geo)``.

    Forward: the running maximum over the ``kH * kW`` strided slices of the ``-inf`` padded
    input, then one boolean mask per offset marking where it won (the first maximum, or the
    last NaN, as in PyTorch).  Backward (:class:`MaxPool2dScatter`) sends each window's
    gradient to that one element.  All of it runs on the input's dims in memory order (see
    :func:`lead_order`); results are handed back as views in the caller's order.

    Why fused: on the benchmark CNN (batch 64) the composed form (``amax`` over the unfold
    view) spent more time than both convolutions together: NumPy reduces the 2x2 trailing axes
    of a strided 6-D view slowly, and ``amax``'s gradient compares every window with its
    maximum, counts ties and unfolds the result back (several full passes).
    """

    @staticmethod
    def forward(ctx: Any, x: Tensor, geo: Geometry) -> Tensor:
        data = x.numpy(force=True)
        order = lead_order(data)
        xp = _lowest_padded(data.transpose(order), geo)  # padded once, for both uses
        best = _window_max(xp, geo)
        slices = [xp[..., rows, cols] for _, _, (rows, cols) in geo.offsets()]
        # winner[k]: offset k holds the window's maximum and no earlier offset does.
        winner = np.empty((len(slices), *best.shape), bool)
        found = np.zeros(best.shape, bool)
        for k, v in enumerate(slices):
            np.equal(v, best, out=winner[k])
            np.greater(winner[k], found, out=winner[k])  # w & ~found, in one pass
            found |= winner[k]
        if data.dtype.kind == "f" and not found.all():  # NaN windows: the last NaN wins
            seen = found
            for k in range(len(slices) - 1, -1, -1):
                nan_k = np.isnan(slices[k]) & ~seen
                winner[k] |= nan_k
                seen |= nan_k
        ctx.geo, ctx.winner, ctx.order = geo, winner, order
        return tt.from_numpy(best.transpose(inverse(order)))

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> tuple[Tensor, None]:
        return MaxPool2dScatter.apply(g, ctx.geo, ctx.winner, ctx.order), None


def _lowest_padded(xt: np.ndarray[Any, Any], geo: Geometry) -> np.ndarray[Any, Any]:
    """``xt`` with the geometry's borders filled with the dtype's lowest value (``-inf``)."""
    return geo.padded(xt, -np.inf if xt.dtype.kind == "f" else np.iinfo(xt.dtype).min)


def _window_max(xp: np.ndarray[Any, Any], geo: Geometry) -> np.ndarray[Any, Any]:
    """Each window's maximum of the padded ``xp``, separably: the maximum over the ``kH``
    row offsets (strided slices), then over the ``kW`` column offsets of that: ``kH + kW - 2``
    elementwise maxima instead of ``kH * kW - 1``.  Exact (a maximum does not round) and NaN
    propagates, as in PyTorch."""
    (kh, kw), (sh, sw), (dh, dw), (ho, wo) = geo.kernel, geo.stride, geo.dilation, geo.out
    rows = _maximum_of([xp[..., i * dh : i * dh + sh * (ho - 1) + 1 : sh, :] for i in range(kh)])
    cols = [rows[..., j * dw : j * dw + sw * (wo - 1) + 1 : sw] for j in range(kw)]
    return _maximum_of(cols) if kw > 1 else cols[0].copy()


def _maximum_of(views: list[np.ndarray[Any, Any]]) -> np.ndarray[Any, Any]:
    """The elementwise maximum of ``views`` (the only view itself when there is one)."""
    if len(views) == 1:
        return views[0]
    out: np.ndarray[Any, Any] = np.maximum(views[0], views[1])
    for v in views[2:]:
        np.maximum(out, v, out=out)
    return out


def _in_order(
    x: Tensor, order: tuple[int, ...], compute: Callable[[np.ndarray[Any, Any]], Any]
) -> Tensor:
    """``compute`` applied to ``x``'s array with its dims permuted by ``order``; the result
    permuted back (a view)."""
    out = compute(x.numpy(force=True).transpose(order))
    return tt.from_numpy(out.transpose(inverse(order)))


class MaxPool2dScatter(Function):
    """Max pooling's backward: window gradients added at the remembered maxima.  Linear in
    its input; its own backward (:class:`MaxPool2dSelect`) reads the maxima's positions."""

    @staticmethod
    def forward(
        ctx: Any,
        g: Tensor,
        geo: Geometry,
        winner: np.ndarray[Any, Any],
        order: tuple[int, ...],
    ) -> Tensor:
        ctx.geo, ctx.winner, ctx.order = geo, winner, order
        return _in_order(g, order, lambda a: _max_scatter(a, geo, winner))

    @staticmethod
    def backward(ctx: Any, gg: Tensor) -> tuple[Tensor, None, None, None]:
        return MaxPool2dSelect.apply(gg, ctx.geo, ctx.winner, ctx.order), None, None, None


class MaxPool2dSelect(Function):
    """Read each window's remembered maximum position from an input-shaped tensor (the adjoint
    of :class:`MaxPool2dScatter`, used for gradients of gradients)."""

    @staticmethod
    def forward(
        ctx: Any,
        y: Tensor,
        geo: Geometry,
        winner: np.ndarray[Any, Any],
        order: tuple[int, ...],
    ) -> Tensor:
        ctx.geo, ctx.winner, ctx.order = geo, winner, order
        return _in_order(y, order, lambda a: _max_select(geo.padded(a), geo, winner))

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> tuple[Tensor, None, None, None]:
        return MaxPool2dScatter.apply(g, ctx.geo, ctx.winner, ctx.order), None, None, None


def max_pool2d(
    input: Tensor,
    kernel_size: IntOrPair,
    stride: IntOrPair | None = None,
    padding: IntOrPair = 0,
    dilation: IntOrPair = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Tensor:
    """Take the maximum of every ``kH x kW`` window (2-D max pooling).

    ``stride`` defaults to ``kernel_size``; ``padding`` (at most half the kernel) adds
    ``-inf`` borders; ``dilation`` spaces the window's elements.  The gradient of a window
    goes to its first maximum, as in PyTorch.  ``return_indices=True`` is not implemented.
    Computed by the fused :class:`MaxPool2dFunction` (see there why).

    **Shape**: ``(N, C, H, W) -> (N, C, H_out, W_out)`` (or unbatched ``(C, H, W)``), with
    ``H_out = (H + 2 * padding - dilation * (kH - 1) - 1) // stride + 1`` (rounded up under
    ``ceil_mode``, see the module doc).

    **Cost**: ``N * C * H_out * W_out * kH * kW`` comparisons; backward ``kH * kW`` strided
    adds of ``N * C * H_out * W_out`` elements.

    **Memory**: the output, and ``kH * kW`` boolean masks of the output's shape saying which
    offset won (kept for backward; ``kH * kW`` bytes per output element), plus a padded copy
    of the input while the forward runs if there is padding.

    >>> import tt_tensor as tt
    >>> max_pool2d(tt.arange(16.0).reshape(1, 4, 4), 2).tolist()
    [[[5.0, 7.0], [13.0, 15.0]]]
    """
    if return_indices:
        raise NotImplementedError("max_pool2d: return_indices=True is not implemented")
    geo = _pool_args("max_pool2d", input, kernel_size, stride, padding, dilation, ceil_mode)
    if not records(input):  # inference: the maxima only
        order = lead_order(input.numpy(force=True))
        return _in_order(input, order, lambda a: _window_max(_lowest_padded(a, geo), geo))
    result: Tensor = MaxPool2dFunction.apply(input, geo)
    return result


def max_pool2d_reference(
    input: Tensor,
    kernel_size: IntOrPair,
    stride: IntOrPair | None = None,
    padding: IntOrPair = 0,
    dilation: IntOrPair = 1,
    ceil_mode: bool = False,
) -> Tensor:
    """:func:`max_pool2d` composed from views and ``amax`` (ties split the gradient evenly):
    the definition the fused :class:`MaxPool2dFunction` is tested against."""
    geo = _pool_args("max_pool2d", input, kernel_size, stride, padding, dilation, ceil_mode)
    return _windows(input, geo, float("-inf")).amax((-2, -1))


def _avg_divisor(
    size: int, k: int, s: int, p: int, out: int, count_include_pad: bool
) -> np.ndarray[Any, Any]:
    """How many elements each output position along one dim averages over (PyTorch's rule:
    padding counts under ``count_include_pad``; the ceil-mode overhang never counts)."""
    start = np.arange(out) * s - p
    end = np.minimum(start + k, size + p)
    if count_include_pad:
        return end - start
    return np.minimum(end, size) - np.maximum(start, 0)


def avg_pool2d(
    input: Tensor,
    kernel_size: IntOrPair,
    stride: IntOrPair | None = None,
    padding: IntOrPair = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
) -> Tensor:
    """Average every ``kH x kW`` window (2-D average pooling).

    The window sum is divided by ``divisor_override`` if given, else by the number of elements
    the window covers: zero padding included when ``count_include_pad`` (the default), real
    input elements only otherwise; a ``ceil_mode`` window that hangs past the padding counts
    only what it covers.

    **Shape**: ``(N, C, H, W) -> (N, C, H_out, W_out)`` (or unbatched), ``H_out = (H + 2 *
    padding - kH) // stride + 1`` (rounded up under ``ceil_mode``).

    **Cost**: ``N * C * H_out * W_out * kH * kW`` additions plus one division per output;
    backward ``kH * kW`` strided adds over the input.

    **Memory**: the padded input if there is padding (a copy); the windows are a view; the
    divisor is an ``(H_out, W_out)`` constant.  Autograd keeps nothing large (the gradient of a
    sum needs no saved input).

    >>> import tt_tensor as tt
    >>> avg_pool2d(tt.arange(16.0).reshape(1, 4, 4), 2).tolist()
    [[[2.5, 4.5], [10.5, 12.5]]]
    """
    geo = _pool_args("avg_pool2d", input, kernel_size, stride, padding, 1, ceil_mode)
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("avg_pool2d: divisor must be not zero")
    _check_floating(input, "avg_pool2d")
    total = _windows(input, geo, 0.0).sum((-2, -1))
    k, s, out, p = geo.kernel, geo.stride, geo.out, (geo.pads[0], geo.pads[2])
    if divisor_override is not None:
        return total / divisor_override
    h, w = input.shape[-2], input.shape[-1]
    dh = _avg_divisor(h, k[0], s[0], p[0], out[0], count_include_pad)
    dw = _avg_divisor(w, k[1], s[1], p[1], out[1], count_include_pad)
    if (dh == k[0]).all() and (dw == k[1]).all():
        return total / (k[0] * k[1])  # every window is full: one scalar divisor
    divisor = np.multiply.outer(dh, dw).astype(input.dtype.np)
    return total / tt.from_numpy(divisor)


def _check_floating(x: Tensor, op: str) -> None:
    if not x.dtype.is_floating_point:
        raise RuntimeError(f"{op}: expected a floating-point input, got dtype {x.dtype.name}")


def _averaging_matrix(size: int, out: int, dtype: Any) -> np.ndarray[Any, Any]:
    """``A`` of shape ``(out, size)`` with ``A @ v`` the adaptive window means of ``v``: row
    ``i`` averages ``v[floor(i * size / out) : ceil((i + 1) * size / out)]``."""
    i = np.arange(out)
    start = (i * size) // out
    end = -((-(i + 1) * size) // out)
    j = np.arange(size)
    inside = (j >= start[:, None]) & (j < end[:, None])
    return (inside / (end - start)[:, None]).astype(dtype)


def adaptive_avg_pool2d(input: Tensor, output_size: int | Sequence[int | None] | None) -> Tensor:
    """Average-pool to a fixed output size, whatever the input size (2-D adaptive pooling).

    Output row ``i`` averages input rows ``floor(i * H / H_out)`` to ``ceil((i + 1) * H /
    H_out) - 1`` (windows may differ in size and overlap when ``H_out`` does not divide
    ``H``); columns likewise.  ``None`` in ``output_size`` keeps that input size.

    When the sizes divide, this is a mean over non-overlapping blocks (a reshape and a mean);
    otherwise it is two matrix multiplies with constant averaging matrices ``A_h (H_out, H)``
    and ``A_w (W_out, W)``: ``out = A_h @ x @ A_w.T``.

    **Shape**: ``(N, C, H, W) -> (N, C, H_out, W_out)`` (or unbatched ``(C, H, W)``).

    **Cost**: ``N * C * H * W`` additions when the sizes divide; otherwise ``2 * N * C * H_out
    * W * (H + W_out)`` FLOPs for the two products.

    **Memory**: the two small averaging matrices and the ``(N, C, H_out, W)`` intermediate;
    autograd keeps only the constant matrices and that intermediate.

    >>> import tt_tensor as tt
    >>> adaptive_avg_pool2d(tt.arange(9.0).reshape(1, 3, 3), 2).tolist()
    [[[2.0, 3.0], [5.0, 6.0]]]
    """
    op = "adaptive_avg_pool2d"
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}: input must be a Tensor, got {type(input).__name__}")
    shape = tuple(input.shape)
    if len(shape) not in (3, 4) or 0 in shape[-3:]:
        raise RuntimeError(
            f"{op}: Expected 3D or 4D non-empty input, but got input of size: {list(shape)}"
        )
    if output_size is None or isinstance(output_size, int):
        sizes: tuple[int | None, ...] = (output_size, output_size)
    else:
        sizes = tuple(output_size)
        if len(sizes) != 2:
            raise RuntimeError(f"{op}: output_size must be 2, got {list(sizes)}")
    h, w = shape[-2:]
    oh = h if sizes[0] is None else sizes[0]
    ow = w if sizes[1] is None else sizes[1]
    if oh < 0 or ow < 0:
        raise RuntimeError(f"{op}: output_size must be non-negative, got {[oh, ow]}")
    _check_floating(input, op)
    if oh and ow and h % oh == 0 and w % ow == 0:
        blocks = input.reshape(*shape[:-2], oh, h // oh, ow, w // ow)
        return blocks.mean((-3, -1))
    a_h = tt.from_numpy(_averaging_matrix(h, oh, input.dtype.np))
    a_w_t = tt.from_numpy(_averaging_matrix(w, ow, input.dtype.np).T.copy())
    return (a_h @ input) @ a_w_t
