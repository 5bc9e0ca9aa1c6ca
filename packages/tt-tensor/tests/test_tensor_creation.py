"""Creation functions and seeded random sampling."""

from __future__ import annotations

import json
import warnings
from typing import Any

import numpy as np
import pytest

import tt_tensor as tt


# ----------------------------------------------------------------------- tensor()
def test_python_floats_become_float32() -> None:
    x = tt.tensor([0.5, 1.5])
    assert x.dtype is tt.float32
    assert x.tolist() == [0.5, 1.5]
    assert tt.tensor(2.5).dtype is tt.float32


def test_python_ints_become_int64() -> None:
    assert tt.tensor([[1, 2], [3, 4]]).dtype is tt.int64
    assert tt.tensor(7).dtype is tt.int64
    assert tt.tensor(7).shape == ()


def test_python_bools_become_bool() -> None:
    assert tt.tensor([True, False]).dtype is tt.bool_
    assert tt.tensor(True).dtype is tt.bool_


def test_mixed_python_numbers_become_float32() -> None:
    x = tt.tensor([1, 2.5, True])
    assert x.dtype is tt.float32
    assert x.tolist() == [1.0, 2.5, 1.0]


def test_empty_list_is_a_float32_vector_of_length_zero() -> None:
    x = tt.tensor([])
    assert x.shape == (0,)
    assert x.dtype is tt.float32


def test_numpy_arrays_and_scalars_keep_their_dtype() -> None:
    assert tt.tensor(np.zeros(2, np.float64)).dtype is tt.float64
    assert tt.tensor(np.zeros(2, np.int16)).dtype is tt.int16
    assert tt.tensor(np.float64(1.5)).dtype is tt.float64


def test_tensor_with_explicit_dtype_converts() -> None:
    x = tt.tensor([1, 2], dtype=tt.float16)
    assert x.dtype is tt.float16
    assert x.tolist() == [1.0, 2.0]
    assert tt.tensor([1.9, -1.9], dtype=tt.int32).tolist() == [1, -1]


def test_tensor_of_a_list_of_tensors_stacks_their_values() -> None:
    x = tt.tensor([tt.tensor(1.0), tt.tensor(2.0)])
    assert x.tolist() == [1.0, 2.0]
    assert x.dtype is tt.float32


def test_tensor_of_a_tensor_copies() -> None:
    a = tt.arange(3)
    b = tt.tensor(a)
    assert b.tolist() == [0, 1, 2]
    assert not np.shares_memory(a.numpy(), b.numpy())


def test_tensor_result_is_contiguous_even_from_a_strided_array() -> None:
    a = np.arange(12.0).reshape(3, 4)[:, ::2]
    x = tt.tensor(a)
    assert x.is_contiguous()
    np.testing.assert_array_equal(x.numpy(), a)


def test_ragged_data_raises_value_error() -> None:
    with pytest.raises(ValueError, match="tensor"):
        tt.tensor([[1, 2], [3]])
    with pytest.raises(ValueError, match="tensor"):
        tt.tensor([[1.0], [2.0, 3.0]])


def test_non_numeric_data_raises() -> None:
    with pytest.raises(TypeError, match="not supported"):
        tt.tensor(["a", "b"])


# ----------------------------------------------------------------------- filled tensors
def test_zeros_ones_full_and_empty_shapes_and_default_dtype() -> None:
    for fn in (tt.zeros, tt.ones, tt.empty):
        x = fn(2, 3)
        assert x.shape == (2, 3)
        assert x.dtype is tt.float32
        assert fn((2, 3)).shape == (2, 3)
        assert fn([4]).shape == (4,)
        assert fn().shape == ()
    assert tt.zeros(2, 2).tolist() == [[0.0, 0.0], [0.0, 0.0]]
    assert tt.ones(3, dtype=tt.int8).tolist() == [1, 1, 1]
    assert tt.ones(3, dtype=tt.int8).dtype is tt.int8
    assert tt.zeros(2, dtype="int32").dtype is tt.int32


