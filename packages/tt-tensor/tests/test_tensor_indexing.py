"""Indexing, item assignment, gather, index_select, index_put, scatter_add (views vs copies)."""

from __future__ import annotations

import numpy as np
import pytest

import tt_tensor as tt


def shares(a: tt.Tensor, b: tt.Tensor) -> bool:
    return bool(np.shares_memory(a.numpy(), b.numpy()))


@pytest.fixture
def a() -> np.ndarray:
    return np.arange(24, dtype=np.float32).reshape(2, 3, 4)


BASIC = [
    1,
    -1,
    (0, 2),
    (1, -1, 3),
    slice(None),
    slice(1, None),
    (slice(None), 1),
    (slice(None), slice(0, 3, 2)),
    (Ellipsis, 1),
    (0, Ellipsis),
    (None, 0),
    (slice(None), None, 1),
    (Ellipsis, None),
    (0, slice(1, 3), slice(None, None, 3)),
]


@pytest.mark.parametrize("index", BASIC, ids=repr)
def test_basic_indices_match_numpy_and_give_views(a: np.ndarray, index: object) -> None:
    x = tt.tensor(a)
    out = x[index]
    want = a[index]
    assert out.shape == want.shape
    np.testing.assert_array_equal(out.numpy(), want)
    assert shares(x, out)
    assert out._vc is x._vc


def test_integer_index_of_a_vector_gives_a_zero_dim_view() -> None:
    x = tt.tensor([10, 20, 30])
    assert x[1].shape == ()
    assert x[1].item() == 20
    assert x[tt.tensor(2)].item() == 30
    assert x[tt.tensor(2)].shape == ()
    element = x[0]
    assert shares(x, element)
    element.fill_(5)
    assert x.tolist() == [5, 20, 30]


def test_integer_tensor_indices_match_numpy_and_copy(a: np.ndarray) -> None:
    x = tt.tensor(a)
    cases = [
        (tt.tensor([0, 0, 1]), np.array([0, 0, 1])),
        ((slice(None), tt.tensor([2, 0])), (slice(None), np.array([2, 0]))),
        ((tt.tensor([0, 1]), tt.tensor([1, 2])), (np.array([0, 1]), np.array([1, 2]))),
        (
            (tt.tensor([[0], [1]]), slice(None), tt.tensor([0, 3])),
            (np.array([[0], [1]]), slice(None), np.array([0, 3])),
        ),
        ((Ellipsis, tt.tensor([-1])), (Ellipsis, np.array([-1]))),
        ([1, 0], [1, 0]),
    ]
    for index, np_index in cases:
        out = x[index]
        want = a[np_index]
        assert out.shape == want.shape
        np.testing.assert_array_equal(out.numpy(), want)
        assert not shares(x, out)
    assert x[tt.tensor([0, 1], dtype=tt.int32)].shape == (2, 3, 4)


def test_an_int_is_applied_before_the_index_tensors_like_pytorch() -> None:
    # NumPy counts the int as an advanced index split from [0, 1] by the slice and puts the
    # index dim first, (2, 3); PyTorch selects first, then indexes dim 1 of x[0]: (3, 2).
    x = tt.arange(24).reshape(2, 3, 4)
    assert x[0, :, [0, 1]].tolist() == [[0, 1], [4, 5], [8, 9]]
    assert x[tt.tensor(1), :, tt.tensor([3])].tolist() == [[15], [19], [23]]
    assert x[[0, 1], :, 0].tolist() == [[0, 4, 8], [12, 16, 20]]  # no difference here
    y = tt.zeros(2, 3, 4)
    y[0, :, tt.tensor([0, 1])] = tt.arange(6.0).reshape(3, 2)
    assert y[0, :, :2].tolist() == [[0.0, 1.0], [2.0, 3.0], [4.0, 5.0]]
    assert y[1].sum().item() == 0.0
    assert y[0, :, 2:].sum().item() == 0.0
    # a NumPy index array is an index tensor too; a Python bool is an advanced index to
    # PyTorch and NumPy alike, so there the two orders agree (shapes as PyTorch gives them)
    assert x[0, :, np.array([0, 1])].tolist() == [[0, 1], [4, 5], [8, 9]]
    z = tt.zeros(2, 3, 4, 5)
    assert z[True, 0, :, [0, 1]].shape == (2, 3, 5)
    assert z[0, True, :, [0, 1]].shape == (2, 3, 5)


