"""``Flatten`` and ``Unflatten``: reshape between a dim range and one dim (views when the
memory allows, as ``reshape``).

**Shape**: ``Flatten(1, -1)``: ``(N, C, H, W) -> (N, C*H*W)``; ``Unflatten(1, (C, H, W))``
undoes it.

>>> import tt_tensor as tt, tt_nn as nn
>>> nn.Flatten()(tt.zeros(2, 3, 4)).shape
tt_tensor.Size([2, 12])
"""

from __future__ import annotations

from collections.abc import Sequence

from tt_tensor import Tensor

from ..module import Module

__all__ = ["Flatten", "Unflatten"]


class Flatten(Module):
    """Flatten dims ``start_dim..end_dim`` into one (the batch dim 0 is kept by default)."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, input: Tensor) -> Tensor:
        return input.flatten(self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """Split dim ``dim`` into ``unflattened_size``."""

    def __init__(self, dim: int, unflattened_size: Sequence[int]) -> None:
        super().__init__()
        self.dim = dim
        if not isinstance(unflattened_size, (tuple, list)):
            raise TypeError(
                "Unflatten: unflattened_size must be a tuple of ints, but found type "
                f"{type(unflattened_size).__name__}"
            )
        for pos, size in enumerate(unflattened_size):
            if not isinstance(size, int):
                raise TypeError(
                    "Unflatten: unflattened_size must be tuple of ints, but found element of "
                    f"type {type(size).__name__} at pos {pos}"
                )
        self.unflattened_size = unflattened_size  # kept as given (a list prints as a list)

    def forward(self, input: Tensor) -> Tensor:
        return input.unflatten(self.dim, tuple(self.unflattened_size))

    def extra_repr(self) -> str:
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"