def test_zero_sized_dims_are_allowed_and_negative_ones_raise() -> None:
    assert tt.zeros(0, 3).shape == (0, 3)
    with pytest.raises(RuntimeError, match=r"zeros: .*negative dimension"):
        tt.zeros(2, -1)
    with pytest.raises(RuntimeError, match="ones"):
        tt.ones(-3)


def test_full_infers_its_dtype_from_the_fill_value() -> None:
    assert tt.full((2,), 3).dtype is tt.int64
    assert tt.full((2,), 1.5).dtype is tt.float32
    assert tt.full((2,), True).dtype is tt.bool_
    assert tt.full((2, 2), 1.5).tolist() == [[1.5, 1.5], [1.5, 1.5]]
    assert tt.full((3,), 7, dtype=tt.float64).dtype is tt.float64
    assert tt.full(2, 0.25).tolist() == [0.25, 0.25]


def test_like_functions_copy_shape_and_dtype() -> None:
    x = tt.ones(2, 3, dtype=tt.int16)
    for fn in (tt.zeros_like, tt.ones_like, tt.empty_like):
        y = fn(x)
        assert y.shape == (2, 3)
        assert y.dtype is tt.int16
        assert not np.shares_memory(y.numpy(), x.numpy())
    assert tt.zeros_like(x).tolist() == [[0] * 3] * 2
    assert tt.ones_like(x, dtype=tt.float64).dtype is tt.float64
    f = tt.full_like(x, 4)
    assert f.dtype is tt.int16
    assert f.tolist() == [[4] * 3] * 2


# ----------------------------------------------------------------------- ranges
def test_arange_of_ints_is_int64() -> None:
    x = tt.arange(5)
    assert x.dtype is tt.int64
    assert x.tolist() == [0, 1, 2, 3, 4]
    assert tt.arange(2, 8, 3).tolist() == [2, 5]
    assert tt.arange(5, 0, -2).tolist() == [5, 3, 1]


def test_arange_with_any_float_is_float32() -> None:
    assert tt.arange(5.0).dtype is tt.float32
    x = tt.arange(1, 2.5, 0.5)
    assert x.dtype is tt.float32
    assert x.tolist() == [1.0, 1.5, 2.0]
    y = tt.arange(0, 1, 0.1)
    assert y.shape == (10,)
    np.testing.assert_allclose(y.numpy(), np.arange(10) / 10, rtol=1e-6)


def test_arange_with_explicit_dtype() -> None:
    assert tt.arange(4, dtype=tt.float64).tolist() == [0.0, 1.0, 2.0, 3.0]
    assert tt.arange(4, dtype=tt.float64).dtype is tt.float64


def test_arange_empty_and_bad_steps() -> None:
    assert tt.arange(0).shape == (0,)
    assert tt.arange(3, 3).shape == (0,)
    with pytest.raises(RuntimeError, match="step must be nonzero"):
        tt.arange(0, 5, 0)
    with pytest.raises(RuntimeError, match="inconsistent with step sign"):
        tt.arange(0, 5, -1)


def test_linspace_includes_both_ends() -> None:
    x = tt.linspace(0, 1, 5)
    assert x.dtype is tt.float32
    assert x.tolist() == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert tt.linspace(-1, 1, 1).tolist() == [-1.0]
    assert tt.linspace(0, 1, 0).shape == (0,)
    assert tt.linspace(0, 1, 3, dtype=tt.float64).dtype is tt.float64
    with pytest.raises(RuntimeError, match="linspace"):
        tt.linspace(0, 1, -1)


def test_eye_is_the_identity() -> None:
    assert tt.eye(3).tolist() == np.eye(3).tolist()
    assert tt.eye(3).dtype is tt.float32
    assert tt.eye(2, 3).tolist() == [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]
    assert tt.eye(2, dtype=tt.int64).dtype is tt.int64
    with pytest.raises(RuntimeError, match="eye"):
        tt.eye(-1)


# ----------------------------------------------------------------------- random
def test_rand_is_uniform_in_zero_one_with_the_requested_shape() -> None:
    g = tt.Generator().manual_seed(0)
    x = tt.rand(1000, generator=g)
    assert x.shape == (1000,)
    assert x.dtype is tt.float32
    a = x.numpy()
    assert a.min() >= 0.0
    assert a.max() < 1.0
    assert abs(a.mean() - 0.5) < 0.05
    assert tt.rand(2, 3, generator=g).shape == (2, 3)
    assert tt.rand(2, dtype=tt.float64, generator=g).dtype is tt.float64
    assert tt.rand(2, dtype=tt.float16, generator=g).dtype is tt.float16


