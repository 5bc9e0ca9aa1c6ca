"""Indexing against PyTorch: ints, slices, None, Ellipsis, integer tensors and lists, bool masks
and their combinations; setitem; gather, index_select, scatter_add, index_put; in-place fills.
Basic indices give views and advanced ones copies: every case also writes through its result
and the helper compares the inputs afterwards."""

from __future__ import annotations

import numpy as np
import pytest

pytestmark = pytest.mark.parity

idx = np.array  # index tensors: NumPy arrays become tensors in each library


def write(view, value=100):
    view[...] = value
    return view


BASIC = {
    "int": lambda m, t: t[1],
    "neg_int": lambda m, t: t[-1],
    "int_int": lambda m, t: t[1, 2],
    "int_int_int": lambda m, t: t[1, 2, 3],
    "slice": lambda m, t: t[1:],
    "slice_step": lambda m, t: t[::2, 1:4:2],
    "slice_neg": lambda m, t: t[-2:, :-1],
    "slice_out_of_range": lambda m, t: t[1:10, 5:],
    "slice_empty": lambda m, t: t[2:1],
    "none": lambda m, t: t[None],
    "none_mid": lambda m, t: t[:, None, 1],
    "ellipsis": lambda m, t: t[...],
    "ellipsis_int": lambda m, t: t[..., 0],
    "ellipsis_mid": lambda m, t: t[0, ..., 1:3],
    "none_ellipsis_none": lambda m, t: t[None, ..., None],
    "int_slice_none": lambda m, t: t[1, :, None],
    "zero_dim_int_tensor": lambda m, t: t[m.tensor(1)],
}


@pytest.mark.parametrize("name", BASIC)
def test_basic_indexing_is_a_view(check, rand, name):
    x = rand(3, 4, 5)
    check(BASIC[name], x)
    check(lambda m, t: write(BASIC[name](m, t)), x)
    check(lambda m, t: BASIC[name](m, t), np.asfortranarray(x))


ADVANCED = {
    "int_tensor": lambda m, t, i: t[i],
    "int_tensor_dim1": lambda m, t, i: t[:, i],
    "int_tensor_last": lambda m, t, i: t[..., i],
    "two_tensors": lambda m, t, i: t[i, i],
    "tensor_int": lambda m, t, i: t[i, 2],
    "tensor_slice_tensor": lambda m, t, i: t[i, :, i],  # advanced dims split: moved to front
    "tensor_none": lambda m, t, i: t[None, i],
    "list": lambda m, t, i: t[[0, 2, 2]],
    "list_pair": lambda m, t, i: t[[0, 2], [1, 3]],
    "broadcast_2d_index": lambda m, t, i: t[i[:, None], i[None, :]],
    # An int is a select applied first (not an advanced index): the index dims keep their place.
    "int_slice_tensor": lambda m, t, i: t[1, :, i],
    "zero_dim_tensor_slice_tensor": lambda m, t, i: t[m.tensor(1), :, i],
    "none_int_slice_tensor": lambda m, t, i: t[None, 2, :, i],
    "int_ellipsis_tensor": lambda m, t, i: t[0, ..., i],
    "tensor_slice_int": lambda m, t, i: t[i, :, 1],
    "tensor_int_slice": lambda m, t, i: t[i, 1, 1:],
}


@pytest.mark.parametrize(
    "index", [idx([0, 2, 1, 2]), idx([-1, 0]), idx([[0, 1], [2, 2]]), idx([], np.int64)]
)
@pytest.mark.parametrize("name", ADVANCED)
def test_integer_tensor_indexing_is_a_copy(check, rand, name, index):
    if name == "broadcast_2d_index" and index.ndim != 1:
        index = index.reshape(-1)
    x = rand(3, 4, 5)
    check(ADVANCED[name], x, index)
    check(lambda m, t, i: write(ADVANCED[name](m, t, i)), x, index)
    check(ADVANCED[name], x, index.astype(np.int32))


