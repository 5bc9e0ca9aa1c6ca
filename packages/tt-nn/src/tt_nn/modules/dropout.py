"""``Dropout``: random zeroing while training (see :func:`tt_nn.functional.dropout.dropout`);
the identity in eval mode.

>>> import tt_tensor as tt, tt_nn as nn
>>> nn.Dropout(0.5).eval()(tt.ones(2)).tolist()
[1.0, 1.0]
"""

from __future__ import annotations

from tt_tensor import Tensor

from ..functional.dropout import dropout
from ..module import Module

__all__ = ["Dropout"]


class Dropout(Module):
    """Zero each element with probability ``p`` in training mode, scaling the rest by
    ``1 / (1 - p)``."""

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = p
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return dropout(input, self.p, self.training, self.inplace)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"
