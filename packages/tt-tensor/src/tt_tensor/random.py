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

from typing import Any

import numpy as np

from .creation import _dtype, _finish, _size
from .dtypes import DEFAULT_INT, to_numpy_dtype
from .tensor import Tensor, _make

__all__ = [
    "Generator",
    "bernoulli",
    "default_generator",
    "draw",
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

    def manual_seed(self, seed: int) -> Generator:
        """Reset to the stream of ``seed``; returns ``self``."""
        seed = int(seed)
        if seed < 0:
            raise RuntimeError(f"manual_seed: seed must be non-negative, got {seed}")
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
    return (generator or default_generator)._rng


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
    *size: Any,
    generator: Generator | None = None,
    dtype: Any = None,
    requires_grad: bool = False,
    device: Any = None,
) -> Tensor:
    """Uniform samples from [0, 1) of shape ``size``."""
    dt = _float_dtype(dtype, "rand")
    return _finish(_sample_float(_rng(generator), "u", _size(size, "rand"), dt), requires_grad)


def randn(
    *size: Any,
    generator: Generator | None = None,
    dtype: Any = None,
    requires_grad: bool = False,
    device: Any = None,
) -> Tensor:
    """Standard normal samples of shape ``size``."""
    dt = _float_dtype(dtype, "randn")
    return _finish(_sample_float(_rng(generator), "n", _size(size, "randn"), dt), requires_grad)


def randint(
    low: int,
    high: int | None = None,
    size: Any = None,
    *,
    generator: Generator | None = None,
    dtype: Any = None,
    device: Any = None,
) -> Tensor:
    """Integers uniform in ``[low, high)`` (``randint(high, size)`` means ``low = 0``)."""
    if size is None:
        if isinstance(high, (tuple, list)):
            low, high, size = 0, low, high
        else:
            raise TypeError("randint: missing the 'size' argument")
    elif high is None:
        raise TypeError("randint: missing the 'high' argument")
    if high <= low:
        raise RuntimeError(f"randint: expected low < high, but got low={low}, high={high}")
    arr = _rng(generator).integers(low, high, _size((size,), "randint"), dtype=np.int64)
    return _make(arr.astype(_dtype(dtype, DEFAULT_INT), copy=False))


def randperm(n: int, *, generator: Generator | None = None, dtype: Any = None) -> Tensor:
    """A random permutation of ``0..n-1`` (int64)."""
    if n < 0:
        raise RuntimeError(f"randperm: n must be non-negative, got {n}")
    return _make(_rng(generator).permutation(n).astype(_dtype(dtype, DEFAULT_INT)))


def rand_like(x: Tensor, *, generator: Generator | None = None, dtype: Any = None) -> Tensor:
    """Uniform [0, 1) samples with ``x``'s shape (and dtype, if floating)."""
    return rand(*x.shape, generator=generator, dtype=dtype or _float_or_default(x))


def randn_like(x: Tensor, *, generator: Generator | None = None, dtype: Any = None) -> Tensor:
    """Standard normal samples with ``x``'s shape."""
    return randn(*x.shape, generator=generator, dtype=dtype or _float_or_default(x))


def randint_like(x: Tensor, low: int, high: int | None = None, *, dtype: Any = None) -> Tensor:
    """Random integers with ``x``'s shape."""
    if high is None:
        low, high = 0, low
    return randint(low, high, tuple(x.shape), dtype=dtype or x._data.dtype)


def _float_or_default(x: Tensor) -> Any:
    return x._data.dtype if x._data.dtype.kind == "f" else None


def normal(
    mean: float, std: float, size: Any, *, generator: Generator | None = None, dtype: Any = None
) -> Tensor:
    """Samples from N(mean, std**2) of shape ``size``."""
    if std < 0:
        raise RuntimeError(f"normal: expected std >= 0.0, but found std={std}")
    return randn(*_size((size,), "normal"), generator=generator, dtype=dtype) * std + mean


def bernoulli(p: Tensor, *, generator: Generator | None = None) -> Tensor:
    """1 with probability ``p[i]`` else 0, elementwise (``p``'s dtype)."""
    pd = p._data
    if pd.size and (pd.min() < 0 or pd.max() > 1):
        raise RuntimeError("bernoulli: expected all probabilities to be in [0, 1]")
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


def bernoulli_(x: Tensor, p: float = 0.5, *, generator: Generator | None = None) -> Tensor:
    """Fill ``x`` in place with 1 (probability ``p``) or 0."""
    if not 0 <= p <= 1:
        raise RuntimeError(f"bernoulli_: expected p in [0, 1], got {p}")
    return _fill_from(x, _rng(generator).random(x._data.shape) < p)


_unused = (to_numpy_dtype,)
