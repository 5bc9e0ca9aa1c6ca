"""Comparisons, logical and bitwise ops, where, masked_fill, maximum/minimum and clamp against
PyTorch, including mixed dtypes, Python scalars, broadcasting and NaN."""

from __future__ import annotations

import operator

import numpy as np
import pytest

pytestmark = pytest.mark.parity

COMPARE = {
    "eq": operator.eq,
    "ne": operator.ne,
    "lt": operator.lt,
    "le": operator.le,
    "gt": operator.gt,
    "ge": operator.ge,
}
DTYPES = ["bool", "uint8", "int8", "int32", "int64", "float16", "float32", "float64"]


@pytest.mark.parametrize("name", COMPARE)
@pytest.mark.parametrize("db", DTYPES)
@pytest.mark.parametrize("da", DTYPES)
def test_comparison_dtypes(check, rand, name, da, db):
    check(lambda m, a, b: COMPARE[name](a, b), rand(2, 3, dtype=da), rand(3, dtype=db))


@pytest.mark.parametrize("name", COMPARE)
def test_comparison_forms(check, rand, name):
    a, b = rand(3, 4, dtype="int64"), rand(4, dtype="int64")
    check(lambda m, x, y: getattr(m, name)(x, y), a, b)
    check(lambda m, x, y: getattr(x, name)(y), a, b)
    check(lambda m, x: getattr(m, name)(x, 2), a)
    check(lambda m, x: getattr(x, name)(1.5), a)


@pytest.mark.parametrize("name", COMPARE)
@pytest.mark.parametrize("s", [True, 0, 2, -1.5, 0.25], ids=repr)
@pytest.mark.parametrize("dtype", DTYPES)
def test_comparison_scalars(check, rand, name, s, dtype):
    x = rand(5, dtype=dtype)
    check(lambda m, t: COMPARE[name](t, s), x)
    check(lambda m, t: COMPARE[name](s, t), x)


@pytest.mark.parametrize("name", COMPARE)
def test_comparison_nan_and_inf(check, name):
    a = np.array([np.nan, 1.0, np.inf, -np.inf, np.nan, 0.0], np.float32)
    b = np.array([np.nan, np.nan, np.inf, 1.0, 1.0, -0.0], np.float32)
    check(lambda m, x, y: COMPARE[name](x, y), a, b)
    check(lambda m, x: COMPARE[name](x, float("nan")), a)


def test_equal_and_allclose(check, rand):
    a = rand(3, 4)
    check(lambda m, x, y: x.equal(y), a, a.copy())
    check(lambda m, x, y: x.equal(y), a, a + 1)
    check(lambda m, x, y: x.equal(y), a, a[:2])
    check(lambda m, x, y: x.allclose(y), a, a + 1e-7)
    check(lambda m, x, y: x.allclose(y, rtol=0, atol=0.5), a, a + 0.25)
    check(lambda m, x, y: x.allclose(y), a, a + 1)


LOGICAL = ["logical_and", "logical_or", "logical_xor"]


@pytest.mark.parametrize("name", LOGICAL)
@pytest.mark.parametrize("db", ["bool", "int64", "float32", "uint8"])
@pytest.mark.parametrize("da", ["bool", "int64", "float32", "uint8"])
def test_logical_binary(check, rand, name, da, db):
    a = (
        rand(2, 3, dtype=da, low=-1, high=2)
        if da != "float32"
        else np.array([[0.0, 1.5, -2.0]] * 2, np.float32)
    )
    check(lambda m, x, y: getattr(m, name)(x, y), a, rand(3, dtype=db, low=0, high=2))


@pytest.mark.parametrize("dtype", ["bool", "int64", "float32", "uint8"])
def test_logical_not_and_methods(check, rand, dtype):
    x = (
        rand(2, 3, dtype=dtype, low=-1, high=2)
        if dtype != "float32"
        else np.array([0.0, np.nan, -1.0], np.float32)
    )
    check(lambda m, t: m.logical_not(t), x)
    check(lambda m, t: t.logical_not(), x)
    check(lambda m, t: t.logical_and(t.logical_not()), x)
    check(lambda m, t: t.logical_or(t), x)


BITWISE = {"and": operator.and_, "or": operator.or_, "xor": operator.xor}


@pytest.mark.parametrize("name", BITWISE)
@pytest.mark.parametrize("db", ["bool", "uint8", "int8", "int32", "int64"])
@pytest.mark.parametrize("da", ["bool", "uint8", "int8", "int32", "int64"])
def test_bitwise_dtypes(check, rand, name, da, db):
    check(lambda m, x, y: BITWISE[name](x, y), rand(2, 3, dtype=da), rand(3, dtype=db))


@pytest.mark.parametrize("name", BITWISE)
@pytest.mark.parametrize("s", [True, False, 5, -1], ids=repr)
@pytest.mark.parametrize("dtype", ["bool", "uint8", "int64"])
def test_bitwise_scalars(check, rand, name, s, dtype):
    x = rand(6, dtype=dtype)
    check(lambda m, t: BITWISE[name](t, s), x)
    check(lambda m, t: BITWISE[name](s, t), x)


