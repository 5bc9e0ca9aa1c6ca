"""Shape operations: results, views versus copies (as documented in shape.py), version counters."""

from __future__ import annotations

import numpy as np
import pytest

import tt_tensor as tt


def shares(a: tt.Tensor, b: tt.Tensor) -> bool:
    return bool(np.shares_memory(a.numpy(), b.numpy()))


@pytest.fixture
def x() -> tt.Tensor:
    return tt.arange(24.0).reshape(2, 3, 4)


def ref(x: tt.Tensor) -> np.ndarray:
    return x.numpy().copy()


# ----------------------------------------------------------------------- reshape / view
def test_reshape_of_a_contiguous_tensor_is_a_view(x: tt.Tensor) -> None:
    y = x.reshape(6, 4)
    assert y.shape == (6, 4)
    assert shares(x, y)
    np.testing.assert_array_equal(y.numpy(), ref(x).reshape(6, 4))
    assert x.reshape((4, -1)).shape == (4, 6)
    assert x.reshape(-1).shape == (24,)
    assert tt.reshape(x, (3, 8)).shape == (3, 8)
    assert x.reshape_as(tt.zeros(12, 2)).shape == (12, 2)


def test_reshape_of_a_permuted_tensor_copies(x: tt.Tensor) -> None:
    p = x.permute(2, 0, 1)
    y = p.reshape(-1)
    assert not shares(x, y)
    np.testing.assert_array_equal(y.numpy(), ref(x).transpose(2, 0, 1).reshape(-1))


def test_reshape_rejects_bad_shapes(x: tt.Tensor) -> None:
    with pytest.raises(
        RuntimeError, match=r"reshape: shape \[5, 5\] is invalid for input of size 24"
    ):
        x.reshape(5, 5)
    with pytest.raises(RuntimeError, match="only one dimension can be inferred"):
        x.reshape(-1, -1)
    with pytest.raises(TypeError, match="sizes must be ints"):
        x.reshape(2.0, 12)


def test_view_shares_memory_and_raises_when_impossible(x: tt.Tensor) -> None:
    v = x.view(6, -1)
    assert v.shape == (6, 4)
    assert shares(x, v)
    assert x.view_as(tt.zeros(4, 6)).shape == (4, 6)
    with pytest.raises(RuntimeError, match=r"view: view size \[24\] is not compatible.*reshape"):
        x.permute(2, 0, 1).view(-1)
    with pytest.raises(RuntimeError, match="view"):
        x.transpose(1, 2).view(2, 12)


def test_view_of_a_non_contiguous_tensor_works_when_the_strides_allow(x: tt.Tensor) -> None:
    t = x.transpose(0, 1)  # (3, 2, 4): the last dim is still contiguous
    v = t.view(3, 2, 2, 2)
    assert shares(x, v)
    np.testing.assert_array_equal(v.numpy(), ref(x).transpose(1, 0, 2).reshape(3, 2, 2, 2))


def test_view_with_a_dtype_reinterprets_the_bytes(x: tt.Tensor) -> None:
    # (Was "converts", a documented difference; now PyTorch's bit reinterpretation.)
    wide = x.view(tt.float64)
    assert wide.dtype is tt.float64
    assert wide.shape == (2, 3, 2)  # last dim halved
    assert shares(x, wide)
    assert tt.tensor([1.0, 2.0]).view(tt.int32).tolist() == [1065353216, 1073741824]
    assert tt.tensor([1.0]).view(tt.float16).tolist() == [0.0, 1.875]
    b = tt.tensor([1.0, 2.0])
    b.view(tt.int32)[0] = 0  # writes through: the float 0.0 has all bits zero
    assert b.tolist() == [0.0, 2.0]
    with pytest.raises(RuntimeError, match=r"size\(-1\) must be divisible by 2"):
        tt.zeros(3).view(tt.float64)
    with pytest.raises(RuntimeError, match=r"stride\(-1\) must be 1"):
        tt.zeros(4, 2).t().view(tt.float16)
    with pytest.raises(RuntimeError, match=r"dim\(\) cannot be 0"):
        tt.zeros(()).view(tt.float16)


