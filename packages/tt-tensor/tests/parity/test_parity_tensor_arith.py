"""Arithmetic against PyTorch: operators, their reflected and in-place forms, Python scalars of
every type, broadcasting, integer division semantics and integer overflow."""

from __future__ import annotations

import operator
import warnings

import numpy as np
import pytest

pytestmark = pytest.mark.parity

BINARY = {
    "add": operator.add,
    "sub": operator.sub,
    "mul": operator.mul,
    "truediv": operator.truediv,
    "floordiv": operator.floordiv,
    "mod": operator.mod,
    "pow": operator.pow,
}
FUNCTIONS = {
    "add": lambda m, a, b: m.add(a, b),
    "sub": lambda m, a, b: m.sub(a, b),
    "subtract": lambda m, a, b: m.subtract(a, b),
    "mul": lambda m, a, b: m.mul(a, b),
    "multiply": lambda m, a, b: m.multiply(a, b),
    "div": lambda m, a, b: m.div(a, b),
    "divide": lambda m, a, b: m.divide(a, b),
    "floor_divide": lambda m, a, b: m.floor_divide(a, b),
    "remainder": lambda m, a, b: m.remainder(a, b),
    "pow": lambda m, a, b: m.pow(a, b),
    "maximum": lambda m, a, b: m.maximum(a, b),
    "minimum": lambda m, a, b: m.minimum(a, b),
    "method_add": lambda m, a, b: a.add(b),
    "method_add_alpha": lambda m, a, b: a.add(b, alpha=2),
    "method_sub": lambda m, a, b: a.sub(b),
    "method_sub_alpha": lambda m, a, b: a.sub(b, alpha=-0.5),
    "method_mul": lambda m, a, b: a.mul(b),
    "method_div": lambda m, a, b: a.div(b),
    "method_div_floor": lambda m, a, b: a.div(b, rounding_mode="floor"),
    "method_pow": lambda m, a, b: a.pow(b),
    "method_maximum": lambda m, a, b: a.maximum(b),
    "method_minimum": lambda m, a, b: a.minimum(b),
    "max_tensor": lambda m, a, b: m.max(a, b),
    "min_tensor": lambda m, a, b: m.min(a, b),
}
SHAPES = [((3, 4), (3, 4)), ((2, 1, 4), (3, 1)), ((4,), ()), ((), (2, 3)), ((), ())]


@pytest.mark.parametrize("name", BINARY)
@pytest.mark.parametrize(("sa", "sb"), SHAPES)
def test_operator_float(check, rand, name, sa, sb):
    op = BINARY[name]
    a = rand(*sa, low=0.5, high=3.0) if name == "pow" else rand(*sa)
    check(lambda m, x, y: op(x, y), a, rand(*sb))


@pytest.mark.parametrize("name", BINARY)
@pytest.mark.parametrize("dtype", ["int64", "int32", "int16", "int8", "uint8"])
def test_operator_int(check, rand, name, dtype):
    # Non-zero, non-negative divisors and exponents: // 0 and ** -1 are error tests.
    a = rand(3, 4, dtype=dtype, low=-6 if dtype != "uint8" else 0, high=7)
    b = rand(3, 4, dtype=dtype, low=1, high=4)
    check(lambda m, x, y: BINARY[name](x, y), a, b)


@pytest.mark.parametrize("name", FUNCTIONS)
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64"])
def test_function_forms(check, rand, name, dtype):
    if dtype == "int64" and name in ("pow", "method_pow"):
        a, b = rand(2, 3, dtype=dtype), rand(3, dtype=dtype, low=0, high=3)
    elif dtype == "int64":
        a, b = rand(2, 3, dtype=dtype), rand(3, dtype=dtype, low=1, high=5)
    elif name in ("pow", "method_pow"):
        a, b = rand(2, 3, dtype=dtype, low=0.1, high=2), rand(3, dtype=dtype)
    else:
        a, b = rand(2, 3, dtype=dtype), rand(3, dtype=dtype)
    # An int tensor with a float alpha (method_sub_alpha) raises in both.
    check(FUNCTIONS[name], a, b, or_raises=dtype == "int64" and name == "method_sub_alpha")


def test_alpha_float_on_int(check_raises, rand):
    check_raises(
        lambda m, a, b: a.sub(b, alpha=-0.5), rand(3, dtype="int64"), rand(3, dtype="int64")
    )


SCALARS = [True, False, 0, 3, -2, 2.5, -0.75, 1e-3]


@pytest.mark.parametrize("name", BINARY)
@pytest.mark.parametrize("s", SCALARS, ids=repr)
@pytest.mark.parametrize("dtype", ["float32", "int64", "uint8", "bool"])
def test_python_scalar_both_sides(check, rand, name, s, dtype):
    """``tensor op scalar`` and ``scalar op tensor`` for each Python scalar type."""
    # Integer divisors are non-zero and integer exponents non-negative: the errors of // 0 and
    # of negative integer powers have tests of their own.
    lo = 1 if name in ("floordiv", "mod") else 0 if name == "pow" else None
    x = (
        rand(2, 3, dtype=dtype, low=lo)
        if dtype not in ("bool", "float32")
        else rand(2, 3, dtype=dtype)
    )
    check(lambda m, t: BINARY[name](t, s), x, or_raises=True)
    check(lambda m, t: BINARY[name](s, t), x, or_raises=True)