@pytest.mark.parametrize("dtype", ["bool", "uint8", "int8", "int16", "int32", "int64"])
def test_bitwise_not(check, rand, dtype):
    check(lambda m, t: ~t, rand(2, 3, dtype=dtype))


def test_bitwise_on_floats_raises(check_raises, rand):
    x = rand(3)
    # PyTorch raises NotImplementedError ("bitwise_and_cpu" not implemented for 'Float') from
    # its kernel lookup; tt checks the operand types first and raises RuntimeError.
    kernel = {
        "types": (RuntimeError, NotImplementedError),
        "why": "kernel lookup vs argument check",
    }
    check_raises(lambda m, t: t & t, x, **kernel)
    check_raises(lambda m, t: t | 1, x, **kernel)
    check_raises(lambda m, t: t ^ True, x, **kernel)
    check_raises(lambda m, t: t.long() & 1.5, x, **kernel)
    # ~ on a float: PyTorch raises TypeError from Python's operator layer.
    check_raises(lambda m, t: ~t, x, types=(RuntimeError, TypeError), why="operator layer")


# ----------------------------------------------------------------------- where / masked_fill
@pytest.mark.parametrize(
    ("sc", "sa", "sb"), [((2, 3), (2, 3), (2, 3)), ((2, 1), (3,), (2, 3)), ((3,), (2, 3), ())]
)
def test_where_broadcast(check, rand, sc, sa, sb):
    check(lambda m, c, a, b: m.where(c, a, b), rand(*sc, dtype="bool"), rand(*sa), rand(*sb))
    check(lambda m, c, a, b: a.where(c, b), rand(*sc, dtype="bool"), rand(*sa), rand(*sb))


@pytest.mark.parametrize("db", DTYPES)
@pytest.mark.parametrize("da", DTYPES)
def test_where_promotes(check, rand, da, db):
    check(
        lambda m, c, a, b: m.where(c, a, b),
        rand(4, dtype="bool"),
        rand(4, dtype=da),
        rand(4, dtype=db),
    )


@pytest.mark.parametrize("s", [0, 1.5, True, -7], ids=repr)
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "uint8", "bool", "float16"])
def test_where_scalar(check, rand, s, dtype):
    c, x = rand(5, dtype="bool"), rand(5, dtype=dtype)
    check(lambda m, cond, t: m.where(cond, t, s), c, x, or_raises=True)
    check(lambda m, cond, t: m.where(cond, s, t), c, x, or_raises=True)


@pytest.mark.parametrize("s", [1e6, -(2**63), 1e300], ids=repr)
def test_where_with_a_number_too_large_for_float16_gives_inf(check, rand, s):
    # (a float that does not fit float32 or float64 raises, as one that does not fit an int)
    check(lambda m, c, t: m.where(c, t, s), rand(5, dtype="bool"), rand(5, dtype="float16"))


def test_where_and_fill_with_a_number_that_does_not_fit_raise(check_raises, rand):
    c = rand(2, dtype="bool")
    check_raises(lambda m, c, t: m.where(c, t, 1e39), c, rand(2, dtype="float32"))
    check_raises(lambda m, t: t.fill_(1e6), rand(2, dtype="float16"))
    check_raises(lambda m, t: t.fill_(300), rand(2, dtype="int8"))


@pytest.mark.parametrize(("a", "b"), [(1.0, 0.0), (1, 0), (1, 0.5), (True, False), (2, True)])
def test_where_with_two_numbers(check, rand, a, b):
    check(lambda m, c: m.where(c, a, b), rand(2, 3, dtype="bool"))


def test_where_with_the_condition_alone_is_nonzero_as_tuple(check, rand):
    check(lambda m, c: m.where(c), rand(2, 3, dtype="bool"))
    check(lambda m, c: m.where(c), rand(4, dtype="int64", low=0, high=2))
    check(lambda m, c: m.where(c), rand(2, 0, dtype="float32"))
    check(lambda m, c: m.where(c), np.array(True))


def test_masked_fill_with_a_bigger_mask_broadcasts_out_of_place(check, check_raises, rand):
    x, mask = rand(3), rand(2, 3, dtype="bool")
    check(lambda m, t, mk: t.masked_fill(mk, 1.0), x, mask)
    check_raises(lambda m, t, mk: t.masked_fill_(mk, 1.0), x, mask)


def test_where_errors(check_raises, rand):
    check_raises(lambda m, c, a, b: m.where(c, a, b), rand(3, dtype="int64"), rand(3), rand(3))
    check_raises(lambda m, c, a, b: m.where(c, a, b), rand(3, dtype="bool"), rand(2), rand(3))