def test_flatten_and_unflatten(x: tt.Tensor) -> None:
    assert x.flatten().shape == (24,)
    assert x.flatten(1).shape == (2, 12)
    assert x.flatten(0, 1).shape == (6, 4)
    assert shares(x, x.flatten())
    assert tt.flatten(x, -2).shape == (2, 12)
    assert tt.tensor(3.0).flatten().shape == (1,)
    assert tt.zeros(2, 0, 3).flatten(1).shape == (2, 0)
    assert tt.zeros(0, 1).flatten(1).shape == (0, 1)  # the merged size is not inferred from 0
    assert tt.zeros(0, 2, 3).flatten(1).shape == (0, 6)
    u = x.unflatten(2, (2, -1))
    assert u.shape == (2, 3, 2, 2)
    np.testing.assert_array_equal(u.numpy(), ref(x).reshape(2, 3, 2, 2))
    with pytest.raises(RuntimeError, match="flatten: start_dim cannot come after end_dim"):
        x.flatten(2, 1)


# ----------------------------------------------------------------------- squeeze / unsqueeze
def test_squeeze_removes_size_one_dims() -> None:
    x = tt.zeros(2, 1, 3, 1)
    assert x.squeeze().shape == (2, 3)
    assert x.squeeze(1).shape == (2, 3, 1)
    assert x.squeeze(-1).shape == (2, 1, 3)
    assert x.squeeze((1, 3)).shape == (2, 3)
    assert x.squeeze(0).shape == (2, 1, 3, 1)  # size 2: unchanged, as in PyTorch
    assert shares(x, x.squeeze())
    assert tt.squeeze(tt.zeros(1, 1)).shape == ()


def test_unsqueeze_inserts_a_size_one_dim(x: tt.Tensor) -> None:
    assert x.unsqueeze(0).shape == (1, 2, 3, 4)
    assert x.unsqueeze(3).shape == (2, 3, 4, 1)
    assert x.unsqueeze(-1).shape == (2, 3, 4, 1)
    assert x.unsqueeze(-4).shape == (1, 2, 3, 4)
    assert tt.tensor(1.0).unsqueeze(0).shape == (1,)
    assert shares(x, x.unsqueeze(1))
    assert tt.unsqueeze(x, 1).shape == (2, 1, 3, 4)


def test_unsqueeze_out_of_range_names_the_tensors_ndim(x: tt.Tensor) -> None:
    with pytest.raises(
        IndexError, match=r"unsqueeze: dim 4 is out of range for a tensor with 3 dims .*\[-4, 3\]"
    ):
        x.unsqueeze(4)
    with pytest.raises(IndexError, match=r"dim -5 .* 3 dims"):
        x.unsqueeze(-5)


# ----------------------------------------------------------------------- transpose / permute
def test_transpose_and_permute_are_views(x: tt.Tensor) -> None:
    t = x.transpose(0, 2)
    assert t.shape == (4, 3, 2)
    assert shares(x, t)
    np.testing.assert_array_equal(t.numpy(), ref(x).swapaxes(0, 2))
    p = x.permute(1, 2, 0)
    assert p.shape == (3, 4, 2)
    np.testing.assert_array_equal(p.numpy(), ref(x).transpose(1, 2, 0))
    assert x.permute((2, 1, 0)).shape == (4, 3, 2)
    assert tt.permute(x, (0, -1, 1)).shape == (2, 4, 3)
    assert x.swapaxes(0, 1).shape == (3, 2, 4)
    assert tt.transpose(x, -1, -2).shape == (2, 4, 3)


def test_T_reverses_all_dims_and_mT_swaps_the_last_two(x: tt.Tensor) -> None:
    assert x.T.shape == (4, 3, 2)
    np.testing.assert_array_equal(x.T.numpy(), ref(x).T)
    assert x.mT.shape == (2, 4, 3)
    np.testing.assert_array_equal(x.mT.numpy(), ref(x).swapaxes(-1, -2))
    assert shares(x, x.mT)
    m = tt.arange(6).reshape(2, 3)
    assert m.t().tolist() == [[0, 3], [1, 4], [2, 5]]
    assert tt.t(m).shape == (3, 2)
    assert tt.ones(3).t().shape == (3,)
    with pytest.raises(RuntimeError, match="t: expects a tensor with <= 2 dimensions"):
        x.t()
    with pytest.raises(RuntimeError, match="mT"):
        tt.ones(3).mT  # noqa: B018


