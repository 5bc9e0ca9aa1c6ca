"""Math functions against PyTorch: every unary function in every dtype (integers and bool become
float32 where PyTorch does that), IEEE special values, extreme magnitudes, and the composites
softmax, log_softmax, logsumexp and norm over dim variations with inputs of magnitude 1e4."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

pytestmark = pytest.mark.parity

UNARY = [
    "exp",
    "log",
    "log1p",
    "sqrt",
    "rsqrt",
    "sin",
    "cos",
    "tanh",
    "sigmoid",
    "relu",
    "sign",
    "abs",
    "neg",
]
POSITIVE = {"log", "log1p", "sqrt", "rsqrt"}
DTYPES = ["float16", "float32", "float64", "int64", "int32", "int8", "uint8", "bool"]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", UNARY)
def test_unary(check, rand, name, dtype):
    x = rand(3, 4, dtype=dtype, low=0.1 if dtype.startswith("float") else 0, high=3)
    if name not in POSITIVE and dtype.startswith("float"):
        x = rand(3, 4, dtype=dtype)
    # Bool is refused by some functions in both libraries (relu, abs, neg): or_raises.
    check(lambda m, t: getattr(m, name)(t), x, or_raises=dtype == "bool")
    check(lambda m, t: getattr(t, name)(), x, or_raises=dtype == "bool")


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
@pytest.mark.parametrize("name", UNARY)
def test_unary_special_values(check, name, dtype):
    x = np.array([0.0, -0.0, 1.0, -1.0, np.inf, -np.inf, np.nan, 1e-30, 88.0, -88.0], dtype)
    if name == "sign":
        x = x[~np.isnan(x)]  # sign(nan): PyTorch gives 0, tt nan (see the differences module)
    check(lambda m, t: getattr(m, name)(t), x)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", ["exp", "sigmoid", "tanh", "log1p", "sin", "cos"])
def test_unary_extreme_magnitudes(check, name, dtype):
    x = np.array([1e4, -1e4, 710.0, -745.0, 1e-8, -1e-8, 3e38], dtype)
    check(lambda m, t: getattr(m, name)(t), x)


@pytest.mark.parametrize("name", UNARY)
def test_unary_shapes_and_layouts(check, rand, name):
    x = rand(2, 3, 4, low=0.1, high=2)
    check(lambda m, t: getattr(m, name)(t), x)
    check(lambda m, t: getattr(m, name)(t), np.asfortranarray(x))  # non-contiguous input
    check(lambda m, t: getattr(m, name)(t.transpose(0, 2)), x)
    check(lambda m, t: getattr(m, name)(t), rand(low=0.1, high=2))  # 0-d
    check(lambda m, t: getattr(m, name)(t), rand(0, 3, low=0.1, high=2))  # empty


# ----------------------------------------------------------------------- softmax family
SOFTMAX_DIMS = [
    ((5,), 0),
    ((5,), -1),
    ((3, 4), 0),
    ((3, 4), 1),
    ((3, 4), -1),
    ((2, 3, 4), 1),
    ((2, 3, 4), -3),
    ((), 0),
]


@pytest.mark.parametrize("scale", [1.0, 1e4])
@pytest.mark.parametrize(("shape", "dim"), SOFTMAX_DIMS)
@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_softmax_family(check, rand, name, shape, dim, scale, dtype):
    x = np.asarray(rand(*shape) * scale, dtype)
    check(lambda m, t: getattr(m, name)(t, dim), x)
    check(lambda m, t: getattr(t, name)(dim), x)


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_family_dtype_argument_and_float16(check, rand, name):
    x = rand(3, 4)
    check(lambda m, t: getattr(m, name)(t, 1, dtype=m.float64), x)
    check(lambda m, t: getattr(m, name)(t, 0, dtype=m.float32), rand(3, 4, dtype="int64"))
    check(lambda m, t: getattr(m, name)(t, -1), x.astype(np.float16))
    check(lambda m, t: getattr(t, name)(1, dtype=m.float64), x)  # the method takes dtype too
    check(lambda m, t: getattr(t, name)(0, m.float64), x)


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_family_infinities(check, name):
    # A masked entry (-inf) gets probability 0; an all -inf row is nan in both, and so is a
    # row holding +inf (was a documented difference: tt gave nan only at the +inf).
    x = np.array(
        [
            [0.0, -np.inf, 1.0],
            [-np.inf, -np.inf, -np.inf],
            [np.nan, 0.0, 1.0],
            [np.inf, 0.0, 1.0],
            [np.inf, -np.inf, 0.0],
            [np.inf, np.inf, 2.0],
        ],
        np.float32,
    )
    with warnings.catch_warnings():
        # log_softmax of the all -inf row computes -inf - -inf with tt's out-of-place sub,
        # which shows NumPy's RuntimeWarning (see the differences module).
        warnings.simplefilter("ignore", RuntimeWarning)
        check(lambda m, t: getattr(m, name)(t, 1), x)
        check(lambda m, t: getattr(m, name)(t, 0), x[3:].T.astype(np.float16))


LSE_DIMS = [
    ((5,), 0),
    ((3, 4), 1),
    ((3, 4), -1),
    ((3, 4), (0, 1)),
    ((2, 3, 4), (0, 2)),
    ((2, 3, 4), (-1,)),
    ((2, 3, 4), [2, 0]),
    ((), 0),
]


@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("scale", [1.0, 1e4])
@pytest.mark.parametrize(("shape", "dim"), LSE_DIMS)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_logsumexp(check, rand, shape, dim, scale, keepdim, dtype):
    x = np.asarray(rand(*shape) * scale, dtype)
    check(lambda m, t: m.logsumexp(t, dim, keepdim), x)
    check(lambda m, t: t.logsumexp(dim, keepdim=keepdim), x)


def test_logsumexp_infinities_and_ints(check):
    x = np.array([[0.0, -np.inf], [-np.inf, -np.inf], [np.inf, 1.0]], np.float32)
    check(lambda m, t: m.logsumexp(t, 1), x)
    # Integer input: PyTorch computes logsumexp of integers in float32 (unlike softmax).
    check(lambda m, t: m.logsumexp(t, 0), np.array([1, 2, 3], np.int64))


@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("dim", [None, 0, 1, (0, 1), -1])
@pytest.mark.parametrize("p", [2, 1, 3, 0.5, float("inf"), float("-inf"), 0, -1, -2, "fro", None])
def test_norm(check, rand, p, dim, keepdim):
    x = rand(3, 4)
    x[1, 2] = 0.0  # a zero: counted out by p=0, makes every negative-p norm 0
    check(lambda m, t: t.norm(p, dim, keepdim), x)
    check(lambda m, t: m.norm(t, p, dim, keepdim), x)
    check(lambda m, t: t.norm(p, dim, keepdim), x[:, :2])


@pytest.mark.parametrize("p", [2, 1, 3, -1, 0, float("inf"), float("-inf")])
def test_norm_of_float16_accumulates_in_float32(check, p):
    x = np.array([[300.0, 400.0], [3.0, -4.0]], np.float16)  # 300**2 overflows float16
    check(lambda m, t: t.norm(p), x)
    check(lambda m, t: t.norm(p, 1), x)


@pytest.mark.parametrize("p", [2, 1, 0, 0.5, "fro", -1, -2, float("inf"), float("-inf")])
def test_norm_of_empty_tensors(check, p):
    # Only the norms with an identity (a sum: p >= 0 finite) are defined on nothing.
    check(lambda m, t: t.norm(p), np.zeros(0, np.float32), or_raises=True)
    check(lambda m, t: t.norm(p, 1), np.zeros((2, 0), np.float32), or_raises=True)
    check(lambda m, t: t.norm(p, 0), np.zeros((2, 0), np.float32), or_raises=True)


def test_norm_defaults_and_float64(check, rand):
    check(lambda m, t: t.norm(), rand(3, 4, dtype="float64"))
    check(lambda m, t: m.norm(t), rand(7))


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_family_of_integers_raises(check_raises, name):
    check_raises(lambda m, t: getattr(m, name)(t, 0), np.array([1, 2, 3], np.int64))


def test_norm_of_integers_raises(check_raises):
    check_raises(lambda m, t: t.norm(), np.array([1, 2, 3], np.int64))


def test_softmax_dim_out_of_range_raises(check_raises, rand):
    check_raises(lambda m, t: m.softmax(t, 2), rand(3, 4))
    check_raises(lambda m, t: m.logsumexp(t, -3), rand(3, 4))
