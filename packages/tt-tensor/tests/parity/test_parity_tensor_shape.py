"""Shape operations against PyTorch: values, shapes, dtypes, and which results are views (a
write through the result must reach the input exactly when PyTorch's does: the helper compares
the inputs after every call)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

pytestmark = pytest.mark.parity


def pad(m, x, widths, value=None):
    """tt spells it ``tt_tensor.pad``, PyTorch ``torch.nn.functional.pad``."""
    if m is torch:
        return torch.nn.functional.pad(x, widths, value=value)
    return m.pad(x, widths, value=value)


def write(view, value=100):
    """Write into ``view`` in place and return it (to show whether it shares memory)."""
    view[...] = value
    return view


# ----------------------------------------------------------------------- reshape family
@pytest.mark.parametrize(
    "shape", [(6, 4), (24,), (-1,), (2, -1), (4, 3, 2), (1, 24, 1), [3, 8], (2, 2, -1, 3)]
)
def test_reshape_and_view(check, rand, shape):
    x = rand(2, 3, 4)
    check(lambda m, t: t.reshape(shape), x)
    check(lambda m, t: t.reshape(*shape), x)
    check(lambda m, t: m.reshape(t, shape), x)
    check(lambda m, t: t.view(shape), x)
    check(lambda m, t: t.view(*shape), x)
    check(lambda m, t: write(t.view(shape)), x)  # a view: the input changes too
    check(lambda m, t: write(t.reshape(shape)), x)


def test_reshape_of_non_contiguous_copies(check, rand):
    x = rand(3, 4)
    check(lambda m, t: t.t().reshape(12), x)
    check(lambda m, t: write(t.t().reshape(12)), x)  # a copy: the input is unchanged
    check(lambda m, t: write(t.t().reshape(4, 3)), x)
    check(lambda m, t: t.reshape(12), np.asfortranarray(x))
    check(lambda m, t: t.t().view(4, 3), x)  # transposing back is a valid view


@pytest.mark.parametrize(
    ("src", "dst"),
    [
        ("float32", "int32"),  # same element size: same shape
        ("float32", "float16"),  # smaller: the last dim doubles
        ("float32", "float64"),  # larger: the last dim halves
        ("float32", "uint8"),
        ("int64", "float64"),
        ("bool", "uint8"),
        ("int16", "int8"),
    ],
)
def test_view_with_a_dtype_reinterprets_the_bits(check, rand, src, dst):
    # (Moved from the differences module: tt's view(dtype) used to convert the values.)
    x = rand(3, 4, dtype=src)
    check(lambda m, t: t.view(getattr(m, dst)), x)
    check(lambda m, t: write(t.view(getattr(m, dst))), x)  # a view: the input changes too
    check(lambda m, t: t[:, 2:].view(getattr(m, dst)), x)
    check(lambda m, t: t[None, :0].view(getattr(m, dst)), x)


def test_view_with_a_dtype_errors(check, check_raises, rand):
    x = rand(3, 4)
    check(lambda m, t: t.view(m.int32).requires_grad, x)
    check_raises(lambda m, t: t[:, :3].view(m.float64), x)  # size(-1) not divisible
    check_raises(lambda m, t: t.t().view(m.float16), x)  # stride(-1) != 1
    check_raises(lambda m, t: t[:, 1:3].view(m.float64), x)  # storage offset odd
    check_raises(lambda m, t: t[:, :2][::1, :].view(m.float64)[0, ::2].view(m.float32), x)
    check_raises(lambda m, t: t[0, 0].view(m.float16), x)  # 0-d


def test_view_as_reshape_as(check, rand):
    check(lambda m, t, o: t.view_as(o), rand(2, 6), rand(3, 4))
    check(lambda m, t, o: t.reshape_as(o), rand(2, 6), rand(4, 3))


@pytest.mark.parametrize(("start", "end"), [(0, -1), (1, -1), (0, 1), (1, 2), (2, 2), (-2, -1)])
def test_flatten(check, rand, start, end):
    check(lambda m, t: t.flatten(start, end), rand(2, 3, 4))
    check(lambda m, t: m.flatten(t, start_dim=start, end_dim=end), rand(2, 3, 4))
    check(lambda m, t: write(t.flatten(start, end)), rand(2, 3, 4))


def test_flatten_special(check, rand):
    check(lambda m, t: t.flatten(), rand())  # 0-d -> (1,)
    check(lambda m, t: t.flatten(), rand(0, 3))
    check(lambda m, t: t.flatten(), np.asfortranarray(rand(3, 4)))


@pytest.mark.parametrize(("dim", "sizes"), [(0, (2, 3)), (1, (2, -1)), (-1, (1, 4)), (0, [3, 2])])
def test_unflatten(check, rand, dim, sizes):
    x = rand(6, 4)
    check(lambda m, t: t.unflatten(dim, sizes), x)
    check(lambda m, t: m.unflatten(t, dim, sizes), x)


@pytest.mark.parametrize("dim", [None, 0, 1, 2, -1, -4, (0, 2), (1, 3)])
def test_squeeze(check, rand, dim):
    x = rand(1, 3, 1, 1)
    if dim is None:
        check(lambda m, t: t.squeeze(), x)
        check(lambda m, t: m.squeeze(t), x)
    else:
        check(lambda m, t: t.squeeze(dim), x)
        check(lambda m, t: m.squeeze(t, dim), x)
    check(lambda m, t: write(t.squeeze()), x)


@pytest.mark.parametrize("dim", [0, 1, 2, 3, -1, -2, -4])
def test_unsqueeze(check, rand, dim):
    check(lambda m, t: t.unsqueeze(dim), rand(2, 3, 4))
    check(lambda m, t: m.unsqueeze(t, dim), rand(2, 3, 4))
    check(lambda m, t: write(t.unsqueeze(dim)), rand(3, 4, 2))


def test_squeeze_unsqueeze_0d(check, rand):
    check(lambda m, t: t.unsqueeze(0), rand())
    check(lambda m, t: t.unsqueeze(-1), rand())
    check(lambda m, t: t.squeeze(), rand())
    check(lambda m, t: t.squeeze(0), rand())


# ----------------------------------------------------------------------- dims reordered
@pytest.mark.parametrize(("d0", "d1"), [(0, 1), (1, 0), (0, 2), (-1, -3), (1, 1)])
def test_transpose(check, rand, d0, d1):
    x = rand(2, 3, 4)
    check(lambda m, t: t.transpose(d0, d1), x)
    check(lambda m, t: m.transpose(t, d0, d1), x)
    check(lambda m, t: t.swapaxes(d0, d1), x)
    check(lambda m, t: write(t.transpose(d0, d1)[0]), x)


@pytest.mark.parametrize("dims", [(0, 1, 2), (2, 0, 1), (1, 2, 0), (-1, 0, -2), (2, 1, 0)])
def test_permute(check, rand, dims):
    x = rand(2, 3, 4)
    check(lambda m, t: t.permute(dims), x)
    check(lambda m, t: t.permute(*dims), x)
    check(lambda m, t: m.permute(t, dims), x)
    check(lambda m, t: write(t.permute(dims)[1]), x)
    check(lambda m, t: t.permute(dims).contiguous(), x)


@pytest.mark.parametrize(("src", "dst"), [(0, 2), (2, 0), (-1, 1), (1, 1)])
def test_movedim(check, rand, src, dst):
    check(lambda m, t: m.movedim(t, src, dst), rand(2, 3, 4))


# PyTorch deprecates .T on tensors that are not 2-D (it warns once per process); tt reverses
# the dims without a warning (see the differences module).
T_DEPRECATED = [
    pytest.mark.filterwarnings("ignore:Tensor.T is deprecated:UserWarning"),
    pytest.mark.filterwarnings("ignore:The use of `x.T`:UserWarning"),
]


@pytest.mark.parametrize(
    ("src", "dst"), [((0, 1), (2, 0)), ([3, 0], [0, -1]), ((1,), (3,)), ((), ())]
)
def test_movedim_with_sequences(check, rand, src, dst):
    check(lambda m, t: t.movedim(src, dst), rand(2, 3, 4, 5))
    check(lambda m, t: m.movedim(t, src, dst), rand(2, 3, 4, 5))


@pytest.mark.parametrize("shape", [(), (4,), (3, 4)])
@T_DEPRECATED[0]
@T_DEPRECATED[1]
def test_t_and_T(check, rand, shape):
    x = rand(*shape)
    check(lambda m, t: t.t(), x)
    check(lambda m, t: m.t(t), x)
    check(lambda m, t: t.T, x)


@T_DEPRECATED[0]
@T_DEPRECATED[1]
def test_T_of_many_dims(check, rand):
    check(lambda m, t: t.T, rand(2, 3, 4))  # every dim reversed


@pytest.mark.parametrize("shape", [(3, 4), (2, 3, 4), (5, 1, 2, 3)])
def test_mT(check, rand, shape):
    check(lambda m, t: t.mT, rand(*shape))
    check(lambda m, t: write(t.mT[..., 0, :]), rand(*shape))


def test_t_and_mT_errors(check_raises, rand):
    check_raises(lambda m, t: t.t(), rand(2, 3, 4))
    check_raises(lambda m, t: t.mT, rand(3))


# ----------------------------------------------------------------------- expand / contiguous
@pytest.mark.parametrize(
    ("shape", "sizes"),
    [
        ((3, 1), (3, 4)),
        ((3, 1), (-1, 4)),
        ((1,), (2, 3, 5)),
        ((2, 1, 3), (4, 2, 5, 3)),
        ((), (2, 2)),
        ((3,), (2, -1)),
        ((3, 4), (3, 4)),
    ],
)
def test_expand(check, rand, shape, sizes):
    x = rand(*shape)
    check(lambda m, t: t.expand(sizes), x)
    check(lambda m, t: t.expand(*sizes), x)
    check(lambda m, t: t.expand(sizes).contiguous(), x)
    check(lambda m, t: t.expand(sizes) * 2, x)


def test_expand_as_broadcast_to(check, rand):
    check(lambda m, t, o: t.expand_as(o), rand(3, 1), rand(2, 3, 4))
    check(lambda m, t: t.broadcast_to((2, 3)), rand(3))


def test_contiguous_and_clone(check, rand):
    x = rand(3, 4)
    check(lambda m, t: t.t().contiguous(), x)
    check(lambda m, t: t.t().is_contiguous(), x)
    check(lambda m, t: t.t().contiguous().is_contiguous(), x)
    check(lambda m, t: write(t.contiguous()), x)  # already contiguous: returns itself
    check(lambda m, t: write(t.t().contiguous()), x)  # a copy
    check(lambda m, t: write(t.clone()), x)
    check(lambda m, t: m.clone(t), x)
    check(lambda m, t: t.stride(), x)
    check(lambda m, t: t.t().stride(), x)
    check(lambda m, t: t.expand(2, 3, 4).stride(), x)


# ----------------------------------------------------------------------- joining
@pytest.mark.parametrize("dim", [0, 1, -1, -2])
def test_cat(check, rand, dim):
    a, b, c = rand(2, 3), rand(2, 3), rand(2, 3)
    check(lambda m, x, y, z: m.cat([x, y, z], dim), a, b, c)
    check(lambda m, x, y: m.cat((x, y), dim=dim), a, b)
    check(lambda m, x, y: m.concat([x, y], dim), a, b)
    check(lambda m, x, y: m.concatenate([x, y], dim), a, b)


def test_cat_sizes_and_dtypes(check, rand):
    check(lambda m, x, y: m.cat([x, y], 0), rand(2, 3), rand(4, 3))
    check(lambda m, x, y: m.cat([x, y], 1), rand(2, 3), rand(2, 1))
    check(lambda m, x, y: m.cat([x, y]), rand(2, 3), rand(0, 3))
    check(lambda m, x: m.cat([x]), rand(2, 3))
    for da, db in [
        ("int64", "float32"),
        ("uint8", "int8"),
        ("bool", "int32"),
        ("float16", "float64"),
    ]:
        check(lambda m, x, y: m.cat([x, y]), rand(2, dtype=da), rand(3, dtype=db))
    check(lambda m, x, y: write(m.cat([x, y])), rand(2), rand(2))  # a copy


def test_cat_skips_empty_1d_tensors(check, check_raises, rand):
    # PyTorch's legacy rule: an empty 1-D tensor joins anything (it still sets the dtype).
    e, x = np.zeros(0, np.float32), rand(2, 3)
    check(lambda m, a, b: m.cat([a, b]), e, x)
    check(lambda m, a, b: m.cat([b, a, b], 1), e, x)
    check(lambda m, a, b: m.cat([a, b]), np.zeros(0, np.float64), x)
    check(lambda m, a, b: m.cat([a, b]), e, rand(2, 3, dtype="int64"))
    check(lambda m, a: m.cat([a, a]), e)
    check_raises(lambda m, a, b: m.cat([a, b]), np.zeros((0, 2), np.float32), x)


@pytest.mark.parametrize("dim", [0, 1, 2, -1, -3])
def test_stack(check, rand, dim):
    a, b = rand(2, 3), rand(2, 3)
    check(lambda m, x, y: m.stack([x, y], dim), a, b)
    check(lambda m, x, y: m.stack((x, y, x), dim=dim), a, b)
    check(lambda m, x, y: m.stack([x, y]), rand(), rand())
    check(lambda m, x, y: m.stack([x, y]), rand(2, dtype="int64"), rand(2, dtype="float32"))


def test_join_errors(check_raises, rand):
    check_raises(lambda m, x, y: m.cat([x, y]), rand(2, 3), rand(2, 4))
    check_raises(lambda m, x, y: m.cat([x, y], 2), rand(2, 3), rand(2, 3))
    check_raises(lambda m, x, y: m.cat([x, y]), rand(2, 3), rand(2, 3, 1))
    check_raises(lambda m, x, y: m.cat([x, y]), rand(), rand())
    check_raises(lambda m: m.cat([]))
    check_raises(lambda m, x, y: m.stack([x, y]), rand(2, 3), rand(3, 2))
    check_raises(lambda m, x, y: m.stack([x, y], 3), rand(2, 3), rand(2, 3))
    check_raises(lambda m: m.stack([]))


# ----------------------------------------------------------------------- splitting
@pytest.mark.parametrize(
    ("size", "dim"),
    [(2, 0), (3, 0), (1, 1), (4, 1), (10, 0), ([1, 4], 0), ([2, 0, 2], 1), ((3, 1, 1), -2)],
)
def test_split(check, rand, size, dim):
    x = rand(5, 4)
    check(lambda m, t: t.split(size, dim), x)
    check(lambda m, t: m.split(t, size, dim=dim), x)
    check(lambda m, t: write(t.split(size, dim)[0]), x)  # pieces are views


@pytest.mark.parametrize(
    ("chunks", "dim"), [(1, 0), (2, 0), (3, 0), (5, 0), (7, 0), (2, 1), (3, -1)]
)
def test_chunk(check, rand, chunks, dim):
    x = rand(5, 4)
    check(lambda m, t: t.chunk(chunks, dim), x)
    check(lambda m, t: m.chunk(t, chunks, dim=dim), x)
    check(lambda m, t: write(t.chunk(chunks, dim)[-1]), x)


def test_chunk_uneven_sizes(check, rand):
    # chunk uses pieces of ceil(n / chunks), so 6 elements in 4 chunks give 3 pieces of 2.
    check(lambda m, t: t.chunk(4), rand(6))
    check(lambda m, t: t.chunk(4), rand(0))


@pytest.mark.parametrize("dim", [0, 1, 2, -1])
def test_unbind(check, rand, dim):
    x = rand(2, 3, 4)
    check(lambda m, t: t.unbind(dim), x)
    check(lambda m, t: m.unbind(t, dim), x)
    check(lambda m, t: write(t.unbind(dim)[1]), x)


def test_split_errors(check_raises, rand):
    check_raises(lambda m, t: t.split([2, 2]), rand(5))
    check_raises(lambda m, t: t.split(2, 1), rand(5))
    check_raises(lambda m, t: t.chunk(0), rand(5))
    check_raises(lambda m, t: t.unbind(1), rand(5))


# ----------------------------------------------------------------------- flip / repeat / pad
@pytest.mark.parametrize("dims", [(0,), (1,), (-1,), (0, 2), (0, 1, 2), (2, 0)])
def test_flip(check, rand, dims):
    x = rand(2, 3, 4)
    check(lambda m, t: t.flip(dims), x)
    check(lambda m, t: t.flip(*dims), x)
    check(lambda m, t: m.flip(t, dims), x)
    check(lambda m, t: t.flip(dims) + t, x)
    check(lambda m, t: t.flip(dims).contiguous().sum(-1), rand(2, 3, 4, dtype="int64"))


def test_flip_0d_and_errors(check, check_raises, rand):
    check(lambda m, t: t.flip(0), rand())
    check_raises(lambda m, t: t.flip(3), rand(2, 3))
    check_raises(lambda m, t: t.flip((0, 0)), rand(2, 3))


@pytest.mark.parametrize(
    ("shape", "sizes"),
    [
        ((2, 3), (1, 1)),
        ((2, 3), (2, 1)),
        ((2, 3), (2, 3)),
        ((3,), (2, 2)),
        ((2, 3), (2, 1, 2)),
        ((), (3,)),
        ((2, 3), (0, 2)),
    ],
)
def test_repeat(check, rand, shape, sizes):
    x = rand(*shape)
    check(lambda m, t: t.repeat(sizes), x)
    check(lambda m, t: t.repeat(*sizes), x)
    check(lambda m, t: write(t.repeat(sizes)), x)  # a copy


def test_repeat_errors(check_raises, rand):
    check_raises(lambda m, t: t.repeat(2), rand(2, 3))


@pytest.mark.parametrize(
    "widths",
    [
        (1, 1),
        (0, 2),
        (2, 0, 1, 1),
        (1, 2, 3, 4),
        (-1, 1),
        (-1, -1, 1, 0),
        (0, 0),
        (0, 0, 0, 0),
        (1, 1, 1, 1, 1, 1),
        (-2, 0),
    ],
)
@pytest.mark.parametrize("value", [None, 0.5, -3])
def test_pad(check, rand, widths, value):
    x = rand(2, 3, 4)
    check(lambda m, t: pad(m, t, widths, value), x)
    check(lambda m, t: write(pad(m, t, widths, value)), x)  # always new memory
    check(lambda m, t: pad(m, t, widths, value), rand(2, 3, 4, dtype="int64"))


def test_pad_errors(check_raises, rand):
    check_raises(lambda m, t: pad(m, t, (1,)), rand(2, 3))
    check_raises(lambda m, t: pad(m, t, (1, 1, 1, 1, 1, 1)), rand(2, 3))


@pytest.mark.parametrize(
    ("dim", "size", "step"),
    [(0, 2, 1), (0, 3, 2), (1, 4, 4), (-1, 1, 1), (1, 2, 3), (0, 5, 1), (1, 0, 1)],
)
def test_unfold(check, rand, dim, size, step):
    x = rand(5, 4)
    check(lambda m, t: t.unfold(dim, size, step), x)
    check(lambda m, t: t.unfold(dim, size, step).contiguous(), x)
    check(lambda m, t: t.unfold(dim, size, step).sum(-1), x)
    # tt also has the function form tt_tensor.unfold; PyTorch only the method.
    check(lambda m, t: t.unfold(dim, size, step) if m is torch else m.unfold(t, dim, size, step), x)


def test_unfold_0d_and_errors(check, check_raises, rand):
    check(lambda m, t: t.unfold(0, 1, 1), rand())
    check_raises(lambda m, t: t.unfold(0, 6, 1), rand(5))
    check_raises(lambda m, t: t.unfold(0, 2, 0), rand(5))
    check_raises(lambda m, t: t.unfold(2, 2, 1), rand(5, 3))


# ----------------------------------------------------------------------- errors
def test_reshape_and_view_errors(check_raises, rand):
    x = rand(2, 3, 4)
    check_raises(lambda m, t: t.reshape(5, 5), x)
    check_raises(lambda m, t: t.reshape(-1, -1), x)
    check_raises(lambda m, t: t.view(7, -1), x)
    check_raises(lambda m, t: t.transpose(0, 1).view(24), x)  # not viewable
    check_raises(lambda m, t: t.view(24), np.asfortranarray(x))
    check_raises(lambda m, t: t.unflatten(1, (2, 2)), x)
    check_raises(lambda m, t: t.flatten(2, 1), x)


def test_dim_out_of_range_errors(check_raises, rand):
    x = rand(2, 3)
    for fn in (
        lambda m, t: t.transpose(0, 2),
        lambda m, t: t.unsqueeze(3),
        lambda m, t: t.squeeze(2),
        lambda m, t: t.flatten(0, 2),
        lambda m, t: t.split(1, 2),
        lambda m, t: t.chunk(2, -3),
        lambda m, t: t.movedim(0, 2) if m is torch else m.movedim(t, 0, 2),
        lambda m, t: t.size(2),
    ):
        check_raises(fn, x)


def test_permute_errors(check_raises, rand):
    x = rand(2, 3, 4)
    check_raises(lambda m, t: t.permute(0, 1), x)
    check_raises(lambda m, t: t.permute(0, 1, 1), x)
    check_raises(lambda m, t: t.permute(0, 1, 3), x)


def test_expand_errors(check_raises, rand):
    check_raises(lambda m, t: t.expand(3, 5), rand(3, 2))
    check_raises(lambda m, t: t.expand(2), rand(3, 2))
    check_raises(lambda m, t: t.expand(-1, 3, 2), rand(3, 2))


def test_write_into_expanded_raises(check_raises, rand):
    # PyTorch refuses in-place writes where several elements share one memory location.
    check_raises(lambda m, t: t.expand(3, 4).add_(1), rand(3, 1))


def test_size_and_shape_queries(check, rand):
    x = rand(2, 3, 4)
    check(lambda m, t: t.shape, x)
    check(lambda m, t: t.size(), x)
    check(lambda m, t: t.size(-1), x)
    check(lambda m, t: t.dim(), x)
    check(lambda m, t: t.ndim, x)
    check(lambda m, t: t.numel(), x)
    check(lambda m, t: t.nelement(), x)
    check(lambda m, t: m.numel(t), x)
    check(lambda m, t: len(t), x)
    check(lambda m, t: t.shape.numel(), x)
    check(lambda m, t: t.element_size(), x)
    check(lambda m, t: t.itemsize, x)
    check(lambda m, t: t.nbytes, x)
    check(lambda m, t: t.is_contiguous(), x)
    check(lambda m, t: t.is_floating_point(), x)
    check(lambda m, t: t.is_floating_point(), rand(2, dtype="int32"))


def test_view_merges_dims_whose_strides_chain(check, rand):
    # (2, 3, 4).permute(2, 0, 1) has strides (1, 12, 4): dims 1 and 2 still chain (12 = 3 * 4),
    # so they merge into one dim without a copy.
    check(lambda m, t: write(t.permute(2, 0, 1).view(4, 6)), rand(2, 3, 4))
    check(lambda m, t: t.expand(2, 3, 4).view(2, 12), rand(3, 4))
