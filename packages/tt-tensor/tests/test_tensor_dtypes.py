"""DTypes and PyTorch's type promotion (the table and rules in tt_tensor/dtypes.py)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import tt_tensor as tt

ALL = (
    tt.bool_,
    tt.uint8,
    tt.int8,
    tt.int16,
    tt.int32,
    tt.int64,
    tt.float16,
    tt.float32,
    tt.float64,
)


# ----------------------------------------------------------------------- DType objects
def test_dtypes_name_their_numpy_storage_and_category() -> None:
    expected = {
        tt.bool_: (np.bool_, 0),
        tt.uint8: (np.uint8, 1),
        tt.int8: (np.int8, 1),
        tt.int16: (np.int16, 1),
        tt.int32: (np.int32, 1),
        tt.int64: (np.int64, 1),
        tt.float16: (np.float16, 2),
        tt.float32: (np.float32, 2),
        tt.float64: (np.float64, 2),
    }
    for dtype, (np_type, category) in expected.items():
        assert dtype.np == np.dtype(np_type)
        assert dtype.itemsize == np.dtype(np_type).itemsize
        assert dtype.category == category
        assert dtype.is_floating_point == (category == 2)
        assert repr(dtype) == f"tt_tensor.{dtype.name}"
        assert dtype.to_real() is dtype


def test_bool_alias_and_signedness() -> None:
    assert tt.bool is tt.bool_
    assert tt.bool_.name == "bool"
    assert tt.int8.is_signed
    assert tt.float16.is_signed
    assert not tt.uint8.is_signed
    assert not tt.bool_.is_signed


def test_default_dtype_is_float32() -> None:
    assert tt.get_default_dtype() is tt.float32


def test_tensor_dtype_attribute_is_the_singleton() -> None:
    for dtype in ALL:
        assert tt.zeros(1, dtype=dtype).dtype is dtype


# ----------------------------------------------------------------------- the docstring table
def test_int64_divided_by_int64_is_float32_not_float64() -> None:
    a = tt.tensor([1, 2, 3])
    b = tt.tensor([2, 2, 2])
    out = a / b
    assert out.dtype is tt.float32
    np.testing.assert_allclose(out.numpy(), [0.5, 1.0, 1.5])


def test_int64_tensor_plus_python_float_is_float32() -> None:
    out = tt.tensor([1, 2]) + 0.5
    assert out.dtype is tt.float32
    assert out.tolist() == [1.5, 2.5]


def test_float32_tensor_plus_zero_dim_float64_stays_float32() -> None:
    out = tt.tensor([1.0, 2.0]) + tt.tensor(0.5, dtype=tt.float64)
    assert out.dtype is tt.float32
    assert out.tolist() == [1.5, 2.5]


# ----------------------------------------------------------------------- further rules
def test_int8_plus_uint8_is_int16() -> None:
    out = tt.tensor([-1], dtype=tt.int8) + tt.tensor([200], dtype=tt.uint8)
    assert out.dtype is tt.int16
    assert out.tolist() == [199]


def test_float16_plus_float32_is_float32() -> None:
    out = tt.ones(2, dtype=tt.float16) + tt.ones(2, dtype=tt.float32)
    assert out.dtype is tt.float32


def test_int64_plus_float16_is_float16_unlike_numpy() -> None:
    out = tt.ones(2, dtype=tt.int64) + tt.ones(2, dtype=tt.float16)
    assert out.dtype is tt.float16
    assert tt.promote_types(tt.int64, tt.float16) is tt.float16


def test_bool_plus_bool_stays_bool() -> None:
    out = tt.tensor([True, False, False]) + tt.tensor([True, True, False])
    assert out.dtype is tt.bool_
    assert out.tolist() == [True, True, False]


def test_bool_tensor_plus_python_int_is_int64() -> None:
    out = tt.tensor([True, False]) + 2
    assert out.dtype is tt.int64
    assert out.tolist() == [3, 2]


def test_bool_tensor_plus_python_float_is_float32() -> None:
    out = tt.tensor([True, False]) + 0.5
    assert out.dtype is tt.float32
    assert out.tolist() == [1.5, 0.5]


def test_python_bool_never_promotes() -> None:
    assert (tt.tensor([1], dtype=tt.uint8) + True).dtype is tt.uint8
    assert (tt.tensor([1], dtype=tt.uint8) + True).tolist() == [2]
    assert (tt.tensor([True]) + True).dtype is tt.bool_
    assert (tt.ones(1, dtype=tt.float16) * True).dtype is tt.float16


def test_int_tensor_plus_python_float_is_float32_for_every_int_width() -> None:
    for dtype in (tt.uint8, tt.int8, tt.int16, tt.int32, tt.int64):
        assert (tt.ones(2, dtype=dtype) + 1.5).dtype is tt.float32


def test_small_int_tensor_plus_python_int_keeps_its_dtype() -> None:
    for dtype in (tt.uint8, tt.int8, tt.int16, tt.int32):
        assert (tt.ones(2, dtype=dtype) + 1).dtype is dtype


def test_float16_tensor_plus_python_float_stays_float16() -> None:
    assert (tt.ones(2, dtype=tt.float16) + 2.5).dtype is tt.float16
    assert (tt.ones(2, dtype=tt.float64) + 2.5).dtype is tt.float64


def test_int_divided_by_int_is_float32_for_tensors_and_scalars() -> None:
    assert (tt.tensor([1, 2]) / 2).dtype is tt.float32
    assert (2 / tt.tensor([1, 2])).dtype is tt.float32
    assert (tt.tensor([1, 2], dtype=tt.int8) / tt.tensor([2, 2], dtype=tt.int8)).dtype is (
        tt.float32
    )
    assert (tt.tensor([True]) / tt.tensor([True])).dtype is tt.float32
    assert tt.div(tt.tensor([3]), tt.tensor([2])).tolist() == [1.5]


def test_float64_divided_by_int_stays_float64() -> None:
    assert (tt.ones(2, dtype=tt.float64) / tt.tensor([1, 2])).dtype is tt.float64


def test_zero_dim_float64_plus_one_dim_float32_is_float32() -> None:
    out = tt.tensor(1.0, dtype=tt.float64) + tt.tensor([1.0, 2.0])
    assert out.dtype is tt.float32


def test_zero_dim_float_tensor_plus_one_dim_int_tensor_takes_the_float_dtype() -> None:
    for dtype in (tt.float16, tt.float32, tt.float64):
        out = tt.tensor(1.5, dtype=dtype) + tt.tensor([1, 2])
        assert out.dtype is dtype
        assert out.tolist() == [2.5, 3.5]


def test_zero_dim_float64_plus_one_dim_float16_is_float16() -> None:
    assert (tt.tensor(1.5, dtype=tt.float64) + tt.ones(2, dtype=tt.float16)).dtype is tt.float16


def test_zero_dim_int64_plus_one_dim_int8_is_int8_and_wraps() -> None:
    out = tt.tensor([1, 2], dtype=tt.int8) + tt.tensor(1000)
    assert out.dtype is tt.int8
    assert out.tolist() == [-23, -22]  # 1000 wraps to -24 in int8


def test_zero_dim_int_plus_bool_tensor_is_the_int_dtype() -> None:
    out = tt.tensor([True, False]) + tt.tensor(5)
    assert out.dtype is tt.int64
    assert out.tolist() == [6, 5]


def test_two_zero_dim_tensors_promote_normally() -> None:
    assert (tt.tensor(1, dtype=tt.int8) + tt.tensor(1, dtype=tt.int16)).dtype is tt.int16
    assert (tt.tensor(1.0) + tt.tensor(1.0, dtype=tt.float64)).dtype is tt.float64


def test_uint8_plus_300_wraps_around_instead_of_widening() -> None:
    out = tt.tensor([250, 1], dtype=tt.uint8) + 300
    assert out.dtype is tt.uint8
    assert out.tolist() == [(250 + 300) % 256, (1 + 300) % 256]


def test_int8_plus_large_python_int_wraps() -> None:
    out = tt.tensor([1, 2], dtype=tt.int8) + 1000
    assert out.dtype is tt.int8
    assert out.tolist() == [-23, -22]


def test_uint8_minus_python_int_wraps_below_zero() -> None:
    out = tt.tensor([1, 2], dtype=tt.uint8) - 3
    assert out.tolist() == [254, 255]


def test_comparisons_promote_before_comparing() -> None:
    out = tt.tensor([1, 2], dtype=tt.int8) < 1.5
    assert out.dtype is tt.bool_
    assert out.tolist() == [True, False]
    assert (tt.tensor([300], dtype=tt.int16) == tt.tensor([300.0])).tolist() == [True]


# ------------------------------------------------------------------ result_type / promote_types
def test_promote_types_follows_pytorchs_lattice() -> None:
    cases = [
        (tt.bool_, tt.bool_, tt.bool_),
        (tt.bool_, tt.uint8, tt.uint8),
        (tt.bool_, tt.float16, tt.float16),
        (tt.int8, tt.uint8, tt.int16),
        (tt.uint8, tt.int16, tt.int16),
        (tt.int16, tt.int32, tt.int32),
        (tt.int32, tt.int64, tt.int64),
        (tt.uint8, tt.int64, tt.int64),
        (tt.int64, tt.float16, tt.float16),
        (tt.int8, tt.float32, tt.float32),
        (tt.float16, tt.float32, tt.float32),
        (tt.float16, tt.float64, tt.float64),
        (tt.float32, tt.float64, tt.float64),
    ]
    for a, b, want in cases:
        assert tt.promote_types(a, b) is want, (a, b)
        assert tt.promote_types(b, a) is want, (b, a)


def test_promote_types_is_symmetric_and_idempotent() -> None:
    for a, b in itertools.product(ALL, ALL):
        assert tt.promote_types(a, b) is tt.promote_types(b, a)
    for a in ALL:
        assert tt.promote_types(a, a) is a


def test_result_type_api_accepts_tensors_arrays_and_scalars() -> None:
    assert tt.result_type(tt.tensor([1, 2]), 2.5) is tt.float32
    assert tt.result_type(tt.tensor([1, 2]), 2) is tt.int64
    assert tt.result_type(tt.tensor([True]), 2) is tt.int64
    assert tt.result_type(tt.tensor([True]), True) is tt.bool_
    assert tt.result_type(tt.ones(2), tt.tensor(1.0, dtype=tt.float64)) is tt.float32
    assert tt.result_type(tt.tensor([1]), tt.tensor(1.0, dtype=tt.float64)) is tt.float64
    assert tt.result_type(np.ones(2, np.int8), np.ones(2, np.uint8)) is tt.int16
    assert tt.result_type(2.5) is tt.float32
    assert tt.result_type(2) is tt.int64


def test_result_type_rejects_non_numbers() -> None:
    with pytest.raises(TypeError, match="promote"):
        tt.result_type(tt.ones(1), "a")


@pytest.mark.parametrize(("a", "b"), list(itertools.product(ALL, ALL)))
def test_binary_op_dtype_equals_result_type_for_every_dtype_pair(a: tt.DType, b: tt.DType) -> None:
    x = tt.ones(2, dtype=a)
    y = tt.ones(2, dtype=b)
    y0 = tt.ones((), dtype=b)
    assert (x + y).dtype is tt.result_type(x, y) is tt.promote_types(a, b)
    assert (x * y0).dtype is tt.result_type(x, y0)
    # A 0-d tensor only decides the dtype when it is of a higher category.
    assert tt.result_type(x, y0) is (b if b.category > a.category else a)
    for s in (True, 3, 2.5):
        assert (x * s).dtype is tt.result_type(x, s)


def test_the_promotion_table_in_the_dtypes_docstring_matches_promote_types() -> None:
    import tt_tensor.dtypes as dtypes_module

    short = {
        "b": tt.bool_, "u8": tt.uint8, "i8": tt.int8, "i16": tt.int16, "i32": tt.int32,
        "i64": tt.int64, "f16": tt.float16, "f32": tt.float32, "f64": tt.float64,
    }  # fmt: skip
    doc = dtypes_module.__doc__ or ""
    rows = [line.split() for line in doc.splitlines() if line.strip().split(" ")[0] in short]
    rows = [r for r in rows if len(r) == 10]
    assert len(rows) == 9
    columns = list(short)
    for row in rows:
        a = short[row[0]]
        for name, cell in zip(columns, row[1:], strict=True):
            assert tt.promote_types(a, short[name]) is short[cell], (row[0], name)
