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


# A Python number converted to a tensor's dtype: PyTorch raises where it does not fit (tt
# used to wrap it silently).  Binary arithmetic is not such a conversion: int8 + 300 wraps.
NAN = float("nan")
SCALAR_CONVERSIONS = {
    "tensor_2**63": lambda m: m.tensor([2**63]),
    "tensor_below_int64": lambda m: m.tensor([[1], [-(2**63) - 1]]),
    "tensor_300_uint8": lambda m: m.tensor([300], dtype=m.uint8),
    "tensor_-256_uint8": lambda m: m.tensor([-256], dtype=m.uint8),
    "tensor_2**40_int32": lambda m: m.tensor([2**40], dtype=m.int32),
    "tensor_nan_int64": lambda m: m.tensor([1.0, NAN], dtype=m.int64),
    "tensor_inf_int8": lambda m: m.tensor([float("inf")], dtype=m.int8),
    "setitem_nan_int64": lambda m: m.zeros(2, dtype=m.int64).__setitem__(0, NAN),
    "setitem_300_uint8": lambda m: m.zeros(2, dtype=m.uint8).__setitem__(slice(None), 300),
    "fill_300_int8": lambda m: m.zeros(2, dtype=m.int8).fill_(300),
    "full_nan_int64": lambda m: m.full((2,), NAN, dtype=m.int64),
    "full_1e6_float16": lambda m: m.full((2,), 1e6, dtype=m.float16),
    "full_300_uint8": lambda m: m.full((2,), 300, dtype=m.uint8),
    "masked_fill_300_int8": lambda m: m.zeros(2, dtype=m.int8).masked_fill(m.tensor(True), 300),
    "masked_fill_nan_int8": lambda m: m.zeros(2, dtype=m.int8).masked_fill(m.tensor(True), NAN),
    "masked_fill_1e6_float16": lambda m: m.zeros(2, dtype=m.float16).masked_fill(
        m.tensor(True), 1e6
    ),
    "where_1000_int8": lambda m: m.where(m.tensor([True, False]), m.zeros(2, dtype=m.int8), 1000),
    "clamp_max_300_int8": lambda m: m.zeros(2, dtype=m.int8).clamp(max=300),
    "clamp_min_-300_int8": lambda m: m.zeros(2, dtype=m.int8).clamp_(min=-300),
    "clamp_max_1e6_float16": lambda m: m.zeros(2, dtype=m.float16).clamp(max=1e6),
    "clamp_max_300_uint8": lambda m: m.zeros(2, dtype=m.uint8).clamp(max=300),
    "clamp__float_tensor_bound_int64": lambda m: m.tensor([1, 5]).clamp_(min=m.tensor([2.5, 2.5])),
}
SCALAR_CONVERSIONS_THAT_FIT = {
    "tensor_-1_uint8": lambda m: m.tensor([-1, -255], dtype=m.uint8),  # wraps by at most 255
    "tensor_1.5_int64": lambda m: m.tensor([1.5, -2.7], dtype=m.int64),
    "tensor_1e6_float16": lambda m: m.tensor([1e6], dtype=m.float16),  # inf, no check here
    "tensor_2**63_float32": lambda m: m.tensor([2**63], dtype=m.float32),
    "full_-1_uint8": lambda m: m.full((2,), -1, dtype=m.uint8),
    "masked_fill_1.5_int64": lambda m: m.zeros(2, dtype=m.int64).masked_fill(m.tensor(True), 1.5),
    "where_100_int8": lambda m: m.where(m.tensor([True, False]), m.zeros(2, dtype=m.int8), 100),
    "clamp_-2_uint8": lambda m: m.tensor([0, 3, 200], dtype=m.uint8).clamp(-2),  # 254
    "clamp_-2_3_uint8": lambda m: m.tensor([0, 3, 200], dtype=m.uint8).clamp(-2, 3),
    "clamp_max_-2_uint8": lambda m: m.tensor([0, 3, 200], dtype=m.uint8).clamp(max=-2),
    "clamp__-2_uint8": lambda m: m.tensor([0, 3, 200], dtype=m.uint8).clamp_(-2),
    "add_300_int8": lambda m: m.zeros(2, dtype=m.int8) + 300,
}


