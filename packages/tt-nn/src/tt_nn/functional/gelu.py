"""The Gaussian Error Linear Unit, ``gelu`` (``torch.nn.functional.gelu``).

``gelu(x) = x * Phi(x)``, where ``Phi`` is the standard normal CDF: the input scaled by the
probability that a standard normal variable is below it.  Exactly,
``Phi(x) = (1 + erf(x / sqrt(2))) / 2``; the cheaper ``tanh`` approximation of Hendrycks and
Gimpel (2016) replaces it by ``(1 + tanh(sqrt(2/pi) * (x + 0.044715 x^3))) / 2``.  Both forms
are composed from tt-tensor primitives (``erf``, ``tanh``, ``mul``, ``add``), so autograd
differentiates them, twice if asked.

>>> import tt_tensor as tt
>>> from tt_nn.functional.gelu import gelu
>>> [round(v, 4) for v in gelu(tt.tensor([-1.0, 0.0, 1.0])).tolist()]
[-0.1587, 0.0, 0.8413]

Systems question: float16 inputs are computed in float32 and rounded at the end.  What would
go wrong for ``x = 40`` in ``x + 0.044715 x^3`` if they were not?
"""

from __future__ import annotations

import math

import tt_tensor as tt
from tt_tensor import Tensor

__all__ = ["gelu"]

_SQRT1_2 = math.sqrt(0.5)  # 1 / sqrt(2)
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_KAPPA = 0.044715  # the cubic coefficient of the tanh approximation


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """The GELU activation ``x * Phi(x)``, ``Phi`` the standard normal CDF.

    ``approximate="none"``: ``x * 0.5 * (1 + erf(x / sqrt(2)))`` (exact);
    ``approximate="tanh"``: ``0.5 * x * (1 + tanh(sqrt(2/pi) * (x + 0.044715 x^3)))``.
    Float16 is computed in float32 and rounded once, as PyTorch does; other integer or bool
    inputs are refused (``NotImplementedError``, as in PyTorch).

    **Shape**: any shape ``(*)`` to the same shape.
    **Cost**: about 5 passes over the input plus ``erf`` (~40 FLOPs and two ``exp`` an
    element) for ``"none"``; about 6 passes plus a ``sigmoid`` for ``"tanh"``, computed as
    ``x * sigmoid(2u)`` since ``(1 + tanh(u)) / 2 = sigmoid(2u)``.
    **Memory**: the output and a few temporaries of the input's size; for backward autograd
    keeps the input, ``x / sqrt(2)`` and the ``erf`` factor (``"none"``) or the sigmoid's
    output and the polynomial's operands (``"tanh"``).

    >>> import tt_tensor as tt
    >>> x = tt.tensor([1.0])
    >>> round(gelu(x).item(), 5), round(gelu(x, approximate="tanh").item(), 5)
    (0.84134, 0.84119)
    """
    if not isinstance(approximate, str):
        raise TypeError(
            f"gelu(): argument 'approximate' must be str, not {type(approximate).__name__}"
        )
    if approximate not in ("none", "tanh"):
        raise RuntimeError(
            f"gelu: approximate argument must be either none or tanh (got {approximate!r})"
        )
    if not isinstance(input, Tensor):
        raise TypeError(f"gelu(): argument 'input' must be Tensor, not {type(input).__name__}")
    if not input.dtype.is_floating_point:
        raise NotImplementedError(
            f"gelu: expected a floating-point input, got {input.dtype.name} (as in PyTorch)"
        )
    x = input.float() if input.dtype == tt.float16 else input
    if approximate == "none":
        out = x * 0.5 * (tt.erf(x * _SQRT1_2) + 1.0)
    else:
        # (1 + tanh(u)) / 2 = sigmoid(2u): one primitive instead of two, and for x < 0 no
        # cancellation in 1 + tanh(u) ~ 1 - 1 (nor in its derivative 1 - tanh(u)^2).
        inner = (x + x * x * x * _KAPPA) * (2.0 * _SQRT_2_OVER_PI)
        out = x * tt.sigmoid(inner)
    return out if out.dtype == input.dtype else out.to(input.dtype)