def test_transpose_of_a_zero_dim_tensor_is_itself() -> None:
    s = tt.tensor(2.0)
    assert tt.transpose(s, 0, -1) is s


def test_permute_checks_its_dims(x: tt.Tensor) -> None:
    with pytest.raises(RuntimeError, match="permute: number of dims don't match"):
        x.permute(0, 1)
    with pytest.raises(RuntimeError, match="duplicate dims"):
        x.permute(0, 1, 1)
    with pytest.raises(IndexError, match=r"transpose: dim 3 is out of range for a tensor with 3"):
        x.transpose(0, 3)


def test_movedim(x: tt.Tensor) -> None:
    m = tt.movedim(x, 0, 2)
    assert m.shape == (3, 4, 2)
    np.testing.assert_array_equal(m.numpy(), np.moveaxis(ref(x), 0, 2))
    assert shares(x, m)


# ----------------------------------------------------------------------- expand
def test_expand_is_a_read_only_stride_zero_view() -> None:
    x = tt.tensor([[1.0], [2.0]])
    e = x.expand(2, 3)
    assert e.shape == (2, 3)
    assert e.stride() == (1, 0)
    assert shares(x, e)
    assert e.tolist() == [[1.0] * 3, [2.0] * 3]
    assert x.expand(4, -1, 3).shape == (4, 2, 3)
    assert x.expand_as(tt.zeros(2, 5)).shape == (2, 5)
    assert tt.ones(3).broadcast_to((2, 3)).shape == (2, 3)
    assert tt.expand(x, (2, 2)).shape == (2, 2)
    same = x.expand(2, 1)
    assert same.shape == (2, 1)
    assert shares(x, same)


def test_expand_checks_sizes() -> None:
    x = tt.zeros(2, 3)
    with pytest.raises(RuntimeError, match=r"expand: the expanded size of the tensor \(4\) must"):
        x.expand(4, 3)
    with pytest.raises(RuntimeError, match="number of sizes provided"):
        x.expand(3)
    with pytest.raises(RuntimeError, match="leading, non-existing dimension"):
        x.expand(-1, 2, 3)


def test_writing_into_an_expanded_tensor_raises_a_clear_error() -> None:
    e = tt.ones(3).expand(2, 3)
    for write in (
        lambda: e.add_(1.0),
        lambda: e.__setitem__(0, 5.0),
        lambda: e.fill_(0.0),
        lambda: e.mul_(tt.ones(2, 3)),
    ):
        with pytest.raises(RuntimeError, match=r"read-only view.*\.clone\(\)"):
            write()
    assert e.tolist() == [[1.0] * 3] * 2
    c = e.clone()
    c += 1
    assert c.tolist() == [[2.0] * 3] * 2


def test_writing_into_read_only_numpy_memory_raises() -> None:
    a = np.ones(3)
    a.flags.writeable = False
    t = tt.from_numpy(a)
    with pytest.raises(RuntimeError, match="read-only"):
        t += 1


# ----------------------------------------------------------------------- contiguous / clone
def test_contiguous_returns_self_or_a_copy(x: tt.Tensor) -> None:
    assert x.contiguous() is x
    t = x.T
    c = t.contiguous()
    assert c.is_contiguous()
    assert not shares(x, c)
    np.testing.assert_array_equal(c.numpy(), ref(x).T)


# ----------------------------------------------------------------------- cat / stack / split
def test_cat_joins_along_a_dim_and_copies() -> None:
    a, b = tt.ones(2, 3), tt.zeros(2, 4)
    c = tt.cat([a, b], 1)
    assert c.shape == (2, 7)
    assert not shares(a, c)
    assert c.tolist() == [[1.0] * 3 + [0.0] * 4] * 2
    assert tt.cat((a, a)).shape == (4, 3)
    assert tt.cat([a, a], dim=-2).shape == (4, 3)
    assert tt.concat([a, a]).shape == (4, 3)
    assert tt.concatenate([a, a], 1).shape == (2, 6)


