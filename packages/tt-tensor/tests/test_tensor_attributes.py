"""Tensor attributes and conversions: shape, dtype, strides, item/tolist, NumPy interop, repr."""

from __future__ import annotations

import copy
import operator

import numpy as np
import pytest

import tt_tensor as tt


def test_shape_is_a_size_tuple_with_numel() -> None:
    x = tt.zeros(2, 3, 4)
    assert isinstance(x.shape, tt.Size)
    assert isinstance(x.shape, tuple)
    assert x.shape == (2, 3, 4)
    assert x.shape.numel() == 24
    assert repr(x.shape) == "tt_tensor.Size([2, 3, 4])"
    assert x.size() == (2, 3, 4)
    assert isinstance(x.size(), tt.Size)


def test_size_of_one_dim_accepts_negative_dims() -> None:
    x = tt.zeros(2, 3, 4)
    assert x.size(0) == 2
    assert x.size(-1) == 4
    assert x.size(1) == 3


def test_ndim_dim_numel_and_nelement_agree() -> None:
    x = tt.ones(2, 3, 5)
    assert x.ndim == x.dim() == 3
    assert x.numel() == x.nelement() == 30
    assert tt.numel(x) == 30
    assert tt.tensor(1.0).ndim == 0
    assert tt.tensor(1.0).numel() == 1
    assert tt.zeros(0, 3).numel() == 0


def test_nbytes_is_numel_times_itemsize_for_every_dtype() -> None:
    sizes = {
        tt.bool_: 1,
        tt.uint8: 1,
        tt.int8: 1,
        tt.int16: 2,
        tt.int32: 4,
        tt.int64: 8,
        tt.float16: 2,
        tt.float32: 4,
        tt.float64: 8,
    }
    for dtype, itemsize in sizes.items():
        x = tt.zeros(3, 5, dtype=dtype)
        assert x.dtype is dtype
        assert x.element_size() == x.itemsize == itemsize
        assert x.nbytes == 15 * itemsize


def test_int8_storage_really_is_one_byte_per_element() -> None:
    x = tt.tensor(list(range(100)), dtype=tt.int8)
    assert x.nbytes == 100
    assert x.numpy().dtype == np.int8
    assert x.numpy().itemsize == 1


def test_strides_are_in_elements_not_bytes() -> None:
    x = tt.zeros(2, 3, 4)
    assert x.stride() == (12, 4, 1)
    assert x.strides == (12, 4, 1)
    assert x.stride(0) == 12
    assert x.stride(-1) == 1
    assert tt.zeros(2, 3, dtype=tt.int8).stride() == (3, 1)


def test_transpose_permutes_strides_and_is_not_contiguous() -> None:
    x = tt.zeros(2, 3, 4)
    assert x.is_contiguous()
    p = x.permute(2, 0, 1)
    assert p.stride() == (1, 12, 4)
    assert not p.is_contiguous()
    assert x.T.stride() == (1, 4, 12)


def test_expanded_dims_have_stride_zero() -> None:
    x = tt.ones(1, 3).expand(4, 3)
    assert x.stride() == (0, 1)
    assert x.shape == (4, 3)


def test_item_returns_a_python_number_of_the_right_type() -> None:
    f = tt.tensor(2.5).item()
    i = tt.tensor(7).item()
    b = tt.tensor(True).item()
    assert type(f) is float
    assert f == 2.5
    assert type(i) is int
    assert i == 7
    assert type(b) is bool
    assert b is True
    assert tt.tensor([[3.0]]).item() == 3.0


def test_item_of_more_than_one_element_raises() -> None:
    with pytest.raises(RuntimeError, match="2 elements"):
        tt.tensor([1, 2]).item()


def test_tolist_gives_nested_python_lists() -> None:
    x = tt.arange(6).reshape(2, 3)
    assert x.tolist() == [[0, 1, 2], [3, 4, 5]]
    assert type(x.tolist()[0][0]) is int
    assert tt.tensor(1.5).tolist() == 1.5
    assert tt.tensor([True, False]).tolist() == [True, False]


def test_numpy_shares_memory_with_the_tensor() -> None:
    x = tt.zeros(3)
    a = x.numpy()
    a[1] = 5.0
    assert x.tolist() == [0.0, 5.0, 0.0]
    x[2] = 7.0
    assert a[2] == 7.0


