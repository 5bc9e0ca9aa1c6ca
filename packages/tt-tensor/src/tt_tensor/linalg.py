"""Matrix products: matmul (``@``), mm, bmm, dot.

**Shape** (``torch.matmul``'s rules): 1-D @ 1-D is the inner product (0-d result); 2-D @ 2-D
is ``(n, k) @ (k, m) -> (n, m)``; a 1-D operand is treated as a row (left) or column (right)
vector and that dim is removed from the result; with more dims the last two are the matrices
and the leading *batch* dims broadcast: ``(B, 1, n, k) @ (A, k, m) -> (B, A, n, m)``.

**Cost**: ``2 * n * k * m`` FLOPs per matrix pair, done by NumPy's BLAS (multi-threaded).
**Memory**: allocates only the output; autograd keeps both operands for backward.

Both operands must have the same dtype (PyTorch does not promote here either).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .dispatch import Primitive, dispatch
from .tensor import Tensor

__all__ = ["bmm", "dot", "matmul", "matmul_t", "mm"]


def _matmul(a: Any, b: Any, ta: bool = False, tb: bool = False) -> Any:
    # Not silenced (unlike division): overflow gives inf, as in PyTorch, but NumPy also warns.
    # Silencing would cost ~2 us a call on every matmul (see tt_tensor.elementwise).
    return np.matmul(a.T if ta else a, b.T if tb else b)


MATMUL = Primitive("matmul", _matmul)


def matmul(a: Tensor, b: Tensor) -> Tensor:
    """``a @ b`` with batch broadcasting (see module doc)."""
    if not isinstance(a, Tensor) or not isinstance(b, Tensor):
        raise TypeError("matmul: both arguments must be Tensors")
    ad, bd = a._data, b._data
    if ad.ndim == 0 or bd.ndim == 0:
        raise RuntimeError(
            "matmul: both arguments to matmul need to be at least 1D, but they are "
            f"{ad.ndim}D and {bd.ndim}D"
        )
    if ad.dtype != bd.dtype:
        raise RuntimeError(
            f"matmul: expected both operands to have the same dtype, but found {a.dtype.name} "
            f"and {b.dtype.name}"
        )
    if ad.dtype.kind == "b":
        raise RuntimeError("matmul: not implemented for bool tensors")
    k_a = ad.shape[-1]
    k_b = bd.shape[-2] if bd.ndim > 1 else bd.shape[0]
    if k_a != k_b:
        raise RuntimeError(
            f"matmul: shapes {tuple(ad.shape)} and {tuple(bd.shape)} cannot be multiplied: "
            f"{k_a} (dim {ad.ndim - 1}) != {k_b} (dim {max(bd.ndim - 2, 0)})"
        )
    try:
        return dispatch(MATMUL, (a, b), (ad, bd))
    except ValueError:
        raise RuntimeError(
            f"matmul: batch dims of shapes {tuple(ad.shape)} and {tuple(bd.shape)} cannot be "
            "broadcast together"
        ) from None


def matmul_t(a: Tensor, b: Tensor, ta: bool, tb: bool) -> Tensor:
    """``op(a) @ op(b)`` for 2-D ``a`` and ``b``, where ``op`` transposes when its flag is set.

    The form matmul's own gradient needs (``g @ b.T``, ``a.T @ g``) as one primitive call
    instead of a transpose and a product; BLAS reads the transposed operand in place.
    Arguments are not checked: the caller guarantees 2-D operands of one dtype that fit."""
    return dispatch(MATMUL, (a, b), (a._data, b._data), (ta, tb))


def mm(a: Tensor, b: Tensor) -> Tensor:
    """2-D matrix product ``(n, k) @ (k, m) -> (n, m)``."""
    if a.ndim != 2 or b.ndim != 2:
        raise RuntimeError(f"mm: expected 2-D tensors, got {a.ndim}-D and {b.ndim}-D")
    return matmul(a, b)


def bmm(a: Tensor, b: Tensor) -> Tensor:
    """Batched product ``(B, n, k) @ (B, k, m) -> (B, n, m)`` (no broadcasting)."""
    if a.ndim != 3 or b.ndim != 3:
        raise RuntimeError(f"bmm: expected 3-D tensors, got {a.ndim}-D and {b.ndim}-D")
    if a.shape[0] != b.shape[0]:
        raise RuntimeError(f"bmm: batch sizes differ: {a.shape[0]} and {b.shape[0]}")
    return matmul(a, b)


def dot(a: Tensor, b: Tensor) -> Tensor:
    """Inner product of two 1-D tensors of equal length (0-d result)."""
    if a.ndim != 1 or b.ndim != 1:
        raise RuntimeError(f"dot: 1D tensors expected, but got {a.ndim}D and {b.ndim}D tensors")
    return matmul(a, b)
