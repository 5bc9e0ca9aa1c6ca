"""Gradients of shape operations against PyTorch: views (reshape, view, permute, expand, ...),
copies (contiguous, clone, cat, stack, repeat, pad), pieces (split, chunk, unbind) and
windows (unfold), on contiguous and non-contiguous inputs."""

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


SHAPE_OPS = {
    "reshape": lambda m, t: t.reshape(4, 6),
    "reshape_infer": lambda m, t: t.reshape(-1, 3),
    "view": lambda m, t: t.contiguous().view(6, 4),
    "view_as": lambda m, t: t.contiguous().view_as(m.zeros(24)),
    "flatten": lambda m, t: t.flatten(),
    "flatten_part": lambda m, t: t.flatten(1),
    "unflatten": lambda m, t: t.unflatten(2, (2, 2)),
    "squeeze": lambda m, t: t.unsqueeze(1).squeeze(1),
    "squeeze_all": lambda m, t: t[:1, None].squeeze(),
    "unsqueeze": lambda m, t: t.unsqueeze(-1),
    "transpose": lambda m, t: t.transpose(0, 2),
    "swapaxes": lambda m, t: t.swapaxes(1, 2),
    "permute": lambda m, t: t.permute(1, 2, 0),
    "movedim": lambda m, t: t.movedim(0, 2),
    "t": lambda m, t: t[0].t(),
    "T": lambda m, t: t[0].T,
    "mT": lambda m, t: t.mT,
    "expand": lambda m, t: t[:, :1].expand(2, 5, 4),
    "expand_new_dims": lambda m, t: t.expand(3, 2, 3, 4),
    "expand_as": lambda m, t: t[:1].expand_as(t),
    "broadcast_to": lambda m, t: t[..., :1].broadcast_to((2, 3, 6)),
    "contiguous": lambda m, t: t.transpose(0, 1).contiguous(),
    "clone": lambda m, t: t.clone(),
    "flip": lambda m, t: t.flip(0, 2),
    "flip_one": lambda m, t: t.flip(-1),
    "repeat": lambda m, t: t.repeat(2, 1, 3),
    "repeat_new_dims": lambda m, t: t.repeat(2, 1, 1, 2),
    "unfold": lambda m, t: t.unfold(2, 2, 1),
    "unfold_step": lambda m, t: t.unfold(1, 2, 2),
    "unfold_gap": lambda m, t: t.unfold(2, 1, 3),
    "split": lambda m, t: t.split(2, dim=2),
    "split_sizes": lambda m, t: t.split([1, 2], dim=1),
    "chunk": lambda m, t: t.chunk(3, dim=1),
    "unbind": lambda m, t: t.unbind(1),
    "to_float64": lambda m, t: t.to(m.float64),
}


@pytest.mark.parametrize("layout", ["contiguous", "fortran"])
@pytest.mark.parametrize("name", SHAPE_OPS)
def test_shape_op(check, rand, name, layout):
    x = rand(2, 3, 4)
    if layout == "fortran":
        x = np.asfortranarray(x)
    check(SHAPE_OPS[name], x, grad=True)


@pytest.mark.parametrize("name", SHAPE_OPS)
def test_shape_op_feeding_arithmetic(check, rand, name):
    # The view's gradient meets another path to the same input: both must add up.
    check(
        lambda m, t: SHAPE_OPS[name](m, t)[0] * t.sum(), rand(2, 3, 4, dtype="float64"), grad=True
    )


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_cat_and_stack(check, rand, dim):
    a, b, c = rand(2, 3), rand(2, 3, dtype="float64"), rand(2, 3)
    check(lambda m, x, y, z: m.cat([x, y, z], dim), a, b, c, grad=True)
    check(lambda m, x, y: m.stack([x, y, x], dim), a, b, grad=True)
    check(lambda m, x, y: m.cat([x, y.t().t()], dim), np.asfortranarray(a), c, grad=True)


def test_cat_with_a_non_differentiable_input(check, rand):
    check(lambda m, x, y: m.cat([x, y.float()]), rand(2, 3), rand(2, 3, dtype="int64"), grad=True)


@pytest.mark.parametrize(
    "widths", [(1, 1), (0, 2, 1, 0), (-1, 1), (-1, -1, 1, 0), (0, 0), (2, -1, 0, 0, 1, 1)]
)
def test_pad(check, rand, widths):
    check(lambda m, t: pad(m, t, widths, 0.5), rand(2, 3, 4), grad=True)
    check(lambda m, t: pad(m, t, widths), rand(2, 3, 4, dtype="float64"), grad=True)


@pytest.mark.parametrize(("size", "step"), [(1, 1), (2, 1), (3, 2), (5, 1), (2, 3), (0, 1)])
def test_unfold_windows(check, rand, size, step):
    check(lambda m, t: t.unfold(0, size, step), rand(5, 3), grad=True)
    check(lambda m, t: t.unfold(-1, size, step).sum(-1), rand(2, 5, dtype="float64"), grad=True)


def test_0d_shape_ops(check, rand):
    x = np.asarray(rand())
    check(lambda m, t: t.reshape(1, 1), x, grad=True)
    check(lambda m, t: t.unsqueeze(0).expand(3), x, grad=True)
    check(lambda m, t: t.flatten(), x, grad=True)
    check(lambda m, t: m.stack([t, t * 2]), x, grad=True)
    check(lambda m, t: t.repeat(2, 2), x, grad=True)