def test_np_asarray_uses_array_protocol_without_copying() -> None:
    x = tt.arange(4.0)
    a = np.asarray(x)
    assert isinstance(a, np.ndarray)
    assert a.dtype == np.float32
    assert np.shares_memory(a, x.numpy())
    np.testing.assert_array_equal(a, [0.0, 1.0, 2.0, 3.0])


def test_np_asarray_with_a_dtype_converts() -> None:
    x = tt.arange(4)
    a = np.asarray(x, dtype=np.float64)
    assert a.dtype == np.float64
    np.testing.assert_array_equal(a, [0.0, 1.0, 2.0, 3.0])


def test_np_array_with_copy_gives_new_memory() -> None:
    x = tt.arange(4.0)
    a = np.array(x, copy=True)
    assert not np.shares_memory(a, x.numpy())
    np.testing.assert_array_equal(a, x.numpy())


def test_from_numpy_is_zero_copy_in_both_directions() -> None:
    a = np.arange(6, dtype=np.float64).reshape(2, 3)
    x = tt.from_numpy(a)
    assert x.dtype is tt.float64
    assert np.shares_memory(a, x.numpy())
    a[0, 0] = 100.0
    assert x[0, 0].item() == 100.0
    x[1, 2] = -1.0
    assert a[1, 2] == -1.0


def test_from_numpy_rejects_unsupported_dtypes_and_non_arrays() -> None:
    with pytest.raises(TypeError, match="complex128"):
        tt.from_numpy(np.zeros(2, dtype=np.complex128))
    with pytest.raises(TypeError, match="from_numpy"):
        tt.from_numpy([1, 2])  # type: ignore[arg-type]


def test_tensor_from_a_numpy_array_copies() -> None:
    a = np.arange(3, dtype=np.int32)
    x = tt.tensor(a)
    assert x.dtype is tt.int32
    assert not np.shares_memory(a, x.numpy())
    a[0] = 9
    assert x[0].item() == 0


def test_as_tensor_shares_memory_when_the_dtype_matches() -> None:
    a = np.arange(3, dtype=np.float32)
    assert np.shares_memory(tt.as_tensor(a).numpy(), a)
    converted = tt.as_tensor(a, dtype=tt.float64)
    assert converted.dtype is tt.float64
    assert not np.shares_memory(converted.numpy(), a)


def test_len_is_the_first_dim_and_zero_dim_tensors_have_no_len() -> None:
    assert len(tt.zeros(4, 2)) == 4
    assert len(tt.zeros(0)) == 0
    with pytest.raises(TypeError, match="0-d"):
        len(tt.tensor(1.0))


def test_iteration_yields_views_of_the_rows() -> None:
    x = tt.arange(6).reshape(3, 2)
    rows = list(x)
    assert len(rows) == 3
    assert [r.tolist() for r in rows] == [[0, 1], [2, 3], [4, 5]]
    assert all(r.shape == (2,) for r in rows)
    assert all(np.shares_memory(r.numpy(), x.numpy()) for r in rows)
    with pytest.raises(TypeError, match="0-d"):
        iter(tt.tensor(1))


def test_repr_shows_values_shape_and_dtype() -> None:
    r = repr(tt.tensor([[1.5, 2.0], [3.0, 4.0]]))
    assert r.startswith("tensor([[1.5000, 2.0000],")
    assert "3.0000, 4.0000" in r
    assert "shape=(2, 2)" in r
    assert r.endswith("dtype=tt_tensor.float32)")


def test_repr_of_integral_floats_ints_bools_and_scalars() -> None:
    assert repr(tt.tensor([1.0, 2.0])) == "tensor([1., 2.], shape=(2,), dtype=tt_tensor.float32)"
    assert repr(tt.tensor([1, 2])) == "tensor([1, 2], shape=(2,), dtype=tt_tensor.int64)"
    assert repr(tt.tensor(3)) == "tensor(3, shape=(), dtype=tt_tensor.int64)"
    assert repr(tt.tensor([True, False])) == (
        "tensor([ True, False], shape=(2,), dtype=tt_tensor.bool)"
    )
    assert repr(tt.zeros(0, 2)) == "tensor([], shape=(0, 2), dtype=tt_tensor.float32)"


def test_repr_uses_scientific_notation_for_wide_ranges_and_names_nonfinite_values() -> None:
    assert "1.0000e-05, 1.0000e+05" in repr(tt.tensor([1e-5, 1e5]))
    r = repr(tt.tensor([float("inf"), float("-inf"), float("nan"), 1.0]))
    assert "inf" in r
    assert "-inf" in r
    assert "nan" in r