@pytest.mark.parametrize("value", [0.5, -1, True, "tensor0d"])
@pytest.mark.parametrize("dtype", ["float32", "int64", "bool", "float64"])
def test_masked_fill(check, rand, value, dtype):
    mask, x = rand(2, 3, dtype="bool"), rand(2, 3, dtype=dtype)
    if value == "tensor0d":
        v = rand(dtype=dtype)
        check(lambda m, t, mk, vv: t.masked_fill(mk, vv), x, mask, v)
        check(lambda m, t, mk, vv: t.masked_fill_(mk, vv), x, mask, v)
        return
    if dtype in ("int64", "bool") and isinstance(value, float):
        value = 3  # an int value for int and bool tensors (3 is True in a bool tensor)
    check(lambda m, t, mk: m.masked_fill(t, mk, value), x, mask)
    check(lambda m, t, mk: t.masked_fill(mk, value), x, mask)
    check(lambda m, t, mk: t.masked_fill(mk[0], value), x, mask)  # broadcast mask
    check(lambda m, t, mk: t.masked_fill_(mk, value), x, mask)
    check(lambda m, t, mk: t.masked_fill_(mk[1], value), x, mask)


def test_masked_fill_errors(check_raises, rand):
    x = rand(2, 3)
    check_raises(lambda m, t, mk: t.masked_fill(mk, 1.0), x, rand(2, 3, dtype="int64"))
    check_raises(lambda m, t, mk: t.masked_fill(mk, 1.0), x, rand(4, dtype="bool"))
    check_raises(lambda m, t, mk, v: t.masked_fill(mk, v), x, rand(2, 3, dtype="bool"), rand(3))


# ----------------------------------------------------------------------- maximum / minimum
@pytest.mark.parametrize("name", ["maximum", "minimum"])
@pytest.mark.parametrize("db", DTYPES)
@pytest.mark.parametrize("da", DTYPES)
def test_maximum_minimum_dtypes(check, rand, name, da, db):
    check(lambda m, a, b: getattr(m, name)(a, b), rand(2, 3, dtype=da), rand(3, dtype=db))


@pytest.mark.parametrize("name", ["maximum", "minimum"])
def test_maximum_minimum_nan_and_ties(check, name):
    a = np.array([np.nan, 1.0, 2.0, -0.0, np.inf], np.float32)
    b = np.array([1.0, np.nan, 2.0, 0.0, 3.0], np.float32)
    check(lambda m, x, y: getattr(m, name)(x, y), a, b)


@pytest.mark.parametrize("name", ["maximum", "minimum"])
def test_maximum_minimum_scalar_raises(check_raises, rand, name):
    check_raises(lambda m, x: getattr(m, name)(x, 1.0), rand(3))


# ----------------------------------------------------------------------- clamp
@pytest.mark.parametrize(
    ("lo", "hi"), [(-0.5, 0.5), (None, 0.2), (-0.3, None), (1.0, -1.0), (0, 1), (-2, None)]
)
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "int8", "uint8", "float16"])
def test_clamp_scalars(check, rand, lo, hi, dtype):
    if dtype == "uint8" and lo is not None and lo < 0:
        lo = 0  # PyTorch wraps a negative bound around for uint8: see the differences module
    x = rand(3, 4, dtype=dtype)
    check(lambda m, t: m.clamp(t, lo, hi), x, or_raises=True)
    check(lambda m, t: t.clamp(min=lo, max=hi), x, or_raises=True)
    check(lambda m, t: m.clip(t, lo, hi), x, or_raises=True)
    check(lambda m, t: t.clip(lo, hi), x, or_raises=True)
    check(lambda m, t: t.clamp_(lo, hi), x, or_raises=True)


@pytest.mark.parametrize("form", ["both", "min", "max"])
def test_clamp_tensor_bounds(check, rand, form):
    x, lo, hi = rand(3, 4), rand(4, low=-1, high=0), rand(3, 1, low=0, high=1)
    if form == "both":
        check(lambda m, t, a, b: t.clamp(a, b), x, lo, hi)
        check(lambda m, t, a, b: t.clamp_(a, b), x, lo, hi)
    elif form == "min":
        check(lambda m, t, a: m.clamp(t, min=a), x, lo)
        check(lambda m, t, a: t.clamp_(min=a), x, lo)
    else:
        check(lambda m, t, b: m.clamp(t, max=b), x, hi)
        check(lambda m, t, b: t.clamp_(max=b), x, hi)


def test_clamp_nan_passes_through(check):
    x = np.array([np.nan, -np.inf, np.inf, 0.5], np.float32)
    check(lambda m, t: t.clamp(-1, 1), x)


def test_clamp_without_bounds_raises(check_raises, rand):
    check_raises(lambda m, t: t.clamp(), rand(3))
    check_raises(lambda m, t: t.clamp_(), rand(3))


def test_isnan_isfinite(check):
    x = np.array([np.nan, np.inf, -np.inf, 0.0, -1.5], np.float32)
    for name in ("isnan", "isfinite"):
        check(lambda m, t, n=name: getattr(m, n)(t), x)
        check(lambda m, t, n=name: getattr(t, n)(), x)
        check(lambda m, t, n=name: getattr(m, n)(t), np.array([1, -2], np.int64))
        check(lambda m, t, n=name: getattr(m, n)(t), np.array([1, 0], np.float16))
