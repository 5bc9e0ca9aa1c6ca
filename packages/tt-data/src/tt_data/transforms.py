"""Image transforms with torchvision's names, vectorized over a batch.

Every transform accepts one image or a batch, as a NumPy array or a tt tensor, and returns the
same kind it was given (ToTensor always returns a tensor):

* one image: ``(C, H, W)`` (or ``(H, W)`` where a channel axis is not needed);
* a batch: ``(N, C, H, W)``.  The random transforms draw *per-sample* randomness in one vectorized
  call (``N`` crop offsets, ``N`` coin flips, ``N`` erase boxes) and apply it with one gather or
  one masked write: no Python loop over the samples.

Randomness comes from ``generator`` (a ``tt.Generator``) or, when it is ``None``, the global tt
generator, so ``tt.manual_seed`` makes every pipeline reproducible.  The streams are NumPy's,
not PyTorch's: the same seed gives other crops than torchvision (same distributions).

These are input-pipeline transforms: only :class:`Normalize` is composed from tt ops (so it is
differentiable); the others rearrange pixels with NumPy and do not track gradients.

Systems questions: why is one ``(N, C, th, tw)`` gather through ``sliding_window_view`` faster
than ``N`` slices?  Why does ``RandomErasing`` build an ``(N, H, W)`` mask instead of writing
``N`` rectangles?
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

import tt_tensor as tt

__all__ = [
    "Compose",
    "Lambda",
    "Normalize",
    "RandomCrop",
    "RandomErasing",
    "RandomHorizontalFlip",
    "ToTensor",
]

Array = np.ndarray[Any, Any]


def _unwrap(x: Any, op: str) -> tuple[Array, bool]:
    """The array behind ``x`` and whether ``x`` was a tensor."""
    if isinstance(x, tt.Tensor):
        return x.numpy(), True
    if isinstance(x, np.ndarray):
        return x, False
    raise TypeError(f"{op}: expected a tt tensor or a NumPy array, got {type(x).__name__}")


def _wrap(arr: Array, as_tensor: bool) -> Any:
    return tt.from_numpy(np.ascontiguousarray(arr)) if as_tensor else arr


def _rng(generator: tt.Generator | None) -> np.random.Generator:
    return (generator if generator is not None else tt.default_generator).numpy


def _pair(size: int | Sequence[int], op: str) -> tuple[int, int]:
    if isinstance(size, numbers.Integral):
        return int(size), int(size)
    if isinstance(size, Sequence) and len(size) == 1:
        return int(size[0]), int(size[0])
    if isinstance(size, Sequence) and len(size) == 2:
        return int(size[0]), int(size[1])
    raise ValueError(f"{op}: size should be an int or a sequence of 1 or 2 ints, got {size!r}")


def _check_image(arr: Array, op: str, min_ndim: int = 2) -> None:
    if not min_ndim <= arr.ndim <= 4:
        raise ValueError(
            f"{op}: expected an image (C, H, W) or a batch (N, C, H, W), got shape {arr.shape}"
        )


class Compose:
    """Apply several transforms one after the other.

    >>> import numpy as np
    >>> t = Compose([ToTensor(), Normalize((0.5,), (0.5,))])
    >>> t(np.full((2, 2), 255, dtype=np.uint8)).tolist()
    [[[1.0, 1.0], [1.0, 1.0]]]
    """

    def __init__(self, transforms: Sequence[Callable[[Any], Any]]) -> None:
        self.transforms = list(transforms)

    def __call__(self, img: Any) -> Any:
        ts = self.transforms
        k = 0
        while k < len(ts):
            t = ts[k]
            if isinstance(t, ToTensor) and k + 1 < len(ts) and isinstance(ts[k + 1], Normalize):
                fused = _to_tensor_normalize(t, ts[k + 1], img)  # type: ignore[arg-type]
                if fused is not None:
                    img, k = fused, k + 2
                    continue
            img = t(img)
            k += 1
        return img

    def __repr__(self) -> str:
        body = "".join(f"\n    {t}" for t in self.transforms)
        return f"{type(self).__name__}({body}\n)"


def _to_tensor_normalize(to: ToTensor, norm: Normalize, img: Any) -> tt.Tensor | None:
    """``Normalize(ToTensor(img))`` for uint8 input, as one affine map in three fast passes.

    ``(k / 255 - mean) / std`` is ``k * a + b`` with ``a = 1 / (255 std)`` and
    ``b = -mean / std`` (computed in float64, then rounded once to float32): convert to
    float32, multiply, add, all in one fresh array.  The separate transforms take a slow
    uint8 division and two more passes (one of them a division) -- about twice the time on a
    Fashion-MNIST batch, the loader's main cost.  The values differ in the last bits: both
    forms are within ``2 * eps32 * (|k a| + |b|)`` of the exact value (``a`` and ``b`` round
    once, the product once, the sum once; the separate form rounds ``1/255``, the quotient,
    the difference and the last quotient), as the tests check against float64.  Returns
    ``None`` when the shortcut does not apply (other dtypes)."""
    arr = img.numpy() if isinstance(img, tt.Tensor) else img
    if not isinstance(arr, np.ndarray) or arr.dtype != np.uint8:
        return None
    layout = to._layout(arr)
    out = np.empty(layout.shape, dtype=np.float32)  # C order even when the layout is a view
    out[...] = layout
    scale, shift = norm._uint8_affine(out)
    np.multiply(out, scale, out=out)
    np.add(out, shift, out=out)
    return tt.from_numpy(out)


class Lambda:
    """Apply a user function as a transform.

    >>> Lambda(lambda x: x + 1)(1)
    2
    """

    def __init__(self, lambd: Callable[[Any], Any]) -> None:
        if not callable(lambd):
            raise TypeError(f"Argument lambd should be callable, got {type(lambd).__name__!r}")
        self.lambd = lambd

    def __call__(self, img: Any) -> Any:
        return self.lambd(img)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class ToTensor:
    """Convert ``uint8`` images ``(H, W[, C])`` to float32 tensors ``(C, H, W)`` in ``[0, 1]``.

    torchvision's convention: an array of shape ``(H, W)`` or ``(H, W, C)`` becomes ``(C, H, W)``;
    ``uint8`` values are divided by 255, other dtypes keep their values and dtype.  A batch
    ``(N, H, W, C)`` becomes ``(N, C, H, W)``.  A 3-d array is an ``(H, W, C)`` image unless
    ``batch=True``, which reads it as a batch ``(N, H, W)`` of single-channel images (as a
    28x28 Fashion-MNIST batch is stored).  A tt tensor input is treated like its array.

    **Shape**: ``(H, W)`` -> ``(1, H, W)``; ``(H, W, C)`` -> ``(C, H, W)``;
    ``(N, H, W)`` (``batch=True``) -> ``(N, 1, H, W)``; ``(N, H, W, C)`` -> ``(N, C, H, W)``.
    **Cost**: one pass converting ``numel`` elements.  **Memory**: a new float32 array.

    >>> import numpy as np
    >>> ToTensor()(np.zeros((4, 5, 3), dtype=np.uint8)).shape
    tt_tensor.Size([3, 4, 5])
    >>> ToTensor(batch=True)(np.zeros((8, 28, 28), dtype=np.uint8)).shape
    tt_tensor.Size([8, 1, 28, 28])
    """

    def __init__(self, *, batch: bool | None = None) -> None:
        self.batch = batch

    def _layout(self, arr: Array) -> Array:
        """``arr`` rearranged to ``(C, H, W)`` or ``(N, C, H, W)`` (a view, dtype unchanged)."""
        batch = arr.ndim == 4 if self.batch is None else self.batch
        if batch:
            if arr.ndim == 3:
                return arr[:, None, :, :]
            if arr.ndim == 4:
                return arr.transpose(0, 3, 1, 2)
            raise ValueError(
                f"ToTensor: a batch should be (N, H, W) or (N, H, W, C), got shape {arr.shape}"
            )
        if arr.ndim == 2:
            return arr[None, :, :]
        if arr.ndim == 3:
            return arr.transpose(2, 0, 1)
        raise ValueError(
            f"ToTensor: pic should be 2 or 3 dimensional (H, W[, C]), got shape "
            f"{arr.shape}; pass batch=True for a batch"
        )

    def __call__(self, pic: Any) -> tt.Tensor:
        arr, _ = _unwrap(pic, "ToTensor")
        arr = self._layout(arr)
        if arr.dtype == np.uint8:
            out = np.empty(arr.shape, dtype=np.float32)  # C order even when arr is transposed
            out[...] = arr  # convert, then divide in float32: the same values as dividing
            np.divide(out, np.float32(255), out=out)  # the uint8 array, in two fast passes
        else:
            out = np.ascontiguousarray(arr)
        return tt.from_numpy(out)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class Normalize:
    """Standardize each channel: ``out[c] = (x[c] - mean[c]) / std[c]``.

    Works on ``(C, H, W)`` and ``(N, C, H, W)`` alike (the channel axis is ``-3``).  On tensors
    it is composed from tt ops (differentiable); on arrays it is two NumPy broadcasts.

    **Shape**: unchanged.  **Cost**: two passes over ``numel`` elements.
    **Memory**: a new array of the input's size (none with ``inplace=True``).

    >>> import tt_tensor as tt
    >>> Normalize([0.5], [0.25])(tt.ones(1, 2, 2)).tolist()
    [[[2.0, 2.0], [2.0, 2.0]]]
    """

    def __init__(
        self, mean: Sequence[float] | float, std: Sequence[float] | float, inplace: bool = False
    ) -> None:
        self.mean = mean
        self.std = std
        self.inplace = inplace

    def __call__(self, tensor: Any) -> Any:
        arr, is_tensor = _unwrap(tensor, "Normalize")
        if arr.dtype.kind != "f":
            raise TypeError(f"Input tensor should be a float tensor. Got {arr.dtype}.")
        if arr.ndim < 3:
            raise ValueError(
                "Expected tensor to be a tensor image of size (..., C, H, W). Got "
                f"tensor.size() = {arr.shape}"
            )
        if is_tensor:
            assert isinstance(tensor, tt.Tensor)
            mean, std = self._stats(arr)
            m, s = tt.from_numpy(mean), tt.from_numpy(std)
            if self.inplace:
                return tensor.sub_(m).div_(s)
            return (tensor - m) / s
        return self._normalize_array(arr, self.inplace)

    def _stats(self, arr: Array) -> tuple[Array, Array]:
        """Mean and std as ``(C, 1, 1)`` arrays of ``arr``'s dtype, validated against ``arr``
        (kept from the previous call while ``mean``, ``std``, the dtype and C are the same)."""
        key = (repr(self.mean), repr(self.std), arr.dtype, arr.shape[-3])
        cached = self.__dict__.get("_cached_stats")
        if cached is not None and cached[0] == key:
            return cached[1], cached[2]
        mean = np.asarray(self.mean, dtype=arr.dtype).reshape(-1, 1, 1)
        std = np.asarray(self.std, dtype=arr.dtype).reshape(-1, 1, 1)
        if (std == 0).any():
            raise ValueError(
                f"std evaluated to zero after conversion to {arr.dtype}, "
                "leading to division by zero."
            )
        c = arr.shape[-3]
        for name, v in (("mean", mean), ("std", std)):
            if v.shape[0] not in (1, c):
                raise ValueError(
                    f"Normalize: {name} has {v.shape[0]} values but the input has {c} channels "
                    f"(shape {arr.shape})"
                )
        self._cached_stats = (key, mean, std)
        return mean, std

    def _uint8_affine(self, arr: Array) -> tuple[Array, Array]:
        """``a = 1 / (255 std)`` and ``b = -mean / std`` of ``arr``'s dtype (0-d for one
        channel, which broadcasts fastest), for :func:`_to_tensor_normalize`."""
        mean, std = self._stats(arr)
        cached = self.__dict__.get("_cached_affine")
        if cached is not None and cached[0] is mean:
            return cached[1], cached[2]
        m64, s64 = mean.astype(np.float64), std.astype(np.float64)
        scale, shift = (1.0 / (255.0 * s64)).astype(arr.dtype), (-m64 / s64).astype(arr.dtype)
        if scale.size == 1:
            scale, shift = scale.reshape(()), shift.reshape(())
        self._cached_affine = (mean, scale, shift)
        return scale, shift

    def _normalize_array(self, arr: Array, inplace: bool) -> Array:
        mean, std = self._stats(arr)
        out = np.subtract(arr, mean, out=arr) if inplace else arr - mean
        return np.divide(out, std, out=out)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(mean={self.mean}, std={self.std})"


def _padding4(padding: int | Sequence[int]) -> tuple[int, int, int, int]:
    """torchvision's padding forms as (left, top, right, bottom)."""
    if isinstance(padding, numbers.Integral):
        p = int(padding)
        return p, p, p, p
    if isinstance(padding, Sequence) and len(padding) == 1:
        p = int(padding[0])
        return p, p, p, p
    if isinstance(padding, Sequence) and len(padding) == 2:
        return int(padding[0]), int(padding[1]), int(padding[0]), int(padding[1])
    if isinstance(padding, Sequence) and len(padding) == 4:
        left, top, right, bottom = (int(v) for v in padding)
        return left, top, right, bottom
    raise ValueError(
        f"RandomCrop: padding must be an int or a 1, 2 or 4 element sequence, got {padding!r}"
    )