def test_repr_summarises_large_tensors() -> None:
    r = repr(tt.arange(2000.0))
    assert "..." in r
    assert "1999." in r
    assert "shape=(2000,)" in r
    assert len(r) < 200


def test_format_spec_applies_to_zero_dim_tensors() -> None:
    assert f"{tt.tensor(2.5):.2f}" == "2.50"
    assert f"{tt.tensor([1.0])}" == repr(tt.tensor([1.0]))


def test_python_number_conversions() -> None:
    assert int(tt.tensor(3.7)) == 3
    assert float(tt.tensor(2)) == 2.0
    assert bool(tt.tensor([1]))
    assert not bool(tt.tensor(0.0))
    assert operator.index(tt.tensor(3)) == 3
    assert [10, 20, 30][tt.tensor(1)] == 20
    with pytest.raises(TypeError):
        operator.index(tt.tensor(1.5))
    with pytest.raises(RuntimeError, match="ambiguous"):
        bool(tt.tensor([1, 2]))


def test_to_cpu_and_cpu_are_no_ops_returning_self() -> None:
    x = tt.ones(2)
    assert x.to("cpu") is x
    assert x.to(device="cpu") is x
    assert x.cpu() is x
    assert x.device == "cpu"
    assert not x.is_cuda


def test_to_the_same_dtype_returns_self_and_copy_true_copies() -> None:
    x = tt.ones(2)
    assert x.to(tt.float32) is x
    c = x.to(tt.float32, copy=True)
    assert c is not x
    assert not np.shares_memory(c.numpy(), x.numpy())


def test_to_converts_dtype_and_copies() -> None:
    x = tt.tensor([1.7, -2.7, 0.2])
    y = x.to(tt.int64)
    assert y.dtype is tt.int64
    assert y.tolist() == [1, -2, 0]  # truncation toward zero, as in PyTorch
    assert not np.shares_memory(x.numpy(), y.numpy())
    assert x.to("float64").dtype is tt.float64
    assert x.to(np.float16).dtype is tt.float16
    assert x.to(tt.zeros(1, dtype=tt.int8)).dtype is tt.int8
    assert x.to("cpu", tt.float64).dtype is tt.float64
    assert x.to(dtype=tt.bool_).tolist() == [True, True, True]


def test_dtype_shorthand_methods() -> None:
    x = tt.tensor([0.0, 1.5, -2.5])
    assert x.float().dtype is tt.float32
    assert x.double().dtype is tt.float64
    assert x.half().dtype is tt.float16
    assert x.long().dtype is tt.int64
    assert x.int().dtype is tt.int32
    assert x.short().dtype is tt.int16
    assert x.char().dtype is tt.int8
    assert x.byte().dtype is tt.uint8
    assert x.bool().dtype is tt.bool_
    assert x.bool().tolist() == [False, True, True]
    assert x.long().tolist() == [0, 1, -2]
    assert tt.tensor([1, 2]).type_as(x).dtype is tt.float32


def test_to_rejects_unsupported_dtypes() -> None:
    with pytest.raises(TypeError, match="to"):
        tt.ones(2).to(np.complex64)


def test_is_floating_point() -> None:
    assert tt.ones(1).is_floating_point()
    assert tt.ones(1, dtype=tt.float16).is_floating_point()
    assert not tt.ones(1, dtype=tt.int64).is_floating_point()
    assert not tt.ones(1, dtype=tt.bool_).is_floating_point()


def test_tensor_class_cannot_be_constructed_directly() -> None:
    with pytest.raises(TypeError, match=r"tt_tensor\.tensor"):
        tt.Tensor()


def test_tensors_hash_by_identity_and_eq_is_elementwise() -> None:
    a, b = tt.ones(2), tt.ones(2)
    assert len({a, b}) == 2
    assert (a == b).tolist() == [True, True]
    assert a.equal(b)
    assert not a.equal(tt.ones(3))
    assert a.allclose(b + 1e-7)


def test_detach_shares_memory_and_version_counter() -> None:
    x = tt.zeros(3)
    d = x.detach()
    assert np.shares_memory(d.numpy(), x.numpy())
    d.add_(1.0)
    assert x.tolist() == [1.0, 1.0, 1.0]
    assert x._version == d._version == 1


