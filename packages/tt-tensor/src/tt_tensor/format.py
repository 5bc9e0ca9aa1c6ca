"""Printing tensors: ``tensor([1.0000, 2.5000], shape=(2,), dtype=tt_tensor.float32)``.

Values are formatted like PyTorch (4 decimals, or scientific notation when magnitudes span
more than three orders or exceed 1e8, integral floats as ``1.``); large tensors are summarised
with ``...``.  Unlike PyTorch the repr always names the shape and dtype, because a learner
debugging shapes wants to see them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from .tensor import Tensor


def _float_formatter(a: np.ndarray[Any, Any]) -> Any:
    finite = np.abs(a[np.isfinite(a)]).astype(np.float64)
    nonzero = finite[finite > 0]
    if finite.size and np.all(finite == np.round(finite)) and finite.max(initial=0) < 1e8:
        return lambda v: _special(v) or f"{v:.0f}."
    sci = nonzero.size and (nonzero.max() / nonzero.min() > 1000 or nonzero.max() >= 1e8)
    if sci:
        return lambda v: _special(v) or f"{v:.4e}"
    return lambda v: _special(v) or f"{v:.4f}"


def _special(v: float) -> str:
    if np.isnan(v):
        return "nan"
    if np.isinf(v):
        return "inf" if v > 0 else "-inf"
    return ""


def tensor_repr(t: Tensor) -> str:
    a = t._data
    fmt: Any = {"float_kind": _float_formatter(a)} if a.dtype.kind == "f" else None
    body = np.array2string(
        a, separator=", ", prefix="tensor(", formatter=fmt, threshold=1000, edgeitems=3
    )
    parts = [body, f"shape={tuple(a.shape)}", f"dtype={t.dtype!r}"]
    if t.grad_fn is not None:
        parts.append(f"grad_fn=<{type(t.grad_fn).__name__}>")
    elif t._requires_grad:
        parts.append("requires_grad=True")
    return "tensor(" + ", ".join(parts) + ")"
