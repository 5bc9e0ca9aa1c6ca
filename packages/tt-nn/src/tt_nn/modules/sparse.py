"""``Embedding``: a learned lookup table of vectors, indexed by integers (``torch.nn.Embedding``).

The usual first layer of a language model: token ids in, one ``embedding_dim`` vector per id
out.  The arithmetic (and the gradient rule) is in :func:`tt_nn.functional.sparse.embedding`.

Systems question: why does ``Embedding`` need no bias, and why does a row whose id never occurs
in a batch get a zero gradient (and what does momentum in an optimizer then do to it)?
"""

from __future__ import annotations

from typing import Any

import tt_autograd as ag
import tt_tensor as tt
from tt_tensor import Tensor

from ..functional.sparse import _padding_index, embedding
from ..module import Module
from ..parameter import Parameter

__all__ = ["Embedding"]


class Embedding(Module):
    """A table of ``num_embeddings`` vectors of size ``embedding_dim``; ``forward(input)``
    returns the rows named by the integer tensor ``input``: ``out[..., :] = weight[input[...]]``.

    ``weight`` starts as N(0, 1) samples (the default generator); the row ``padding_idx``
    (negative counts from the end) starts at zero and never receives a gradient, so it stays
    what it is while training (use it for padding tokens).  ``max_norm`` renormalises the rows
    that are looked up, in place, to at most that ``norm_type``-norm; ``scale_grad_by_freq``
    divides each row's gradient by its index's count in the batch.  ``sparse=True`` is not
    supported.  ``_weight`` gives the initial table (shared, not copied) and ``_freeze`` makes
    it not require grad: see :meth:`from_pretrained`.

    **Shape**: ``(*) -> (*, embedding_dim)``; indices int64 or int32 in
    ``[0, num_embeddings)``.  **Cost**: a copy of ``numel(input) * embedding_dim`` values;
    backward writes a dense gradient of the whole table.  **Memory**: the table
    (``num_embeddings * embedding_dim``); autograd keeps only the indices.

    >>> import tt_tensor as tt
    >>> _ = tt.manual_seed(0)
    >>> emb = Embedding(10, 3, padding_idx=0)
    >>> emb(tt.tensor([[1, 2], [0, 0]])).shape
    tt_tensor.Size([2, 2, 3])
    >>> emb.weight[0].tolist()
    [0.0, 0.0, 0.0]
    """

    weight: Parameter

    def __init__(
        self,
        num_embeddings: int,
        embedding_dim: int,
        padding_idx: int | None = None,
        max_norm: float | None = None,
        norm_type: float = 2.0,
        scale_grad_by_freq: bool = False,
        sparse: bool = False,
        _weight: Tensor | None = None,
        _freeze: bool = False,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        if sparse:
            raise NotImplementedError("Embedding: sparse=True (sparse gradients) is not supported")
        self.num_embeddings = num_embeddings
        self.embedding_dim = embedding_dim
        self.padding_idx = _padding_index(padding_idx, num_embeddings)
        self.max_norm = max_norm
        self.norm_type = norm_type
        self.scale_grad_by_freq = scale_grad_by_freq
        self.sparse = sparse
        if _weight is None:
            self.weight = Parameter(
                tt.empty(num_embeddings, embedding_dim, dtype=dtype), requires_grad=not _freeze
            )
            self.reset_parameters()
        else:
            if tuple(_weight.shape) != (num_embeddings, embedding_dim):
                raise AssertionError(
                    f"Embedding: shape of weight {tuple(_weight.shape)} does not match "
                    f"num_embeddings and embedding_dim ({num_embeddings}, {embedding_dim})"
                )
            self.weight = Parameter(_weight, requires_grad=not _freeze)

    def reset_parameters(self) -> None:
        """Fill ``weight`` with N(0, 1) samples and zero the padding row."""
        with ag.no_grad():
            self.weight.normal_()
            self._fill_padding_idx_with_zero()

    def _fill_padding_idx_with_zero(self) -> None:
        if self.padding_idx is not None:
            with ag.no_grad():
                self.weight[self.padding_idx] = 0.0

    def forward(self, input: Tensor) -> Tensor:
        return embedding(
            input,
            self.weight,
            self.padding_idx,
            self.max_norm,
            self.norm_type,
            self.scale_grad_by_freq,
            self.sparse,
        )

    def extra_repr(self) -> str:
        s = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.padding_idx is not None:
            s += f", padding_idx={self.padding_idx}"
        if self.max_norm is not None:
            s += f", max_norm={self.max_norm}"
        if self.norm_type != 2:
            s += f", norm_type={self.norm_type}"
        if self.scale_grad_by_freq is not False:
            s += ", scale_grad_by_freq=True"
        return s

    @classmethod
    def from_pretrained(
        cls,
        embeddings: Tensor,
        freeze: bool = True,
        padding_idx: int | None = None,
        max_norm: float | None = None,
        norm_type: float = 2.0,
        scale_grad_by_freq: bool = False,
        sparse: bool = False,
    ) -> Embedding:
        """An ``Embedding`` whose table is ``embeddings`` (2-D; shared, not copied, and not
        re-initialised: the padding row keeps its values).  ``freeze`` (the default) makes the
        table not require grad.

        >>> import tt_tensor as tt
        >>> emb = Embedding.from_pretrained(tt.tensor([[1.0, 2.0], [3.0, 4.0]]))
        >>> emb(tt.tensor([1])).tolist(), emb.weight.requires_grad
        ([[3.0, 4.0]], False)
        """
        if not isinstance(embeddings, Tensor) or embeddings.dim() != 2:
            got = f"{embeddings.dim()}-D" if isinstance(embeddings, Tensor) else type(embeddings)
            raise AssertionError(
                f"Embedding.from_pretrained: embeddings parameter is expected to be "
                f"2-dimensional (num_embeddings, embedding_dim), got {got}"
            )
        rows, cols = embeddings.shape
        return cls(
            rows,
            cols,
            _weight=embeddings,
            _freeze=freeze,
            padding_idx=padding_idx,
            max_norm=max_norm,
            norm_type=norm_type,
            scale_grad_by_freq=scale_grad_by_freq,
            sparse=sparse,
        )