HALF_SCALARS = [1e5, 1e-5, 1e-8, 3, 0.1, -2.5e4]


@pytest.mark.parametrize("s", HALF_SCALARS, ids=repr)
@pytest.mark.parametrize("name", ["add", "sub", "mul", "truediv"])
def test_float16_with_a_scalar_computes_in_float32(check, name, s):
    # PyTorch's "opmath": float16 times or over a Python number is computed in float32 and
    # rounded once (0.001 * 1e5 is 100.06; rounding 1e5 to float16 first gives inf).  Its add
    # and sub round the scalar to float16 first (6e4 - 1e5 is -inf), as NumPy does.
    x = np.array([[0.001, 0.1, 1000.0], [-3.0, 6e4, 2.0e-3]], np.float16)
    op = BINARY[name]
    inplace = {"add": "add_", "sub": "sub_", "mul": "mul_", "truediv": "div_"}[name]
    with warnings.catch_warnings():
        # add/sub of 1e5 overflows NumPy's cast of the scalar to float16, which warns (see
        # test_numpy_warnings_of_out_of_place_add_sub_mul in the differences module).
        warnings.simplefilter("ignore" if name in ("add", "sub") else "error", RuntimeWarning)
        check(lambda m, t: op(t, s), x)
        check(lambda m, t: op(s, t), x)
        check(lambda m, t: op(t, m.tensor(s, dtype=m.float32)), x)  # a 0-d float tensor too
        check(lambda m, t: op(t, m.tensor(s, dtype=m.float64)), x)
        check(lambda m, t: getattr(t, inplace)(s), x)


INPLACE = [
    "__iadd__",
    "__isub__",
    "__imul__",
    "__itruediv__",
    "__ipow__",
    "add_",
    "sub_",
    "mul_",
    "div_",
    "pow_",
]


@pytest.mark.parametrize("fn", INPLACE)
@pytest.mark.parametrize("other", ["tensor", "broadcast", "int", "float", "bool"])
def test_inplace_float(check, rand, fn, other):
    a = rand(2, 3, low=0.5, high=2.0)
    if other in ("tensor", "broadcast"):
        check(lambda m, x, y: getattr(x, fn)(y), a, rand(2, 3) if other == "tensor" else rand(3))
    else:
        s = {"int": 2, "float": 0.5, "bool": True}[other]
        check(lambda m, x: getattr(x, fn)(s), a, or_raises=True)  # x -= True raises in both


@pytest.mark.parametrize("fn", ["add_", "sub_", "mul_"])
@pytest.mark.parametrize("dtype", ["int64", "int32", "uint8", "int8"])
def test_inplace_int_with_int_and_bool(check, rand, fn, dtype):
    check(lambda m, x, y: getattr(x, fn)(y), rand(4, dtype=dtype), rand(4, dtype=dtype))
    check(lambda m, x: getattr(x, fn)(3), rand(4, dtype=dtype))
    check(lambda m, x: getattr(x, fn)(True), rand(4, dtype=dtype), or_raises=True)  # x -= True


def test_inplace_alpha(check, rand):
    check(lambda m, x, y: x.add_(y, alpha=3), rand(2, 3), rand(2, 3))
    check(lambda m, x, y: x.sub_(y, alpha=0.5), rand(2, 3), rand(3))


def test_inplace_float_into_int_raises(check_raises, rand):
    check_raises(lambda m, x: x.add_(1.5), rand(3, dtype="int64"))
    check_raises(lambda m, x, y: x.mul_(y), rand(3, dtype="int64"), rand(3))
    check_raises(lambda m, x, y: x.div_(y), rand(3, dtype="int64"), rand(3, dtype="int64", low=1))
    check_raises(lambda m, x, y: x.add_(y), rand(3, dtype="bool"), rand(3, dtype="int64"))


def test_inplace_broadcast_into_smaller_raises(check_raises, rand):
    check_raises(lambda m, x, y: x.add_(y), rand(3), rand(2, 3))
    check_raises(lambda m, x, y: x.mul_(y), rand(1, 3), rand(2, 3))


def test_inplace_shares_with_views(check, rand):
    # Writing through a view changes the base, and the base's write shows in the view.
    check(lambda m, x: (x[0].add_(10), x)[1], rand(2, 3))
    check(lambda m, x: (x.t().mul_(2), x)[1], rand(2, 3))
    check(lambda m, x: (x.reshape(-1)[1:].sub_(1), x)[1], rand(2, 3))


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "int8", "int16", "int32"])
def test_unary_arith(check, rand, dtype):
    x = rand(3, 4, dtype=dtype)
    check(lambda m, t: -t, x)
    check(lambda m, t: +t, x)
    check(lambda m, t: abs(t), x)
    check(lambda m, t: m.neg(t), x)
    check(lambda m, t: t.neg(), x)
    check(lambda m, t: m.abs(t), x)
    check(lambda m, t: t.abs(), x)