def _pad_hw(arr: Array, ltrb: tuple[int, int, int, int], fill: float, mode: str) -> Array:
    left, top, right, bottom = ltrb
    if not any(ltrb):
        return arr
    widths = [(0, 0)] * (arr.ndim - 2) + [(top, bottom), (left, right)]
    if mode == "constant":
        return np.pad(arr, widths, mode="constant", constant_values=fill)
    return np.pad(arr, widths, mode=mode)  # type: ignore[call-overload, no-any-return]


class RandomCrop:
    """Crop a random ``size`` window, after optional padding (torchvision's ``RandomCrop``).

    ``padding`` is an int (all sides), ``(lr, tb)`` or ``(left, top, right, bottom)``;
    ``padding_mode`` is ``"constant"`` (with ``fill``), ``"edge"``, ``"reflect"`` or
    ``"symmetric"``; ``pad_if_needed`` pads an image smaller than ``size``.  A 4-d input is a
    batch and every sample gets its own offset; up to 3-d is one image.

    **Shape**: ``(..., H, W)`` -> ``(..., th, tw)``.
    **Cost**: one pad (``O(N C H_p W_p)``) and one gather of ``N C th tw`` elements through a
    strided window view (no copy until the gather).  **Memory**: the padded batch and the output.

    >>> import numpy as np, tt_tensor as tt
    >>> x = np.arange(2 * 1 * 4 * 4, dtype=np.float32).reshape(2, 1, 4, 4)
    >>> RandomCrop(4, padding=2, generator=tt.Generator().manual_seed(0))(x).shape
    (2, 1, 4, 4)
    """

    def __init__(
        self,
        size: int | Sequence[int],
        padding: int | Sequence[int] | None = None,
        pad_if_needed: bool = False,
        fill: float = 0,
        padding_mode: str = "constant",
        *,
        generator: tt.Generator | None = None,
    ) -> None:
        self.size = _pair(size, "RandomCrop")
        if padding_mode not in ("constant", "edge", "reflect", "symmetric"):
            raise ValueError(
                "Padding mode should be either constant, edge, reflect or symmetric, "
                f"got {padding_mode!r}"
            )
        if not isinstance(fill, numbers.Real):
            raise TypeError(f"RandomCrop: fill should be a number, got {type(fill).__name__}")
        self.padding: int | Sequence[int] | None = padding
        self._ltrb: tuple[int, int, int, int] = (
            (0, 0, 0, 0) if padding is None else _padding4(padding)
        )
        self.pad_if_needed: bool = pad_if_needed
        self.fill: float = fill
        self.padding_mode: str = padding_mode
        self.generator: tt.Generator | None = generator

    def __call__(self, img: Any) -> Any:
        arr, is_tensor = _unwrap(img, "RandomCrop")
        _check_image(arr, "RandomCrop")
        arr = _pad_hw(arr, self._ltrb, self.fill, self.padding_mode)
        th, tw = self.size
        h, w = arr.shape[-2:]
        if self.pad_if_needed and (h < th or w < tw):
            dw, dh = max(tw - w, 0), max(th - h, 0)
            arr = _pad_hw(arr, (dw, dh, dw, dh), self.fill, self.padding_mode)
            h, w = arr.shape[-2:]
        if h < th or w < tw:
            raise ValueError(
                f"Required crop size {(th, tw)} is larger than input image size {(h, w)}"
            )
        rng = _rng(self.generator)
        if arr.ndim == 4:
            n = arr.shape[0]
            i = rng.integers(0, h - th + 1, size=n)
            j = rng.integers(0, w - tw + 1, size=n)
            windows = sliding_window_view(arr, (th, tw), axis=(2, 3))  # (N, C, h', w', th, tw)
            out = windows[np.arange(n), :, i, j]  # advanced indices first: (N, C, th, tw)
        else:
            i0 = int(rng.integers(0, h - th + 1))
            j0 = int(rng.integers(0, w - tw + 1))
            out = arr[..., i0 : i0 + th, j0 : j0 + tw].copy()
        return _wrap(out, is_tensor)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(size={self.size}, padding={self.padding})"


