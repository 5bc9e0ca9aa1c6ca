"""Matrix products against PyTorch: matmul for 1-D, 2-D, batched and broadcast operands in
every dtype PyTorch supports on the CPU, mm, bmm, dot and the @ operator, and their errors."""

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
# float16 products are rounded to 11 bits (eps 9.8e-4) after each of the 5 accumulation
# steps in one library but not necessarily in the other.
FLOAT16_TOLERANCE = {"rtol": 5e-3, "atol": 5e-3}


@pytest.mark.parametrize(("sa", "sb"), SHAPES)
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "int32", "float16"])
def test_matmul(check, rand, sa, sb, dtype):
    tol = FLOAT16_TOLERANCE if dtype == "float16" else {}
    a, b = rand(*sa, dtype=dtype), rand(*sb, dtype=dtype)
    check(lambda m, x, y: m.matmul(x, y), a, b, **tol)
    check(lambda m, x, y: x @ y, a, b, **tol)
    check(lambda m, x, y: x.matmul(y), a, b, **tol)


def test_matmul_non_contiguous_operands(check, rand):
    a, b = rand(4, 6), rand(5, 6)
    check(lambda m, x, y: x @ y.t(), a, b)
    check(lambda m, x, y: x.t() @ y, np.asfortranarray(rand(6, 4)), rand(6, 3))
    check(lambda m, x, y: x[:, ::2] @ y[::2], rand(3, 8), rand(8, 2))
    check(lambda m, x, y: x.expand(2, 4, 6) @ y.mT, rand(4, 6), rand(2, 5, 6))


def test_mm_bmm_dot(check, rand):
    check(lambda m, x, y: m.mm(x, y), rand(3, 4), rand(4, 2))
    check(lambda m, x, y: x.mm(y), rand(3, 4), rand(4, 2))
    check(lambda m, x, y: m.bmm(x, y), rand(2, 3, 4), rand(2, 4, 5))
    check(lambda m, x, y: x.bmm(y), rand(2, 3, 4), rand(2, 4, 5))
    check(lambda m, x, y: m.dot(x, y), rand(7), rand(7))
    check(lambda m, x, y: x.dot(y), rand(7, dtype="int64"), rand(7, dtype="int64"))


def test_matmul_larger_float32(check, rand):
    # K = 64: NumPy's BLAS and PyTorch's kernel add the 64 products in different orders, and
    # the results still agree to float32's default tolerance.
    check(lambda m, x, y: x @ y, rand(16, 64), rand(64, 8))


def test_matmul_errors(check_raises, rand):
    check_raises(lambda m, x, y: x @ y, rand(3, 4), rand(3, 4))
    check_raises(lambda m, x, y: x @ y, rand(4), rand(5))
    check_raises(lambda m, x, y: x @ y, rand(3, 4), rand(4, dtype="float64"))
    check_raises(lambda m, x, y: x @ y, rand(3, 4, dtype="int64"), rand(4, 2))
    check_raises(lambda m, x, y: x @ y, rand(2, 3, 4), rand(3, 4, 5))
    check_raises(lambda m, x, y: x @ y, rand(), rand(3))
    check_raises(lambda m, x, y: x @ y, rand(3), rand())
    check_raises(lambda m, x, y: m.mm(x, y), rand(3), rand(3, 2))
    check_raises(lambda m, x, y: m.mm(x, y), rand(3, 4), rand(5, 2))
    check_raises(lambda m, x, y: m.bmm(x, y), rand(2, 3, 4), rand(3, 4, 5))
    check_raises(lambda m, x, y: m.bmm(x, y), rand(3, 4), rand(4, 5))
    check_raises(lambda m, x, y: m.dot(x, y), rand(3, 1), rand(3))
    check_raises(lambda m, x, y: m.dot(x, y), rand(3), rand(4))


def test_matmul_bool_raises(check_raises, rand):
    # PyTorch's kernel lookup raises NotImplementedError; tt checks the dtype up front.
    check_raises(
        lambda m, x, y: x @ y,
        rand(2, 3, dtype="bool"),
        rand(3, 2, dtype="bool"),
        types=(RuntimeError, NotImplementedError),
        why="kernel lookup vs argument check",
    )