def test_cat_promotes_dtypes() -> None:
    out = tt.cat([tt.tensor([1, 2]), tt.tensor([0.5])])
    assert out.dtype is tt.float32
    assert out.tolist() == [1.0, 2.0, 0.5]
    assert tt.cat([tt.ones(1, dtype=tt.int8), tt.ones(1, dtype=tt.uint8)]).dtype is tt.int16


def test_cat_errors_name_the_problem() -> None:
    with pytest.raises(RuntimeError, match=r"cat: sizes of tensors must match except in dim"):
        tt.cat([tt.ones(2, 3), tt.ones(3, 4)], 1)
    with pytest.raises(RuntimeError, match="same number of dimensions: got 2 and 1"):
        tt.cat([tt.ones(2, 3), tt.ones(3)])
    with pytest.raises(ValueError, match="cat: expected a non-empty list of Tensors"):
        tt.cat([])
    with pytest.raises(RuntimeError, match="zero-dimensional"):
        tt.cat([tt.tensor(1.0), tt.tensor(2.0)])
    with pytest.raises(TypeError, match="element 1"):
        tt.cat([tt.ones(1), [1.0]])  # type: ignore[list-item]


def test_stack_adds_a_new_dim() -> None:
    a, b = tt.tensor([1, 2]), tt.tensor([3, 4])
    assert tt.stack([a, b]).tolist() == [[1, 2], [3, 4]]
    assert tt.stack([a, b], 1).tolist() == [[1, 3], [2, 4]]
    assert tt.stack([a, b], -1).shape == (2, 2)
    assert tt.stack([tt.tensor(1.0), tt.tensor(2.0)]).shape == (2,)
    with pytest.raises(RuntimeError, match=r"stack: expects each tensor to be equal size"):
        tt.stack([tt.ones(2), tt.ones(3)])
    with pytest.raises(IndexError, match=r"stack: dim 2 is out of range for a tensor with 1 dims"):
        tt.stack([a, b], 2)


def test_split_by_size_and_by_sizes_gives_views() -> None:
    x = tt.arange(10).reshape(5, 2)
    parts = x.split(2)
    assert [p.shape for p in parts] == [(2, 2), (2, 2), (1, 2)]
    assert all(shares(x, p) for p in parts)
    assert [p.tolist() for p in tt.split(tt.arange(5), [2, 3])] == [[0, 1], [2, 3, 4]]
    cols = x.split(1, dim=1)
    assert [c.tolist() for c in cols] == [[[0], [2], [4], [6], [8]], [[1], [3], [5], [7], [9]]]
    with pytest.raises(RuntimeError, match="split_sizes to sum exactly to 5"):
        tt.split(tt.arange(5), [2, 2])
    with pytest.raises(RuntimeError, match="split_size must be positive"):
        tt.arange(5).split(0)


def test_chunk_and_unbind() -> None:
    x = tt.arange(5)
    assert [c.tolist() for c in x.chunk(3)] == [[0, 1], [2, 3], [4]]
    assert [c.tolist() for c in tt.chunk(x, 2)] == [[0, 1, 2], [3, 4]]
    assert len(x.chunk(10)) == 5
    assert all(shares(x, c) for c in x.chunk(2))
    with pytest.raises(RuntimeError, match="chunks must be greater than 0"):
        x.chunk(0)
    m = tt.arange(6).reshape(2, 3)
    rows = tt.unbind(m)
    assert [r.tolist() for r in rows] == [[0, 1, 2], [3, 4, 5]]
    assert [c.tolist() for c in m.unbind(1)] == [[0, 3], [1, 4], [2, 5]]
    assert all(shares(m, r) for r in rows)


