"""Reductions against PyTorch: sum, mean, var, std (with correction), max/min (values AND
indices), amax/amin, argmax/argmin, prod, all/any and cumsum over dim int/tuple/None, keepdim,
dtypes, ties, NaN, empty and 0-d tensors."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

pytestmark = pytest.mark.parity

DIMS = [None, 0, 1, -1, 2, (0, 2), (-1, 0), [1], (0, 1, 2)]
DTYPES = ["float32", "float64", "float16", "int64", "int32", "int8", "uint8", "bool"]


def reduce(name, dim, keepdim, **kw):
    """``t.<name>(dim, keepdim)``, or ``t.<name>()`` for ``dim=None``."""
    if dim is None:
        return lambda m, t: getattr(t, name)(**kw)
    return lambda m, t: getattr(t, name)(dim, keepdim=keepdim, **kw)


@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("dim", DIMS, ids=str)
@pytest.mark.parametrize("name", ["sum", "mean", "amax", "amin", "all", "any"])
def test_multi_dim_reductions(check, rand, name, dim, keepdim):
    x = rand(2, 3, 4)
    check(reduce(name, dim, keepdim), x)
    check(lambda m, t: getattr(m, name)(t, dim=dim, keepdim=keepdim), x)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", ["sum", "prod", "cumsum", "amax", "amin", "all", "any", "mean"])
def test_reduction_dtypes(check, rand, name, dtype):
    # mean of an integer tensor raises in both (or_raises); the others keep or widen dtypes:
    # sum/prod/cumsum of bool and integers give int64, all/any give bool (uint8 for uint8).
    x = (
        rand(3, 4, dtype=dtype, low=-2, high=3)
        if dtype != "uint8"
        else rand(3, 4, dtype=dtype, high=3)
    )
    if name == "cumsum":
        check(lambda m, t: t.cumsum(1), x)
    else:
        check(lambda m, t: getattr(t, name)(), x, or_raises=name == "mean")
        check(lambda m, t: getattr(t, name)(0), x, or_raises=name == "mean")


@pytest.mark.parametrize("dtype", ["float32", "float64", "int32", "int64", "float16"])
@pytest.mark.parametrize("name", ["sum", "prod", "cumsum", "mean"])
def test_dtype_argument(check, rand, name, dtype):
    x = rand(3, 4, dtype="int64" if name != "mean" else "float32", low=-2, high=3)
    if name == "cumsum":
        check(lambda m, t: t.cumsum(0, dtype=getattr(m, dtype)), x)
    else:
        raises = name == "mean" and dtype.startswith("int")  # a mean in integers: both raise
        check(lambda m, t: getattr(t, name)(dtype=getattr(m, dtype)), x, or_raises=raises)
        check(lambda m, t: getattr(m, name)(t, 1, dtype=getattr(m, dtype)), x, or_raises=raises)


def test_float16_sum_accumulates_in_float32(check):
    # 4096 ones: a float16 accumulator would stop at 2048; PyTorch (and tt) sum in float32.
    check(lambda m, t: t.sum(), np.ones(4096, np.float16))
    check(lambda m, t: t.mean(), np.full(3000, 0.1, np.float16))


# correction=2 over a dim of size 2 leaves no degrees of freedom: both give inf, only PyTorch
# warns (see test_var_std_too_few_elements and the differences module).
@pytest.mark.filterwarnings("ignore:.*degrees of freedom is <= 0:UserWarning")
@pytest.mark.parametrize("unbiased", [None, True, False])
@pytest.mark.parametrize("correction", [0, 1, 2])
@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("dim", DIMS, ids=str)
@pytest.mark.parametrize("name", ["var", "std"])
def test_var_std(check, rand, name, dim, keepdim, correction, unbiased):
    x = rand(2, 3, 4, dtype="float64")
    kw = {"correction": correction} if unbiased is None else {"unbiased": unbiased}
    check(lambda m, t: getattr(t, name)(dim, keepdim=keepdim, **kw), x)
    check(lambda m, t: getattr(m, name)(t, dim, keepdim=keepdim, **kw), x)


def test_var_std_too_few_elements(check, rand):
    # n - correction <= 0: 0 / 0 = nan for one element, x / 0 = inf otherwise.
    # (PyTorch also warns "degrees of freedom is <= 0"; tt does not.)
    with pytest.warns(UserWarning, match="degrees of freedom"):
        check(lambda m, t: t.var(), rand(1))
    with pytest.warns(UserWarning, match="degrees of freedom"):
        check(lambda m, t: t.std(0, correction=3), rand(2, 3))
    check(lambda m, t: t.var(0, correction=0), rand(1, 3))


def test_var_std_of_integers_raises(check_raises, rand):
    check_raises(lambda m, t: t.var(), rand(4, dtype="int64"))
    check_raises(lambda m, t: t.std(0), rand(4, dtype="int64"))


@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("dim", [0, 1, 2, -1, -3])
@pytest.mark.parametrize("name", ["max", "min"])
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "uint8", "bool", "float16"])
def test_max_min_dim_values_and_indices(check, rand, name, dim, keepdim, dtype):
    x = rand(2, 3, 4, dtype=dtype)
    out = check(lambda m, t: getattr(t, name)(dim, keepdim), x)
    assert out._fields == ("values", "indices")
    check(lambda m, t: getattr(t, name)(dim, keepdim=keepdim).values, x)
    check(lambda m, t: getattr(m, name)(t, dim=dim, keepdim=keepdim).indices, x)


@pytest.mark.parametrize("name", ["max", "min", "argmax", "argmin"])
def test_ties_pick_the_first_index(check, name):
    x = np.array([[1, 3, 3, 0], [2, 2, 2, 2], [0, 5, 1, 5]], np.int64)
    check(lambda m, t: getattr(t, name)(1), x)
    check(lambda m, t: getattr(t, name)(0), x)
    check(lambda m, t: getattr(t, name)(), x)


@pytest.mark.parametrize("name", ["max", "min", "argmax", "argmin", "amax", "amin"])
def test_nan_propagates(check, name):
    x = np.array([[1.0, np.nan, 3.0], [2.0, 0.0, -1.0]], np.float32)
    check(lambda m, t: getattr(t, name)(), x)
    check(lambda m, t: getattr(t, name)(1), x)


@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("dim", [None, 0, 1, -1])
@pytest.mark.parametrize("name", ["argmax", "argmin"])
def test_argmax_argmin(check, rand, name, dim, keepdim):
    x = rand(3, 4)
    check(lambda m, t: getattr(t, name)(dim, keepdim), x)
    check(lambda m, t: getattr(m, name)(t, dim=dim, keepdim=keepdim), x)


@pytest.mark.parametrize("name", ["max", "min", "amax", "amin", "sum", "mean", "prod", "argmax"])
def test_whole_tensor_no_dim(check, rand, name):
    check(lambda m, t: getattr(t, name)(), rand(3, 4))
    check(lambda m, t: getattr(m, name)(t), rand(3, 4))


@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("dim", [None, 0, 1, -1])
def test_prod(check, rand, dim, keepdim):
    check(reduce("prod", dim, keepdim), rand(3, 4))
    check(reduce("prod", dim, keepdim), rand(3, 4, dtype="int64"))
    check(reduce("prod", dim, keepdim), np.array([[1.0, 0.0, 2.0], [3.0, 4.0, 0.0]], np.float32))


@pytest.mark.parametrize("dim", [0, 1, -1, 2, -3])
def test_cumsum(check, rand, dim):
    check(lambda m, t: t.cumsum(dim), rand(2, 3, 4))
    check(lambda m, t: m.cumsum(t, dim=dim), rand(2, 3, 4, dtype="int32"))
    check(lambda m, t: t.cumsum(dim), np.asfortranarray(rand(2, 3, 4)))


def test_cumsum_of_float16_accumulates_in_float32(check):
    # In float16, 2048 + 1 rounds back to 2048: a float16 running sum of ones stops there.
    check(lambda m, t: t.cumsum(0), np.ones(3000, np.float16))
    check(lambda m, t: t.cumsum(1), np.full((2, 3000), 0.1, np.float16))


@pytest.mark.parametrize(
    "name", ["sum", "mean", "amax", "amin", "all", "any", "var", "std", "logsumexp", "norm"]
)
@pytest.mark.parametrize("dim", [5, -2, (0, 3), 1])
def test_a_zero_dim_tensor_accepts_only_dims_minus_one_and_zero(check, check_raises, name, dim):
    x = np.array(3.0, np.float32)
    if name == "norm":
        check_raises(lambda m, t: t.norm(2, dim), x)
    else:
        check_raises(lambda m, t: getattr(t, name)(dim), x)
    if name == "norm":
        check(lambda m, t: t.norm(2, 0), x)
    elif name in ("var", "std"):  # (correction=1 of one element: PyTorch warns)
        check(lambda m, t: getattr(t, name)(-1, correction=0), x)
    else:
        check(lambda m, t: getattr(t, name)(-1), x)


@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("name", ["all", "any", "sum", "mean", "amax"])
def test_an_empty_dim_tuple(check, rand, name, keepdim):
    # all/any reduce nothing (an elementwise test); sum/mean/amax reduce every dim (legacy).
    # (Was a documented difference: tt's all/any reduced every dim.)
    for dtype in ("float32", "uint8", "bool") if name in ("all", "any") else ("float32",):
        x = rand(2, 3, dtype=dtype)
        check(lambda m, t: getattr(t, name)((), keepdim=keepdim), x)
        check(lambda m, t: getattr(t, name)([], keepdim), x)


@pytest.mark.parametrize(
    "name",
    [
        "sum",
        "mean",
        "amax",
        "amin",
        "max",
        "min",
        "argmax",
        "argmin",
        "prod",
        "all",
        "any",
        "cumsum",
        "var",
        "std",
    ],
)
@pytest.mark.parametrize("dim", [None, 0, -1])
def test_zero_dim_tensors(check, rand, name, dim):
    if name == "cumsum":
        check(lambda m, t: t.cumsum(dim or 0), rand())
        return
    # var/std of one element is nan (PyTorch also warns, which is not what this test checks).
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check(reduce(name, dim, False), rand())
        check(reduce(name, dim, True), rand())


def test_empty_tensors(check, rand):
    e = rand(0, 3)
    check(lambda m, t: t.sum(), e)
    check(lambda m, t: t.sum(0), e)
    check(lambda m, t: t.mean(), e)
    check(lambda m, t: t.prod(), e)
    check(lambda m, t: t.amax(1), e)
    check(lambda m, t: t.all(), e)
    check(lambda m, t: t.any(), e)
    check(lambda m, t: t.cumsum(0), e)
    check(lambda m, t: t.argmax(1), e)
    check(lambda m, t: t.max(1), e)


def test_empty_reduction_errors(check_raises, rand):
    e = rand(0, 3)
    check_raises(lambda m, t: t.max(), e)
    check_raises(lambda m, t: t.amax(0), e)
    check_raises(lambda m, t: t.max(0), e)
    check_raises(lambda m, t: t.argmax(), e)
    check_raises(lambda m, t: t.argmin(0), e)


@pytest.mark.parametrize(
    "name",
    [
        "sum",
        "mean",
        "amax",
        "amin",
        "all",
        "any",
        "var",
        "std",
        "max",
        "min",
        "argmax",
        "argmin",
        "prod",
        "cumsum",
    ],
)
def test_dim_out_of_range_raises(check_raises, rand, name):
    check_raises(lambda m, t: getattr(t, name)(3), rand(2, 3, 4))
    check_raises(lambda m, t: getattr(t, name)(-4), rand(2, 3, 4))


@pytest.mark.parametrize("name", ["sum", "mean", "amax", "amin", "var", "std", "logsumexp"])
def test_repeated_dim_raises(check_raises, rand, name):
    check_raises(lambda m, t: getattr(t, name)((0, 0)), rand(2, 3))
    check_raises(lambda m, t: getattr(t, name)((1, -1)), rand(2, 3))


def test_mean_of_int_tensor_raises(check_raises, rand):
    check_raises(lambda m, t: t.mean(), rand(3, dtype="int64"))
    check_raises(lambda m, t: m.mean(t, 0), rand(3, 2, dtype="bool"))


def test_var_std_positional_unbiased_and_keepdim(check, rand):
    x = rand(3, 4)
    check(lambda m, t: t.var(1, False), x)
    check(lambda m, t: t.std(0, True, True), x)
    check(lambda m, t: m.var(t, 1, False, True), x)
    check(lambda m, t: m.std(t, (0, 1), False), x)
    check(lambda m, t: t.var(False), x)