def test_randn_is_standard_normal() -> None:
    g = tt.Generator().manual_seed(1)
    a = tt.randn(4000, generator=g).numpy()
    assert abs(a.mean()) < 0.1
    assert abs(a.std() - 1.0) < 0.1
    assert tt.randn((3, 2), generator=g).shape == (3, 2)


def test_rand_rejects_integer_dtypes() -> None:
    with pytest.raises(RuntimeError, match="rand: expected a floating point dtype"):
        tt.rand(2, dtype=tt.int64)
    with pytest.raises(RuntimeError, match="randn"):
        tt.randn(2, dtype=tt.bool_)


def test_randint_is_int64_in_the_half_open_range() -> None:
    g = tt.Generator().manual_seed(2)
    x = tt.randint(3, 7, (500,), generator=g)
    assert x.dtype is tt.int64
    assert set(x.tolist()) == {3, 4, 5, 6}
    y = tt.randint(4, (2, 5), generator=g)
    assert y.shape == (2, 5)
    assert y.numpy().min() >= 0
    assert y.numpy().max() < 4
    assert tt.randint(0, 2, (3,), dtype=tt.int8, generator=g).dtype is tt.int8
    with pytest.raises(RuntimeError, match="low < high"):
        tt.randint(5, 3, (2,))


def test_randperm_is_a_permutation() -> None:
    g = tt.Generator().manual_seed(3)
    p = tt.randperm(20, generator=g)
    assert p.dtype is tt.int64
    assert sorted(p.tolist()) == list(range(20))
    assert p.tolist() != list(range(20))


def test_like_samplers_follow_the_input() -> None:
    x = tt.zeros(3, 2, dtype=tt.float64)
    assert tt.rand_like(x).shape == (3, 2)
    assert tt.rand_like(x).dtype is tt.float64
    assert tt.randn_like(tt.zeros(2, dtype=tt.int64)).dtype is tt.float32
    r = tt.randint_like(tt.zeros(4, dtype=tt.int32), 5)
    assert r.dtype is tt.int32
    assert r.shape == (4,)
    assert r.numpy().max() < 5


def test_normal_and_bernoulli() -> None:
    g = tt.Generator().manual_seed(4)
    n = tt.normal(10.0, 0.5, (2000,), generator=g).numpy()
    assert abs(n.mean() - 10.0) < 0.1
    assert abs(n.std() - 0.5) < 0.05
    b = tt.bernoulli(tt.tensor([0.0, 1.0, 0.0, 1.0]), generator=g)
    assert b.tolist() == [0.0, 1.0, 0.0, 1.0]
    assert b.dtype is tt.float32
    with pytest.raises(RuntimeError, match="bernoulli"):
        tt.bernoulli(tt.tensor([1.5]))
    with pytest.raises(RuntimeError, match="std"):
        tt.normal(0.0, -1.0, (2,))


def test_in_place_random_fills() -> None:
    g = tt.Generator().manual_seed(5)
    x = tt.zeros(1000)
    assert x.uniform_(2.0, 3.0, generator=g) is x
    assert x.numpy().min() >= 2.0
    assert x.numpy().max() < 3.0
    assert x._version == 1
    x.normal_(5.0, 0.1, generator=g)
    assert abs(x.numpy().mean() - 5.0) < 0.05
    x.bernoulli_(0.0, generator=g)
    assert x.numpy().sum() == 0.0


def test_same_seed_gives_the_same_numbers() -> None:
    g1 = tt.Generator().manual_seed(42)
    g2 = tt.Generator().manual_seed(42)
    assert tt.rand(5, generator=g1).tolist() == tt.rand(5, generator=g2).tolist()
    assert tt.randn(5, generator=g1).tolist() == tt.randn(5, generator=g2).tolist()
    assert tt.randint(0, 100, (5,), generator=g1).tolist() == (
        tt.randint(0, 100, (5,), generator=g2).tolist()
    )
    assert tt.randperm(10, generator=g1).tolist() == tt.randperm(10, generator=g2).tolist()


