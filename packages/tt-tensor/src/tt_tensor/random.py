"""Random numbers: a seedable :class:`Generator` and the sampling functions.

Every random result comes from a :class:`Generator` (NumPy's PCG64 underneath); without an
explicit ``generator=`` argument the module's default one is used, which :func:`manual_seed`
reseeds.  The same seed gives the same numbers on every machine, so every run is reproducible.
Generator state is a plain JSON-serialisable dict (:func:`get_rng_state`), so checkpoints can
store it without pickle.

The streams are NumPy's, not PyTorch's: the same seed gives different numbers in the two
libraries (but the same distributions).
"""

from __future__ import annotations

import contextlib
import operator
from collections.abc import Iterator
from typing import Any

import numpy as np

from .creation import _dtype, _finish, _size
from .dtypes import DEFAULT_INT, result_type, to_numpy_dtype
from .tensor import Tensor, _make

__all__ = [
    "Generator",
    "bernoulli",
    "default_generator",
    "draw",
    "fork_rng",
    "get_rng_state",
    "initial_seed",
    "manual_seed",
    "normal",
    "rand",
    "rand_like",
    "randint",
    "randint_like",
    "randn",
    "randn_like",
    "randperm",
    "seed",
    "set_rng_state",
]


class Generator:
    """A source of random numbers with its own state (``torch.Generator``).

    >>> import tt_tensor as tt
    >>> g = tt.Generator().manual_seed(0)
    >>> a = tt.rand(3, generator=g)
    >>> _ = g.manual_seed(0)
    >>> bool((tt.rand(3, generator=g) == a).all())
    True
    """

    def __init__(self, device: Any = None) -> None:
        self._seed = int(np.random.SeedSequence().entropy) % (2**63)  # type: ignore[arg-type]
        self._rng = np.random.Generator(np.random.PCG64(self._seed))

    @property
    def device(self) -> str:
        """Always ``"cpu"``."""
        return "cpu"

    def manual_seed(self, seed: int) -> Generator:
        """Reset to the stream of ``seed`` (an int below 2**64); returns ``self``."""
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer, Tensor)):
            raise RuntimeError(f"manual_seed: expected an int seed, but got {type(seed).__name__}")
        seed = int(seed)
        if seed < 0:
            raise RuntimeError(f"manual_seed: seed must be non-negative, got {seed}")
        if seed >= 2**64:
            raise ValueError(f"manual_seed: seed must be below 2**64, got {seed}")
        self._seed = seed
        self._rng = np.random.Generator(np.random.PCG64(seed))
        return self

    def seed(self) -> int:
        """Reseed from the operating system's entropy; returns the new seed."""
        s = int(np.random.SeedSequence().entropy) % (2**63)  # type: ignore[arg-type]
        self.manual_seed(s)
        return s

    def initial_seed(self) -> int:
        """The seed last set."""
        return self._seed

    def get_state(self) -> dict[str, Any]:
        """The full state as a JSON-serialisable dict."""
        return {"seed": self._seed, "bit_generator": self._rng.bit_generator.state}

    def clone_state(self) -> Generator:
        """A new generator in this one's state (the two then draw the same numbers)."""
        return Generator().set_state(self.get_state())

    def set_state(self, state: dict[str, Any]) -> Generator:
        """Restore a state returned by :meth:`get_state`."""
        try:
            bg = np.random.PCG64()
            bg.state = state["bit_generator"]
            self._seed = int(state["seed"])
        except (KeyError, TypeError, ValueError) as e:
            raise ValueError(f"set_state: not a Generator state: {e}") from None
        self._rng = np.random.Generator(bg)
        return self

    @property
    def numpy(self) -> np.random.Generator:
        """The NumPy generator underneath (for code that samples NumPy arrays directly)."""
        return self._rng


default_generator = Generator().manual_seed(0x7474)


def manual_seed(seed: int) -> Generator:
    """Seed the default generator; returns it."""
    return default_generator.manual_seed(seed)


def seed() -> int:
    """Seed the default generator non-deterministically; returns the seed."""
    return default_generator.seed()


def initial_seed() -> int:
    """The default generator's seed."""
    return default_generator.initial_seed()


def get_rng_state() -> dict[str, Any]:
    """The default generator's state (a JSON-serialisable dict)."""
    return default_generator.get_state()


