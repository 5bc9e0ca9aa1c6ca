"""Hypothesis properties: broadcasting equals NumPy's, shape ops invert, layout does not matter."""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

import hypothesis.extra.numpy as hnp
import numpy as np
from hypothesis import example, given, settings
from hypothesis import strategies as st

import tt_tensor as tt

# Deterministic (derandomized, no example database) and modest, so the suite stays fast.
PROPS = settings(max_examples=50, deadline=None, derandomize=True, database=None)

FLOATS = st.floats(-100, 100, width=32, allow_nan=False, allow_infinity=False)
INTS = st.integers(-50, 50)


def float_arrays(shape: tuple[int, ...]) -> st.SearchStrategy[np.ndarray]:
    return hnp.arrays(np.float32, shape, elements=FLOATS)


def int_arrays(shape: tuple[int, ...]) -> st.SearchStrategy[np.ndarray]:
    return hnp.arrays(np.int64, shape, elements=INTS)


@st.composite
def broadcastable_pair(
    draw: st.DrawFn, arrays: Callable[[tuple[int, ...]], st.SearchStrategy[np.ndarray]]
) -> tuple[np.ndarray, np.ndarray]:
    shapes = draw(
        hnp.mutually_broadcastable_shapes(
            num_shapes=2, min_dims=0, max_dims=4, min_side=0, max_side=4
        )
    )
    a, b = shapes.input_shapes
    return draw(arrays(a)), draw(arrays(b))


FLOAT_OPS: dict[str, Callable[[Any, Any], Any]] = {
    "add": operator.add,
    "sub": operator.sub,
    "mul": operator.mul,
    "truediv": operator.truediv,
    "lt": operator.lt,
    "eq": operator.eq,
    "ge": operator.ge,
}


def _numpy(op: Callable[[Any, Any], Any], a: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(all="ignore"):
        return np.asarray(op(a, b))


@PROPS
@given(pair=broadcastable_pair(float_arrays), name=st.sampled_from(sorted(FLOAT_OPS)))
@example(pair=(np.array(2.0, np.float32), np.ones(3, np.float32)), name="sub")  # 0-d with 1-d
@example(pair=(np.array(2.0, np.float32), np.array(4.0, np.float32)), name="truediv")  # 0-d
@example(pair=(np.zeros((0, 3), np.float32), np.ones((2, 1, 1), np.float32)), name="mul")  # empty
def test_float_binary_ops_broadcast_exactly_like_numpy(
    pair: tuple[np.ndarray, np.ndarray], name: str
) -> None:
    a, b = pair
    op = FLOAT_OPS[name]
    out = op(tt.tensor(a), tt.tensor(b))
    want = _numpy(op, a, b)
    assert out.shape == want.shape
    assert out.numpy().dtype == want.dtype
    np.testing.assert_allclose(out.numpy(), want, rtol=1e-6, equal_nan=True)


@PROPS
@given(pair=broadcastable_pair(int_arrays))
@example(pair=(np.zeros((2, 0), np.int64), np.array(3, np.int64)))
@example(pair=(np.array(-3, np.int64), np.arange(4, dtype=np.int64)))
def test_int_binary_ops_broadcast_exactly_like_numpy(pair: tuple[np.ndarray, np.ndarray]) -> None:
    a, b = pair
    x, y = tt.tensor(a), tt.tensor(b)
    for op in (operator.add, operator.sub, operator.mul):
        out = op(x, y)
        assert out.dtype is tt.int64
        np.testing.assert_array_equal(out.numpy(), op(a, b))
    np.testing.assert_array_equal(tt.maximum(x, y).numpy(), np.maximum(a, b))
    np.testing.assert_array_equal(tt.minimum(x, y).numpy(), np.minimum(a, b))
    np.testing.assert_array_equal(tt.where(x > y, x, y).numpy(), np.where(a > b, a, b))
    div = x / y
    assert div.dtype is tt.float32
    assert div.shape == np.broadcast_shapes(a.shape, b.shape)


@PROPS
@given(pair=broadcastable_pair(float_arrays))
def test_reflected_and_in_place_forms_agree_with_the_plain_ones(
    pair: tuple[np.ndarray, np.ndarray],
) -> None:
    a, b = pair
    x, y = tt.tensor(a), tt.tensor(b)
    np.testing.assert_array_equal((a + y).numpy(), (x + y).numpy())  # ndarray on the left
    shape = np.broadcast_shapes(a.shape, b.shape)
    if shape == a.shape:  # in place is allowed when the target already has the result shape
        z = x.clone()
        z += y
        np.testing.assert_array_equal(z.numpy(), (x + y).numpy())


# ----------------------------------------------------------------------- shape op identities
@st.composite
def tensors(draw: st.DrawFn, min_dims: int = 0, max_dims: int = 4) -> np.ndarray:
    shape = draw(hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=0, max_side=4))
    return draw(float_arrays(shape))


