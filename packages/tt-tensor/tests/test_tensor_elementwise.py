"""Elementwise arithmetic, comparisons, logic, math functions, matmul and the stable composites."""

from __future__ import annotations

import operator
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import pytest

import tt_tensor as tt


@contextmanager
def no_warnings() -> Iterator[None]:
    """Fail on any warning (NumPy's RuntimeWarnings included) raised inside the block."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


def _f32(rng: np.random.Generator, *shape: int) -> np.ndarray:
    return rng.standard_normal(shape).astype(np.float32)


# ----------------------------------------------------------------------- arithmetic
OPS: dict[str, Callable[[Any, Any], Any]] = {
    "add": operator.add,
    "sub": operator.sub,
    "mul": operator.mul,
    "truediv": operator.truediv,
}


@pytest.mark.parametrize("name", sorted(OPS))
def test_float_binary_ops_broadcast_like_numpy(name: str, rng: np.random.Generator) -> None:
    op = OPS[name]
    a, b = _f32(rng, 2, 1, 4), _f32(rng, 3, 1) + 3.0
    out = op(tt.tensor(a), tt.tensor(b))
    assert out.shape == (2, 3, 4)
    assert out.dtype is tt.float32
    np.testing.assert_allclose(out.numpy(), op(a, b), rtol=1e-6)


@pytest.mark.parametrize("name", sorted(OPS))
def test_reflected_ops_with_python_scalars(name: str) -> None:
    op = OPS[name]
    x = tt.tensor([1.0, 2.0, 4.0])
    np.testing.assert_allclose(op(3.0, x).numpy(), op(3.0, x.numpy()), rtol=1e-6)
    np.testing.assert_allclose(op(x, 3.0).numpy(), op(x.numpy(), 3.0), rtol=1e-6)
    assert op(3, x).dtype is tt.float32


def test_reflected_ops_on_integer_tensors() -> None:
    x = tt.tensor([1, 2, 4])
    assert (10 - x).tolist() == [9, 8, 6]
    assert (10 + x).tolist() == [11, 12, 14]
    assert (10 * x).tolist() == [10, 20, 40]
    assert (10 // x).tolist() == [10, 5, 2]
    assert (10 % x).tolist() == [0, 0, 2]
    assert (2**x).tolist() == [2, 4, 16]
    assert (2**x).dtype is tt.int64
    np.testing.assert_allclose((1 / x).numpy(), [1.0, 0.5, 0.25])
    assert (2.0**x).dtype is tt.float32


def test_numpy_array_on_the_left_defers_to_the_tensor() -> None:
    out = np.ones(2, np.float32) + tt.ones(2)
    assert isinstance(out, tt.Tensor)
    assert out.tolist() == [2.0, 2.0]
    m = np.eye(2, dtype=np.float32) @ tt.tensor([1.0, 2.0])
    assert isinstance(m, tt.Tensor)
    assert m.tolist() == [1.0, 2.0]
    assert ([1.0, 2.0] + tt.ones(2)).tolist() == [2.0, 3.0]  # noqa: RUF005 (list + Tensor)


def test_floor_division_and_remainder_follow_python_signs() -> None:
    a = tt.tensor([-7, 7, -7, 7])
    b = tt.tensor([2, 2, -2, -2])
    assert (a // b).tolist() == [-7 // 2, 7 // 2, -7 // -2, 7 // -2]
    assert (a % b).tolist() == [-7 % 2, 7 % 2, -7 % -2, 7 % -2]
    f = tt.tensor([-7.5, 7.5])
    assert (f // 2).tolist() == [-4.0, 3.0]
    assert (f % 2).tolist() == [0.5, 1.5]
    assert tt.tensor([7, 8]).div(2, rounding_mode="floor").tolist() == [3, 4]


def test_power_of_ints_floats_and_mixed() -> None:
    assert (tt.tensor([2, 3]) ** 2).tolist() == [4, 9]
    assert (tt.tensor([2, 3]) ** 2).dtype is tt.int64
    p = tt.tensor([4, 9]) ** 0.5
    assert p.dtype is tt.float32
    assert p.tolist() == [2.0, 3.0]
    np.testing.assert_allclose(
        (tt.tensor([2.0, 3.0]) ** tt.tensor([3.0, -1.0])).numpy(), [8, 1 / 3]
    )
    assert tt.pow(2, tt.tensor([1, 2])).tolist() == [2, 4]
    assert tt.tensor([2.0]).pow(3).tolist() == [8.0]


def test_integer_to_negative_scalar_power_raises() -> None:
    with pytest.raises(RuntimeError, match="negative integer powers"):
        tt.tensor([2]) ** -1
    x = tt.tensor([2])
    with pytest.raises(RuntimeError, match=r"pow_: Integers to negative integer powers"):
        x **= -1
    assert x.tolist() == [2]


def test_unary_minus_and_abs() -> None:
    x = tt.tensor([-1.5, 0.0, 2.0])
    assert (-x).tolist() == [1.5, -0.0, -2.0]
    assert abs(x).tolist() == [1.5, 0.0, 2.0]
    assert x.abs().tolist() == [1.5, 0.0, 2.0]
    i = tt.tensor([-3, 4], dtype=tt.int8)
    assert (-i).tolist() == [3, -4]
    assert abs(i).dtype is tt.int8
    assert (+x) is x
    assert tt.neg(x).tolist() == [1.5, -0.0, -2.0]


def test_negating_a_bool_tensor_raises() -> None:
    with pytest.raises(RuntimeError, match=r"neg: .*bool"):
        -tt.tensor([True])


def test_subtracting_bool_tensors_raises_in_every_form() -> None:
    b = tt.tensor([True, False])
    with pytest.raises(RuntimeError, match="two bool tensors"):
        b - b
    with pytest.raises(RuntimeError, match="bool tensor"):
        b - 1
    with pytest.raises(RuntimeError, match="bool tensor"):
        1 - b
    with pytest.raises(RuntimeError, match="bool tensor"):
        tt.tensor([1, 2]) - b
    with pytest.raises(RuntimeError, match="bool tensor"):
        tt.tensor([1, 2]) - True
    with pytest.raises(RuntimeError, match="sub"):
        b -= True
    assert (b ^ b).tolist() == [False, False]


def test_add_and_sub_with_alpha() -> None:
    assert tt.tensor([1, 2]).add(tt.tensor([1, 1]), alpha=3).tolist() == [4, 5]
    assert tt.tensor([1, 2]).sub(1, alpha=2).tolist() == [-1, 0]
    x = tt.zeros(3)
    x.add_(tt.ones(3), alpha=2)
    assert x.tolist() == [2.0, 2.0, 2.0]


# ----------------------------------------------------------------------- in place
def test_in_place_ops_write_into_the_same_memory() -> None:
    x = tt.ones(2, 3)
    data = x.numpy()
    x += tt.tensor([1.0, 2.0, 3.0])
    x -= 1.0
    x *= 2
    x /= 4
    assert x.numpy() is data
    np.testing.assert_allclose(x.numpy(), [[0.5, 1.0, 1.5]] * 2)
    x **= 2
    np.testing.assert_allclose(x.numpy(), [[0.25, 1.0, 2.25]] * 2)
    assert x._version == 5


def test_floor_division_and_remainder_in_place_write_into_the_target() -> None:
    x = tt.tensor([5, -7])
    alias = x
    x //= 2
    assert x is alias
    assert alias.tolist() == [2, -4]
    x %= 3
    assert alias.tolist() == [2, 2]
    assert x._version == 2
    f = tt.tensor([5.5, -7.0])
    f %= 2
    assert f.tolist() == [1.5, 1.0]
    with pytest.raises(RuntimeError, match="integer division by zero"):
        x //= 0
    with pytest.raises(RuntimeError, match="floor_divide_: result type float32 can't be cast"):
        x //= 1.5
    assert x.tolist() == [2, 2]


def test_in_place_ops_on_ints_and_narrower_operands() -> None:
    x = tt.tensor([1, 2], dtype=tt.int8)
    x += tt.tensor([1, 2])  # int64 operand, result cast back to int8 like PyTorch
    assert x.dtype is tt.int8
    assert x.tolist() == [2, 4]
    x += 1000
    assert x.tolist() == [(2 + 1000 + 128) % 256 - 128, (4 + 1000 + 128) % 256 - 128]
    h = tt.ones(2, 3, dtype=tt.float16)
    h += tt.ones(3, dtype=tt.float64)
    assert h.dtype is tt.float16
    assert h.tolist() == [[2.0] * 3] * 2


def test_in_place_int_plus_float_raises_and_leaves_the_target_alone() -> None:
    x = tt.tensor([1, 2])
    with pytest.raises(RuntimeError, match=r"add_: result type float.* can't be cast .* int64"):
        x += 1.5
    with pytest.raises(RuntimeError, match="can't be cast"):
        x += tt.tensor([0.5, 0.5])
    with pytest.raises(RuntimeError, match="div_"):
        x /= 2
    assert x.tolist() == [1, 2]
    assert x._version == 0


def test_in_place_broadcast_must_fit_the_target() -> None:
    x = tt.ones(3)
    with pytest.raises(RuntimeError, match=r"output with shape \(3,\).*\(2, 3\)"):
        x += tt.ones(2, 3)
    y = tt.ones(2, 3)
    y += tt.ones(3)
    assert y.tolist() == [[2.0] * 3] * 2


def test_in_place_division_by_zero_gives_inf_without_warnings() -> None:
    x = tt.tensor([1.0, -1.0, 0.0])
    with no_warnings():
        x /= 0
    assert x.numpy()[0] == np.inf
    assert x.numpy()[1] == -np.inf
    assert np.isnan(x.numpy()[2])


# ----------------------------------------------------------------------- IEEE edge cases
def test_float_division_by_zero_is_inf_or_nan_without_warnings() -> None:
    with no_warnings():
        out = tt.tensor([1.0, -1.0, 0.0]) / 0
        out2 = 1 / tt.tensor([0.0])
        out3 = tt.tensor([1, 0]) / tt.tensor([0, 0])
    assert out.numpy()[0] == np.inf
    assert out.numpy()[1] == -np.inf
    assert np.isnan(out.numpy()[2])
    assert out2.tolist() == [np.inf]
    assert out3.numpy()[0] == np.inf
    assert np.isnan(out3.numpy()[1])


def test_log_of_zero_and_sqrt_of_negative_without_warnings() -> None:
    with no_warnings():
        lg = tt.tensor([0.0, -1.0, 1.0]).log()
        sq = tt.tensor([-1.0, 4.0]).sqrt()
        rs = tt.tensor([0.0, -1.0]).rsqrt()
        l1 = tt.tensor([-1.0, -2.0]).log1p()
        ex = tt.tensor([1e4]).exp()
        pw = tt.tensor([0.0]) ** -1
        sn = tt.tensor([np.inf]).sin()
        cs = tt.tensor([np.inf]).cos()
        fd = tt.tensor([1.0]) // 0.0
        md = tt.tensor([1.0]) % 0.0
    assert lg.numpy()[0] == -np.inf
    assert np.isnan(lg.numpy()[1])
    assert lg.numpy()[2] == 0.0
    assert np.isnan(sq.numpy()[0])
    assert sq.numpy()[1] == 2.0
    assert rs.numpy()[0] == np.inf
    assert np.isnan(rs.numpy()[1])
    assert l1.numpy()[0] == -np.inf
    assert np.isnan(l1.numpy()[1])
    assert ex.tolist() == [np.inf]
    assert pw.tolist() == [np.inf]
    assert np.isnan(sn.numpy()[0])
    assert np.isnan(cs.numpy()[0])
    assert fd.tolist() == [np.inf]
    assert np.isnan(md.numpy()[0])


def test_integer_floor_division_by_zero_raises() -> None:
    with pytest.raises(RuntimeError, match=r"floor_divide: integer division by zero"):
        tt.tensor([1, 2]) // 0
    with pytest.raises(RuntimeError, match="division by zero"):
        tt.tensor([1, 2]) // tt.tensor([1, 0])
    with pytest.raises(RuntimeError, match=r"remainder: integer division by zero"):
        tt.tensor([1, 2]) % 0
    with pytest.raises(RuntimeError, match="division by zero"):
        5 // tt.tensor([0])


# ----------------------------------------------------------------------- comparisons and logic
@pytest.mark.parametrize(
    "op", [operator.eq, operator.ne, operator.lt, operator.le, operator.gt, operator.ge]
)
def test_comparisons_give_bool_tensors_like_numpy(
    op: Callable[[Any, Any], Any], rng: np.random.Generator
) -> None:
    a = rng.integers(0, 3, (3, 4))
    b = rng.integers(0, 3, (4,))
    out = op(tt.tensor(a), tt.tensor(b))
    assert out.dtype is tt.bool_
    assert out.shape == (3, 4)
    np.testing.assert_array_equal(out.numpy(), op(a, b))
    np.testing.assert_array_equal(op(tt.tensor(a), 1).numpy(), op(a, 1))
    np.testing.assert_array_equal(op(1.5, tt.tensor(a)).numpy(), op(1.5, a))


def test_comparison_functions_match_the_operators() -> None:
    a, b = tt.tensor([1, 2, 3]), tt.tensor([2, 2, 2])
    assert tt.eq(a, b).tolist() == [False, True, False]
    assert tt.ne(a, b).tolist() == [True, False, True]
    assert tt.lt(a, b).tolist() == [True, False, False]
    assert tt.le(a, b).tolist() == [True, True, False]
    assert tt.gt(a, b).tolist() == [False, False, True]
    assert tt.ge(a, b).tolist() == [False, True, True]
    assert a.eq(2).tolist() == [False, True, False]


def test_logical_ops_treat_nonzero_as_true() -> None:
    a = tt.tensor([1, 0, 2, 0])
    b = tt.tensor([1.0, 1.0, 0.0, 0.0])
    assert tt.logical_and(a, b).tolist() == [True, False, False, False]
    assert tt.logical_or(a, b).tolist() == [True, True, True, False]
    assert tt.logical_xor(a, b).tolist() == [False, True, True, False]
    assert tt.logical_not(a).tolist() == [False, True, False, True]
    assert a.logical_and(b).dtype is tt.bool_
    assert a.logical_or(b).dtype is tt.bool_
    assert a.logical_not().dtype is tt.bool_


def test_bitwise_operators_on_bools_and_ints() -> None:
    t, f = tt.tensor([True, True, False]), tt.tensor([True, False, False])
    assert (t & f).tolist() == [True, False, False]
    assert (t | f).tolist() == [True, True, False]
    assert (t ^ f).tolist() == [False, True, False]
    assert (~t).tolist() == [False, False, True]
    assert (tt.tensor([5, 3]) | 8).tolist() == [13, 11]
    assert (tt.tensor([5, 3]) & tt.tensor([1, 1])).tolist() == [1, 1]
    assert (~tt.tensor([1, 2])).tolist() == [-2, -3]


def test_where_selects_and_broadcasts() -> None:
    cond = tt.tensor([[True], [False]])
    out = tt.where(cond, tt.tensor([1, 2]), tt.tensor(9))
    assert out.shape == (2, 2)
    assert out.tolist() == [[1, 2], [9, 9]]
    s = tt.where(tt.tensor([True, False]), 1.5, tt.tensor([1, 2]))
    assert s.dtype is tt.float32
    assert s.tolist() == [1.5, 2.0]
    assert tt.tensor([1, 2]).where(tt.tensor([False, True]), 0).tolist() == [0, 2]


def test_where_requires_a_bool_condition() -> None:
    with pytest.raises(RuntimeError, match="where: expected condition to be a bool tensor"):
        tt.where(tt.tensor([1, 0]), tt.tensor([1, 2]), 0)
    with pytest.raises(RuntimeError, match="where: shapes"):
        tt.where(tt.tensor([True, False]), tt.ones(3), tt.ones(3))
    with pytest.raises(TypeError, match="where: expected a condition alone"):
        tt.where(tt.tensor([True]), 1)


def test_where_with_two_numbers_a_uint8_mask_or_the_condition_alone() -> None:
    # (Two numbers used to raise TypeError; PyTorch gives a tensor of their dtype.)
    cond = tt.tensor([True, False])
    assert tt.where(cond, 1.0, 0.0).tolist() == [1.0, 0.0]
    assert tt.where(cond, 1.0, 0.0).dtype is tt.float32
    assert tt.where(cond, 1, 0).dtype is tt.int64
    mask = tt.tensor([1, 0], dtype=tt.uint8)
    assert tt.where(mask, tt.ones(2), tt.zeros(2)).tolist() == [1.0, 0.0]
    rows, cols = tt.where(tt.tensor([[1, 0], [0, 3]]))  # nonzero(as_tuple=True)
    assert rows.tolist() == [0, 1]
    assert cols.tolist() == [0, 1]
    assert rows.dtype is tt.int64


def test_masked_fill_keeps_the_dtype() -> None:
    x = tt.tensor([1.0, 2.0, 3.0])
    m = tt.tensor([True, False, True])
    assert x.masked_fill(m, 0).tolist() == [0.0, 2.0, 0.0]
    assert x.masked_fill(m, 0).dtype is tt.float32
    assert tt.tensor([1, 2]).masked_fill(tt.tensor([True, False]), 7.9).tolist() == [7, 2]
    assert x.masked_fill(m, tt.tensor(5.0)).tolist() == [5.0, 2.0, 5.0]
    y = x.clone()
    y.masked_fill_(m, -1.0)
    assert y.tolist() == [-1.0, 2.0, -1.0]
    with pytest.raises(RuntimeError, match="bool mask"):
        x.masked_fill(tt.tensor([1, 0, 1]), 0)
    with pytest.raises(RuntimeError, match="0-dimensional value"):
        x.masked_fill(m, tt.tensor([1.0]))


def test_maximum_and_minimum_broadcast_promote_and_propagate_nan() -> None:
    a = tt.tensor([1.0, np.nan, 3.0])
    b = tt.tensor([2.0, 0.0, 1.0])
    mx = tt.maximum(a, b).numpy()
    mn = tt.minimum(a, b).numpy()
    assert mx[0] == 2.0
    assert np.isnan(mx[1])
    assert mx[2] == 3.0
    assert mn[0] == 1.0
    assert np.isnan(mn[1])
    assert mn[2] == 1.0
    mixed = tt.maximum(tt.tensor([1, 5]), tt.tensor([2.0, 0.0]))
    assert mixed.dtype is tt.float32
    assert mixed.tolist() == [2.0, 5.0]
    assert tt.minimum(tt.ones(2, 1), tt.zeros(3)).shape == (2, 3)
    with pytest.raises(TypeError, match="maximum: argument 'other' must be a Tensor"):
        tt.maximum(tt.ones(2), 1)  # type: ignore[arg-type]


# ----------------------------------------------------------------------- clamp
def test_clamp_with_scalars() -> None:
    x = tt.tensor([1.0, 5.0, 10.0])
    assert x.clamp(2, 6).tolist() == [2.0, 5.0, 6.0]
    assert x.clamp(min=4).tolist() == [4.0, 5.0, 10.0]
    assert x.clamp(max=4).tolist() == [1.0, 4.0, 4.0]
    assert tt.clip(x, 2, 6).tolist() == [2.0, 5.0, 6.0]


def test_clamp_of_an_int_tensor_with_a_float_bound_promotes() -> None:
    out = tt.tensor([1, 2]).clamp(min=1.5)
    assert out.dtype is tt.float32
    assert out.tolist() == [1.5, 2.0]
    assert tt.tensor([1, 9]).clamp(2, 5).dtype is tt.int64


def test_clamp_with_min_greater_than_max_gives_max() -> None:
    assert tt.tensor([1, 2, 9]).clamp(min=3, max=1).tolist() == [1, 1, 1]
    lo, hi = tt.tensor([3.0, 3.0]), tt.tensor([1.0, 1.0])
    assert tt.tensor([0.0, 5.0]).clamp(lo, hi).tolist() == [1.0, 1.0]


def test_clamp_with_tensor_bounds_broadcasts() -> None:
    x = tt.tensor([[1.0, 5.0, 10.0]])
    out = x.clamp(tt.tensor([[2.0], [6.0]]), tt.tensor([4.0, 7.0, 8.0]))
    assert out.shape == (2, 3)
    assert out.tolist() == [[2.0, 5.0, 8.0], [4.0, 6.0, 8.0]]
    assert tt.tensor([1, 5]).clamp(tt.tensor([2.0, 2.0])).dtype is tt.float32


def test_clamp_needs_a_bound() -> None:
    with pytest.raises(RuntimeError, match="clamp: at least one of 'min' or 'max'"):
        tt.clamp(tt.ones(2))


def test_clamp_in_place() -> None:
    x = tt.tensor([1.0, 5.0])
    assert x.clamp_(2, 3) is x
    assert x.tolist() == [2.0, 3.0]
    assert x._version == 1
    i = tt.tensor([1, 5])
    i.clamp_(2, 3)
    assert i.tolist() == [2, 3]
    with pytest.raises(RuntimeError, match="clamp_: result type float32 can't be cast"):
        i.clamp_(2.5, 3)
    assert i.tolist() == [2, 3]
    y = tt.tensor([1.0, 5.0])
    y.clamp_(tt.tensor(2.0), None)
    assert y.tolist() == [2.0, 5.0]


# ----------------------------------------------------------------------- math functions
@pytest.mark.parametrize(
    ("name", "ref", "low"),
    [
        ("exp", np.exp, -3.0),
        ("log", np.log, 0.1),
        ("log1p", np.log1p, -0.5),
        ("sqrt", np.sqrt, 0.0),
        ("rsqrt", lambda a: 1 / np.sqrt(a), 0.1),
        ("sin", np.sin, -5.0),
        ("cos", np.cos, -5.0),
        ("tanh", np.tanh, -5.0),
        ("sigmoid", lambda a: 1 / (1 + np.exp(-a)), -8.0),
        ("relu", lambda a: np.maximum(a, 0), -3.0),
        ("abs", np.abs, -3.0),
        ("sign", np.sign, -3.0),
    ],
)
def test_math_functions_match_numpy(
    name: str, ref: Callable[[np.ndarray], np.ndarray], low: float, rng: np.random.Generator
) -> None:
    a = rng.uniform(low, 3.0, (4, 5)).astype(np.float32)
    x = tt.tensor(a)
    for out in (getattr(x, name)(), getattr(tt, name)(x)):
        assert out.dtype is tt.float32
        assert out.shape == (4, 5)
        np.testing.assert_allclose(out.numpy(), ref(a), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", ["exp", "log", "sqrt", "sin", "cos", "tanh", "sigmoid"])
def test_math_functions_turn_ints_into_float32(name: str) -> None:
    out = getattr(tt.tensor([1, 2, 4]), name)()
    assert out.dtype is tt.float32


def test_math_functions_keep_float64_and_float16() -> None:
    assert tt.ones(2, dtype=tt.float64).exp().dtype is tt.float64
    assert tt.ones(2, dtype=tt.float16).sqrt().dtype is tt.float16


def test_relu_abs_and_sign_keep_integer_dtypes() -> None:
    assert tt.tensor([-1, 2]).relu().tolist() == [0, 2]
    assert tt.tensor([-1, 2]).relu().dtype is tt.int64
    assert tt.tensor([3, -2, 0]).sign().tolist() == [1, -1, 0]


def test_sigmoid_is_stable_for_huge_inputs() -> None:
    with no_warnings():
        out = tt.tensor([-1e4, -100.0, 0.0, 100.0, 1e4]).sigmoid()
    a = out.numpy()
    assert np.all(np.isfinite(a))
    assert a[0] == 0.0
    assert a[-1] == 1.0
    assert a[2] == 0.5
    with no_warnings():
        d = tt.tensor([-1e4, 1e4], dtype=tt.float64).sigmoid()
    assert d.tolist() == [0.0, 1.0]


def test_isnan_and_isfinite() -> None:
    x = tt.tensor([np.nan, np.inf, 1.0])
    assert tt.isnan(x).tolist() == [True, False, False]
    assert tt.isfinite(x).tolist() == [False, False, True]
    assert x.isnan().dtype is tt.bool_


# ----------------------------------------------------------------------- matmul
def test_matmul_of_two_vectors_is_a_zero_dim_dot_product() -> None:
    a, b = tt.tensor([1.0, 2.0, 3.0]), tt.tensor([4.0, 5.0, 6.0])
    out = a @ b
    assert out.shape == ()
    assert out.item() == 32.0
    assert tt.dot(a, b).item() == 32.0


def test_matmul_of_matrices_and_vectors(rng: np.random.Generator) -> None:
    a, b, v = _f32(rng, 3, 4), _f32(rng, 4, 2), _f32(rng, 4)
    np.testing.assert_allclose((tt.tensor(a) @ tt.tensor(b)).numpy(), a @ b, rtol=1e-5)
    mv = tt.tensor(a) @ tt.tensor(v)
    assert mv.shape == (3,)
    np.testing.assert_allclose(mv.numpy(), a @ v, rtol=1e-5)
    vm = tt.tensor(v) @ tt.tensor(b)
    assert vm.shape == (2,)
    np.testing.assert_allclose(vm.numpy(), v @ b, rtol=1e-5)
    np.testing.assert_allclose(tt.mm(tt.tensor(a), tt.tensor(b)).numpy(), a @ b, rtol=1e-5)
    np.testing.assert_allclose(tt.tensor(a).matmul(tt.tensor(b)).numpy(), a @ b, rtol=1e-5)


def test_batched_matmul_broadcasts_batch_dims(rng: np.random.Generator) -> None:
    a, b = _f32(rng, 5, 1, 2, 3), _f32(rng, 4, 3, 2)
    out = tt.tensor(a) @ tt.tensor(b)
    assert out.shape == (5, 4, 2, 2)
    np.testing.assert_allclose(out.numpy(), a @ b, rtol=1e-5)
    v = _f32(rng, 3)
    out2 = tt.tensor(v) @ tt.tensor(_f32(rng, 2, 3, 4))
    assert out2.shape == (2, 4)
    c, d = _f32(rng, 6, 2, 3), _f32(rng, 6, 3, 4)
    np.testing.assert_allclose(tt.bmm(tt.tensor(c), tt.tensor(d)).numpy(), c @ d, rtol=1e-5)


def test_matmul_of_integer_tensors() -> None:
    a = tt.arange(6).reshape(2, 3)
    out = a @ a.T
    assert out.dtype is tt.int64
    assert out.tolist() == [[5, 14], [14, 50]]


def test_matmul_error_messages_name_the_shapes() -> None:
    with pytest.raises(RuntimeError, match=r"matmul: shapes \(2, 3\) and \(2, 3\) cannot be"):
        tt.ones(2, 3) @ tt.ones(2, 3)
    with pytest.raises(RuntimeError, match="at least 1D"):
        tt.ones(2) @ tt.tensor(1.0)
    with pytest.raises(RuntimeError, match=r"matmul: batch dims of shapes \(2, 2, 3\)"):
        tt.ones(2, 2, 3) @ tt.ones(3, 3, 4)
    with pytest.raises(RuntimeError, match="mm: expected 2-D"):
        tt.mm(tt.ones(3), tt.ones(3, 2))
    with pytest.raises(RuntimeError, match="bmm: batch sizes differ"):
        tt.bmm(tt.ones(2, 1, 3), tt.ones(3, 3, 1))
    with pytest.raises(RuntimeError, match="dot: 1D tensors expected"):
        tt.dot(tt.ones(2, 2), tt.ones(2))
    with pytest.raises(RuntimeError, match="matmul: not implemented for bool"):
        tt.ones(2, dtype=tt.bool_) @ tt.ones(2, dtype=tt.bool_)


# ----------------------------------------------------------------------- stable composites
@pytest.mark.parametrize("dim", [0, 1, 2, -1])
def test_softmax_along_any_dim_sums_to_one_and_matches_numpy(
    dim: int, rng: np.random.Generator
) -> None:
    a = _f32(rng, 2, 3, 4) * 3
    out = tt.tensor(a).softmax(dim)
    e = np.exp(a - a.max(axis=dim, keepdims=True))
    ref = e / e.sum(axis=dim, keepdims=True)
    assert out.shape == a.shape
    np.testing.assert_allclose(out.numpy(), ref, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(out.sum(dim).numpy(), 1.0, rtol=1e-5)
    np.testing.assert_allclose(tt.softmax(tt.tensor(a), dim).numpy(), ref, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_log_softmax_and_logsumexp_match_numpy(dim: int, rng: np.random.Generator) -> None:
    a = _f32(rng, 3, 5) * 4
    m = a.max(axis=dim, keepdims=True)
    lse = np.log(np.exp(a - m).sum(axis=dim, keepdims=True)) + m
    np.testing.assert_allclose(tt.tensor(a).log_softmax(dim).numpy(), a - lse, rtol=1e-5, atol=1e-5)
    out = tt.tensor(a).logsumexp(dim)
    assert out.shape == np.squeeze(lse, axis=dim).shape
    np.testing.assert_allclose(out.numpy(), np.squeeze(lse, axis=dim), rtol=1e-5)
    kept = tt.logsumexp(tt.tensor(a), dim, keepdim=True)
    assert kept.shape == lse.shape


def test_logsumexp_over_several_dims() -> None:
    a = np.arange(24, dtype=np.float32).reshape(2, 3, 4) / 10
    out = tt.tensor(a).logsumexp((0, 2))
    assert out.shape == (3,)
    np.testing.assert_allclose(out.numpy(), np.log(np.exp(a).sum(axis=(0, 2))), rtol=1e-5)


@pytest.mark.parametrize("dim", [0, 1])
def test_softmax_family_is_finite_for_inputs_of_magnitude_1e4(dim: int) -> None:
    x = tt.tensor([[1e4, -1e4, 0.0], [-1e4, 1e4, 5e3]])
    with no_warnings():
        sm = x.softmax(dim)
        lsm = x.log_softmax(dim)
        lse = x.logsumexp(dim)
    for out in (sm, lsm, lse):
        assert np.all(np.isfinite(out.numpy()))
    np.testing.assert_allclose(sm.sum(dim).numpy(), 1.0)
    if dim == 1:
        assert sm.tolist()[0] == [1.0, 0.0, 0.0]
        assert lsm.tolist()[0] == [0.0, -2e4, -1e4]
        assert lse.tolist() == [1e4, 1e4]


def test_softmax_of_a_slice_holding_inf_or_nan_is_all_nan_and_minus_inf_is_masked() -> None:
    inf = float("inf")
    x = tt.tensor([[inf, 1.0, 0.0], [inf, -inf, 0.0], [float("nan"), 1.0, 2.0], [-inf, 0.0, 0.0]])
    with no_warnings():
        sm, lsm = x.softmax(1).tolist(), x.log_softmax(1).tolist()
    for row in (*sm[:3], *lsm[:3]):
        assert np.isnan(row).all()  # like PyTorch: the softmax of the slice is undefined
    assert sm[3] == [0.0, 0.5, 0.5]
    np.testing.assert_allclose(lsm[3], [-inf, np.log(0.5), np.log(0.5)], rtol=1e-6)


def test_softmax_family_of_empty_tensors() -> None:
    with no_warnings():
        assert tt.zeros(0, 0).softmax(-1).shape == (0, 0)
        assert tt.zeros(3, 0).log_softmax(1).shape == (3, 0)
        lse = tt.zeros(3, 0).logsumexp(1)
        assert tt.zeros(0, 3).logsumexp(1).shape == (0,)
    assert lse.tolist() == [-np.inf] * 3  # log of an empty sum


def test_softmax_of_an_int_tensor_raises_but_logsumexp_computes_in_float32() -> None:
    with pytest.raises(NotImplementedError, match="softmax: expected a floating point tensor"):
        tt.arange(3).softmax(0)
    with pytest.raises(NotImplementedError, match="log_softmax"):
        tt.arange(3).log_softmax(0)
    out = tt.arange(3).logsumexp(0)
    assert out.dtype is tt.float32
    np.testing.assert_allclose(out.item(), np.log(np.exp([0, 1, 2]).sum()), rtol=1e-6)
    np.testing.assert_allclose(tt.arange(3).float().softmax(0).sum().item(), 1.0, rtol=1e-6)


def test_norm() -> None:
    x = tt.tensor([[3.0, -4.0], [0.0, 0.0]])
    assert tt.norm(x).item() == 5.0
    assert x.norm(dim=1).tolist() == [5.0, 0.0]
    assert x.norm(p=1).item() == 7.0
    assert x.norm(p=float("inf")).item() == 4.0
    np.testing.assert_allclose(x.norm(p=3).item(), (27 + 64) ** (1 / 3), rtol=1e-6)


def test_norm_of_every_order() -> None:
    x = tt.tensor([[3.0, -4.0], [0.0, 2.0]])
    assert x.norm(float("-inf")).item() == 0.0  # min |x|
    assert x.norm(float("-inf"), dim=1).tolist() == [3.0, 0.0]
    assert x.norm(0).item() == 3.0  # the number of nonzeros
    assert x.norm(0).dtype is tt.float32
    assert x.norm("fro").item() == x.norm(None).item() == x.norm(2).item()
    assert x.norm(-1).item() == 0.0  # one zero makes sum(|x|^-1) inf
    np.testing.assert_allclose(x.norm(-1, dim=1).tolist(), [1 / (1 / 3 + 1 / 4), 0.0])
    np.testing.assert_allclose(x[0].norm(-2).item(), (3.0**-2 + 4.0**-2) ** -0.5, rtol=1e-6)
    half = tt.tensor([300.0, 400.0], dtype=tt.float16)
    assert half.norm().item() == 500.0  # squares accumulated in float32 (300**2 > 65504)
    assert half.norm().dtype is tt.float16
    for p in (-1, -2, float("inf"), float("-inf")):
        with pytest.raises(RuntimeError, match="norm on an empty tensor"):
            tt.zeros(0).norm(p)
    assert tt.zeros(0).norm(0).item() == 0.0
    with pytest.raises(RuntimeError, match="'nuc' is not supported"):
        x.norm("nuc")


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_relu_equals_numpy_maximum_for_every_layout(dtype: Any) -> None:
    # relu compares contiguous data with a shared zero array (a faster NumPy loop); the
    # values and the memory layout must be those of np.maximum(x, 0) for any layout.
    rng = np.random.default_rng(0)
    base = rng.standard_normal((40, 30, 5, 6)).astype(dtype)  # above the plain-call size
    base.flat[:4] = [np.nan, -np.inf, np.inf, -0.0]
    dense = (base, base.transpose(1, 0, 2, 3), base[0, 0], base.T)  # permuted contiguous
    for arr in (*dense, base[:, :, ::2]):
        got = tt.relu(tt.from_numpy(arr)).numpy()
        want = np.maximum(arr, 0)
        np.testing.assert_array_equal(got, want)
        assert got.dtype == arr.dtype
        if any(arr is d for d in dense):  # same memory order as NumPy's result
            assert got.strides == want.strides
    big = rng.standard_normal(50_000).astype(dtype)
    np.testing.assert_array_equal(tt.relu(tt.from_numpy(big)).numpy(), np.maximum(big, 0))
    small = tt.from_numpy(base[:1, :1])  # below the size: the plain call
    np.testing.assert_array_equal(tt.relu(small).numpy(), np.maximum(base[:1, :1], 0))


def test_float16_times_or_over_a_scalar_computes_in_float32_and_rounds_once() -> None:
    h = tt.tensor([0.001], dtype=tt.float16)
    assert (h * 100000.0).item() == 100.0625  # 1e5 rounded to float16 first would be inf
    assert (100000.0 * h).item() == 100.0625
    assert (h / 1e-5).item() == 100.0625  # not 99.875 (1e-5 rounded to float16 first)
    assert (h * tt.tensor(1e5)).dtype is tt.float16  # a 0-d float32 tensor: same rule
    assert (h * tt.tensor(1e5)).item() == 100.0625
    assert (tt.tensor([1000.0], dtype=tt.float16) * 1e-8).item() == pytest.approx(1.0014e-5, 1e-3)
    g = tt.tensor([0.001], dtype=tt.float16)
    g.mul_(100000.0)
    assert g.item() == 100.0625
    assert g.dtype is tt.float16


def test_module_add_sub_div_take_alpha_a_leading_number_and_rounding_modes() -> None:
    x = tt.tensor([1.0, -2.0])
    assert tt.add(x, x, alpha=2).tolist() == [3.0, -6.0]
    assert tt.sub(x, 1.0, alpha=2).tolist() == [-1.0, -4.0]
    assert tt.add(2, x).tolist() == [3.0, 0.0]
    assert tt.sub(2, x).tolist() == [1.0, 4.0]
    i = tt.tensor([7, -7])
    assert tt.div(i, 2, rounding_mode="trunc").tolist() == [3, -3]
    assert tt.div(i, 2, rounding_mode="floor").tolist() == [3, -4]
    assert i.div(2, rounding_mode="trunc").dtype is tt.int64
    assert i.clone().div_(2, rounding_mode="trunc").tolist() == [3, -3]
    with pytest.raises(RuntimeError, match="rounding_mode to be one of"):
        tt.div(i, 2, rounding_mode="round")
