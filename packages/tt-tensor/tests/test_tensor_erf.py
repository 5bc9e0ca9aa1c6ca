"""``tt.erf`` against Python's ``math.erf`` (glibc's erf, within 1 ulp of the exact value).

NumPy has no erf, so tt computes it with W. J. Cody's rational approximations: these tests
measure its error over the whole real line (each of Cody's three ranges, their boundaries, the
tails where erf -> +-1, tiny and subnormal arguments), the special values, and the dtype rules.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import tt_tensor as tt

# Cody's approximations are good to ~18 digits; in float64 the evaluation (Horner steps, the
# exp, the final 1 - erfc) rounds a handful of times.  Measured: at most 4 ulp (4.4e-16
# relative).  The bounds leave one ulp of slack, still well below 1e-15.
MAX_ULP = 5.0
MAX_REL = 6e-16


def _reference(x: np.ndarray) -> np.ndarray:
    return np.array([math.erf(v) for v in x.tolist()], dtype=np.float64)


def _ulp_error(got: np.ndarray, want: np.ndarray) -> np.ndarray:
    return np.asarray(np.abs(got - want) / np.spacing(np.abs(want)))


def _points() -> np.ndarray:
    rng = np.random.default_rng(20261121)
    boundaries = np.array([0.46875, 4.0, 26.543, 5.9, 6.0])  # Cody's ranges; erf rounds to 1
    near = np.concatenate([np.nextafter(boundaries, 0.0), boundaries, np.nextafter(boundaries, 9)])
    pos = np.concatenate(
        [
            np.linspace(0.0, 8.0, 40_001),
            rng.uniform(0.0, 0.5, 20_000),
            rng.uniform(0.46875, 4.0, 20_000),
            rng.uniform(4.0, 30.0, 20_000),
            np.geomspace(1e-300, 30.0, 20_000),  # tiny values up to the tails
            near,
        ]
    )
    return np.concatenate([pos, -pos])


def test_erf_is_within_a_few_ulp_of_math_erf_over_the_real_line() -> None:
    x = _points()
    got = tt.erf(tt.from_numpy(x)).numpy()
    want = _reference(x)
    ulp = _ulp_error(got, want)
    worst = int(np.argmax(ulp))
    assert ulp[worst] <= MAX_ULP, f"erf({x[worst]!r}) = {got[worst]!r}, want {want[worst]!r}"
    rel = np.abs(got - want) / np.abs(np.where(want == 0, 1.0, want))
    assert rel.max() <= MAX_REL


@pytest.mark.parametrize("x", [1e-8, 3e-9, 1e-20, 1e-100, 1e-300, 2.2250738585072014e-308])
def test_erf_of_tiny_values_is_two_over_sqrt_pi_times_x(x: float) -> None:
    for s in (x, -x):
        got = tt.erf(tt.from_numpy(np.array(s))).item()
        assert abs(got - math.erf(s)) <= 2 * math.ulp(math.erf(s))
        assert abs(got - 2 / math.sqrt(math.pi) * s) <= 2 * math.ulp(got)


def test_erf_of_subnormal_values_is_within_one_subnormal_step() -> None:
    x = np.array([5e-324, 1e-320, 3.3e-310, -1e-315])
    got = tt.erf(tt.from_numpy(x)).numpy()
    np.testing.assert_allclose(got, _reference(x), rtol=0, atol=2 * 5e-324)


def test_erf_tails_are_exactly_plus_minus_one() -> None:
    x = np.array([6.0, 10.0, 26.543, 27.0, 1e10, 1e300, np.finfo(np.float64).max])
    got = tt.erf(tt.from_numpy(np.concatenate([x, -x]))).numpy()
    assert got.tolist() == [1.0] * len(x) + [-1.0] * len(x)


def test_erf_special_values_and_signed_zero() -> None:
    x = tt.tensor([float("inf"), -float("inf"), float("nan"), 0.0, -0.0], dtype=tt.float64)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no NumPy RuntimeWarning for inf or nan
        got = tt.erf(x).numpy()
    assert got[0] == 1.0
    assert got[1] == -1.0
    assert np.isnan(got[2])
    assert got[3] == 0.0
    assert not np.signbit(got[3])
    assert got[4] == 0.0
    assert np.signbit(got[4])


def test_erf_is_odd_exactly() -> None:
    x = _points()
    pos = tt.erf(tt.from_numpy(x)).numpy()
    neg = tt.erf(tt.from_numpy(-x)).numpy()
    np.testing.assert_array_equal(neg, -pos)


@pytest.mark.parametrize("dtype", ["float16", "float32"])
def test_erf_in_half_and_single_precision_is_the_float64_result_rounded_once(dtype: str) -> None:
    x = np.linspace(-5.0, 5.0, 2001).astype(dtype)
    got = tt.erf(tt.from_numpy(x))
    assert got.dtype.name == dtype
    want = _reference(x.astype(np.float64)).astype(dtype)  # correctly rounded, nearly always
    assert np.max(np.abs(got.numpy().astype(np.float64) - want)) <= np.spacing(np.array(1, dtype))


@pytest.mark.parametrize("dtype", [tt.int64, tt.int32, tt.uint8, tt.bool_])
def test_erf_of_integers_and_bools_is_float32(dtype: tt.DType) -> None:
    x = tt.tensor([0, 1, 1], dtype=dtype)
    got = tt.erf(x)
    assert got.dtype == tt.float32
    np.testing.assert_array_equal(
        got.numpy(), np.array([0.0, math.erf(1.0), math.erf(1.0)], np.float32)
    )


def test_erf_keeps_shape_for_empty_zero_dim_and_non_contiguous_inputs() -> None:
    assert tuple(tt.erf(tt.zeros(0, 3)).shape) == (0, 3)
    zero_d = tt.erf(tt.tensor(0.5, dtype=tt.float64))
    assert zero_d.ndim == 0
    assert zero_d.item() == pytest.approx(math.erf(0.5), rel=1e-15)
    base = np.arange(12.0).reshape(3, 4) / 4 - 1.5
    got = tt.erf(tt.from_numpy(base).t()).numpy()
    np.testing.assert_allclose(got, _reference(base.T.ravel()).reshape(4, 3), rtol=1e-15)


def test_erf_method_and_function_agree() -> None:
    x = tt.linspace(-3, 3, 13)
    np.testing.assert_array_equal(x.erf().numpy(), tt.erf(x).numpy())


def test_erf_rejects_a_non_tensor_with_a_clear_error() -> None:
    with pytest.raises(TypeError, match="erf: expected a Tensor"):
        tt.erf([0.5])  # type: ignore[arg-type]
