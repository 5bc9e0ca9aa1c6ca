"""``dropout``: zero each element with probability ``p`` while training, scale the rest by
``1 / (1 - p)`` so the expected value is unchanged (inverted dropout).

**Shape**: unchanged.  **Cost**: one random draw and one multiply per element.
**Memory**: the output and the scaled mask (autograd keeps the mask for backward).

>>> import tt_tensor as tt
>>> from tt_nn.functional.dropout import dropout
>>> dropout(tt.ones(3), p=0.5, training=False).tolist()
[1.0, 1.0, 1.0]
"""

from __future__ import annotations

import tt_tensor as tt
from tt_tensor import Generator, Tensor

__all__ = ["dropout"]


def dropout(
    input: Tensor,
    p: float = 0.5,
    training: bool = True,
    inplace: bool = False,
    *,
    generator: Generator | None = None,
) -> Tensor:
    """Inverted dropout (``torch.nn.functional.dropout``); the identity when not training."""
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0.0:
        return input
    if not input.dtype.is_floating_point and p < 1.0:
        raise RuntimeError(
            f"dropout: expected a floating point input (the kept elements are scaled by "
            f"1 / (1 - p)), got {input.dtype.name}: result type Float can't be cast to the "
            f"desired output type {input.dtype.name}"
        )
    if p == 1.0:
        out = input * 0.0
    else:
        keep = tt.empty_like(input).bernoulli_(1.0 - p, generator=generator)
        out = input * (keep * (1.0 / (1.0 - p)))
    return input.copy_(out) if inplace else out