def test_different_seeds_give_different_numbers() -> None:
    a = tt.rand(5, generator=tt.Generator().manual_seed(1))
    b = tt.rand(5, generator=tt.Generator().manual_seed(2))
    assert a.tolist() != b.tolist()


def test_manual_seed_resets_the_default_generator() -> None:
    state = tt.get_rng_state()
    try:
        g = tt.manual_seed(123)
        assert g is tt.default_generator
        assert tt.initial_seed() == 123
        a = tt.randn(4)
        tt.manual_seed(123)
        assert tt.randn(4).tolist() == a.tolist()
    finally:
        tt.set_rng_state(state)


def test_generator_manual_seed_rejects_negative_seeds() -> None:
    with pytest.raises(RuntimeError, match="non-negative"):
        tt.Generator().manual_seed(-1)


def test_rng_state_round_trips_through_json() -> None:
    state = tt.get_rng_state()
    try:
        tt.manual_seed(7)
        tt.rand(3)  # advance the stream
        saved = tt.get_rng_state()
        text = json.dumps(saved)
        first = tt.rand(6).tolist()
        tt.rand(10)
        tt.set_rng_state(json.loads(text))
        assert tt.rand(6).tolist() == first
        assert tt.initial_seed() == 7
    finally:
        tt.set_rng_state(state)


def test_generator_state_round_trip_on_a_private_generator() -> None:
    g = tt.Generator().manual_seed(9)
    tt.randn(3, generator=g)
    s = g.get_state()
    json.dumps(s)
    want = tt.randn(4, generator=g).tolist()
    g2 = tt.Generator().set_state(json.loads(json.dumps(s)))
    assert tt.randn(4, generator=g2).tolist() == want


def test_set_state_rejects_garbage() -> None:
    with pytest.raises(ValueError, match="not a Generator state"):
        tt.Generator().set_state({"nope": 1})


def test_explicit_generator_leaves_the_default_stream_alone() -> None:
    state = tt.get_rng_state()
    try:
        tt.manual_seed(11)
        a = tt.rand(3).tolist()
        tt.manual_seed(11)
        tt.rand(100, generator=tt.Generator().manual_seed(0))
        assert tt.rand(3).tolist() == a
    finally:
        tt.set_rng_state(state)


def test_tensor_with_a_float64_dtype_keeps_python_floats_exact() -> None:
    # A requested dtype converts the Python data once: not through float32 first.
    assert tt.tensor(0.3, dtype=tt.float64).item() == 0.3
    assert tt.tensor([0.1, 0.2], dtype=tt.float64).tolist() == [0.1, 0.2]
    assert tt.tensor([[1, 2.5]], dtype=tt.float64).numpy().dtype == np.float64
    assert tt.tensor(0.3).dtype == tt.float32  # the default is still float32
    assert tt.tensor(0.3, dtype=tt.float32).item() == np.float32(0.3)


def test_arange_into_integer_dtypes_follows_pytorch() -> None:
    assert tt.arange(1, 2.5, 0.5, dtype=tt.int32).tolist() == [1, 1, 1]  # start, step truncate
    assert tt.arange(0.001, dtype=tt.int64).tolist() == []  # int64 truncates the end too
    assert tt.arange(0.001, dtype=tt.int32).tolist() == [0]
    with pytest.raises(ValueError, match="step must be nonzero"):
        tt.arange(0, 2.5, 0.5, dtype=tt.int64)
    assert tt.arange(end=3).tolist() == [0, 1, 2]


def test_tensor_of_a_list_of_tensors_needs_one_element_each() -> None:
    assert tt.tensor([tt.tensor(1.0), tt.tensor(2.0)]).tolist() == [1.0, 2.0]
    with pytest.raises(ValueError, match="only one element tensors"):
        tt.tensor([tt.ones(2), tt.ones(2)])


def test_full_with_a_numpy_integer_is_int64() -> None:
    assert tt.full((2,), np.int32(3)).dtype is tt.int64


