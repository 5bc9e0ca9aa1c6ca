"""Reductions: sum/mean/var/std/max/min/argmax/argmin/prod/all/any/cumsum."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest

import tt_tensor as tt

DIMS: list[Any] = [None, 0, 1, 2, -1, (0, 2), (1, -1), (0, 1, 2), ()]


def _np_axis(dim: Any) -> Any:
    """NumPy's axis for a tt dim (an empty tuple means every dim in PyTorch)."""
    return None if dim == () else dim


@pytest.fixture
def a(rng: np.random.Generator) -> np.ndarray:
    return rng.standard_normal((2, 3, 4)).astype(np.float32)


@pytest.mark.parametrize("dim", DIMS)
@pytest.mark.parametrize("keepdim", [False, True])
def test_sum_and_mean_match_numpy(a: np.ndarray, dim: Any, keepdim: bool) -> None:
    x = tt.tensor(a)
    axis = _np_axis(dim)
    s = x.sum(dim, keepdim)
    m = x.mean(dim, keepdim)
    want_s = a.sum(axis=axis, keepdims=keepdim)
    assert s.shape == want_s.shape
    assert s.dtype is tt.float32
    assert m.dtype is tt.float32
    np.testing.assert_allclose(s.numpy(), want_s, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(m.numpy(), a.mean(axis=axis, keepdims=keepdim), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(tt.sum(x, dim, keepdim).numpy(), want_s, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("dim", DIMS)
@pytest.mark.parametrize("correction", [0, 1, 2, 0.5])
def test_var_and_std_use_bessel_correction(a: np.ndarray, dim: Any, correction: float) -> None:
    x = tt.tensor(a)
    axis = _np_axis(dim)
    v = x.var(dim, correction=correction)
    sd = x.std(dim, correction=correction, keepdim=True)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # NumPy warns when n - correction <= 0 (result inf)
        want_v = a.var(axis=axis, ddof=correction)
        want_sd = a.std(axis=axis, ddof=correction, keepdims=True)
    np.testing.assert_allclose(v.numpy(), want_v, rtol=1e-4)
    np.testing.assert_allclose(sd.numpy(), want_sd, rtol=1e-4)


def test_var_defaults_to_the_unbiased_estimator() -> None:
    x = tt.arange(12.0).reshape(3, 4)
    assert x.var().item() == pytest.approx(np.var(np.arange(12.0), ddof=1))
    assert x.var(1, correction=0).tolist() == [1.25, 1.25, 1.25]
    assert x.var(unbiased=False).item() == pytest.approx(np.var(np.arange(12.0)))
    assert x.std(0, unbiased=True).tolist() == pytest.approx([4.0, 4.0, 4.0, 4.0])
    assert tt.var(x, 0, keepdim=True).shape == (1, 4)
    assert tt.std(x).item() == pytest.approx(np.std(np.arange(12.0), ddof=1), rel=1e-6)


def test_var_of_one_element_is_nan() -> None:
    assert np.isnan(tt.tensor([1.0]).var().item())
    assert tt.tensor([1.0]).var(correction=0).item() == 0.0


def test_mean_and_var_of_int_tensors_raise() -> None:
    with pytest.raises(RuntimeError, match=r"mean\(\): could not infer output dtype.*int64"):
        tt.tensor([1, 2]).mean()
    with pytest.raises(RuntimeError, match="var: expected a floating point tensor"):
        tt.tensor([1, 2]).var()
    assert tt.tensor([1, 2]).mean(dtype=tt.float32).item() == 1.5


def test_mean_of_nothing_is_nan() -> None:
    assert np.isnan(tt.zeros(0).mean().item())
    assert np.isnan(tt.zeros(0, 3).mean(0).numpy()).all()
    assert tt.zeros(0, 3).mean(0).shape == (3,)


def test_sums_of_ints_and_bools_are_int64() -> None:
    for dtype in (tt.bool_, tt.uint8, tt.int8, tt.int16, tt.int32):
        x = tt.ones(3, 2, dtype=dtype)
        assert x.sum().dtype is tt.int64
        assert x.sum(0).dtype is tt.int64
        assert x.prod().dtype is tt.int64
        assert x.cumsum(0).dtype is tt.int64
    assert tt.tensor([True, True, False]).sum().item() == 2
    assert tt.tensor([100, 100], dtype=tt.int8).sum().item() == 200  # no int8 overflow


def test_sum_with_an_explicit_dtype() -> None:
    x = tt.tensor([1, 2, 3])
    assert x.sum(dtype=tt.float64).dtype is tt.float64
    assert x.sum(dtype=tt.int8).dtype is tt.int8
    assert x.sum(dtype=tt.float64).item() == 6.0


def test_float16_sums_stay_float16() -> None:
    x = tt.ones(3000, dtype=tt.float16)
    s = x.sum()
    assert s.dtype is tt.float16
    assert s.item() == 3000.0


def test_sum_of_an_empty_tensor_is_zero() -> None:
    assert tt.zeros(0).sum().item() == 0.0
    assert tt.zeros(0, 3, dtype=tt.int64).sum(0).tolist() == [0, 0, 0]


def test_max_and_min_without_dim_reduce_everything() -> None:
    x = tt.tensor([[1.0, 5.0], [-2.0, 3.0]])
    assert x.max().item() == 5.0
    assert x.min().item() == -2.0
    assert x.max().shape == ()
    assert tt.max(x).item() == 5.0
    assert tt.min(x).item() == -2.0
    assert np.isnan(tt.tensor([np.nan, 1.0]).max().item())


@pytest.mark.parametrize("dim", [0, 1, 2, -1])
@pytest.mark.parametrize("keepdim", [False, True])
def test_max_and_min_along_a_dim_return_values_and_indices(
    a: np.ndarray, dim: int, keepdim: bool
) -> None:
    x = tt.tensor(a)
    for fn, ref, arg in ((x.max, np.max, np.argmax), (x.min, np.min, np.argmin)):
        out = fn(dim, keepdim)
        values, indices = out
        assert out.values is values
        assert out.indices is indices
        assert values.dtype is tt.float32
        assert indices.dtype is tt.int64
        np.testing.assert_array_equal(values.numpy(), ref(a, axis=dim, keepdims=keepdim))
        want_idx = arg(a, axis=dim)
        if keepdim:
            want_idx = np.expand_dims(want_idx, dim)
        np.testing.assert_array_equal(indices.numpy(), want_idx)


def test_max_along_a_dim_picks_the_first_of_ties() -> None:
    values, indices = tt.tensor([[1, 3, 3], [2, 2, 0]]).max(1)
    assert values.tolist() == [3, 2]
    assert indices.tolist() == [1, 0]
    assert values.dtype is tt.int64


def test_max_with_a_tensor_argument_is_elementwise() -> None:
    out = tt.ones(2, 3).min(tt.zeros(3))
    assert out.shape == (2, 3)
    assert out.tolist() == [[0.0] * 3] * 2
    assert tt.max(tt.tensor([1, 5]), tt.tensor([3, 2])).tolist() == [3, 5]


def test_amax_and_amin_over_several_dims(a: np.ndarray) -> None:
    x = tt.tensor(a)
    np.testing.assert_array_equal(x.amax((0, 2)).numpy(), a.max(axis=(0, 2)))
    np.testing.assert_array_equal(x.amin(1, keepdim=True).numpy(), a.min(axis=1, keepdims=True))
    assert x.amax().item() == a.max()
    assert tt.amin(x).item() == a.min()


def test_argmax_and_argmin(a: np.ndarray) -> None:
    x = tt.tensor(a)
    assert x.argmax().item() == int(np.argmax(a))
    assert x.argmin().item() == int(np.argmin(a))
    assert x.argmax().dtype is tt.int64
    np.testing.assert_array_equal(x.argmax(1).numpy(), np.argmax(a, axis=1))
    np.testing.assert_array_equal(x.argmin(-1).numpy(), np.argmin(a, axis=-1))
    assert x.argmax(2, keepdim=True).shape == (2, 3, 1)
    assert x.argmax(keepdim=True).shape == (1, 1, 1)
    assert tt.tensor([3, 1, 3]).argmax().item() == 0
    assert tt.argmin(tt.tensor([3, 1, 1])).item() == 1


def test_reducing_an_empty_dim_to_an_extreme_raises() -> None:
    with pytest.raises(RuntimeError, match="max"):
        tt.zeros(0).max()
    with pytest.raises(IndexError, match=r"max\(\): Expected reduction dim 0 to have non-zero"):
        tt.zeros(0, 2).max(0)
    with pytest.raises(IndexError, match=r"argmax\(\): Expected reduction dim to be specified"):
        tt.zeros(0).argmax()
    with pytest.raises(IndexError, match=r"argmin\(\): Expected reduction dim 1 to have non-zero"):
        tt.zeros(2, 0).argmin(1)
    with pytest.raises(IndexError, match="amax"):
        tt.zeros(2, 0).amax(1)


def test_prod(a: np.ndarray) -> None:
    x = tt.arange(1, 13).reshape(3, 4)
    assert x.prod().item() == int(np.prod(np.arange(1, 13)))
    assert x.prod(1).tolist() == [24, 1680, 11880]
    assert x.prod(0, keepdim=True).shape == (1, 4)
    np.testing.assert_allclose(tt.tensor(a).prod(1).numpy(), a.prod(axis=1), rtol=1e-5)
    assert tt.prod(tt.tensor([2.0, 3.0])).item() == 6.0


@pytest.mark.parametrize("dim", [None, 0, 1, (0, 1)])
def test_all_and_any(dim: Any) -> None:
    b = np.array([[True, False, True], [True, True, True]])
    x = tt.tensor(b)
    assert x.all(dim).dtype is tt.bool_
    np.testing.assert_array_equal(x.all(dim).numpy(), b.all(axis=dim))
    np.testing.assert_array_equal(x.any(dim).numpy(), b.any(axis=dim))
    np.testing.assert_array_equal(
        tt.all(x, dim, keepdim=True).numpy(), b.all(axis=dim, keepdims=True)
    )


def test_all_and_any_with_an_empty_dim_tuple_reduce_nothing() -> None:
    x = tt.tensor([[0, 2], [1, 1]])
    assert x.all(()).tolist() == [[False, True], [True, True]]
    assert tt.any(x, []).tolist() == [[False, True], [True, True]]
    assert tt.tensor([0, 2], dtype=tt.uint8).all(()).tolist() == [0, 1]  # uint8 stays uint8
    assert x.sum(()).item() == 4  # sum reads () as every dim, as PyTorch does


def test_all_and_any_of_numbers_test_nonzero() -> None:
    assert not tt.tensor([1, 0]).all().item()
    assert tt.tensor([1, 0]).any().item()
    assert tt.tensor([0.5, -1.0]).all().item()
    assert not tt.zeros(3).any().item()
    assert tt.zeros(0).all().item()


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_cumsum_matches_numpy(a: np.ndarray, dim: int) -> None:
    out = tt.tensor(a).cumsum(dim)
    assert out.shape == a.shape
    np.testing.assert_allclose(out.numpy(), np.cumsum(a, axis=dim), rtol=1e-5, atol=1e-6)
    assert tt.cumsum(tt.tensor([1, 2, 3]), 0).tolist() == [1, 3, 6]
    assert tt.tensor([1, 2]).cumsum(0, dtype=tt.float32).dtype is tt.float32


def test_cumsum_of_float16_accumulates_in_float32() -> None:
    out = tt.ones(3000, dtype=tt.float16).cumsum(0)
    assert out.dtype is tt.float16
    assert out[-1].item() == 3000.0  # a float16 running sum would stop at 2048 (2048 + 1)
    assert out[2048].item() == 2048.0  # (2049 rounds to 2048 in float16 either way)


@pytest.mark.parametrize("op", ["sum", "mean", "amax", "amin", "all", "any", "var", "std"])
def test_a_zero_dim_tensor_rejects_dims_other_than_minus_one_and_zero(op: str) -> None:
    x = tt.tensor(3.0)
    with pytest.raises(IndexError, match=r"dim 5 is out of range.*\[-1, 0\]"):
        getattr(x, op)(5)
    assert getattr(x, op)(-1).shape == ()


def test_reductions_of_zero_dim_tensors() -> None:
    x = tt.tensor(3.0)
    assert x.sum().item() == 3.0
    assert x.sum(0).item() == 3.0
    assert x.mean(-1).item() == 3.0
    assert x.cumsum(0).item() == 3.0
    assert x.argmax(0).item() == 0
    values, indices = x.max(0)
    assert values.item() == 3.0
    assert indices.item() == 0


def test_duplicate_reduction_dims_raise() -> None:
    with pytest.raises(RuntimeError, match="appears multiple times"):
        tt.ones(2, 3).sum((1, -1))


def test_bad_reduction_dim_names_the_dim_and_ndim() -> None:
    with pytest.raises(IndexError, match=r"sum: dim 2 is out of range for a tensor with 2 dims"):
        tt.ones(2, 3).sum(2)
    with pytest.raises(IndexError, match=r"mean: dim -3 .* 2 dims"):
        tt.ones(2, 3).mean(-3)
    with pytest.raises(IndexError, match=r"max: dim 5 .* 1 dims"):
        tt.ones(2).max(5)
    with pytest.raises(TypeError, match="sum: dim must be an int or a sequence of ints, got float"):
        tt.ones(2).sum(1.0)
    with pytest.raises(TypeError, match="dim must be an int, got float"):
        tt.ones(2).sum((0.0,))


def test_var_and_std_take_pytorchs_positional_unbiased_and_keepdim() -> None:
    x = tt.tensor([[1.0, 2.0, 3.0, 6.0]])
    assert x.var(1, False).tolist() == [3.5]  # population variance: 14 / 4
    np.testing.assert_allclose(x.var(1, True, True).numpy(), [[14.0 / 3]], rtol=1e-6)
    np.testing.assert_allclose(tt.std(x, 1, False).numpy(), [3.5**0.5], rtol=1e-6)
    assert x.var(False).item() == 3.5
    with pytest.raises(RuntimeError, match="both unbiased and correction"):
        x.var(1, True, correction=0)


def test_argmax_of_a_bool_tensor_raises_but_max_along_a_dim_works() -> None:
    b = tt.tensor([False, True])
    with pytest.raises(RuntimeError, match=r"argmax\(\): does not support bool input"):
        b.argmax()
    assert b.max(0).indices.item() == 1