class RandomHorizontalFlip:
    """Mirror left-right with probability ``p`` (each sample of a 4-d batch independently).

    **Shape**: unchanged.  **Cost**: ``N`` coin flips in one call, one masked copy.

    >>> import numpy as np
    >>> RandomHorizontalFlip(p=1.0)(np.array([[[1, 2, 3]]])).tolist()
    [[[3, 2, 1]]]
    """

    def __init__(self, p: float = 0.5, *, generator: tt.Generator | None = None) -> None:
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"RandomHorizontalFlip: p should be in [0, 1], got {p}")
        self.p = p
        self.generator = generator

    def __call__(self, img: Any) -> Any:
        arr, is_tensor = _unwrap(img, "RandomHorizontalFlip")
        _check_image(arr, "RandomHorizontalFlip")
        rng = _rng(self.generator)
        if arr.ndim == 4:
            flip = rng.random(arr.shape[0]) < self.p
            out = arr.copy()
            out[flip] = arr[flip][..., ::-1]
        else:
            out = arr[..., ::-1].copy() if rng.random() < self.p else arr.copy()
        return _wrap(out, is_tensor)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(p={self.p})"


class RandomErasing:
    """Erase a random rectangle with probability ``p`` (torchvision's ``RandomErasing``).

    The rectangle's area is ``uniform(scale) * H * W`` and its aspect ratio is log-uniform in
    ``ratio``; up to 10 tries per sample find one that fits (else the sample is left as is).
    ``value`` is a number, one number per channel, or ``"random"`` (standard normal noise).
    Input ``(C, H, W)`` or a batch ``(N, C, H, W)``; all ``N x 10`` tries are drawn at once.

    **Shape**: unchanged.  **Cost**: ``O(N * 10)`` draws and one masked select over
    ``N C H W`` elements.  **Memory**: an ``(N, H, W)`` boolean mask and the output.

    >>> import numpy as np, tt_tensor as tt
    >>> x = np.ones((2, 3, 8, 8), dtype=np.float32)
    >>> out = RandomErasing(p=1.0, generator=tt.Generator().manual_seed(0))(x)
    >>> bool((out == 0).any()), out.shape
    (True, (2, 3, 8, 8))
    """

    def __init__(
        self,
        p: float = 0.5,
        scale: tuple[float, float] = (0.02, 0.33),
        ratio: tuple[float, float] = (0.3, 3.3),
        value: float | str | Sequence[float] = 0,
        inplace: bool = False,
        *,
        generator: tt.Generator | None = None,
    ) -> None:
        if not isinstance(value, (numbers.Number, str, tuple, list)):
            raise TypeError("Argument value should be either a number or str or a sequence")
        if isinstance(value, str) and value != "random":
            raise ValueError("If value is str, it should be 'random'")
        if scale[0] < 0 or scale[1] > 1:
            raise ValueError("Scale should be between 0 and 1")
        if scale[0] > scale[1] or ratio[0] > ratio[1]:
            raise ValueError(
                f"RandomErasing: scale and ratio should be (min, max), got {scale}, {ratio}"
            )
        if p < 0 or p > 1:
            raise ValueError("Random erasing probability should be between 0 and 1")
        self.p = p
        self.scale = scale
        self.ratio = ratio
        self.value = value
        self.inplace = inplace
        self.generator = generator

    def __call__(self, img: Any) -> Any:
        arr, is_tensor = _unwrap(img, "RandomErasing")
        if arr.ndim not in (3, 4):
            raise ValueError(
                "RandomErasing: expected an image (C, H, W) or a batch (N, C, H, W), "
                f"got shape {arr.shape}"
            )
        x = arr if arr.ndim == 4 else arr[None]
        n, _, h, w = x.shape
        rng = _rng(self.generator)
        apply = rng.random(n) < self.p
        area = h * w * rng.uniform(self.scale[0], self.scale[1], size=(n, 10))
        aspect = np.exp(rng.uniform(math.log(self.ratio[0]), math.log(self.ratio[1]), (n, 10)))
        eh = np.rint(np.sqrt(area * aspect)).astype(np.int64)  # rint: round half to even, as round
        ew = np.rint(np.sqrt(area / aspect)).astype(np.int64)
        fits = (eh < h) & (ew < w)
        first = fits.argmax(axis=1)
        rows = np.arange(n)
        erase = apply & fits.any(axis=1)
        eh = np.where(erase, eh[rows, first], 0)
        ew = np.where(erase, ew[rows, first], 0)
        top = rng.integers(0, h - eh + 1)
        left = rng.integers(0, w - ew + 1)
        ys, xs = np.arange(h), np.arange(w)
        in_rows = (ys >= top[:, None]) & (ys < (top + eh)[:, None])  # (N, H)
        in_cols = (xs >= left[:, None]) & (xs < (left + ew)[:, None])  # (N, W)
        mask = (in_rows[:, :, None] & in_cols[:, None, :])[:, None]  # (N, 1, H, W)
        fill = self._fill(rng, x.shape, x.dtype)
        out = np.where(mask, fill, x).astype(x.dtype, copy=False)
        if arr.ndim == 3:
            out = out[0]
        if self.inplace:
            if is_tensor:
                assert isinstance(img, tt.Tensor)
                return img.copy_(tt.from_numpy(out))
            np.copyto(arr, out)
            return arr
        return _wrap(out, is_tensor)

    def _fill(self, rng: np.random.Generator, shape: tuple[int, ...], dtype: Any) -> Array:
        c = shape[1]
        if isinstance(self.value, str):
            return rng.standard_normal(shape, dtype=np.float32).astype(dtype, copy=False)
        values = np.atleast_1d(np.asarray(self.value, dtype=dtype))
        if values.shape[0] not in (1, c):
            raise ValueError(
                "If value is a sequence, it should have either a single value or "
                f"{c} (number of input channels)"
            )
        return values.reshape(1, -1, 1, 1)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(p={self.p}, scale={self.scale}, ratio={self.ratio}, "
            f"value={self.value}, inplace={self.inplace})"
        )
