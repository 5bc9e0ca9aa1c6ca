"""Gradients of matrix products against PyTorch: matmul for 1-D, 2-D, batched and broadcast
operands (contiguous or not), mm, bmm, dot and @."""

from __future__ import annotations

import numpy as np
import pytest

pytestmark = pytest.mark.parity

SHAPES = [
    ((5,), (5,)),
    ((3, 5), (5,)),
    ((5,), (5, 4)),
    ((3, 5), (5, 4)),
    ((2, 3, 5), (2, 5, 4)),
    ((2, 3, 5), (5, 4)),
    ((3, 5), (2, 5, 4)),
    ((5,), (2, 5, 4)),
    ((2, 3, 5), (5,)),
    ((2, 1, 3, 5), (4, 5, 2)),
    ((1, 3, 5), (6, 5, 4)),
    ((0, 5), (5, 4)),
    ((3, 0), (0, 4)),
]


@pytest.mark.parametrize(("sa", "sb"), SHAPES)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_matmul(check, rand, sa, sb, dtype):
    a, b = rand(*sa, dtype=dtype), rand(*sb, dtype=dtype)
    check(lambda m, x, y: x @ y, a, b, grad=True)
    check(lambda m, x, y: m.matmul(x, y), np.asfortranarray(a), np.asfortranarray(b), grad=True)


def test_matmul_of_views_and_shared_operands(check, rand):
    a = rand(4, 4, dtype="float64")
    check(lambda m, x: x @ x, a, grad=True)
    check(lambda m, x: x @ x.t(), a, grad=True)
    check(lambda m, x: x[:, :2].mT @ x[:, 1:3], a, grad=True)
    check(lambda m, x, y: x.expand(3, 4, 4) @ y, a, rand(3, 4, 2, dtype="float64"), grad=True)


def test_mm_bmm_dot(check, rand):
    check(lambda m, x, y: m.mm(x, y), rand(3, 4), rand(4, 2), grad=True)
    check(lambda m, x, y: x.bmm(y), rand(2, 3, 4), rand(2, 4, 5), grad=True)
    check(
        lambda m, x, y: m.dot(x, y), rand(7, dtype="float64"), rand(7, dtype="float64"), grad=True
    )


def test_a_small_mlp(check, rand):
    def mlp(m, x, w1, b1, w2):
        return ((x @ w1 + b1).tanh() @ w2).log_softmax(-1)

    check(mlp, rand(8, 5), rand(5, 16), rand(16), rand(16, 3), grad=True)
    check(
        mlp,
        rand(8, 5, dtype="float64"),
        rand(5, 16, dtype="float64"),
        rand(16, dtype="float64"),
        rand(16, 3, dtype="float64"),
        grad=True,
    )