MASKS = {
    "full": lambda m, t, mk: t[mk],
    "first_dim": lambda m, t, mk: t[mk[:, 0, 0]],
    "dim1": lambda m, t, mk: t[:, mk[0, :, 0]],
    "first_two_dims": lambda m, t, mk: t[mk[:, :, 0]],
    "mask_and_slice": lambda m, t, mk: t[mk[:, 0, 0], 1:],
    "mask_and_int": lambda m, t, mk: t[mk[:, 0, 0], 2],
    "ellipsis_mask": lambda m, t, mk: t[..., mk[0, 0, :]],
    "comparison": lambda m, t, mk: t[t > 0],
    "all_false": lambda m, t, mk: t[mk & False],
    "python_true": lambda m, t, mk: t[True],
    "python_false": lambda m, t, mk: t[False],
    "zero_dim_mask": lambda m, t, mk: t[m.tensor(True)],
}


@pytest.mark.parametrize("name", MASKS)
def test_bool_mask_indexing(check, rand, name):
    x, mask = rand(3, 4, 5), rand(3, 4, 5, dtype="bool")
    check(MASKS[name], x, mask)
    check(lambda m, t, mk: write(MASKS[name](m, t, mk)), x, mask)


def test_indexing_other_dtypes_and_0d(check, rand):
    check(lambda m, t: t[1:, 0], rand(3, 2, dtype="int64"))
    check(lambda m, t, mk: t[mk], rand(4, dtype="bool"), rand(4, dtype="bool"))
    check(lambda m, t: t[None], rand())
    check(lambda m, t: t[...], rand())
    check(lambda m, t: t[m.tensor(True)], rand())


def test_indexing_errors(check_raises, rand):
    x = rand(3, 4)
    check_raises(lambda m, t: t[3], x)
    check_raises(lambda m, t: t[:, -5], x)
    check_raises(lambda m, t: t[1, 2, 3], x)
    check_raises(lambda m, t: t[1.5], x)
    check_raises(lambda m, t, i: t[i], x, idx([0.0, 1.0], np.float32))
    check_raises(lambda m, t, i: t[i], x, idx([3]))
    check_raises(lambda m, t, i: t[i], x, idx([True, False]))
    check_raises(lambda m, t: t[::-1], x)
    check_raises(lambda m, t: t[m.tensor([0, 1]), m.tensor([0, 1, 2])], x)


# ----------------------------------------------------------------------- setitem
SET_INDEX = {
    "int": lambda m: 1,
    "slice": lambda m: slice(1, None),
    "int_slice": lambda m: (0, slice(None, None, 2)),
    "ellipsis": lambda m: Ellipsis,
    "none": lambda m: (None, 1),
    "int_tensor": lambda m: m.tensor([2, 0]),
    "list": lambda m: [0, 2],
    "mask": lambda m: m.tensor([True, False, True]),
    "mask_2d": lambda m: m.tensor([[True, False, True, False]] * 3),
    "tensor_pair": lambda m: (m.tensor([0, 2]), m.tensor([1, 3])),
    "int_tensor_on_3d": lambda m: (slice(None), m.tensor([1, 3])),
}


def test_setitem_with_an_int_then_a_slice_then_an_index_tensor(check, rand):
    def run(m, t, v):
        t[0, :, m.tensor([3, 1])] = v  # the value has PyTorch's (4, 2) layout
        t[1, :, m.tensor([0, 2])] = v[:, :1]  # broadcast along the index dim
        t[m.tensor(1), 1:, [1]] = -1.0
        return t

    check(run, rand(2, 4, 5), rand(4, 2))