def set_rng_state(state: dict[str, Any]) -> None:
    """Restore the default generator's state."""
    default_generator.set_state(state)


def _rng(generator: Generator | None) -> np.random.Generator:
    try:
        return (generator or default_generator)._rng
    except AttributeError:
        raise TypeError(
            f"generator must be a tt_tensor.Generator, got {type(generator).__name__}"
        ) from None


@contextlib.contextmanager
def fork_rng(devices: Any = None, enabled: bool = True) -> Iterator[None]:
    """Run the ``with`` block, then restore the default generator's state (``torch.random.
    fork_rng``): random draws inside do not shift the stream seen after it."""
    if not enabled:
        yield
        return
    state = default_generator.get_state()
    try:
        yield
    finally:
        default_generator.set_state(state)


def _float_dtype(dtype: Any, op: str) -> Any:
    dt = _dtype(dtype)
    if dt.kind != "f":
        raise RuntimeError(f"{op}: expected a floating point dtype, got {dt}")
    return dt


def draw(rng: np.random.Generator, kind: str, shape: Any, dt: Any) -> Any:
    """``shape`` standard normal (``kind="n"``) or U(0, 1) samples for dtype ``dt``, drawn in
    float32 or float64 (float32 for float16) and not yet cast: what every float sampler here
    starts from (tt-nn's ``init`` scales them before rounding to ``dt``)."""
    fdt = dt if dt in (np.float32, np.float64) else np.float32
    return rng.random(shape, dtype=fdt) if kind == "u" else rng.standard_normal(shape, dtype=fdt)


def _sample_float(rng: np.random.Generator, kind: str, shape: Any, dt: Any) -> Any:
    return draw(rng, kind, shape, dt).astype(dt, copy=False)


def rand(
    *shape: Any,
    size: Any = None,
    generator: Generator | None = None,
    dtype: Any = None,
    requires_grad: bool = False,
    device: Any = None,
) -> Tensor:
    """Uniform samples from [0, 1) (a floating ``dtype``, float32 by default).

    Shape: the ints given, one tuple/list/Size, or ``size=`` (as :func:`zeros`).  Cost: one
    draw per element, new memory."""
    dt = _float_dtype(dtype, "rand")
    shp = _size(shape, "rand", size)
    return _finish(_sample_float(_rng(generator), "u", shp, dt), requires_grad)


def randn(
    *shape: Any,
    size: Any = None,
    generator: Generator | None = None,
    dtype: Any = None,
    requires_grad: bool = False,
    device: Any = None,
) -> Tensor:
    """Standard normal samples; shape, dtype and cost as :func:`rand`."""
    dt = _float_dtype(dtype, "randn")
    shp = _size(shape, "randn", size)
    return _finish(_sample_float(_rng(generator), "n", shp, dt), requires_grad)


