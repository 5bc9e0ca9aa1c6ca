"""The engine object tt-tensor calls for ``backward``, ``retain_grad``, ``register_hook``,
setting ``requires_grad``, and in-place ops, plus the dispatch observer that records nodes.

Importing :mod:`tt_autograd` installs both (:func:`install`); :func:`uninstall` removes them,
which is how a course swaps in a student's own autograd tier.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Sequence
from typing import Any

from tt_tensor import Tensor, dispatch
from tt_tensor.dispatch import Handle, Primitive

from . import engine
from .formulas import NODE_CLASSES
from .grad_mode import _enabled

__all__ = ["AutogradEngine", "install", "record", "uninstall"]


def record(op: Primitive, inputs: Any, arrays: Any, params: tuple[Any, ...], out: Tensor) -> None:
    """Dispatch observer: record a node when recording is on and an input requires grad."""
    if not _enabled[0]:
        return
    for t in inputs:
        if t is not None and t._requires_grad:
            break
    else:
        return
    cls = NODE_CLASSES.get(op)
    if cls is None:
        if op.differentiable:
            raise RuntimeError(f"autograd: the primitive {op.name!r} has no derivative formula")
        return
    if out._data.dtype.kind != "f":
        return
    out.grad_fn = cls(inputs, arrays, params, out)
    out._requires_grad = True


class AutogradEngine:
    """Implements :class:`tt_tensor.dispatch.Engine`."""

    def backward(
        self, tensor: Tensor, gradient: Tensor | None, retain_graph: bool, create_graph: bool
    ) -> None:
        engine.backward(tensor, gradient, retain_graph, create_graph)

    def retain_grad(self, tensor: Tensor) -> None:
        if not tensor._requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if tensor.grad_fn is None:
            return  # leaves keep their gradient anyway
        tensor.grad_fn.retained = weakref.ref(tensor)
        if tensor._meta is None:
            tensor._meta = {}
        tensor._meta["retains_grad"] = True

    def register_hook(self, tensor: Tensor, hook: Callable[[Tensor], Tensor | None]) -> Handle:
        if not tensor._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if tensor.grad_fn is not None:
            hooks = tensor.grad_fn.hooks
            if hooks is None:
                hooks = tensor.grad_fn.hooks = []
        else:
            if tensor._meta is None:
                tensor._meta = {}
            hooks = tensor._meta.setdefault("hooks", [])
        hooks.append(hook)
        return Handle([(hooks, hook)])

    def rebased(self, tensor: Tensor) -> None:
        """An in-place op gave ``tensor`` a new node: a retained gradient moves to it, and each
        live view of ``tensor`` (then each view of those) gets a new node of its view op that
        reads from the new history, so its gradient reaches what the in-place op used.
        Iterative; costs one node per live view."""
        stack = [tensor]
        while stack:
            t = stack.pop()
            meta = t._meta
            if not meta:
                continue
            if meta.get("retains_grad"):
                self.retain_grad(t)  # .grad is now that of the new value
            views = meta.get("views")
            if not views:
                continue
            for v in list(views):
                old = v.grad_fn
                if old is None:
                    continue
                v.grad_fn = type(old)((t,), (t._data,), old.params, v)
                v._requires_grad = True
                stack.append(v)

    def set_requires_grad(self, tensor: Tensor, flag: bool) -> None:
        if tensor.grad_fn is not None:
            if flag:  # a tensor with a history requires grad (an in-place op just gave it one)
                tensor._requires_grad = True
                return
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables. If you want to use "
                "a computed variable in a subgraph that doesn't require differentiation use "
                "var_no_grad = var.detach()."
            )
        if flag and tensor._data.dtype.kind != "f":
            raise RuntimeError(
                "only Tensors of floating point dtype can require gradients "
                f"(got {tensor.dtype.name})"
            )
        tensor._requires_grad = flag

    def inplace_needs_history(self, op: Primitive, target: Tensor, inputs: Sequence[Any]) -> bool:
        if not _enabled[0]:
            return False
        if target._requires_grad and target.grad_fn is None:
            raise RuntimeError(
                f"{op.name}_: a leaf Variable that requires grad is being used in an in-place "
                "operation."
            )
        need = target._requires_grad or any(
            t is not None and t is not target and t._requires_grad for t in inputs
        )
        if not need and target._base is not None and target._base._requires_grad:
            raise RuntimeError(
                f"{op.name}_: A view was created in no_grad mode and is being modified inplace "
                "with grad mode enabled. Given that this use case is ambiguous and error-prone, "
                "it is forbidden. You can clarify your code by moving both the view and the "
                "inplace either both inside the no_grad block (if you don't want the inplace to "
                "be tracked) or both outside (if you want the inplace to be tracked)."
            )
        if need and target._base is not None:
            raise RuntimeError(
                f"{op.name}_: in-place operations that record history are not supported on "
                "views (slices, reshapes, transposes); apply the op to the base tensor, or "
                "clone() the view first"
            )
        return need


_state: dict[str, Any] = {}


def install() -> None:
    """Register the engine and the recording observer with tt-tensor (idempotent)."""
    if "handle" in _state:
        return
    dispatch.set_engine(AutogradEngine())
    _state["handle"] = dispatch.add_observer(after=record)


def uninstall() -> None:
    """Remove the engine and the observer (gradients are no longer recorded)."""
    h = _state.pop("handle", None)
    if h is not None:
        h.remove()
        dispatch.set_engine(None)