@pytest.mark.parametrize("value", ["int", "float", "bool", "tensor0d", "row", "row_of_other_dtype"])
@pytest.mark.parametrize("index", SET_INDEX)
@pytest.mark.parametrize("dtype", ["float32", "int64"])
def test_setitem(check, rand, index, value, dtype):
    x = rand(3, 4, dtype=dtype)

    def run(m, t, *v):
        val = v[0] if v else {"int": -7, "float": 2.75, "bool": True}[value]
        t[SET_INDEX[index](m)] = val
        return t

    if value in ("int", "float", "bool"):
        check(run, x)
    elif value == "tensor0d":
        check(run, x, rand(dtype=dtype))
    elif value == "row":  # broadcast along the indexed elements, when the shapes allow it
        check(run, x, rand(4, dtype=dtype), or_raises=True)
    else:
        # Only basic indices: with advanced ones PyTorch refuses a value of another dtype
        # where tt converts it (see the differences module).
        other = "float64" if dtype == "int64" else "int32"
        basic = index in ("int", "slice", "int_slice", "ellipsis", "none")
        check(run, x, rand(4, dtype=other) if basic else rand(4, dtype=dtype), or_raises=True)


def test_setitem_through_views(check, rand):
    def run(m, t):
        v = t.t()[1:]
        v[0] = 5.0
        t.view(-1)[0] = -5.0
        return t

    check(run, rand(3, 4))


def test_setitem_errors(check_raises, rand):
    def shape_mismatch(m, t, v):
        t[0] = v

    def out_of_range(m, t):
        t[5] = 1.0

    check_raises(shape_mismatch, rand(3, 4), rand(3))
    check_raises(out_of_range, rand(3, 4))


# ----------------------------------------------------------------------- gather & co
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_gather(check, rand, dim):
    x = rand(3, 4)
    idx = rand(3, 4, dtype="int64", low=0, high=3)
    check(lambda m, t, i: t.gather(dim, i), x, idx)
    check(lambda m, t, i: m.gather(t, dim, i), x, idx)
    check(lambda m, t, i: t.gather(dim, i[:2, :3]), x, idx)  # index smaller than the input
    check(lambda m, t, i: t.gather(dim, i), x, idx.astype(np.int32))
    check(lambda m, t, i: t.gather(dim, i), rand(3, 4, dtype="int64"), idx)


def test_gather_of_a_1d_input_with_a_0d_index_and_index_select_of_a_0d_input(
    check, check_raises, rand
):
    check(lambda m, t, i: t.gather(0, i), rand(5), np.array(3))
    check(lambda m, t, i: t.gather(-1, i), rand(5, dtype="int64"), np.array(-0))
    check_raises(lambda m, t, i: t.gather(0, i), rand(2, 3), np.array(1))
    check(lambda m, t, i: t.index_select(0, i), rand(), np.array(0))
    check(lambda m, t, i: t.index_select(-1, i), rand(), np.array([0]))
    check_raises(lambda m, t, i: t.index_select(0, i), rand(), np.array([0, 0]))
    check_raises(lambda m, t, i: t.index_select(0, i), rand(), np.array([1]))


def test_gather_3d_and_empty(check, rand):
    x = rand(2, 3, 4)
    for dim in range(3):
        idx = rand(2, 3, 4, dtype="int64", low=0, high=2)
        check(lambda m, t, i, d=dim: t.gather(d, i), x, idx)
    check(lambda m, t, i: t.gather(1, i), rand(3, 4), np.zeros((3, 0), np.int64))


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_scatter_add(check, rand, dim):
    x, src = rand(3, 4), rand(3, 4)
    idx = rand(3, 4, dtype="int64", low=0, high=3)  # repeated indices accumulate
    check(lambda m, t, i, s: m.scatter_add(t, dim, i, s), x, idx, src)
    check(lambda m, t, i, s: m.scatter_add(t, dim, i[:2, :3], s), x, idx, src)
    check(lambda m, t, i, s: m.scatter_add(t, dim, i[:2, :2], s), x, idx, rand(2, 2))
    check(lambda m, t, i, s: m.scatter_add(t, dim, i, s), x, idx.astype(np.int32), src)
    check(
        lambda m, t, i, s: m.scatter_add(t, dim, i, s),
        rand(3, 4, dtype="int64"),
        idx,
        rand(3, 4, dtype="int64"),
    )


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_index_select(check, rand, dim):
    x = rand(3, 4)
    for index in (idx([0, 2, 2]), idx([1]), idx([], np.int64), idx(2)):
        check(lambda m, t, i: t.index_select(dim, i), x, index)
        check(lambda m, t, i: m.index_select(t, dim, i), x, index)
        check(lambda m, t, i: write(t.index_select(dim, i)), x, index)  # a copy
    check(lambda m, t, i: t.index_select(dim, i), x, idx([0, 2], np.int32))


