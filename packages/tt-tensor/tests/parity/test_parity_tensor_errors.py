"""Bad inputs: tt must raise where PyTorch raises, with the same exception type (differences
are written out with their reason), and with a message that names the op.

Errors specific to one family (reductions, shapes, indexing, matmul, creation) are tested in
that family's module too; this module gathers the cross-cutting ones."""

from __future__ import annotations

import operator

import pytest

pytestmark = pytest.mark.parity

BROADCASTING = {
    "add": operator.add,
    "sub": operator.sub,
    "mul": operator.mul,
    "truediv": operator.truediv,
    "floordiv": operator.floordiv,
    "mod": operator.mod,
    "pow": operator.pow,
    "eq": operator.eq,
    "lt": operator.lt,
    "and": operator.and_,
    "maximum": lambda a, b: a.maximum(b),
    "logical_or": lambda a, b: a.logical_or(b),
}


@pytest.mark.parametrize("name", BROADCASTING)
@pytest.mark.parametrize(("sa", "sb"), [((3,), (4,)), ((2, 3), (3, 2)), ((2, 1, 4), (3, 5))])
def test_shape_mismatch(check_raises, rand, name, sa, sb):
    dtype = "int64" if name in ("and", "floordiv", "mod") else "float32"
    low = 1 if dtype == "int64" else None
    e_tt, _ = check_raises(
        lambda m, a, b: BROADCASTING[name](a, b),
        rand(*sa, dtype=dtype, low=low),
        rand(*sb, dtype=dtype, low=low),
    )
    assert "broadcast" in str(e_tt) or "match" in str(e_tt)


@pytest.mark.parametrize("name", ["add_", "mul_", "sub_", "div_"])
def test_inplace_shape_mismatch(check_raises, rand, name):
    check_raises(lambda m, a, b: getattr(a, name)(b), rand(3), rand(4))
    check_raises(lambda m, a, b: getattr(a, name)(b), rand(3, 1), rand(3, 4))


@pytest.mark.parametrize("dtype", ["int64", "int32", "uint8", "int8"])
def test_integer_division_by_zero(check_raises, rand, dtype):
    x = rand(4, dtype=dtype, low=1)
    zero = rand(4, dtype=dtype, low=0, high=1)
    e_tt, _ = check_raises(lambda m, a: a // 0, x)
    assert "floor_divide" in str(e_tt)
    check_raises(lambda m, a: a % 0, x)
    check_raises(lambda m, a, b: a // b, x, zero)
    check_raises(lambda m, a, b: m.remainder(a, b), x, zero)
    check_raises(lambda m, a, b: a.div(b, rounding_mode="floor"), x, zero)
    check_raises(lambda m, a: 5 // a, zero)


@pytest.mark.parametrize("dtype", ["int64", "int32", "uint8", "int8", "bool"])
@pytest.mark.parametrize("exponent", [-1, -3])
def test_integer_to_negative_integer_power(check_raises, rand, dtype, exponent):
    e_tt, _ = check_raises(lambda m, a: a**exponent, rand(3, dtype=dtype))
    assert "pow" in str(e_tt)
    check_raises(lambda m, a: m.pow(a, exponent), rand(3, dtype=dtype))
    check_raises(lambda m, a: a.pow(exponent), rand(3, dtype=dtype))


def test_bool_arithmetic_errors(check_raises, rand):
    b = rand(4, dtype="bool")
    check_raises(lambda m, x: x - x, b)
    check_raises(lambda m, x: x - 1, b)
    check_raises(lambda m, x: 1.5 - x, b)
    check_raises(lambda m, x: -x, b)
    check_raises(lambda m, x: x // x, b)
    check_raises(lambda m, x: x % True, b)
    check_raises(lambda m, x: x**x, b)
    check_raises(lambda m, x: True**x, b)


@pytest.mark.parametrize(
    "expr",
    [
        lambda m, t: t.sum(2),
        lambda m, t: t.mean(-3),
        lambda m, t: t.softmax(2),
        lambda m, t: t.transpose(0, 5),
        lambda m, t: t.unsqueeze(4),
        lambda m, t: t.flip(2),
        lambda m, t: t.cumsum(2),
        lambda m, t: t.argmax(2),
        lambda m, t: t.max(2),
        lambda m, t: t.gather(2, m.zeros(1, 1, dtype=m.int64)),
        lambda m, t: t.index_select(2, m.tensor([0])),
        lambda m, t: m.cat([t, t], 2),
        lambda m, t: m.stack([t, t], 3),
    ],
)
def test_dim_out_of_range(check_raises, rand, expr):
    e_tt, _ = check_raises(expr, rand(2, 3))
    assert "dim" in str(e_tt).lower()


def test_mean_of_integer_tensor(check_raises, rand):
    e_tt, _ = check_raises(lambda m, t: t.mean(), rand(3, dtype="int64"))
    assert "mean" in str(e_tt)
    check_raises(lambda m, t: t.mean(0), rand(3, 2, dtype="uint8"))
    check_raises(lambda m, t: m.mean(t), rand(3, dtype="bool"))


def test_matmul_mismatches(check_raises, rand):
    e_tt, _ = check_raises(lambda m, a, b: a @ b, rand(2, 3), rand(4, 2))
    assert "matmul" in str(e_tt)
    assert "(2, 3)" in str(e_tt)
    e_tt, _ = check_raises(lambda m, a, b: a @ b, rand(2, 3, dtype="float64"), rand(3, 2))
    assert "dtype" in str(e_tt)


def test_cat_mismatch(check_raises, rand):
    e_tt, _ = check_raises(lambda m, a, b: m.cat([a, b], 1), rand(2, 3), rand(3, 3))
    assert "cat" in str(e_tt)


def test_view_on_non_viewable(check_raises, rand):
    e_tt, _ = check_raises(lambda m, t: t.t().view(-1), rand(3, 4))
    assert "view" in str(e_tt)
    assert "reshape" in str(e_tt)
    check_raises(lambda m, t: t.transpose(1, 2).view(2, 12), rand(2, 3, 4))
    check_raises(lambda m, t: t[:, :2].view(-1), rand(3, 4))


def test_expand_mismatch(check_raises, rand):
    e_tt, _ = check_raises(lambda m, t: t.expand(2, 4), rand(2, 3))
    assert "expand" in str(e_tt)


def test_where_and_masked_fill_mismatch(check_raises, rand):
    check_raises(lambda m, c, a: m.where(c, a, 0.0), rand(4, dtype="bool"), rand(3))
    check_raises(lambda m, a, c: a.masked_fill(c, 0.0), rand(3), rand(3, 2, dtype="bool"))


def test_unsupported_operand_types(check_raises, rand):
    check_raises(lambda m, t: t + "a", rand(3))
    check_raises(lambda m, t: t * None, rand(3))
    check_raises(lambda m, t: m.exp([1.0, 2.0]), rand(3))