# ----------------------------------------------------------------------- pad / flip / repeat
def test_pad_with_a_constant_copies() -> None:
    x = tt.tensor([[1.0, 2.0], [3.0, 4.0]])
    p = tt.pad(x, (1, 2))
    assert p.shape == (2, 5)
    assert p.tolist() == [[0.0, 1.0, 2.0, 0.0, 0.0], [0.0, 3.0, 4.0, 0.0, 0.0]]
    assert not shares(x, p)
    q = tt.pad(x, (0, 1, 1, 0), value=-1.0)
    assert q.tolist() == [[-1.0, -1.0, -1.0], [1.0, 2.0, -1.0], [3.0, 4.0, -1.0]]
    np.testing.assert_array_equal(
        tt.pad(tt.ones(2, 3, 4), (1, 1, 2, 0)).numpy(),
        np.pad(np.ones((2, 3, 4), np.float32), ((0, 0), (2, 0), (1, 1))),
    )


def test_negative_pad_crops_and_still_copies() -> None:
    x = tt.arange(5.0)
    assert tt.pad(x, (-1, -1)).tolist() == [1.0, 2.0, 3.0]
    assert tt.pad(x, (1, -2)).tolist() == [0.0, 0.0, 1.0, 2.0]
    assert tt.pad(tt.ones(2, 3), (-1, -1)).shape == (2, 1)
    for widths in ((-1, -1), (0, 0), (1, -2)):
        assert not shares(x, tt.pad(x, widths)), widths
    with pytest.raises(RuntimeError, match="pad: narrow\\(\\): length must be non-negative"):
        tt.pad(tt.ones(2), (-2, -1))
    # PyTorch crops before it pads: the crop alone must fit, even if the padding would refill.
    with pytest.raises(RuntimeError, match="cropping 0 and 4 from dim 0 of size 3"):
        tt.pad(tt.ones(3), (2, -4))


def test_pad_argument_checks() -> None:
    with pytest.raises(RuntimeError, match="padding length must be even"):
        tt.pad(tt.ones(2), (1, 1, 1))
    with pytest.raises(NotImplementedError, match="reflect"):
        tt.pad(tt.ones(2), (1, 1), mode="reflect")


def test_flip_reverses_and_is_a_view(x: tt.Tensor) -> None:
    f = x.flip(0, 2)
    np.testing.assert_array_equal(f.numpy(), np.flip(ref(x), (0, 2)))
    assert shares(x, f)
    assert tt.flip(x, (1,)).tolist() == np.flip(ref(x), 1).tolist()
    assert x.flip(-1)[0, 0].tolist() == [3.0, 2.0, 1.0, 0.0]


def test_repeat_tiles_and_copies() -> None:
    x = tt.tensor([[1, 2], [3, 4]])
    r = x.repeat(2, 3)
    assert r.shape == (4, 6)
    np.testing.assert_array_equal(r.numpy(), np.tile(x.numpy(), (2, 3)))
    assert not shares(x, r)
    r3 = x.repeat(2, 1, 1)
    assert r3.shape == (2, 2, 2)
    np.testing.assert_array_equal(r3.numpy(), np.tile(x.numpy(), (2, 1, 1)))
    assert tt.repeat(tt.tensor([1, 2]), (2,)).tolist() == [1, 2, 1, 2]
    with pytest.raises(RuntimeError, match="repeat: number of dimensions of repeat dims"):
        x.repeat(2)


# ----------------------------------------------------------------------- unfold
def _windows(a: np.ndarray, dim: int, size: int, step: int) -> np.ndarray:
    """Sliding windows along ``dim`` by explicit slicing (the reference)."""
    n = (a.shape[dim] - size) // step + 1
    wins = [np.take(a, range(i * step, i * step + size), axis=dim) for i in range(n)]
    # each window has `size` at position dim; move it last and stack windows at dim
    wins = [np.moveaxis(w, dim, -1) for w in wins]
    return np.stack(wins, axis=dim)


@pytest.mark.parametrize(
    ("dim", "size", "step"), [(0, 1, 1), (1, 2, 1), (2, 2, 2), (2, 3, 1), (-1, 4, 3), (1, 3, 2)]
)
def test_unfold_matches_a_sliding_window_reference(dim: int, size: int, step: int) -> None:
    a = np.arange(2 * 3 * 4, dtype=np.float32).reshape(2, 3, 4)
    x = tt.tensor(a)
    u = x.unfold(dim, size, step)
    want = _windows(a, dim % 3, size, step)
    assert u.shape == want.shape
    np.testing.assert_array_equal(u.numpy(), want)
    assert shares(x, u)


