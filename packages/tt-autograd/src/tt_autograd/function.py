"""Custom differentiable operations: subclass :class:`Function` (``torch.autograd.Function``).

Write ``forward(ctx, *args)`` with tensor operations or NumPy (it runs with recording off) and
``backward(ctx, grad_output)`` returning one gradient per ``forward`` argument (``None`` for
non-tensors).  Save what backward needs with ``ctx.save_for_backward(*tensors)``; read it back
with ``ctx.saved_tensors`` (checked against later in-place modification).  Call
``MyFunction.apply(*args)``.

This is how later tiers add *fused* primitives when a benchmark shows composition is too slow:
the fused op becomes one node with a hand-written backward (and gets gradcheck and parity
tests like any primitive).

>>> import tt_tensor as tt, tt_autograd as ag
>>> class Square(ag.Function):
...     @staticmethod
...     def forward(ctx, x):
...         ctx.save_for_backward(x)
...         return x * x
...     @staticmethod
...     def backward(ctx, g):
...         (x,) = ctx.saved_tensors
...         return 2 * x * g
>>> x = tt.tensor([3.0], requires_grad=True)
>>> Square.apply(x).sum().backward()
>>> x.grad.item()
6.0
"""

from __future__ import annotations

from typing import Any

from tt_tensor import Tensor

from .grad_mode import _enabled
from .node import SEQUENCE, Node

__all__ = ["Function", "FunctionCtx"]


class FunctionCtx(Node):
    """The ``ctx`` of a :class:`Function`: also the node recorded in the graph.

    Any attribute may be set on it in ``forward`` (``ctx.k = 3``) and read in ``backward``."""

    name = "FunctionBackward"

    # Until Function.apply records the node: no edges, nothing saved (class-level defaults,
    # so creating a ctx, which every call does, sets one field).
    _to_save: tuple[Any, ...] = ()
    _non_diff: frozenset[int] | set[int] = frozenset()
    params: tuple[Any, ...] = ()
    next: tuple[Any, ...] = ()
    shapes: tuple[Any, ...] = ()
    dtypes: tuple[Any, ...] = ()

    def __init__(self, fn: type[Function]) -> None:  # graph fields are set by Function.apply
        self._fn = fn

    def save_for_backward(self, *tensors: Tensor | None) -> None:
        """Keep ``tensors`` for backward (their versions are checked when read back)."""
        self._to_save = tensors

    def mark_non_differentiable(self, *outputs: Tensor) -> None:
        """Declare outputs that never need a gradient."""
        self._non_diff = {*self._non_diff, *(id(o) for o in outputs)}

    def __repr__(self) -> str:
        return f"<{self._fn.__name__}Backward>"


def _function_formula(ctx: Node, g: Tensor) -> tuple[Tensor | None, ...]:
    assert isinstance(ctx, FunctionCtx)
    grads = ctx._fn.backward(ctx, g)
    if not isinstance(grads, tuple):
        grads = (grads,)
    n = len(ctx.next)
    if len(grads) > n and all(gr is None for gr in grads[n:]):
        grads = grads[:n]  # trailing Nones beyond the arguments are accepted (PyTorch)
    if len(grads) != n:
        raise RuntimeError(
            f"function {ctx._fn.__name__}Backward returned an incorrect number of gradients "
            f"(expected {n}, got {len(grads)})"
        )
    for i, gr in enumerate(grads):
        if gr is None:
            continue
        if ctx.shapes[i] is None:
            raise RuntimeError(
                f"function {ctx._fn.__name__}Backward returned a gradient different than None "
                f"at position {i + 1}, but the corresponding forward input was not a Variable"
            )
        if not isinstance(gr, Tensor):
            raise RuntimeError(
                f"function {ctx._fn.__name__}Backward: expected Variable or None (got "
                f"{type(gr).__name__}) as the gradient at position {i + 1}"
            )
    return tuple(grads)


FunctionCtx.formula = staticmethod(_function_formula)


class Function:
    """Base class for custom autograd operations (see the module docstring)."""

    @staticmethod
    def forward(ctx: FunctionCtx, *args: Any, **kwargs: Any) -> Any:
        """Compute the output (recording is off here)."""
        raise NotImplementedError("Function subclasses must implement forward")

    @staticmethod
    def backward(ctx: FunctionCtx, *grad_outputs: Tensor) -> Any:
        """Return one gradient per forward argument."""
        raise NotImplementedError("Function subclasses must implement backward")

    @classmethod
    def apply(cls, *args: Any) -> Any:
        """Run ``forward`` and, if any tensor argument requires grad, record one node."""
        ctx = FunctionCtx(cls)
        prev = _enabled[0]
        _enabled[0] = False
        try:
            out = cls.forward(ctx, *args)
        finally:
            _enabled[0] = prev
        if not isinstance(out, Tensor):
            raise TypeError(f"{cls.__name__}.forward must return a single Tensor")
        if not prev or out._data.dtype.kind != "f" or id(out) in ctx._non_diff:
            return out
        # One pass over the arguments: each tensor's edge, shape and dtype.  The node is
        # recorded when some tensor argument requires grad (the rule of ``records``).
        nxt: list[Any] = []
        shapes: list[Any] = []
        dtypes: list[Any] = []
        wanted = False
        for a in args:
            if isinstance(a, Tensor):
                d = a._data
                shapes.append(d.shape)
                dtypes.append(d.dtype)
                if a._requires_grad:
                    wanted = True
                    nxt.append(a.grad_fn if a.grad_fn is not None else a)
                    continue
            else:
                shapes.append(None)
                dtypes.append(None)
            nxt.append(None)
        if not wanted:
            return out
        for a in args:
            if a is out:  # forward returned an input: give the output a fresh identity
                out = out.detach()
                break
        ctx.next = (*nxt,)
        ctx.shapes = (*shapes,)
        ctx.dtypes = (*dtypes,)
        saved = ctx._to_save
        ctx.saved = saved
        ctx.versions = tuple(-1 if t is None else t._vc[0] for t in saved)
        nones = [t for t in saved if t is None]  # (by identity: == on a tensor compares)
        if nones:  # Node's rule: each None saved has its value in ``scalars``
            ctx.scalars = tuple(nones)
        ctx.seq = next(SEQUENCE)
        out._requires_grad = True
        out.grad_fn = ctx
        return out


FunctionCtx.saves = (0,)  # non-empty: release() frees what save_for_backward kept