@PROPS
@given(a=tensors(), data=st.data())
def test_reshape_round_trip_is_the_identity(a: np.ndarray, data: st.DataObject) -> None:
    x = tt.tensor(a)
    n = a.size
    divisors = [d for d in range(1, n + 1) if n % d == 0] or [1]
    first = data.draw(st.sampled_from(divisors))
    y = x.reshape(first, -1)
    assert y.shape == (first, n // first)
    back = y.reshape(a.shape)
    assert back.shape == a.shape
    np.testing.assert_array_equal(back.numpy(), a)
    np.testing.assert_array_equal(x.view(-1).numpy(), a.reshape(-1))


@PROPS
@given(a=tensors(min_dims=1), data=st.data())
def test_permute_then_inverse_permute_is_the_identity(a: np.ndarray, data: st.DataObject) -> None:
    perm = data.draw(st.permutations(range(a.ndim)))
    inverse = list(np.argsort(perm))
    x = tt.tensor(a)
    p = x.permute(*perm)
    np.testing.assert_array_equal(p.numpy(), a.transpose(perm))
    back = p.permute(*inverse)
    assert back.shape == a.shape
    np.testing.assert_array_equal(back.numpy(), a)
    assert np.shares_memory(back.numpy(), x.numpy()) or a.size == 0


@PROPS
@given(a=tensors(min_dims=1), data=st.data())
def test_transpose_twice_and_flip_twice_are_the_identity(
    a: np.ndarray, data: st.DataObject
) -> None:
    d0 = data.draw(st.integers(-a.ndim, a.ndim - 1))
    d1 = data.draw(st.integers(-a.ndim, a.ndim - 1))
    x = tt.tensor(a)
    np.testing.assert_array_equal(x.transpose(d0, d1).transpose(d0, d1).numpy(), a)
    np.testing.assert_array_equal(x.transpose(d0, d1).numpy(), np.swapaxes(a, d0, d1))
    dims = data.draw(st.lists(st.integers(0, a.ndim - 1), unique=True, max_size=a.ndim))
    f = x.flip(*dims) if dims else x.flip(())
    np.testing.assert_array_equal(f.numpy(), np.flip(a, dims) if dims else a)
    np.testing.assert_array_equal((f.flip(*dims) if dims else f).numpy(), a)


@PROPS
@given(a=tensors(min_dims=1), data=st.data())
def test_split_then_cat_is_the_identity(a: np.ndarray, data: st.DataObject) -> None:
    dim = data.draw(st.integers(0, a.ndim - 1))
    size = data.draw(st.integers(1, max(a.shape[dim], 1)))
    x = tt.tensor(a)
    parts = x.split(size, dim)
    assert all(p.shape[dim] <= size for p in parts)
    np.testing.assert_array_equal(tt.cat(parts, dim).numpy(), a)
    chunks = data.draw(st.integers(1, 5))
    np.testing.assert_array_equal(tt.cat(x.chunk(chunks, dim), dim).numpy(), a)


@PROPS
@given(a=tensors(), data=st.data())
def test_unsqueeze_then_squeeze_is_the_identity(a: np.ndarray, data: st.DataObject) -> None:
    dim = data.draw(st.integers(-a.ndim - 1, a.ndim))
    x = tt.tensor(a)
    u = x.unsqueeze(dim)
    np.testing.assert_array_equal(u.numpy(), np.expand_dims(a, dim))
    back = u.squeeze(dim)
    assert back.shape == a.shape
    np.testing.assert_array_equal(back.numpy(), a)


@PROPS
@given(a=tensors(min_dims=1, max_dims=3), data=st.data())
def test_unfold_equals_a_sliding_window_view(a: np.ndarray, data: st.DataObject) -> None:
    dim = data.draw(st.integers(0, a.ndim - 1))
    size = data.draw(st.integers(0, a.shape[dim]))
    step = data.draw(st.integers(1, 3))
    u = tt.tensor(a).unfold(dim, size, step)
    want = np.lib.stride_tricks.sliding_window_view(a, size, axis=dim)
    want = want[(slice(None),) * dim + (slice(None, None, step),)]
    assert u.shape == want.shape
    np.testing.assert_array_equal(u.numpy(), want)


# ----------------------------------------------------------------------- layout independence
@st.composite
def strided(draw: st.DrawFn) -> tuple[tt.Tensor, np.ndarray]:
    """A non-contiguous tensor (permuted, step-sliced or expanded) and its values."""
    a = draw(tensors(min_dims=2, max_dims=3))
    x = tt.tensor(a)
    kind = draw(st.sampled_from(["permute", "slice", "expand", "flip"]))
    if kind == "permute":
        perm = draw(st.permutations(range(a.ndim)))
        return x.permute(*perm), a.transpose(perm)
    if kind == "slice":
        index = (slice(None, None, 2), Ellipsis, slice(None, None, 2))
        return x[index], a[index]
    if kind == "flip":
        return x.flip(0), np.flip(a, 0)
    if a.shape[1] == 0:  # nothing to expand from: an empty tensor is contiguous anyway
        return x.T, a.T
    col = a[:, :1]
    target = (a.shape[0], 3, *a.shape[2:])
    return tt.tensor(col).expand(*target), np.broadcast_to(col, target)


@PROPS
@given(pair=strided())
def test_non_contiguous_inputs_give_the_same_results_as_contiguous_copies(
    pair: tuple[tt.Tensor, np.ndarray],
) -> None:
    x, values = pair
    c = x.contiguous()
    np.testing.assert_array_equal(c.numpy(), values)
    assert c.is_contiguous()

    def same(fn: Callable[[tt.Tensor], tt.Tensor]) -> None:
        got, want = fn(x), fn(c)
        assert got.shape == want.shape
        assert got.dtype is want.dtype
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-5, atol=1e-5)

    same(lambda t: t + 1.5)
    same(lambda t: t * t)
    same(lambda t: (t / 100).exp())
    same(lambda t: t.sum(-1))
    same(lambda t: t.amax(0) if t.shape[0] else t.sum(0))
    same(lambda t: t.cumsum(0))
    same(lambda t: t.reshape(-1))
    same(lambda t: t.flatten(1))
    same(lambda t: t.clone())
    same(lambda t: t.T)
    same(lambda t: t[..., :1])
    same(lambda t: t.flip(-1))
    same(lambda t: tt.cat([t, t], -1))
    same(lambda t: t.softmax(-1))
    same(lambda t: t.mT @ t)
    same(lambda t: (t > 0).all(-1))
