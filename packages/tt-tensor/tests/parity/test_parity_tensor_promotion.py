"""Type promotion against PyTorch: every pair of the nine dtypes for add/sub/mul/div, between
dimensioned and 0-d tensors in every combination and with Python scalars of every type."""

from __future__ import annotations

import operator

import pytest

pytestmark = pytest.mark.parity

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]
OPS = {
    "add": operator.add,
    "sub": operator.sub,  # raises in both whenever an operand is bool
    "mul": operator.mul,
    "truediv": operator.truediv,
}
# (shape of a, shape of b): dimensioned tensors outrank 0-d tensors inside a category.
RANKS = {"1d-1d": ((3,), (3,)), "1d-0d": ((3,), ()), "0d-1d": ((), (3,)), "0d-0d": ((), ())}


@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("ranks", RANKS)
@pytest.mark.parametrize("db", DTYPES)
@pytest.mark.parametrize("da", DTYPES)
def test_tensor_tensor(check, rand, op, ranks, da, db):
    sa, sb = RANKS[ranks]
    check(lambda m, x, y: OPS[op](x, y), rand(*sa, dtype=da), rand(*sb, dtype=db), or_raises=True)


@pytest.mark.parametrize("ranks", RANKS)
@pytest.mark.parametrize("db", DTYPES)
@pytest.mark.parametrize("da", DTYPES)
def test_result_type(check, rand, ranks, da, db):
    sa, sb = RANKS[ranks]
    check(lambda m, x, y: m.result_type(x, y), rand(*sa, dtype=da), rand(*sb, dtype=db))


@pytest.mark.parametrize("db", DTYPES)
@pytest.mark.parametrize("da", DTYPES)
def test_promote_types(check, da, db):
    check(lambda m: m.promote_types(getattr(m, da), getattr(m, db)))


@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("s", [True, False, 2, -3, 0, 2.5, -0.5], ids=repr)
@pytest.mark.parametrize("shape", [(3,), ()], ids=["1d", "0d"])
@pytest.mark.parametrize("dtype", DTYPES)
def test_python_scalar(check, rand, op, s, shape, dtype):
    """A Python scalar only decides the dtype when it is of a higher category (bool < int <
    float); a float then gives the default dtype float32."""
    x = rand(*shape, dtype=dtype)
    check(lambda m, t: OPS[op](t, s), x, or_raises=True)
    check(lambda m, t: OPS[op](s, t), x, or_raises=True)
    check(lambda m, t: m.result_type(t, s), x)


@pytest.mark.parametrize("dtype", DTYPES)
def test_three_operands(check, rand, dtype):
    # The category decides first: a 0-d float64 outranks a dimensioned integer tensor, but
    # not a dimensioned floating one (float16 * 0-d float64 stays float16).
    check(
        lambda m, a, b, c: a * b + c,
        rand(2, 3, dtype=dtype),
        rand(dtype="float64"),
        rand(3, dtype="int16"),
    )
