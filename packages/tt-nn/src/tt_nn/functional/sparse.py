"""``embedding``: look rows up in a table (``torch.nn.functional.embedding``).

An embedding is a matrix ``weight`` of shape ``(num_embeddings, embedding_dim)``; the
integer ``input`` picks rows of it.  The lookup is an advanced index ``weight[input]``, so its
backward (written once, in tt-autograd, for every ``getitem``) adds each output row's gradient
into the row it came from: an index that occurs ``k`` times receives the sum of ``k`` gradients.
It is the same as multiplying a one-hot matrix by ``weight``, without building the one-hot
matrix.

Systems question: a 50,000-word vocabulary with 512-dim rows in float32 is 100 MB; how many
bytes does the backward of one lookup of 32 tokens write, and why is that a waste (what does
PyTorch's ``sparse=True`` change)?
"""

from __future__ import annotations

from typing import Any

import numpy as np

import tt_autograd as ag
import tt_tensor as tt
from tt_tensor import Tensor

__all__ = ["embedding"]


def _padding_index(padding_idx: int | None, num_embeddings: int) -> int | None:
    """``padding_idx`` as a row number in ``[0, num_embeddings)`` (negative counts from the
    end); raises PyTorch's ``AssertionError`` when it is out of range."""
    if padding_idx is None:
        return None
    if not -num_embeddings <= padding_idx < num_embeddings:
        raise AssertionError(
            f"Padding_idx must be within num_embeddings: got padding_idx={padding_idx} for "
            f"{num_embeddings} embeddings (valid: {-num_embeddings} to {num_embeddings - 1})"
        )
    return padding_idx % num_embeddings


def _renorm_(weight: Tensor, rows: Any, max_norm: float, norm_type: float) -> None:
    """Rescale, in place and outside the graph, the ``rows`` of ``weight`` whose
    ``norm_type``-norm exceeds ``max_norm`` to norm ``max_norm`` (PyTorch's
    ``embedding_renorm_``: ``row *= max_norm / (norm + 1e-7)``)."""
    with ag.no_grad():
        index = tt.from_numpy(rows)
        picked = weight[index]
        norms = picked.norm(norm_type, dim=1, keepdim=True)
        scale = tt.where(norms > max_norm, max_norm / (norms + 1e-7), 1.0)
        weight[index] = picked * scale


def embedding(
    input: Tensor,
    weight: Tensor,
    padding_idx: int | None = None,
    max_norm: float | None = None,
    norm_type: float = 2.0,
    scale_grad_by_freq: bool = False,
    sparse: bool = False,
) -> Tensor:
    """Rows of ``weight`` picked by the integer tensor ``input``: ``out[..., :] =
    weight[input[...], :]``.

    ``padding_idx`` (negative counts from the end) marks a row that receives no gradient: the
    output at positions where ``input == padding_idx`` is cut out of the graph.  With
    ``max_norm``, every row that ``input`` refers to and whose ``norm_type``-norm exceeds it is
    first rescaled **in place** in ``weight`` to norm ``max_norm``.  With
    ``scale_grad_by_freq`` a row's gradient is divided by how often its index occurs in
    ``input``.  ``sparse=True`` (sparse gradients) is not supported.

    Indices out of ``[0, num_embeddings)`` raise ``IndexError`` (no wrap-around for negative
    ones, like PyTorch).

    **Shape**: ``input (*)``, ``weight (V, D) -> (*, D)``.  **Cost**: copies ``numel(input) *
    D`` values; backward adds as many into a zero tensor of ``weight``'s shape (``V * D``,
    dense).  **Memory**: the output (a copy, not a view); autograd keeps only the indices.

    >>> import tt_tensor as tt
    >>> w = tt.tensor([[0.0, 0.0], [1.0, 2.0], [3.0, 4.0]])
    >>> embedding(tt.tensor([[2, 1], [1, 0]]), w).tolist()
    [[[3.0, 4.0], [1.0, 2.0]], [[1.0, 2.0], [0.0, 0.0]]]
    """
    op = "embedding"
    if not isinstance(input, Tensor) or input.dtype not in (tt.int64, tt.int32):
        got = input.dtype.name if isinstance(input, Tensor) else type(input).__name__
        raise RuntimeError(
            f"{op}: expected indices (argument 'input') of dtype int64 or int32, got {got}"
        )
    if not isinstance(weight, Tensor) or weight.dim() != 2:
        got = f"shape {tuple(weight.shape)}" if isinstance(weight, Tensor) else type(weight)
        raise RuntimeError(f"{op}: 'weight' must be 2-D (num_embeddings, embedding_dim), got {got}")
    if sparse:
        raise NotImplementedError(f"{op}: sparse=True (sparse gradients) is not supported")
    v = weight.shape[0]
    pad = _padding_index(padding_idx, v)
    idx = input.numpy()
    if idx.size and (idx.min() < 0 or idx.max() >= v):
        bad = int(idx.min() if idx.min() < 0 else idx.max())
        raise IndexError(
            f"{op}: index out of range in self: index {bad} is not in [0, {v}) "
            f"(the table has {v} rows)"
        )
    if max_norm is not None and idx.size:
        _renorm_(weight, np.unique(idx), float(max_norm), float(norm_type))
    out = weight[input]
    if scale_grad_by_freq and out.requires_grad:
        counts = np.bincount(idx.reshape(-1), minlength=v)
        inv = tt.from_numpy((1.0 / counts[idx])[..., None].astype(weight.dtype.np))
        out.register_hook(lambda g: g * inv)
    if pad is not None and out.requires_grad:
        keep = (input != pad).unsqueeze(-1)
        out = tt.where(keep, out, out.detach())
    return out