def test_clone_copies_memory() -> None:
    x = tt.arange(3.0)
    c = x.clone()
    assert not np.shares_memory(c.numpy(), x.numpy())
    c[0] = 9.0
    assert x[0].item() == 0.0
    assert tt.clone(x).tolist() == [0.0, 1.0, 2.0]


def test_deepcopy_copies_values_and_keeps_the_dtype() -> None:
    # (No pickle round trip: the project does not use pickle anywhere.)
    for dtype in (tt.float32, tt.int8, tt.bool_):
        x = tt.tensor([1, 0, 1], dtype=dtype)
        y = copy.deepcopy(x)
        assert y.dtype is dtype
        assert y.tolist() == x.tolist()
        assert not np.shares_memory(y.numpy(), x.numpy())


def test_dtypes_survive_deepcopy_as_the_same_singletons() -> None:
    for dtype in (tt.bool_, tt.uint8, tt.int64, tt.float16, tt.float32, tt.float64):
        assert copy.deepcopy(dtype) is dtype


def test_is_tensor() -> None:
    assert tt.is_tensor(tt.ones(1))
    assert not tt.is_tensor(np.ones(1))
    assert not tt.is_tensor(1.0)


# ----------------------------------------------------------------------- second audit
def test_is_signed_and_is_complex() -> None:
    assert tt.zeros(1, dtype=tt.int8).is_signed()
    assert tt.zeros(1, dtype=tt.float16).is_signed()
    assert not tt.zeros(1, dtype=tt.uint8).is_signed()
    assert not tt.zeros(1, dtype=tt.bool_).is_signed()
    assert not tt.zeros(1).is_complex()
    assert not tt.float64.is_complex


def test_type_uses_the_legacy_tensor_type_names() -> None:
    assert tt.zeros(1).type() == "tt_tensor.FloatTensor"
    assert tt.zeros(1, dtype=tt.uint8).type() == "tt_tensor.ByteTensor"
    assert tt.zeros(1, dtype=tt.bool_).type() == "tt_tensor.BoolTensor"
    assert tt.zeros(2).type("torch.LongTensor").dtype is tt.int64
    assert tt.zeros(2).type("tt_tensor.HalfTensor").dtype is tt.float16
    with pytest.raises(TypeError, match=r"type: invalid type 'torch\.NopeTensor'"):
        tt.zeros(2).type("torch.NopeTensor")


def test_strides_of_empty_tensors_are_row_major() -> None:
    assert tt.zeros(0).stride() == (1,)
    assert tt.zeros(2, 0, 3).stride() == (3, 3, 1)
    assert tt.zeros(2, 0, 3).strides == (3, 3, 1)
    assert tt.zeros(2, 0, 3).stride(-1) == 1


def test_clone_of_an_expanded_tensor_is_contiguous() -> None:
    e = tt.arange(3).reshape(1, 3).expand(4, 3)
    c = e.clone()
    assert c.is_contiguous()
    assert c.stride() == (3, 1)
    assert c.tolist() == [[0, 1, 2]] * 4
    assert tt.zeros(2, 3).t().clone().stride() == (1, 3)  # a dense layout is kept


def test_new_constructors_take_this_dtype() -> None:
    x = tt.zeros(2, dtype=tt.int32)
    assert x.new_zeros(3).tolist() == [0, 0, 0]
    assert x.new_zeros(3).dtype is tt.int32
    assert x.new_ones((2, 2)).tolist() == [[1, 1], [1, 1]]
    assert x.new_full((2,), 3.7).tolist() == [3, 3]
    assert x.new_empty(4).shape == (4,)
    assert x.new_empty(4).dtype is tt.int32
    assert x.new_tensor([1.5, 2]).tolist() == [1, 2]
    assert x.new_zeros(1, dtype=tt.float64).dtype is tt.float64


def test_copy_accepts_numbers_and_non_blocking() -> None:
    x = tt.zeros(3)
    assert x.copy_(2.0) is x
    assert x.tolist() == [2.0, 2.0, 2.0]
    assert tt.zeros(2, dtype=tt.int32).copy_(7).tolist() == [7, 7]
    assert tt.zeros(2).copy_(tt.ones(2), non_blocking=True).tolist() == [1.0, 1.0]
    with pytest.raises(TypeError, match="copy_: expected a Tensor or a number as src, got list"):
        tt.zeros(3).copy_([1, 2, 3])