def test_uint8_abs(check, rand):
    check(lambda m, t: t.abs(), rand(5, dtype="uint8"))


@pytest.mark.parametrize("dtype", ["int64", "int32", "int8", "float32", "float64"])
def test_floor_divide_and_remainder_signs(check, dtype):
    a = np.array([7, -7, 7, -7, 0, 5, -5], dtype=dtype)
    b = np.array([2, 2, -2, -2, 3, -3, 3], dtype=dtype)
    check(lambda m, x, y: x // y, a, b)
    check(lambda m, x, y: x % y, a, b)
    check(lambda m, x: x // 2, a)
    check(lambda m, x: x % -3, a)
    check(lambda m, x: 7 // x, b)
    check(lambda m, x: -7 % x, b)


def test_float_division_by_zero(check):
    a = np.array([1.0, -1.0, 0.0, 2.0], dtype=np.float32)
    z = np.zeros(4, dtype=np.float32)
    check(lambda m, x, y: x / y, a, z)
    check(lambda m, x, y: x // y, a, z)
    check(lambda m, x, y: x % y, a, z)
    check(lambda m, x: x / 0, a)
    check(lambda m, x: x / 0.0, a)
    check(lambda m, x, y: x / y, a.astype(np.int64), z.astype(np.int64))


def test_pow_special_values(check):
    a = np.array([0.0, -2.0, 2.0, -0.5, 0.0, 4.0], dtype=np.float32)
    b = np.array([0.0, 0.5, -1.0, 2.0, -1.0, 0.5], dtype=np.float32)
    check(lambda m, x, y: x**y, a, b)
    check(lambda m, x: x**0, a)
    check(lambda m, x: x**0.5, a)
    check(lambda m, x: x**-2, a)
    check(lambda m, x: 2**x, b)
    check(lambda m, x: 0.0**x, b)
    check(lambda m, x: x**2, a.astype(np.int64))
    check(lambda m, x: x**0.5, np.array([4, 9, 2], dtype=np.int64))
    check(lambda m, x: 2**x, np.array([0, 3, 10], dtype=np.int64))
    check(lambda m, x, y: x**y, np.array([2, 3], np.int64), np.array([0.5, 2.0], np.float32))


def test_integer_tensor_to_negative_tensor_exponent(check):
    # Only a Python-int exponent raises; a tensor exponent is computed in integers, so
    # 3 ** -2 is 0 while 1 ** -2 and (-1) ** -3 stay exact.
    base = np.array([3, 1, -1, 2, -1, 0], np.int64)
    exp = np.array([-2, -2, -3, -1, -2, 3], np.int64)
    check(lambda m, x, y: x**y, base, exp)
    check(lambda m, x, y: x**y, base.astype(np.int32), exp[0:1].astype(np.int32))
    check(lambda m, x, y: m.pow(x, y), base, np.array(-1, np.int64))


@pytest.mark.parametrize(
    ("dtype", "s"),
    [("uint8", 300), ("uint8", -1), ("int8", 1000), ("int16", 70000), ("int32", 2**33)],
)
def test_integer_scalar_wraps_around(check, rand, dtype, s):
    # PyTorch converts an out-of-range Python int to the tensor's dtype by wrapping around.
    check(lambda m, x: x + s, rand(4, dtype=dtype))
    check(lambda m, x: x * s, rand(4, dtype=dtype))


def test_integer_overflow_wraps_around(check):
    check(lambda m, x: x + x, np.array([200, 100], np.uint8))
    check(lambda m, x: x * x, np.array([100, -100], np.int8))
    check(lambda m, x: x - 1, np.array([0], np.uint8))


def test_matmul_operator_and_chaining(check, rand):
    check(lambda m, x, y: (x @ y) * 2 - x.sum(), rand(3, 4), rand(4, 5))


def test_module_add_sub_div_with_alpha_scalars_first_and_rounding_modes(check, check_raises, rand):
    x, y = rand(2, 3), rand(2, 3)
    check(lambda m, a, b: m.add(a, b, alpha=2), x, y)
    check(lambda m, a, b: m.sub(a, b, alpha=-0.5), x, y)
    check(lambda m, a: m.add(2, a), x)
    check(lambda m, a: m.sub(2.5, a), x)
    check(lambda m, a: m.div(3, a), x)
    i, j = rand(2, 3, dtype="int64", low=-9, high=9), rand(2, 3, dtype="int64", low=1, high=4)
    for mode in ("trunc", "floor"):
        check(lambda m, a, b, r=mode: m.div(a, b, rounding_mode=r), i, j)
        check(lambda m, a, b, r=mode: m.div(a, -b, rounding_mode=r), i, j)
        check(lambda m, a, b, r=mode: a.div(b, rounding_mode=r), x, y)
        check(lambda m, a, r=mode: a.div_(4, rounding_mode=r), i)
        check(lambda m, a, r=mode: a.div_(-0.75, rounding_mode=r), x)
    check_raises(lambda m, a: m.div(a, 2, rounding_mode="round"), x)
    check_raises(lambda m, a: a.div_(2), i)