# ----------------------------------------------------------------------- second audit
def test_tensor_rejects_non_numbers_naming_the_op() -> None:
    with pytest.raises(
        TypeError, match=r"tensor: strings are not supported \(got 'a'; expected numbers\)"
    ):
        tt.tensor("a")
    with pytest.raises(TypeError, match="tensor: strings"):
        tt.tensor("a", dtype=tt.bool_)  # (was a silent True)
    with pytest.raises(RuntimeError, match="tensor: could not infer the dtype of NoneType"):
        tt.tensor([1, None])
    with pytest.raises(TypeError, match=r"tensor: expected real numbers, got NoneType \(None\)"):
        tt.tensor([1, None], dtype=tt.float64)  # (was nan)
    with pytest.raises(TypeError, match="tensor: expected real numbers, got complex"):
        tt.tensor(3 + 1j, dtype=tt.float64)  # (was 3.0: the imaginary part dropped)
    with pytest.raises(TypeError, match="tensor: expected a sequence or a number"):
        tt.tensor([1, [2]])
    with pytest.raises(TypeError, match="tensor: NumPy dtype object is not supported"):
        tt.tensor(np.array([None, 1], dtype=object))


def test_tensor_reads_one_element_tensors_in_lists_as_numbers() -> None:
    x = tt.tensor([tt.tensor([1.5]), tt.tensor([[2.0]])])
    assert x.shape == (2,)
    assert x.tolist() == [1.5, 2.0]


def test_tensor_big_ints_into_float_or_bool_dtypes() -> None:
    assert tt.tensor(2**70, dtype=tt.float64).item() == float(2**70)
    assert tt.tensor([2**63], dtype=tt.bool_).tolist() == [True]
    assert tt.tensor(-(2**63) - 1, dtype=tt.float32).item() == -(2.0**63)
    with pytest.raises(ValueError, match="does not fit int64"):
        tt.tensor([2**63], dtype=tt.int32)


def test_tensor_overflow_to_inf_does_not_warn() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert tt.tensor([1e40]).tolist() == [float("inf")]


@pytest.mark.parametrize("fn", [tt.zeros, tt.ones, tt.empty, tt.rand, tt.randn])
def test_size_keyword_and_0d_integer_array_sizes(fn: Any) -> None:
    assert fn(size=(2, 3)).shape == (2, 3)
    assert fn(size=[4]).shape == (4,)
    assert fn(np.array(3), 2).shape == (3, 2)
    with pytest.raises(TypeError, match="both positionally and as size="):
        fn(2, size=(2,))
    with pytest.raises(TypeError, match="sizes must be ints, got ndarray"):
        fn(np.array([2, 3]))


def test_full_reads_0d_tensors_and_rejects_non_numbers() -> None:
    assert tt.full((2,), tt.tensor(3)).dtype is tt.int64
    assert tt.full((2,), tt.tensor(True)).dtype is tt.bool_
    assert tt.full((2,), tt.tensor(0.5, dtype=tt.float64)).tolist() == [0.5, 0.5]
    with pytest.raises(TypeError, match=r"full: fill_value must be a number or a 0-d tensor"):
        tt.full((2,), tt.tensor([1.0]))
    with pytest.raises(TypeError, match="full: fill_value must be a real number, got NoneType"):
        tt.full((2,), None)  # (was nan)
    with pytest.raises(TypeError, match="full: fill_value must be a real number, got str"):
        tt.full((2,), "a")


def test_full_like_checks_the_value_like_full() -> None:
    x = tt.zeros(3, dtype=tt.uint8)
    assert tt.full_like(x, -1).tolist() == [255, 255, 255]  # one wrap, as in PyTorch
    with pytest.raises(RuntimeError, match="full_like: value 300 cannot be converted to type"):
        tt.full_like(x, 300)  # (was 44)
    with pytest.raises(RuntimeError, match="full_like: value nan"):
        tt.full_like(tt.zeros(2), float("nan"), dtype=tt.int64)
    assert tt.full_like(tt.zeros(2, dtype=tt.int32), 2.7).tolist() == [2, 2]


