"""The one helper of every package's PyTorch parity suite (``packages/*/tests/parity``).

Every parity test runs the *same* expression twice, ``expr(m, *inputs)`` with ``m = tt_tensor``
and with ``m = torch``, on the same seeded NumPy inputs, and compares what comes out.  Each
suite's ``conftest.py`` turns this module into its fixtures with :func:`fixtures`, giving its
own tolerance table:

* ``check(expr, *inputs, grad=False, atol=None, rtol=None, or_raises=False)``: values, dtypes
  and shapes of the outputs (tensors, nested tuples of tensors, Python numbers, dtypes) and of
  the tensor inputs afterwards, so in-place ops are compared too.  With ``grad=True`` every
  floating input requires grad, ``(out * w).sum()`` (fixed random weights ``w``, over every
  output that requires grad) is backpropagated in both libraries, and each input's ``.grad``
  is compared: presence, dtype, shape and values (the suite must have imported an autograd
  tier).  With ``or_raises`` (sweeps over operand types, where some combinations are errors)
  raising the same exception type in both also passes.  Returns tt's inputs when ``grad``,
  else tt's output;
* ``check_raises(expr, *inputs, types=None, why=None)``: both libraries raise, with the same
  exception type unless ``types=(tt_type, torch_type)`` documents the difference (``why``);
* ``rand(*shape, dtype="float32", low=None, high=None)``: a seeded NumPy input.

NumPy arrays among the inputs become tensors (``from_numpy`` of a private copy in the same
memory layout, so a Fortran-ordered array gives a non-contiguous tensor); anything else is
passed through unchanged.  This module never imports torch's or tt's optional tiers itself:
it lives outside the packages (pytest finds it through ``pythonpath`` in the root
pyproject) because it imports torch, which no tt package may depend on.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import numpy as np
import pytest

import tt_tensor as tt

# By name: torch is not installed where mypy runs (the nox types session), and no tt package
# may depend on it; the parity session installs the local CPU build.
torch: Any = importlib.import_module("torch")

Tolerances = Mapping[str, tuple[float, float]]

# (rtol, atol) per floating dtype for the tensor tier's forward ops.
FORWARD: Tolerances = {
    # float16 keeps 11 significant bits (eps 9.8e-4): NumPy and PyTorch both compute half ops
    # in float32 and round, but may round a different intermediate, i.e. differ by one ulp.
    "float16": (1e-3, 1e-3),
    "float32": (1e-5, 1e-6),
    # float64: libm and PyTorch's vectorised (SLEEF) kernels differ by an ulp or two (2e-16).
    "float64": (1e-12, 1e-14),
}

# For suites that compare gradients: backward formulas chain several forward-sized roundings.
GRADIENTS: Tolerances = {
    # float16: the libraries may round a different intermediate of a forward or backward
    # formula, i.e. differ by an ulp or two.
    "float16": (2e-3, 2e-3),
    "float32": (1e-5, 1e-6),
    # float64: an ulp or two per libm/SLEEF call, and backward formulas chain a few of them.
    "float64": (1e-11, 1e-13),
}


def dtype_name(t: Any) -> str:
    """``"float32"`` for a tt or a torch tensor, or a tt or torch dtype."""
    if isinstance(t, tt.Tensor | torch.Tensor):
        t = t.dtype
    return t.name if isinstance(t, tt.DType) else str(t).removeprefix("torch.")


def to_lib(m: Any, x: Any, grad: bool = False) -> Any:
    """A NumPy array as a tensor of library ``m`` (a private copy, same layout; floating ones
    require grad when ``grad``); anything else unchanged."""
    if not isinstance(x, np.ndarray):
        return x
    t = m.from_numpy(x.copy(order="K"))
    return t.requires_grad_() if grad and x.dtype.kind == "f" else t


def compare(
    a: Any, b: Any, tol: Tolerances, rtol: float | None, atol: float | None, where: str
) -> None:
    """Assert that tt's ``a`` matches torch's ``b`` (recursing into tuples and lists)."""
    if isinstance(a, tt.Tensor):
        assert isinstance(b, torch.Tensor), f"{where}: tt gave a Tensor, torch a {type(b)}"
        assert dtype_name(a) == dtype_name(b), f"{where}: dtype {dtype_name(a)} != {dtype_name(b)}"
        assert tuple(a.shape) == tuple(b.shape), f"{where}: shape {a.shape} != {b.shape}"
        got, exp = a.detach().numpy(), b.detach().numpy()
        if a.dtype.is_floating_point:
            r, t = tol[dtype_name(a)]
            r = r if rtol is None else rtol
            t = t if atol is None else atol
            np.testing.assert_allclose(got, exp, rtol=r, atol=t, err_msg=where)
        else:
            np.testing.assert_array_equal(got, exp, err_msg=where)
    elif isinstance(a, tuple | list):
        assert isinstance(b, tuple | list), f"{where}: tt gave a sequence, torch a {type(b)}"
        assert len(a) == len(b), f"{where}: {len(a)} items in tt, {len(b)} in torch"
        for name in getattr(a, "_fields", ()):  # named tuples: (values, indices)
            assert hasattr(b, name), f"{where}: torch's result has no field {name!r}"
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            compare(x, y, tol, rtol, atol, f"{where}[{i}]")
    elif isinstance(a, tt.DType):
        assert a.name == dtype_name(b), f"{where}: dtype tt {a.name} != torch {b}"
    elif isinstance(a, bool | int | float):
        assert type(a) is type(b), f"{where}: tt gave a {type(a)}, torch a {type(b)}"
        if isinstance(a, float):
            np.testing.assert_allclose(a, b, rtol=rtol or 1e-6, atol=atol or 0, err_msg=where)
        else:
            assert a == b, f"{where}: tt {a!r} != torch {b!r}"
    else:
        assert a == b, f"{where}: tt {a!r} != torch {b!r}"


def tensors(out: Any) -> Iterator[Any]:
    """The tensors in an output (a tensor or nested tuples/lists of them)."""
    if isinstance(out, tuple | list):
        for o in out:
            yield from tensors(o)
    elif isinstance(out, tt.Tensor | torch.Tensor):
        yield out


def backward_weighted(m: Any, out: Any) -> None:
    """Backpropagate ``sum((o * w).sum())`` over the outputs ``o`` that require grad, with
    weights ``w`` drawn from a fixed seed (the same in both libraries, since outputs match)."""
    rng = np.random.default_rng(1234)
    total = None
    for o in tensors(out):
        if o.requires_grad:
            w = m.from_numpy(rng.standard_normal(tuple(o.shape)).astype(dtype_name(o)))
            term = (o * w).sum()
            total = term if total is None else total + term
    assert total is not None, f"{m.__name__}: no output requires grad"
    total.backward()


def run_check(
    tol: Tolerances,
    expr: Callable[..., Any],
    *inputs: Any,
    grad: bool = False,
    atol: float | None = None,
    rtol: float | None = None,
    or_raises: bool = False,
) -> Any:
    """See the module docstring (``check``)."""
    tt_in = [to_lib(tt, x, grad) for x in inputs]
    th_in = [to_lib(torch, x, grad) for x in inputs]
    try:
        want = expr(torch, *th_in)
    except Exception:
        if not or_raises:
            raise
        return run_check_raises(expr, *inputs)
    got = expr(tt, *tt_in)
    compare(got, want, tol, rtol, atol, "output")
    for i, (a, b) in enumerate(zip(tt_in, th_in, strict=True)):
        if isinstance(a, tt.Tensor):
            compare(a, b, tol, rtol, atol, f"input {i} after the call")
    if not grad:
        return got
    backward_weighted(tt, got)
    backward_weighted(torch, want)
    for i, (a, b) in enumerate(zip(tt_in, th_in, strict=True)):
        if isinstance(a, tt.Tensor) and a.requires_grad:
            assert (a.grad is None) == (b.grad is None), f"grad of input {i}: {a.grad!r}"
            if a.grad is not None:
                compare(a.grad, b.grad, tol, rtol, atol, f"grad of input {i}")
    return tt_in


def run_check_raises(
    expr: Callable[..., Any],
    *inputs: Any,
    types: tuple[type[BaseException], type[BaseException]] | None = None,
    why: str | None = None,
) -> tuple[BaseException, BaseException]:
    """See the module docstring (``check_raises``).  Returns both exceptions."""
    caught: list[BaseException] = []
    for m in (tt, torch):
        args = [to_lib(m, x) for x in inputs]
        try:
            result = expr(m, *args)
        except Exception as e:
            caught.append(e)
        else:
            pytest.fail(f"{m.__name__} did not raise; it returned {result!r}")
    e_tt, e_torch = caught
    if types is None:
        assert type(e_tt) is type(e_torch), (
            f"tt raised {type(e_tt).__name__}({e_tt}), torch {type(e_torch).__name__}({e_torch})"
        )
    else:
        assert why, "a documented difference of exception types needs its reason (why=...)"
        assert (type(e_tt), type(e_torch)) == types, (type(e_tt), type(e_torch), e_tt)
    assert str(e_tt), "tt's error message is empty"
    return e_tt, e_torch


def make_input(
    rng: np.random.Generator,
    *shape: int,
    dtype: str = "float32",
    low: float | None = None,
    high: float | None = None,
) -> np.ndarray[Any, Any]:
    """Seeded values: floats ~ N(0, 1) (or U(low, high)), ints in [low, high), random bools."""
    dt = np.dtype(dtype)
    out: Any
    if dt.kind == "b":
        out = rng.random(shape) < 0.5
    elif dt.kind in "iu":
        lo = (0 if dt.kind == "u" else -4) if low is None else int(low)
        out = rng.integers(lo, 9 if high is None else int(high), shape)
    elif low is not None or high is not None:
        out = rng.uniform(-1.0 if low is None else low, 1.0 if high is None else high, shape)
    else:
        out = rng.standard_normal(shape)
    return np.asarray(out).astype(dt)


def fixtures(tol: Tolerances) -> tuple[Any, Any, Any]:
    """The ``check``, ``check_raises`` and ``rand`` fixtures of a suite with tolerances
    ``tol``; its conftest binds them to those names at module level."""

    @pytest.fixture
    def check() -> Callable[..., Any]:
        return lambda expr, *inputs, **kw: run_check(tol, expr, *inputs, **kw)

    @pytest.fixture
    def check_raises() -> Callable[..., Any]:
        return run_check_raises

    @pytest.fixture
    def rand() -> Callable[..., np.ndarray[Any, Any]]:
        rng = np.random.default_rng(0)
        return lambda *shape, **kw: make_input(rng, *shape, **kw)

    return check, check_raises, rand
