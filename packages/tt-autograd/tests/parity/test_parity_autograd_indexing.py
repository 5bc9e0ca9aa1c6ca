"""Gradients through indexing against PyTorch: basic and advanced getitem (repeated indices
accumulate), setitem and in-place writes into non-leaf tensors, index_put, gather,
scatter_add, index_select and masked_fill_."""

from __future__ import annotations

import numpy as np
import pytest

pytestmark = pytest.mark.parity

idx = np.array  # index tensors: NumPy arrays become tensors in each library

GETITEM = {
    "int": lambda m, t, i: t[1],
    "slice": lambda m, t, i: t[1:, ::2],
    "none_ellipsis": lambda m, t, i: t[None, ..., 0],
    "int_tensor": lambda m, t, i: t[i],
    "int_tensor_dim1": lambda m, t, i: t[:, i],
    "two_tensors": lambda m, t, i: t[i, i],
    "tensor_slice_tensor": lambda m, t, i: t[i, :, i],
    "list": lambda m, t, i: t[[0, 0, 2]],
    "mask": lambda m, t, i: t[t > 0],
    "mask_dim0": lambda m, t, i: t[m.tensor([True, False, True])],
    "zero_dim_tensor": lambda m, t, i: t[m.tensor(2)],
    "int_slice_tensor": lambda m, t, i: t[1, :, i],  # PyTorch keeps the index dim last
    "zero_dim_tensor_slice_tensor": lambda m, t, i: t[m.tensor(0), 1:, i],
    # a Python bool is a 0-d mask (an advanced index) wherever it stands
    "int_slice_tensor_bool": lambda m, t, i: t[1, :, i, True],
    "int_slice_bool_tensor": lambda m, t, i: t[1, :, True, i],
    "bool_int_slice_tensor": lambda m, t, i: t[True, 1, :, i],
}


@pytest.mark.parametrize("name", GETITEM)
def test_getitem(check, rand, name):
    x = rand(3, 4, 3)
    i = idx([2, 0, 2, 2])  # repeated: the gradients of the copies add up
    check(GETITEM[name], x, i, grad=True)
    check(GETITEM[name], np.asfortranarray(x.astype(np.float64)), i, grad=True)


def test_getitem_of_0d_and_empty(check, rand):
    check(lambda m, t: t[None][0], np.asarray(rand()), grad=True)
    check(lambda m, t: t[2:2].sum() + t[0], rand(3), grad=True)
    check(lambda m, t, i: t[i], rand(3), idx([], np.int64), grad=True)


SET_INDEX = {
    "int": lambda m: 1,
    "slice": lambda m: (slice(None), slice(1, 3)),
    "int_tensor": lambda m: m.tensor([2, 0]),
    "mask": lambda m: m.tensor([True, False, True]),
    "tensor_pair": lambda m: (m.tensor([0, 2]), m.tensor([1, 3])),
}


@pytest.mark.parametrize("value", ["scalar", "tensor"])
@pytest.mark.parametrize("index", SET_INDEX)
def test_setitem_into_a_non_leaf(check, rand, index, value):
    # y = x * 2 is not a leaf, so writing into it is recorded: x gets the gradient of the
    # positions not overwritten, the value the gradient of those that are.
    def run(m, x, *v):
        y = x * 2
        i = SET_INDEX[index](m)
        y[i] = v[0] if v else 5.0
        return y

    x = rand(3, 4)
    if value == "scalar":
        check(run, x, grad=True)
    else:
        shape = {"int": (4,), "slice": (3, 2), "int_tensor": (2, 4), "mask": (2, 4)}
        check(run, x, rand(*shape.get(index, (2,))), grad=True)


INPLACE = {
    "add_": lambda m, y, v: y.add_(v),
    "add_alpha": lambda m, y, v: y.add_(v, alpha=-2),
    "sub_": lambda m, y, v: y.sub_(v),
    "mul_": lambda m, y, v: y.mul_(v),
    "div_": lambda m, y, v: y.div_(v),
    "pow_": lambda m, y, v: y.abs().pow_(v),
    "iadd": lambda m, y, v: y.__iadd__(v),
    "imul": lambda m, y, v: y.__imul__(v),
    "clamp_": lambda m, y, v: y.clamp_(-0.5, 0.5) * v,
    "masked_fill_": lambda m, y, v: y.masked_fill_(v > 0, 0.25),
    "fill_": lambda m, y, v: y.fill_(1.5) * v,
    "zero_": lambda m, y, v: y.zero_() + v,
    "copy_": lambda m, y, v: y.copy_(v),
}


@pytest.mark.parametrize("name", INPLACE)
def test_inplace_on_a_non_leaf(check, rand, name):
    # In-place ops on a non-leaf rewrite its history (PyTorch's rebase): the gradient flows to
    # both the original input and the operand.
    check(
        lambda m, x, v: INPLACE[name](m, x * 1.5, v),
        rand(3, 4),
        rand(4, low=0.5, high=2),
        grad=True,
    )


def test_inplace_chain(check, rand):
    def run(m, x, v):
        y = x.sin()  # saves x, not y: writing into y is allowed
        y.mul_(v)
        y.add_(x)
        y[0] = y[1] * 2
        return y.sum(0) * y[2]

    check(run, rand(3, 4, dtype="float64"), rand(4, dtype="float64"), grad=True)


@pytest.mark.parametrize("accumulate", [False, True])
def test_index_put(check, rand, accumulate):
    x = rand(3, 4)
    check(
        lambda m, t, i, v: m.index_put(t, (i,), v, accumulate),
        x,
        idx([0, 2]),
        rand(2, 4),
        grad=True,
    )
    check(lambda m, t, i, v: m.index_put(t, (i,), v, accumulate), x, idx([1]), rand(4), grad=True)
    check(
        lambda m, t, i, j, v: m.index_put(t, (i, j), v, accumulate),
        x,
        idx([0, 2]),
        idx([3, 1]),
        rand(2),
        grad=True,
    )
    if accumulate:  # repeated positions: every value adds in
        check(
            lambda m, t, i, v: m.index_put(t, (i,), v, True),
            x,
            idx([1, 1, 0]),
            rand(3, 4),
            grad=True,
        )


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_gather(check, rand, dim):
    x = rand(3, 4)
    i = rand(3, 4, dtype="int64", low=0, high=3)  # repeated indices accumulate
    check(lambda m, t, j: t.gather(dim, j), x, i, grad=True)
    check(lambda m, t, j: t.gather(dim, j[:2, :3]), x, i, grad=True)
    check(lambda m, t, j: m.gather(t, dim, j), np.asfortranarray(x), i.astype(np.int32), grad=True)


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_scatter_add(check, rand, dim):
    x, src = rand(3, 4), rand(3, 4)
    i = rand(3, 4, dtype="int64", low=0, high=3)
    check(lambda m, t, j, s: m.scatter_add(t, dim, j, s), x, i, src, grad=True)
    # An index smaller than src in the gradient of src: see the differences module.
    check(lambda m, t, j, s: m.scatter_add(t, dim, j[:2, :2], s), x, i, rand(2, 2), grad=True)
    check(lambda m, t, j, s: m.scatter_add(t, dim, j[:2, :3], s.detach()), x, i, src, grad=True)


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_index_select(check, rand, dim):
    x = rand(3, 4, dtype="float64")
    for index in (idx([0, 2, 2]), idx([1]), idx(2), idx([0, 1], np.int32)):
        check(lambda m, t, i: t.index_select(dim, i), x, index, grad=True)