def test_bool_masks_select_elements_and_copy(a: np.ndarray) -> None:
    x = tt.tensor(a)
    m = a > 10
    out = x[tt.tensor(m)]
    assert out.shape == (int(m.sum()),)
    np.testing.assert_array_equal(out.numpy(), a[m])
    assert not shares(x, out)
    rows = x[tt.tensor([True, False])]
    assert rows.shape == (1, 3, 4)
    np.testing.assert_array_equal(x[:, [True, False, True]].numpy(), a[:, [True, False, True]])
    np.testing.assert_array_equal(x[x > 20].numpy(), a[a > 20])


def test_uint8_index_tensors_are_masks_like_pytorch() -> None:
    x = tt.tensor([10, 20, 30])
    assert x[tt.tensor([1, 0, 1], dtype=tt.uint8)].tolist() == [10, 30]


def test_bad_indices_raise(a: np.ndarray) -> None:
    x = tt.tensor(a)
    with pytest.raises(IndexError, match=r"getitem: .*index 5 is out of bounds.*\(2, 3, 4\)"):
        x[5]
    with pytest.raises(IndexError, match="out of bounds"):
        x[tt.tensor([0, 7])]
    with pytest.raises(IndexError, match="got a float"):
        x[1.0]
    with pytest.raises(IndexError, match="must be long, int, byte or bool tensors"):
        x[tt.tensor([0.0])]
    with pytest.raises(ValueError, match="slice step must be positive"):
        x[::-1]


# ----------------------------------------------------------------------- item assignment
def test_setitem_with_basic_indices_writes_in_place(a: np.ndarray) -> None:
    x = tt.tensor(a)
    want = a.copy()
    data = x.numpy()
    x[0] = 1.5
    want[0] = 1.5
    x[1, :, 2] = tt.tensor([7.0, 8.0, 9.0])
    want[1, :, 2] = [7.0, 8.0, 9.0]
    x[..., 0] = tt.tensor([[-1.0], [-2.0]])  # broadcast (2, 1) into (2, 3)
    want[..., 0] = [[-1.0], [-2.0]]
    assert x.numpy() is data
    np.testing.assert_array_equal(x.numpy(), want)
    assert x._version == 3


def test_setitem_with_masks_and_integer_tensors(a: np.ndarray) -> None:
    x = tt.tensor(a)
    x[x > 20] = 0.0
    want = a.copy()
    want[want > 20] = 0.0
    np.testing.assert_array_equal(x.numpy(), want)
    x[tt.tensor([0, 1]), tt.tensor([1, 2])] = tt.tensor(-5.0)
    want[[0, 1], [1, 2]] = -5.0
    np.testing.assert_array_equal(x.numpy(), want)


def test_setitem_converts_values_to_the_tensor_dtype() -> None:
    x = tt.tensor([1, 5])
    x[0] = 7.9
    assert x.tolist() == [7, 5]
    assert x.dtype is tt.int64
    y = tt.zeros(2)
    y[:] = tt.tensor([1, 2])
    assert y.tolist() == [1.0, 2.0]
    assert y.dtype is tt.float32


def test_setitem_shape_mismatch_raises() -> None:
    x = tt.zeros(2, 3)
    with pytest.raises(RuntimeError, match=r"setitem: .*\(3,\).*\(2,\)"):
        x[:, 1] = tt.tensor([1.0, 2.0, 3.0])


def test_setitem_on_a_view_changes_the_base(a: np.ndarray) -> None:
    x = tt.tensor(a)
    row = x[1]
    row[0] = 99.0
    assert x[1, 0, 0].item() == 99.0
    col = x[:, 2]
    col.zero_()
    assert (x[:, 2] == 0).all().item()
    assert x._version == row._version == col._version == 2


def test_fill_copy_and_zero() -> None:
    x = tt.zeros(2, 3)
    x.fill_(2)
    assert x.tolist() == [[2.0] * 3] * 2
    x.copy_(tt.tensor([1, 2, 3]))
    assert x.tolist() == [[1.0, 2.0, 3.0]] * 2
    x.zero_()
    assert x.tolist() == [[0.0] * 3] * 2
    assert x._version == 3
    with pytest.raises(
        RuntimeError, match=r"copy_: the source of shape \(2,\) cannot be broadcast"
    ):
        x.copy_(tt.tensor([1.0, 2.0]))


# ----------------------------------------------------------------------- gather / index_select
def test_gather_matches_take_along_axis(rng: np.random.Generator) -> None:
    a = rng.standard_normal((3, 4, 5)).astype(np.float32)
    x = tt.tensor(a)
    for dim in range(3):
        shape = list(a.shape)
        shape[dim] = 6
        idx = rng.integers(0, a.shape[dim], shape)
        out = x.gather(dim, tt.tensor(idx))
        assert out.shape == tuple(shape)
        np.testing.assert_array_equal(out.numpy(), np.take_along_axis(a, idx, axis=dim))


