"""``Parameter``: a tensor that a :class:`~tt_nn.Module` registers as one of its weights.

A parameter is an ordinary tensor (it shares its array with the tensor it was made from) that
requires grad by default.  Assigning one to a module attribute registers it, so
``module.parameters()`` finds it and an optimizer can update it.

Memory: none beyond the tensor it wraps (the array is shared, not copied).

>>> import tt_tensor as tt, tt_nn as nn
>>> w = nn.Parameter(tt.zeros(2))
>>> w.requires_grad, w.is_leaf
(True, True)
"""

from __future__ import annotations

from typing import Any, TypeVar

import tt_tensor as tt
from tt_tensor import Tensor

__all__ = ["Buffer", "Parameter"]


_T = TypeVar("_T", bound=Tensor)


def _sharing(cls: type[_T], data: Tensor) -> _T:
    """A new leaf of class ``cls`` over ``data``'s array and version counter (no history)."""
    t = object.__new__(cls)
    t._data = data._data
    t._vc = data._vc
    t._requires_grad = False
    t.grad = None
    t.grad_fn = None
    t._base = None
    t._meta = None
    return t


class Parameter(Tensor):
    """A tensor registered as a module weight: ``Parameter(data=None, requires_grad=True)``.

    ``data`` defaults to an empty float32 tensor; the parameter shares its memory."""

    __slots__ = ()

    def __new__(cls, data: Tensor | None = None, requires_grad: bool = True) -> Parameter:
        if data is None:
            data = tt.empty(0)
        if not isinstance(data, Tensor):
            raise TypeError(
                f"Parameter: expected a Tensor as data, got {type(data).__name__} "
                "(wrap NumPy arrays with tt_tensor.from_numpy first)"
            )
        p = _sharing(cls, data)
        if requires_grad:
            p.requires_grad_(True)
        return p

    def __init__(self, data: Tensor | None = None, requires_grad: bool = True) -> None:
        pass  # everything happens in __new__ (Tensor.__init__ refuses direct construction)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    def __deepcopy__(self, memo: dict[int, Any]) -> Parameter:
        if id(self) in memo:
            return memo[id(self)]  # type: ignore[no-any-return]
        out = Parameter(self.detach().clone(), self.requires_grad)
        memo[id(self)] = out
        return out


class Buffer(Tensor):
    """Marks a tensor as a module buffer on assignment (``torch.nn.Buffer``):
    ``module.running_mean = Buffer(t)`` equals ``module.register_buffer("running_mean", t)``.

    ``persistent=False`` keeps it out of the state dict."""

    __slots__ = ("persistent",)
    persistent: bool

    def __new__(cls, data: Tensor, *, persistent: bool = True) -> Buffer:
        if not isinstance(data, Tensor):
            raise TypeError(f"Buffer: expected a Tensor as data, got {type(data).__name__}")
        b = _sharing(cls, data)
        b.persistent = persistent
        return b

    def __init__(self, data: Tensor, *, persistent: bool = True) -> None:
        pass