@pytest.mark.parametrize("name", SCALAR_CONVERSIONS)
def test_a_scalar_that_does_not_fit_the_dtype_raises(check_raises, name):
    check_raises(lambda m: SCALAR_CONVERSIONS[name](m))


@pytest.mark.parametrize("name", SCALAR_CONVERSIONS_THAT_FIT)
def test_a_scalar_that_fits_the_dtype_converts(check, name):
    check(lambda m: SCALAR_CONVERSIONS_THAT_FIT[name](m))


MISSING_RAISES = {
    "split_negative_size": lambda m: m.arange(4).split([5, -1]),
    "randperm_negative": lambda m: m.randperm(-1),
    "scatter_add_src_smaller": lambda m: m.zeros(3).scatter_add(0, m.tensor([0, 1, 2]), m.ones(2)),
    "scatter_add_src_dtype": lambda m: m.zeros(3).scatter_add(
        0, m.tensor([0, 1]), m.ones(2, dtype=m.float64)
    ),
    "index_put_dtype": lambda m: m.zeros(3).index_put(
        (m.tensor([0, 1]),), m.ones(2, dtype=m.int64)
    ),
    "setitem_index_dtype": lambda m: m.zeros(3).__setitem__(m.tensor([0, 2]), m.tensor([1, 2])),
    "setitem_mask_dtype": lambda m: m.zeros(2).__setitem__(
        m.tensor([True, True]), m.tensor([1, 2])
    ),
    "index_int8": lambda m: m.arange(3)[m.tensor([0, 1], dtype=m.int8)],
    "index_int16": lambda m: m.arange(3)[m.tensor([0, 1], dtype=m.int16)],
    "argmax_bool": lambda m: m.tensor([True, False]).argmax(),
    "argmin_bool_dim": lambda m: m.tensor([True, False]).argmin(0),
    "positive_bool": lambda m: +m.tensor([True]),
}


@pytest.mark.parametrize("name", MISSING_RAISES)
def test_bad_arguments_that_pytorch_refuses(check_raises, name):
    check_raises(lambda m: MISSING_RAISES[name](m))


def test_the_accepted_neighbours_of_refused_arguments(check):
    check(lambda m: m.arange(4).split([4, 0]))
    check(lambda m: m.zeros(3).scatter_add(0, m.tensor([0, 0]), m.ones(3)))  # src larger: ok
    check(lambda m: m.zeros(3).index_put((m.tensor([0, 0]),), m.ones(2), True))
    check(lambda m: m.arange(3)[m.tensor([0, 1], dtype=m.int32)])
    check(lambda m: m.tensor([True, False]).max(0))  # max(dim) of bool: values and indices

    def mask_fill(m, value):  # one value under one mask: a masked fill, which converts
        x = m.zeros(2, 3)
        x[m.tensor([True, False])] = value
        x[:, m.tensor([False, True, False])] = value * 2
        return x

    check(lambda m: mask_fill(m, m.tensor(1)))
    check(lambda m: mask_fill(m, m.tensor([3])))


def test_pad_value_and_negative_widths(check, check_raises, rand):
    from torch.nn import functional as F

    import tt_tensor

    def pad(m, *args, **kw):
        return (tt_tensor.pad if m is tt_tensor else F.pad)(*args, **kw)

    u8 = rand(2, dtype="uint8")
    check_raises(lambda m, t: pad(m, t, (1, 1), value=-1), u8)  # the value is a float
    check_raises(lambda m, t: pad(m, t, (1, 1), value=300), u8)
    check(lambda m, t: pad(m, t, (1, 1), value=1.5), rand(2, dtype="int64"))
    x = rand(3)
    for widths in [(2, -4), (-4, 2), (-2, -2), (1, -4)]:  # the crop alone goes negative
        check_raises(lambda m, t, w=widths: pad(m, t, w), x)
    check(lambda m, t: pad(m, t, (-1, -2)), x)
    check(lambda m, t: pad(m, t, (-3, 0)), x)