@pytest.mark.parametrize("accumulate", [False, True])
def test_index_put(check, rand, accumulate):
    x = rand(3, 4)
    check(lambda m, t, i, v: m.index_put(t, (i,), v, accumulate), x, idx([0, 2]), rand(2, 4))
    check(lambda m, t, i, v: m.index_put(t, (i,), v, accumulate), x, idx([1]), rand(4))
    check(
        lambda m, t, i, j, v: m.index_put(t, (i, j), v, accumulate),
        x,
        idx([0, 2]),
        idx([3, 1]),
        rand(2),
    )
    # Repeated positions: accumulate adds them all (without accumulate the winner is
    # unspecified in PyTorch, so only accumulate is compared here).
    if accumulate:
        check(lambda m, t, i, v: m.index_put(t, (i,), v, True), x, idx([1, 1, 1]), rand(3, 4))


def test_gather_scatter_errors(check_raises, rand):
    x = rand(3, 4)
    check_raises(lambda m, t, i: t.gather(0, i), x, idx([[3]]))
    check_raises(lambda m, t, i: t.gather(0, i), x, idx([[-1]]))
    check_raises(lambda m, t, i: t.gather(1, i), x, idx([0, 1]))
    check_raises(lambda m, t, i: t.gather(0, i), x, idx([[0]], np.int16))
    check_raises(lambda m, t, i: t.gather(0, i), x, idx([[0.0]], np.float32))
    check_raises(lambda m, t, i: t.gather(2, i), x, idx([[0]]))
    check_raises(lambda m, t, i, s: m.scatter_add(t, 0, i, s), x, idx([[5]]), rand(1, 1))
    check_raises(lambda m, t, i, s: m.scatter_add(t, 0, i, s), x, idx([[0]], np.uint8), rand(1, 1))
    check_raises(lambda m, t, i: t.index_select(0, i), x, idx([3]))
    check_raises(lambda m, t, i: t.index_select(0, i), x, idx([-1]))
    check_raises(lambda m, t, i: t.index_select(0, i), x, idx([[0]]))
    check_raises(lambda m, t, i: t.index_select(0, i), x, idx([0], np.int16))
    check_raises(lambda m, t, i: t.index_select(0, i), x, idx([0.0], np.float32))


# ----------------------------------------------------------------------- in-place fills
@pytest.mark.parametrize("dtype", ["float32", "int64", "bool", "float16", "uint8"])
def test_fill_zero_copy(check, rand, dtype):
    x = rand(3, 4, dtype=dtype)
    check(lambda m, t: t.fill_(1), x)
    check(lambda m, t: t.fill_(True), x)
    check(lambda m, t: t.zero_(), x)
    check(lambda m, t: t[1:].fill_(0), x)  # through a view
    check(lambda m, t, s: t.copy_(s), x, rand(3, 4, dtype="float64"))
    check(lambda m, t, s: t.copy_(s), x, rand(4, dtype="int32"))  # broadcast
    check(lambda m, t, s: t.t().copy_(s), x, rand(4, 3, dtype=dtype))
    check(lambda m, t, s: t.fill_(s), x, rand(dtype=dtype))


def test_copy_errors(check_raises, rand):
    check_raises(lambda m, t, s: t.copy_(s), rand(3, 4), rand(3))
    check_raises(lambda m, t, s: t.copy_(s), rand(3), rand(2, 3))