def randint(
    low: int | None = None,
    high: int | None = None,
    size: Any = None,
    *,
    generator: Generator | None = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """Integers uniform in ``[low, high)``: ``randint(high, size)`` or ``randint(low, high,
    size)`` (each also by keyword), int64 unless ``dtype`` is given.

    Shape: ``size``.  Cost: one draw per element, new memory.  ``low`` and ``high`` must be
    ints with ``low < high``, and ``low`` and ``high - 1`` must fit ``dtype`` (as in PyTorch:
    ``randint(0, 300, (2,), dtype=uint8)`` raises instead of wrapping)."""
    if size is None and isinstance(high, (tuple, list)):  # randint(high, size)
        low, high, size = 0, low, high
    elif high is None and low is not None:  # randint(5, size=(3,))
        low, high = 0, low
    elif low is None:  # randint(high=5, size=(3,))
        low = 0
    if high is None:
        raise TypeError("randint: missing the 'high' argument")
    if size is None:
        raise TypeError("randint: missing the 'size' argument")
    low, high = _int_arg(low, "low", "randint"), _int_arg(high, "high", "randint")
    if high <= low:
        raise RuntimeError(f"randint: expected low < high, but got low={low}, high={high}")
    dt = _dtype(dtype, DEFAULT_INT)
    lo: float
    hi: float
    if dt.kind == "b":
        lo, hi = 0, 1
    elif dt.kind == "f":
        lo, hi = -float(np.finfo(dt).max), float(np.finfo(dt).max)
    else:
        lo, hi = int(np.iinfo(dt).min), int(np.iinfo(dt).max)
    for name, v in (("low", low), ("high - 1", high - 1)):
        if not lo <= v <= hi:
            raise RuntimeError(f"randint: {name} = {v} is out of bounds for {dt.name}")
    arr = _rng(generator).integers(low, high, _size((size,), "randint"), dtype=np.int64)
    return _finish(arr.astype(dt, copy=False), requires_grad)


def _int_arg(v: Any, name: str, op: str) -> int:
    if isinstance(v, bool):
        raise TypeError(f"{op}: argument '{name}' must be int, not bool")
    try:
        return operator.index(v)
    except TypeError:
        raise TypeError(f"{op}: argument '{name}' must be int, not {type(v).__name__}") from None


def randperm(
    n: int,
    *,
    generator: Generator | None = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """A random permutation of ``0..n-1`` (int64 unless ``dtype`` is given; ``n - 1`` must fit
    an integer dtype, and bool raises).  Shape: ``(n,)``.  Cost: O(n), new memory."""
    n = _int_arg(n, "n", "randperm")
    if n < 0:
        raise RuntimeError(f"randperm: n must be non-negative, got {n}")
    dt = _dtype(dtype, DEFAULT_INT)
    if dt.kind == "b":
        raise RuntimeError("randperm: not implemented for dtype bool (expected a number dtype)")
    if dt.kind in "iu" and n - 1 > np.iinfo(dt).max:
        raise RuntimeError(f"randperm: n = {n} is too large for dtype {dt.name}")
    if dt.kind == "f" and n > 2 ** (np.finfo(dt).nmant + 1) + 1:  # (PyTorch's limit: beyond
        # it consecutive integers are no longer all representable)
        raise RuntimeError(
            f"randperm: n cannot be greater than {2 ** (np.finfo(dt).nmant + 1) + 1} for "
            f"{dt.name}, got {n}"
        )
    return _finish(_rng(generator).permutation(n).astype(dt), requires_grad)


def rand_like(
    x: Tensor,
    *,
    generator: Generator | None = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """Uniform [0, 1) samples with ``x``'s shape and floating dtype (float32 for an integer or
    bool ``x``, where PyTorch raises; an explicit integer ``dtype`` raises).  Cost as
    :func:`rand`."""
    dt = _float_dtype(_like_dtype(x) if dtype is None else dtype, "rand_like")
    return rand(x.shape, generator=generator, dtype=dt, requires_grad=requires_grad)


def randn_like(
    x: Tensor,
    *,
    generator: Generator | None = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """Standard normal samples with ``x``'s shape and dtype; as :func:`rand_like`."""
    dt = _float_dtype(_like_dtype(x) if dtype is None else dtype, "randn_like")
    return randn(x.shape, generator=generator, dtype=dt, requires_grad=requires_grad)


def _like_dtype(x: Tensor) -> Any:
    return x._data.dtype if x._data.dtype.kind == "f" else None


def randint_like(x: Tensor, low: int, high: int | None = None, *, dtype: Any = None) -> Tensor:
    """Random integers with ``x``'s shape."""
    if high is None:
        low, high = 0, low
    return randint(low, high, tuple(x.shape), dtype=dtype or x._data.dtype)


def normal(
    mean: Any,
    std: Any = 1.0,
    size: Any = None,
    *,
    generator: Generator | None = None,
    dtype: Any = None,
) -> Tensor:
    """Samples from N(mean, std**2), in PyTorch's forms: ``normal(mean, std, size)`` with two
    numbers, or elementwise means and/or standard deviations given as tensors
    (``normal(means, stds)``, ``normal(means, 1.0)``, ``normal(0.0, stds)``).

    Shape: ``size``, or the broadcast shape of the tensor arguments.  Dtype: ``dtype`` (float32
    by default), or the tensors' promoted floating dtype.  Computed as ``randn * std + mean``
    on the values: no gradient flows to tensor means and stds (PyTorch's are zero).  Cost: one
    draw per element, new memory."""
    tensors = [v for v in (mean, std) if isinstance(v, Tensor)]
    if not tensors:
        if size is None:
            raise TypeError("normal: missing the 'size' argument (mean and std are numbers)")
        if std < 0:
            raise RuntimeError(f"normal: expected std >= 0.0, but found std={std}")
        out: Tensor = randn(_size((size,), "normal"), generator=generator, dtype=dtype) * std
        return out.add(mean)
    if size is not None:
        raise TypeError("normal: 'size' is only accepted when mean and std are numbers")
    bad = bool((std._data < 0).any()) if isinstance(std, Tensor) else std < 0
    if bad:
        raise RuntimeError("normal: expected all of std >= 0.0")
    shape = np.broadcast_shapes(*(t._data.shape for t in tensors))
    dt = _float_dtype(result_type(*tensors) if dtype is None else dtype, "normal")
    # Sampled from the values alone: PyTorch's gradients of a sample with respect to its
    # mean and std are zero (tt's result has no graph at all).
    m = mean.detach() if isinstance(mean, Tensor) else mean
    sd = std.detach() if isinstance(std, Tensor) else std
    sample: Tensor = randn(shape, generator=generator, dtype=dt) * sd
    return sample.add(m)


def bernoulli(
    input: Tensor, p: float | None = None, *, generator: Generator | None = None
) -> Tensor:
    """1 with probability ``input[i]`` (or ``p`` everywhere, when given) else 0, elementwise,
    in ``input``'s floating dtype.  Shape: ``input``'s.  Cost: one draw per element."""
    pd = input._data
    if pd.dtype.kind != "f":
        raise RuntimeError(f"bernoulli: expected a floating point input, got {input.dtype.name}")
    if p is not None:
        _check_probabilities(p, "bernoulli")
        return _make((_rng(generator).random(pd.shape) < p).astype(pd.dtype))
    _check_probabilities(pd, "bernoulli")
    u = _rng(generator).random(pd.shape)
    return _make((u < pd).astype(pd.dtype))


def _fill_from(x: Tensor, sample: np.ndarray[Any, Any]) -> Tensor:
    from .indexing import setitem

    return setitem(x, Ellipsis, _make(sample.astype(x._data.dtype, copy=False)))


def uniform_(
    x: Tensor, a: float = 0.0, b: float = 1.0, *, generator: Generator | None = None
) -> Tensor:
    """Fill ``x`` in place with U(a, b) samples."""
    if a > b:
        raise RuntimeError(
            f"uniform_: expects to return a [from, to) range, but found from={a} > to={b}"
        )
    u = _sample_float(_rng(generator), "u", x._data.shape, _float_dtype(x._data.dtype, "uniform_"))
    return _fill_from(x, u * (b - a) + a)


def normal_(
    x: Tensor, mean: float = 0.0, std: float = 1.0, *, generator: Generator | None = None
) -> Tensor:
    """Fill ``x`` in place with N(mean, std**2) samples."""
    if std < 0:
        raise RuntimeError(f"normal_: expects std >= 0.0, but found std {std}")
    n = _sample_float(_rng(generator), "n", x._data.shape, _float_dtype(x._data.dtype, "normal_"))
    return _fill_from(x, n * std + mean)


def bernoulli_(x: Tensor, p: Any = 0.5, *, generator: Generator | None = None) -> Tensor:
    """Fill ``x`` in place with 1 (probability ``p``) or 0; ``p`` is a number or a tensor of
    probabilities broadcasting to ``x``'s shape."""
    if isinstance(p, Tensor):
        p = p._data
        np.broadcast_to(p, x._data.shape)  # (raises for a shape that does not broadcast)
    _check_probabilities(p, "bernoulli_")
    return _fill_from(x, _rng(generator).random(x._data.shape) < p)


def _check_probabilities(p: Any, op: str) -> None:
    """Every probability (a number or an array) in [0, 1]; NaN fails (min and max of an array
    holding one are NaN, and NaN fails both comparisons)."""
    if isinstance(p, np.ndarray):
        if p.size and not (p.min() >= 0 and p.max() <= 1):
            raise RuntimeError(f"{op}: expected all probabilities to be in [0, 1]")
    elif not 0 <= p <= 1:
        raise RuntimeError(f"{op}: expected p in [0, 1], got {p}")


_unused = (to_numpy_dtype,)