def test_like_constructors_accept_device_and_name_a_non_tensor() -> None:
    for fn in (tt.zeros_like, tt.ones_like, tt.empty_like):
        assert fn(tt.zeros(2, 1), device="cpu").shape == (2, 1)
        with pytest.raises(TypeError, match=f"{fn.__name__}: expected a Tensor, got list"):
            fn([1, 2])
    assert tt.full_like(tt.zeros(2), 3, device="cpu").tolist() == [3.0, 3.0]


def test_arange_linspace_tensor_bounds_bool_and_non_finite() -> None:
    assert tt.arange(tt.tensor(3)).tolist() == [0, 1, 2]
    assert tt.arange(tt.tensor(0.5), tt.tensor(2)).tolist() == [0.5, 1.5]
    assert tt.linspace(tt.tensor(0.0), tt.tensor(1.0), 3).tolist() == [0.0, 0.5, 1.0]
    with pytest.raises(RuntimeError, match="arange: not implemented for dtype bool"):
        tt.arange(3, dtype=tt.bool_)
    with pytest.raises(RuntimeError, match="linspace: not implemented for dtype bool"):
        tt.linspace(0, 1, 3, dtype=tt.bool_)
    assert tt.linspace(0, 1, 1, dtype=tt.bool_).tolist() == [False]
    with pytest.raises(RuntimeError, match="arange: unsupported range: 0 -> inf"):
        tt.arange(0, float("inf"))
    with pytest.raises(RuntimeError, match="arange: step must be nonzero, got nan"):
        tt.arange(0, 3, float("nan"))
    with pytest.raises(RuntimeError, match="linspace: value 70000"):
        tt.linspace(0, 70000, 3, dtype=tt.float16)
    with pytest.raises(TypeError, match="arange: a range bound must be a real number, got str"):
        tt.arange("3")


def test_randint_keyword_forms_and_dtype_bounds() -> None:
    g = tt.Generator().manual_seed(0)
    assert tt.randint(5, size=(100,), generator=g).numpy().max() < 5
    r = tt.randint(high=3, size=(100,), generator=g).numpy()
    assert r.min() >= 0
    assert r.max() < 3
    r = tt.randint(low=2, high=4, size=(100,), generator=g).numpy()
    assert set(r.tolist()) == {2, 3}
    b = tt.randint(0, 2, (200,), dtype=tt.bool_, generator=g)
    assert b.dtype is tt.bool_
    assert set(b.tolist()) == {False, True}
    with pytest.raises(RuntimeError, match="randint: high - 1 = 299 is out of bounds for uint8"):
        tt.randint(0, 300, (3,), dtype=tt.uint8)  # (was wrapped values)
    with pytest.raises(RuntimeError, match="randint: low = -200 is out of bounds for int8"):
        tt.randint(-200, 0, (3,), dtype=tt.int8)
    with pytest.raises(TypeError, match="randint: argument 'high' must be int, not float"):
        tt.randint(2.5, (3,))
    with pytest.raises(TypeError, match="randint: argument 'high' must be int, not bool"):
        tt.randint(True, (3,))


def test_randperm_checks_n_and_dtype() -> None:
    assert sorted(tt.randperm(256, dtype=tt.uint8).tolist()) == list(range(256))
    assert tt.randperm(3, dtype=tt.float32, requires_grad=False).dtype is tt.float32
    with pytest.raises(RuntimeError, match="randperm: n = 300 is too large for dtype uint8"):
        tt.randperm(300, dtype=tt.uint8)
    with pytest.raises(RuntimeError, match="randperm: not implemented for dtype bool"):
        tt.randperm(3, dtype=tt.bool_)
    with pytest.raises(TypeError, match="randperm: argument 'n' must be int, not float"):
        tt.randperm(2.0)


def test_rand_like_with_an_integer_dtype_raises() -> None:
    with pytest.raises(RuntimeError, match="rand_like: expected a floating point dtype"):
        tt.rand_like(tt.zeros(2), dtype=tt.int32)
    assert tt.randn_like(tt.zeros(2), dtype=tt.float64).dtype is tt.float64


