"""The gradient of every differentiable primitive of tt-tensor against PyTorch.

One case per differentiable primitive, run under a dispatch observer that proves the case
really records that primitive; a differentiable primitive added without a case here fails
``test_every_differentiable_primitive_has_a_case``.  (The other modules test each op in depth;
this one guarantees nothing is left out.)"""

from __future__ import annotations

import numpy as np
import pytest
import torch

import tt_tensor as tt
from tt_tensor.shape import unfold_backward

pytestmark = pytest.mark.parity


def _pad(m, x):
    return torch.nn.functional.pad(x, (1, -1, 0, 2)) if m is torch else m.pad(x, (1, -1, 0, 2))


def _unfold_backward(m, g):
    if m is torch:
        return torch.ops.aten.unfold_backward(g, [7, 3], 0, 3, 2)
    return unfold_backward(g, (7, 3), 0, 3, 2)


F, D = "float32", "float64"
CASES = {
    # name: (expression, input specs as (shape, dtype[, low, high]))
    "abs": (lambda m, x: x.abs(), [((3, 4), F)]),
    "add": (lambda m, x, y: x + y, [((3, 4), F), ((4,), D)]),
    "add_scaled": (
        lambda m, x, y: x.add(y, alpha=-0.7) * x.sub(y, alpha=3),
        [((3, 4), D), ((4,), D)],
    ),
    "amax": (lambda m, x: x.amax(0), [((3, 4), F)]),
    "amin": (lambda m, x: x.amin((0, 1)), [((3, 4), D)]),
    "cast": (lambda m, x: x.to(m.float64) * x.double(), [((3,), F)]),
    "cat": (lambda m, x, y: m.cat([x, y], 1), [((2, 3), F), ((2, 1), F)]),
    "clamp": (lambda m, x: x.clamp(-0.5, 0.5), [((3, 4), F)]),
    "clone": (lambda m, x: x.clone() * x, [((3,), F)]),
    "contiguous": (lambda m, x: x.t().contiguous(), [((3, 4), F)]),
    "cos": (lambda m, x: x.cos(), [((3,), F)]),
    "cumsum": (lambda m, x: x.cumsum(1), [((3, 2), F)]),
    "div": (lambda m, x, y: x / y, [((3,), F), ((3,), F, 0.5, 2.0)]),
    "erf": (lambda m, x: x.erf(), [((3, 4), F, -3.0, 3.0)]),
    "exp": (lambda m, x: x.exp(), [((3,), F)]),
    "expand": (lambda m, x: x.expand(2, 3), [((3,), F)]),
    "flip": (lambda m, x: x.flip(0), [((3, 2), F)]),
    "gather": (lambda m, x: x.gather(0, m.tensor([[1, 0], [1, 1]])), [((2, 2), F)]),
    "getitem": (lambda m, x: x[1:, None, 0] + x[m.tensor([0, 0])].sum(), [((3, 4), F)]),
    "index_put": (
        lambda m, x, v: m.index_put(x, (m.tensor([0, 0]),), v, True),
        [((3,), F), ((2,), F)],
    ),
    "log": (lambda m, x: x.log(), [((3,), F, 0.5, 2.0)]),
    "log1p": (lambda m, x: x.log1p(), [((3,), F, 0.0, 2.0)]),
    "log_softmax": (lambda m, x: m.log_softmax(x, 0), [((3, 4), F)]),
    "matmul": (lambda m, x, y: x @ y, [((2, 3), F), ((3, 4), F)]),
    "maximum": (lambda m, x, y: m.maximum(x, y), [((3,), F), ((3,), F)]),
    "minimum": (lambda m, x, y: m.minimum(x, y), [((3,), F), ((3,), F)]),
    "mul": (lambda m, x, y: x * y * 2.5, [((3,), F), ((2, 1), F)]),
    "neg": (lambda m, x: -x, [((3,), F)]),
    "pad": (_pad, [((2, 3), F)]),
    "permute": (lambda m, x: x.permute(2, 0, 1), [((2, 3, 4), F)]),
    "pow": (lambda m, x, y: x**y + x**1.5, [((3,), F, 0.5, 2.0), ((3,), F)]),
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
    "remainder": (lambda m, x, y: x % y, [((3,), D, 0.1, 0.9), ((3,), D, 1.5, 2.0)]),
    "reshape": (lambda m, x: x.reshape(3, 2), [((2, 3), F)]),
    "rsqrt": (lambda m, x: x.rsqrt(), [((3,), F, 0.5, 2.0)]),
    "scatter_add": (
        lambda m, x, s: m.scatter_add(x, 0, m.tensor([1, 1]), s),
        [((3,), F), ((2,), F)],
    ),
    "sigmoid": (lambda m, x: x.sigmoid(), [((3,), F)]),
    "sign": (lambda m, x: x.sign() * x, [((3,), F)]),
    "sin": (lambda m, x: x.sin(), [((3,), F)]),
    "softmax": (lambda m, x: x.softmax(1), [((3, 4), F)]),
    "sqrt": (lambda m, x: x.sqrt(), [((3,), F, 0.5, 2.0)]),
    "sub": (lambda m, x, y: x - y, [((3,), F), ((3,), F)]),
    "sum": (lambda m, x: x.sum(0), [((3, 2), F)]),
    "mean": (lambda m, x: x.mean((0, 2)), [((3, 2, 4), F)]),
    "tanh": (lambda m, x: x.tanh(), [((3,), F)]),
    "unfold": (lambda m, x: x.unfold(1, 2, 1), [((2, 4), F)]),
    "unfold_backward": (_unfold_backward, [((3, 3, 3), F)]),
    "view": (lambda m, x: x.view(6), [((2, 3), F)]),
    "where": (lambda m, c, x, y: m.where(c, x, y), [((3,), "bool"), ((3,), F), ((1,), F)]),
}


def test_every_differentiable_primitive_has_a_case():
    differentiable = [n for n, op in tt.dispatch.PRIMITIVES.items() if op.differentiable]
    assert sorted([*CASES, "floor_divide"]) == sorted(differentiable)


@pytest.mark.parametrize("name", sorted(CASES))
def test_primitive_gradient(check, rand, name):
    expr, specs = CASES[name]

    def make(shape, dtype, low=None, high=None):
        return rand(*shape, dtype=dtype, low=low, high=high)

    inputs = [make(*spec) for spec in specs]
    seen: list[str] = []
    with tt.dispatch.add_observer(lambda op, *_: seen.append(op.name)):
        check(expr, *inputs, grad=True)
    assert name in seen, f"the case for {name!r} ran {seen}, not {name!r}"


def test_floor_divide_has_no_gradient(check_raises, rand):
    # Both record the op and refuse in backward (the derivative is 0 almost everywhere and
    # undefined at the jumps).
    def run(m, x):
        x.requires_grad_()
        (x // 0.7).sum().backward()

    e_tt, _ = check_raises(run, rand(3))
    assert "floor_divide" in str(e_tt)