def test_unfold_of_a_sequence_gives_overlapping_windows() -> None:
    x = tt.arange(6)
    assert x.unfold(0, 3, 2).tolist() == [[0, 1, 2], [2, 3, 4]]
    assert x.unfold(0, 2, 1).shape == (5, 2)
    assert tt.unfold(x, 0, 6, 1).tolist() == [[0, 1, 2, 3, 4, 5]]


def test_unfold_of_a_zero_dim_tensor() -> None:
    assert tt.tensor(5.0).unfold(0, 1, 1).tolist() == [5.0]
    assert tt.tensor(5.0).unfold(0, 0, 1).shape == (0,)


def test_unfold_checks_size_and_step() -> None:
    with pytest.raises(RuntimeError, match="unfold: maximum size for tensor at dimension 0 is 4"):
        tt.ones(4).unfold(0, 5, 1)
    with pytest.raises(RuntimeError, match="step is 0 but must be > 0"):
        tt.ones(4).unfold(0, 2, 0)


# ----------------------------------------------------------------------- version counter
def test_in_place_writes_bump_the_version_and_views_share_it(x: tt.Tensor) -> None:
    assert x._version == 0
    v = x.reshape(6, 4)
    t = x.transpose(0, 1)
    s = x[0]
    x.add_(1.0)
    assert x._version == v._version == t._version == s._version == 1
    s.mul_(2.0)
    assert x._version == v._version == 2
    x[1, 2, 3] = 0.0
    assert s._version == 3
    np.testing.assert_array_equal(x.numpy()[0], (np.arange(12.0).reshape(3, 4) + 1) * 2)


def test_copies_have_their_own_version_counter(x: tt.Tensor) -> None:
    c = x.clone()
    adv = x[tt.tensor([0, 1])]
    p = x.permute(2, 0, 1).reshape(-1)
    x.add_(1.0)
    assert x._version == 1
    assert c._version == adv._version == p._version == 0


def test_out_of_place_ops_do_not_bump_the_version(x: tt.Tensor) -> None:
    _ = x + 1
    _ = x.sum()
    _ = x.reshape(-1)
    assert x._version == 0


def test_writes_through_views_change_the_base(x: tt.Tensor) -> None:
    x.view(-1)[0] = 100.0
    x.transpose(0, 2)[3, 2, 1] = -1.0
    x.unsqueeze(0)[0, 0, 0, 1] = 50.0
    x.flip(0)[0, 0, 0] = 7.0
    assert x[0, 0, 0].item() == 100.0
    assert x[1, 2, 3].item() == -1.0
    assert x[0, 0, 1].item() == 50.0
    assert x[1, 0, 0].item() == 7.0
    assert x._version == 4


def test_cat_skips_empty_1d_tensors_like_pytorch() -> None:
    out = tt.cat([tt.zeros(0, dtype=tt.float64), tt.ones(2, 3), tt.zeros(0)], dim=1)
    assert out.shape == (2, 3)
    assert out.dtype is tt.float64  # the skipped tensors still promote
    assert out.tolist() == [[1.0] * 3] * 2
    with pytest.raises(RuntimeError, match="same number of dimensions"):
        tt.cat([tt.zeros(0, 2), tt.ones(2, 3, 4)])


def test_movedim_with_sequences_of_dims() -> None:
    x = tt.zeros(2, 3, 4, 5)
    assert x.movedim((0, 1), (2, 0)).shape == (3, 4, 2, 5)
    assert tt.movedim(x, [3, 0], [0, -1]).shape == (5, 3, 4, 2)
    with pytest.raises(RuntimeError, match="same number of dims"):
        x.movedim((0, 1), (2,))


def test_split_with_a_negative_size_raises() -> None:
    with pytest.raises(RuntimeError, match="only non-negative entries"):
        tt.arange(4).split([5, -1])