def test_gather_with_a_smaller_index_reads_the_leading_block() -> None:
    x = tt.arange(6).reshape(2, 3)
    out = tt.gather(x, 1, tt.tensor([[0, 0], [2, 1]]))
    assert out.tolist() == [[0, 0], [5, 4]]
    assert tt.gather(x, 0, tt.tensor([[1]])).tolist() == [[3]]


def test_gather_remembers_only_small_coordinate_grids() -> None:
    # The coordinates pairing each index with its position are cached per shape, but a long
    # index would pin a long arange for the life of the process: those are built each time.
    from tt_tensor.indexing import _GRID_CACHE_MAX, _grid

    before = _grid.cache_info().currsize
    n = _GRID_CACHE_MAX + 1
    x = tt.arange(2 * n).reshape(n, 2)
    assert x.gather(1, tt.ones(n, 1, dtype=tt.int64)).reshape(-1).tolist() == list(
        range(1, 2 * n, 2)
    )
    assert _grid.cache_info().currsize == before


def test_gather_checks_its_index() -> None:
    x = tt.arange(6).reshape(2, 3)
    assert x.gather(1, tt.tensor([[2]], dtype=tt.int32)).tolist() == [[2]]
    with pytest.raises(
        RuntimeError, match=r"gather: expected dtype int32/int64 for index, got .*float32"
    ):
        x.gather(1, tt.tensor([[0.0]]))
    with pytest.raises(RuntimeError, match="gather: index 5 is out of bounds for dimension 1"):
        x.gather(1, tt.tensor([[5]]))
    with pytest.raises(RuntimeError, match="same number of dimensions"):
        x.gather(1, tt.tensor([0]))
    with pytest.raises(RuntimeError, match="size does not match at dimension 0"):
        x.gather(1, tt.tensor([[0], [0], [0]]))


def test_index_select_picks_entries_along_a_dim_as_a_copy() -> None:
    x = tt.arange(12).reshape(3, 4)
    out = x.index_select(1, tt.tensor([3, 0, 3]))
    assert out.tolist() == [[3, 0, 3], [7, 4, 7], [11, 8, 11]]
    assert not shares(x, out)
    assert tt.index_select(x, 0, tt.tensor([2], dtype=tt.int32)).tolist() == [[8, 9, 10, 11]]
    with pytest.raises(IndexError, match=r"index_select: index out of range .*dim 1 has size 4"):
        x.index_select(1, tt.tensor([4]))
    with pytest.raises(IndexError, match="vector"):
        x.index_select(0, tt.tensor([[0]]))
    with pytest.raises(RuntimeError, match="index_select: expected dtype int32 or int64 for index"):
        x.index_select(0, tt.tensor([0.0]))


def test_index_put_writes_or_accumulates_into_a_copy() -> None:
    base = tt.zeros(3)
    put = tt.index_put(base, (tt.tensor([0, 2]),), tt.tensor([1.0, 3.0]))
    assert put.tolist() == [1.0, 0.0, 3.0]
    acc = tt.index_put(base, (tt.tensor([0, 0, 2]),), tt.tensor([1.0, 2.0, 3.0]), accumulate=True)
    assert acc.tolist() == [3.0, 0.0, 3.0]
    assert base.tolist() == [0.0, 0.0, 0.0]


def test_scatter_add_accumulates_repeated_indices() -> None:
    out = tt.scatter_add(tt.zeros(2, 3), 0, tt.tensor([[0, 1, 0], [0, 0, 1]]), tt.ones(2, 3))
    assert out.tolist() == [[2.0, 1.0, 1.0], [0.0, 1.0, 1.0]]
    ints = tt.scatter_add(
        tt.zeros(4, dtype=tt.int64), 0, tt.tensor([1, 1, 3]), tt.tensor([5, 6, 7])
    )
    assert ints.tolist() == [0, 11, 0, 7]


def test_gather_of_a_vector_with_a_0d_index_and_index_select_of_a_0d_tensor() -> None:
    out = tt.arange(5.0).gather(0, tt.tensor(3))
    assert out.shape == ()
    assert out.item() == 3.0
    x = tt.tensor(7.0)
    sel = x.index_select(0, tt.tensor([0]))
    assert sel.shape == ()
    assert sel.item() == 7.0
    sel.fill_(0.0)  # a copy
    assert x.item() == 7.0
    with pytest.raises(RuntimeError, match="Index to scalar can have only 1 value, got 2"):
        x.index_select(0, tt.tensor([0, 0]))