def test_normal_with_tensor_means_and_stds() -> None:
    g = tt.Generator().manual_seed(1)
    means = tt.tensor([0.0, 100.0], dtype=tt.float64)
    n = tt.normal(means.reshape(2, 1).expand(2, 4000), 1.0, generator=g)
    assert n.dtype is tt.float64
    assert n.shape == (2, 4000)
    assert abs(n.numpy()[0].mean()) < 0.1
    assert abs(n.numpy()[1].mean() - 100) < 0.1
    s = tt.normal(0.0, tt.full((5000,), 2.0), generator=g).numpy()
    assert abs(s.std() - 2.0) < 0.1
    assert tt.normal(tt.ones(3), tt.zeros(2, 1)).shape == (2, 3)  # broadcast
    with pytest.raises(RuntimeError, match=r"normal: expected all of std >= 0\.0"):
        tt.normal(tt.zeros(2), tt.tensor([1.0, -1.0]))
    with pytest.raises(TypeError, match="normal: missing the 'size' argument"):
        tt.normal(0.0, 1.0)


def test_bernoulli_p_argument_nan_and_tensor_p_in_place() -> None:
    assert tt.bernoulli(tt.zeros(3), 1.0).tolist() == [1.0, 1.0, 1.0]
    assert tt.bernoulli(tt.ones(2), 0.0).tolist() == [0.0, 0.0]
    with pytest.raises(RuntimeError, match=r"bernoulli: expected all probabilities"):
        tt.bernoulli(tt.tensor([float("nan")]))  # (was accepted)
    with pytest.raises(RuntimeError, match="bernoulli: expected a floating point input"):
        tt.bernoulli(tt.ones(2, dtype=tt.int64))
    x = tt.zeros(2, 3).bernoulli_(tt.tensor([0.0, 1.0, 0.0]))
    assert x.tolist() == [[0.0, 1.0, 0.0], [0.0, 1.0, 0.0]]
    with pytest.raises(RuntimeError, match="bernoulli_: expected all probabilities"):
        tt.zeros(2).bernoulli_(tt.tensor([2.0, 0.0]))


def test_generator_seed_types_clone_state_device_and_fork_rng() -> None:
    for bad in (1.5, "3", True):
        with pytest.raises(RuntimeError, match="manual_seed: expected an int seed"):
            tt.Generator().manual_seed(bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="manual_seed: seed must be below 2"):
        tt.Generator().manual_seed(2**64)
    assert tt.Generator().manual_seed(2**64 - 1).initial_seed() == 2**64 - 1
    assert tt.Generator().device == "cpu"
    g = tt.Generator().manual_seed(5)
    h = g.clone_state()
    assert h is not g
    assert tt.rand(4, generator=g).tolist() == tt.rand(4, generator=h).tolist()
    with pytest.raises(TypeError, match=r"generator must be a tt_tensor\.Generator, got int"):
        tt.rand(2, generator=5)  # type: ignore[arg-type]
    state = tt.get_rng_state()
    try:
        tt.manual_seed(3)
        with tt.random.fork_rng():
            inside = tt.rand(3).tolist()
        assert tt.rand(3).tolist() == inside  # the block's draws did not move the stream
    finally:
        tt.set_rng_state(state)


# --------------------------------------------------------------------------- review mends
def test_randint_and_randperm_respect_float16s_range() -> None:
    with pytest.raises(RuntimeError, match="randint: high - 1 = 69999 is out of bounds"):
        tt.randint(0, 70000, (2,), dtype=tt.float16)
    assert tt.randint(0, 65505, (2,), dtype=tt.float16).dtype == tt.float16
    assert sorted(tt.randperm(2049, dtype=tt.float16).tolist()) == list(range(2049))
    with pytest.raises(RuntimeError, match="randperm: n cannot be greater than 2049"):
        tt.randperm(2050, dtype=tt.float16)


def test_copy_from_a_numpy_number_fills() -> None:
    x = tt.zeros(2)
    x.copy_(np.float64(3.0))
    assert x.tolist() == [3.0, 3.0]


def test_an_empty_view_keeps_its_strides() -> None:
    assert tt.zeros(2, 3)[:, :0].stride() == (3, 1)  # as PyTorch (the base's steps)
    assert tt.zeros(2, 0, 3).stride() == (3, 3, 1)  # a new empty tensor: row-major
