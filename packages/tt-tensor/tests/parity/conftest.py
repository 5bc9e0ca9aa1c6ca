"""The one shared helper of tt-tensor's PyTorch parity suite.

Every test runs the *same* expression twice, ``expr(m, *inputs)`` with ``m = tt_tensor`` and
with ``m = torch``, on the same seeded NumPy inputs, and compares what comes out.  The helpers
reach the tests as fixtures (the parity folders are not packages and pytest imports them in
importlib mode, so a conftest shares code through fixtures):

* ``check(expr, *inputs, atol=None, rtol=None, or_raises=False)``: values, dtypes and shapes
  of the outputs (tensors, nested tuples of tensors, Python numbers, dtypes) and of the inputs
  afterwards, so in-place ops are compared too.  With ``or_raises`` (for sweeps over operand
  types, where some combinations are errors) raising the same exception type in both also
  passes;
* ``check_raises(expr, *inputs, types=None, why=None)``: both libraries raise, with the same
  exception type unless ``types=(tt_type, torch_type)`` documents the difference (``why``);
* ``rand(*shape, dtype="float32", low=None, high=None)``: a seeded NumPy input.

NumPy arrays among the inputs become tensors (``from_numpy`` of a private copy in the same
memory layout, so a Fortran-ordered array gives a non-contiguous tensor); anything else is
passed through unchanged.  This folder must not import tt_autograd (gradients are compared in
tt-autograd's parity suite), but the parity session runs both folders in one process, so these
tests must also pass with tt_autograd imported.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch

import tt_tensor as tt

# Tolerances per floating dtype: (rtol, atol).
TOLERANCES = {
    # float16 keeps 11 significant bits (eps 9.8e-4): NumPy and PyTorch both compute half ops
    # in float32 and round, but may round a different intermediate, i.e. differ by one ulp.
    "float16": (1e-3, 1e-3),
    "float32": (1e-5, 1e-6),
    # float64: libm and PyTorch's vectorised (SLEEF) kernels differ by an ulp or two (2e-16).
    "float64": (1e-12, 1e-14),
}


def torch_dtype_name(dtype: torch.dtype) -> str:
    """``torch.float32`` -> ``"float32"``, the name of the tt dtype it corresponds to."""
    return str(dtype).removeprefix("torch.")


def to_lib(m: Any, x: Any) -> Any:
    """A NumPy array as a tensor of library ``m`` (a private copy, same layout); else ``x``."""
    if isinstance(x, np.ndarray):
        return m.from_numpy(x.copy(order="K"))
    return x


def compare(a: Any, b: Any, rtol: float | None, atol: float | None, where: str) -> None:
    """Assert that tt's ``a`` matches torch's ``b`` (recursing into tuples and lists)."""
    if isinstance(a, tt.Tensor):
        assert isinstance(b, torch.Tensor), f"{where}: tt gave a Tensor, torch a {type(b)}"
        want = torch_dtype_name(b.dtype)
        assert a.dtype.name == want, f"{where}: dtype tt {a.dtype.name} != torch {want}"
        assert tuple(a.shape) == tuple(b.shape), f"{where}: shape {a.shape} != {b.shape}"
        got, exp = a.detach().numpy(), b.detach().numpy()
        if a.dtype.is_floating_point:
            r, t = TOLERANCES[a.dtype.name]
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
            compare(x, y, rtol, atol, f"{where}[{i}]")
    elif isinstance(a, tt.DType):
        assert a.name == torch_dtype_name(b), f"{where}: dtype tt {a.name} != torch {b}"
    elif isinstance(a, bool | int | float):
        assert type(a) is type(b), f"{where}: tt gave a {type(a)}, torch a {type(b)}"
        if isinstance(a, float):
            np.testing.assert_allclose(a, b, rtol=rtol or 1e-6, atol=atol or 0, err_msg=where)
        else:
            assert a == b, f"{where}: tt {a!r} != torch {b!r}"
    else:
        assert a == b, f"{where}: tt {a!r} != torch {b!r}"


def run_check(
    expr: Callable[..., Any],
    *inputs: Any,
    atol: float | None = None,
    rtol: float | None = None,
    or_raises: bool = False,
) -> Any:
    """Run ``expr`` in both libraries and compare outputs and (possibly mutated) inputs.

    Returns tt's output, for tests that assert more (e.g. that a result is a view)."""
    tt_in = [to_lib(tt, x) for x in inputs]
    th_in = [to_lib(torch, x) for x in inputs]
    try:
        want = expr(torch, *th_in)
    except Exception:
        if not or_raises:
            raise
        return run_check_raises(expr, *inputs)
    got = expr(tt, *tt_in)
    compare(got, want, rtol, atol, "output")
    for i, (a, b) in enumerate(zip(tt_in, th_in, strict=True)):
        if isinstance(a, tt.Tensor):
            compare(a, b, rtol, atol, f"input {i} after the call")
    return got


def run_check_raises(
    expr: Callable[..., Any],
    *inputs: Any,
    types: tuple[type[BaseException], type[BaseException]] | None = None,
    why: str | None = None,
) -> tuple[BaseException, BaseException]:
    """Both libraries raise; the exception types are equal unless ``types`` gives the
    (tt, torch) pair and ``why`` says why they differ.  Returns both exceptions."""
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
    if dt.kind == "b":
        out = rng.random(shape) < 0.5
    elif dt.kind in "iu":
        lo = (0 if dt.kind == "u" else -4) if low is None else low
        out = rng.integers(lo, 9 if high is None else high, shape)
    elif low is not None or high is not None:
        out = rng.uniform(-1.0 if low is None else low, 1.0 if high is None else high, shape)
    else:
        out = rng.standard_normal(shape)
    return np.asarray(out).astype(dt)


@pytest.fixture
def check() -> Callable[..., Any]:
    return run_check


@pytest.fixture
def check_raises() -> Callable[..., Any]:
    return run_check_raises


@pytest.fixture
def rand() -> Callable[..., np.ndarray[Any, Any]]:
    rng = np.random.default_rng(0)
    return lambda *shape, **kw: make_input(rng, *shape, **kw)
