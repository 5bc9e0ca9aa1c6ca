"""Every primitive of tt-tensor (``tt_tensor.dispatch.PRIMITIVES``) against PyTorch.

One case per primitive, run under a dispatch observer that proves the case really reaches that
primitive; a primitive added without a case here fails ``test_every_primitive_has_a_case``.
(The other modules test each op in depth; this one guarantees nothing is left out.)"""

from __future__ import annotations

import numpy as np
import pytest
import torch

import tt_tensor as tt
from tt_tensor.shape import unfold_backward

pytestmark = pytest.mark.parity


def _unfold_backward(m, g):
    if m is torch:
        return torch.ops.aten.unfold_backward(g, [7, 3], 0, 3, 2)
    return unfold_backward(g, (7, 3), 0, 3, 2)


def _pad(m, x):
    return (
        torch.nn.functional.pad(x, (1, 2), value=0.5) if m is torch else m.pad(x, (1, 2), value=0.5)
    )


F = "float32"
CASES = {
    # name: (expression, input specs as (shape, dtype) pairs)
    "abs": (lambda m, x: x.abs(), [((3, 4), F)]),
    "add": (lambda m, x, y: x + y, [((3, 4), F), ((4,), F)]),
    "add_scaled": (lambda m, x, y: x.add(y, alpha=2.5).sub(y, alpha=-3), [((3, 4), F), ((4,), F)]),
    "all": (lambda m, x: x.all(1), [((3, 4), "bool")]),
    "amax": (lambda m, x: x.amax(0), [((3, 4), F)]),
    "amin": (lambda m, x: x.amin((0, 1)), [((3, 4), F)]),
    "any": (lambda m, x: x.any(), [((3, 4), "bool")]),
    "argmax": (lambda m, x: x.argmax(1), [((3, 4), F)]),
    "argmin": (lambda m, x: x.argmin(), [((3, 4), F)]),
    "bitwise_and": (lambda m, x, y: x & y, [((5,), "int64"), ((5,), "int64")]),
    "bitwise_not": (lambda m, x: ~x, [((5,), "int32")]),
    "bitwise_or": (lambda m, x, y: x | y, [((5,), "bool"), ((5,), "bool")]),
    "bitwise_xor": (lambda m, x, y: x ^ y, [((5,), "uint8"), ((5,), "uint8")]),
    "cast": (lambda m, x: x.to(m.float64), [((3,), F)]),
    "cat": (lambda m, x, y: m.cat([x, y], 1), [((2, 3), F), ((2, 1), F)]),
    "clamp": (lambda m, x: x.clamp(-0.5, 0.5), [((3, 4), F)]),
    "clone": (lambda m, x: x.clone(), [((3,), F)]),
    "contiguous": (lambda m, x: x.t().contiguous(), [((3, 4), F)]),
    "cos": (lambda m, x: x.cos(), [((3,), F)]),
    "cumsum": (lambda m, x: x.cumsum(0), [((3, 2), F)]),
    "div": (lambda m, x, y: x / y, [((3,), F), ((3,), F)]),
    "eq": (lambda m, x, y: x == y, [((3,), "int8"), ((3,), "int8")]),
    "erf": (lambda m, x: x.erf(), [((3, 4), F)]),
    "exp": (lambda m, x: x.exp(), [((3,), F)]),
    "expand": (lambda m, x: x.expand(2, 3), [((3,), F)]),
    "flip": (lambda m, x: x.flip(0), [((3, 2), F)]),
    "floor_divide": (lambda m, x: x // 3, [((4,), "int64")]),
    "gather": (lambda m, x: x.gather(0, m.tensor([[1, 0]])), [((2, 2), F)]),
    "ge": (lambda m, x: x >= 0, [((3,), F)]),
    "getitem": (lambda m, x: x[1:, None, 0], [((3, 4), F)]),
    "gt": (lambda m, x: x > 0, [((3,), F)]),
    "index_put": (
        lambda m, x: m.index_put(x, (m.tensor([0, 0]),), m.tensor(1.0), True),
        [((3,), F)],
    ),
    "isfinite": (lambda m, x: (x / 0).isfinite(), [((3,), F)]),
    "isnan": (lambda m, x: (x * 0 / 0).isnan(), [((3,), F)]),
    "le": (lambda m, x: x <= 0, [((3,), F)]),
    "log": (lambda m, x: x.abs().log(), [((3,), F)]),
    "log1p": (lambda m, x: x.abs().log1p(), [((3,), F)]),
    "log_softmax": (lambda m, x: m.log_softmax(x, 0), [((3, 4), F)]),
    "logical_and": (lambda m, x, y: m.logical_and(x, y), [((4,), "int64"), ((4,), F)]),
    "logical_not": (lambda m, x: m.logical_not(x), [((4,), F)]),
    "logical_or": (lambda m, x, y: m.logical_or(x, y), [((4,), "bool"), ((4,), "bool")]),
    "logical_xor": (lambda m, x, y: m.logical_xor(x, y), [((4,), "bool"), ((4,), "int8")]),
    "lt": (lambda m, x: x < 0, [((3,), F)]),
    "matmul": (lambda m, x, y: x @ y, [((2, 3), F), ((3, 4), F)]),
    "maximum": (lambda m, x, y: m.maximum(x, y), [((3,), F), ((3,), F)]),
    "minimum": (lambda m, x, y: m.minimum(x, y), [((3,), F), ((3,), F)]),
    "mul": (lambda m, x: x * 2.5, [((3,), F)]),
    "ne": (lambda m, x: x != 1, [((3,), "int64")]),
    "neg": (lambda m, x: -x, [((3,), F)]),
    "pad": (_pad, [((2, 3), F)]),
    "permute": (lambda m, x: x.permute(2, 0, 1), [((2, 3, 4), F)]),
    "pow": (lambda m, x: x.abs() ** 1.5, [((3,), F)]),
    "prod": (lambda m, x: x.prod(1), [((2, 3), F)]),
    "relu": (lambda m, x: x.relu(), [((3,), F)]),
    "log_softmax_backward": (
        lambda m, g, x: (
            m.ops.aten._log_softmax_backward_data(g, x.log_softmax(1), 1, x.dtype)
            if m is torch
            else m.composite.log_softmax_backward(g, x.log_softmax(1), 1)
        ),
        [((3, 4), F), ((3, 4), F)],
    ),
    "gather_backward": (
        lambda m, g: (
            m.zeros(3, 4).scatter_add(1, m.tensor([[0], [3], [1]]), g)
            if m is torch
            else m.indexing.gather_backward(g, np.array([[0], [3], [1]]), 1, (3, 4))
        ),
        [((3, 1), F)],
    ),
    "threshold_backward": (
        lambda m, g, out: (
            m.ops.aten.threshold_backward(g, out, 0)
            if m is torch
            else m.elementwise.threshold_backward(g, out)
        ),
        [((3, 4), F), ((3, 4), F)],
    ),
    "remainder": (lambda m, x: x % 3, [((4,), "int64")]),
    "reshape": (lambda m, x: x.reshape(3, 2), [((2, 3), F)]),
    "rsqrt": (lambda m, x: x.abs().rsqrt(), [((3,), F)]),
    "scatter_add": (lambda m, x: m.scatter_add(x, 0, m.tensor([1, 1]), m.ones(2)), [((3,), F)]),
    "sigmoid": (lambda m, x: x.sigmoid(), [((3,), F)]),
    "sign": (lambda m, x: x.sign(), [((3,), F)]),
    "sin": (lambda m, x: x.sin(), [((3,), F)]),
    "softmax": (lambda m, x: x.softmax(1), [((3, 4), F)]),
    "sqrt": (lambda m, x: x.abs().sqrt(), [((3,), F)]),
    "sub": (lambda m, x, y: x - y, [((3,), F), ((3,), "int64")]),
    "sum": (lambda m, x: x.sum(0), [((3, 2), F)]),
    "mean": (lambda m, x: x.mean(1), [((3, 2), F)]),
    "tanh": (lambda m, x: x.tanh(), [((3,), F)]),
    "unfold": (lambda m, x: x.unfold(1, 2, 1), [((2, 4), F)]),
    "unfold_backward": (_unfold_backward, [((3, 3, 3), F)]),
    "view": (lambda m, x: x.view(6), [((2, 3), F)]),
    "where": (lambda m, c, x: m.where(c, x, 0.0), [((3,), "bool"), ((3,), F)]),
}


def test_every_primitive_has_a_case():
    assert sorted(CASES) == sorted(tt.dispatch.PRIMITIVES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_primitive(check, rand, name):
    expr, specs = CASES[name]
    inputs = [rand(*shape, dtype=dtype) for shape, dtype in specs]
    seen: list[str] = []
    with tt.dispatch.add_observer(lambda op, *_: seen.append(op.name)):
        check(expr, *inputs)
    assert name in seen, f"the case for {name!r} ran {seen}, not {name!r}"


def test_unfold_backward_overlapping_windows(check, rand):
    # Windows of 3 with step 1 overlap: each input element collects every window it sits in.
    g = rand(5, 3)
    check(
        lambda m, x: (
            torch.ops.aten.unfold_backward(x, [7], 0, 3, 1)
            if m is torch
            else unfold_backward(x, (7,), 0, 3, 1)
        ),
        g,
    )
    check(
        lambda m, x: (
            torch.ops.aten.unfold_backward(x, [4, 5], 1, 2, 2)
            if m is torch
            else unfold_backward(x, (4, 5), 1, 2, 2)
        ),
        np.ones((4, 2, 2), np.float32),
    )
