"""The backward engine: walk the graph once, in dependency order, without recursion.

``backward(root)``:

1. **Discover** every node reachable from ``root.grad_fn`` with an explicit stack, counting for
   each node how many edges point at it (its *dependencies*).
2. **Execute** with a ready list (Kahn's algorithm): a node runs once all of its dependents have
   delivered their gradient to it, so each node runs exactly once and its incoming gradients
   are summed first.  Leaf tensors are reached the same way; their total gradient is added to
   ``.grad`` (which accumulates across backward calls, as in PyTorch).

Both phases are loops, so a chain of 100,000 operations needs no recursion.  Without
``retain_graph`` every node frees its saved tensors after it runs; a second backward that needs
them raises.  With ``create_graph`` the formulas run with recording on, so the gradients have a
graph of their own.

Cost: O(nodes + edges) Python steps plus the formulas' own work.  Memory: one gradient buffer
per node whose dependents have not all finished.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import tt_tensor as tt
from tt_tensor import Tensor

from .grad_mode import _enabled

__all__ = ["backward", "grad", "run_backward"]


def _root_grad(t: Tensor, g: Tensor | None, what: str) -> Tensor:
    if g is None:
        if t.numel() != 1:
            raise RuntimeError(
                f"{what}: grad can be implicitly created only for scalar outputs (the output "
                f"has shape {tuple(t.shape)}); pass gradient= explicitly"
            )
        return tt.ones_like(t)
    if not isinstance(g, Tensor):
        g = tt.tensor(g, dtype=t.dtype)
    if tuple(g.shape) != tuple(t.shape):
        raise RuntimeError(
            f"{what}: mismatch in shape: grad_output has a shape of {tuple(g.shape)} and "
            f"output has a shape of {tuple(t.shape)}"
        )
    return g


def _owner(t: Tensor) -> int:
    a = t._data
    return id(a.base if a.base is not None else a)


def _run_hooks(hooks: Any, g: Tensor) -> Tensor:
    for h in hooks:
        r = h(g)
        if r is not None:
            g = r
    return g


def run_backward(
    roots: Sequence[Tensor],
    grads: Sequence[Tensor],
    retain_graph: bool,
    create_graph: bool,
    capture: Sequence[Tensor] | None = None,
) -> list[Tensor | None]:
    """Propagate ``grads`` from ``roots`` through the graph.

    Without ``capture`` the leaves' ``.grad`` accumulate.  With ``capture`` (``autograd.grad``)
    nothing accumulates and the gradients reaching the given tensors are returned instead."""
    # ---- discover: count the edges into every node and leaf reachable from the roots
    deps: dict[Any, int] = {}
    buffers: dict[Any, Tensor] = {}
    stack: list[Any] = []
    for t, g in zip(roots, grads, strict=True):
        key = t.grad_fn or t
        buffers[key] = buffers[key] + g if key in buffers else g
        if key not in deps:
            deps[key] = 0
            if key is not t:
                stack.append(key)
    while stack:
        for e in stack.pop().next:
            if e is None:
                continue
            if e in deps:
                deps[e] += 1
            else:
                deps[e] = 1
                if e.__class__ is not Tensor and not isinstance(e, Tensor):
                    stack.append(e)

    targets: dict[Any, int] = {}
    captured: dict[Any, Tensor] = {}
    if capture is not None:
        targets = {t.grad_fn or t: i for i, t in enumerate(capture)}

    # ---- execute (Kahn's algorithm): a key is ready when all edges into it have delivered.
    # A gradient buffer may pass unchanged through several nodes (add hands its gradient on
    # as is), so one buffer can reach several leaves.  A leaf's .grad is later updated in
    # place, so no two kept gradients may share memory: ``kept`` holds the buffers (by owning
    # array) already kept as a .grad, or held by the caller (the root gradients: x.backward(g)
    # must not alias x.grad and g); a leaf that receives one of those keeps a copy.
    kept = {_owner(g) for g in grads}
    ready = [k for k in buffers if deps[k] == 0]
    prev = _enabled[0]
    _enabled[0] = create_graph
    try:
        while ready:
            key = ready.pop()
            g = buffers.pop(key)
            if isinstance(key, Tensor):  # a leaf: all of its gradient has arrived
                meta = key._meta
                if meta and meta.get("hooks"):
                    g = _run_hooks(meta["hooks"], g)
                if capture is None:
                    _accumulate(key, g, kept, create_graph)
                elif key in targets:
                    captured[key] = g
                continue
            if key.hooks:
                g = _run_hooks(key.hooks, g)
            if key.retained is not None and capture is None:
                t = key.retained()
                if t is not None:
                    t.grad = _keep(g, kept) if t.grad is None else t.grad + g
            if targets and key in targets:
                captured[key] = g
            in_grads = key.apply(g)
            if not retain_graph:
                key.release()
            for e, gi in zip(key.next, in_grads, strict=True):
                if e is None or gi is None:
                    continue
                if e in buffers:
                    buffers[e] = buffers[e] + gi
                else:
                    buffers[e] = gi
                n = deps[e] - 1
                deps[e] = n
                if n == 0:
                    ready.append(e)
    finally:
        _enabled[0] = prev
    if capture is None:
        return []
    return [captured.get(t.grad_fn or t) for t in capture]


def _keep(g: Tensor, kept: set[int]) -> Tensor:
    """``g`` to be kept as a ``.grad``: a copy if its memory is already kept elsewhere or is
    read-only (an expanded view), else ``g`` itself (then marked as kept)."""
    o = _owner(g)
    if o in kept or not g._data.flags.writeable:
        return g.detach().clone()
    kept.add(o)
    return g


def _accumulate(leaf: Tensor, g: Tensor, kept: set[int], create_graph: bool) -> None:
    """Add ``g`` to ``leaf.grad``; never let two kept gradients share one buffer."""
    if leaf.grad is None:
        if not create_graph:
            g = _keep(g, kept)
            if g._requires_grad:  # (a hook's result may carry a graph: keep none of it)
                g = g.detach()
        leaf.grad = g
    elif create_graph:
        leaf.grad = leaf.grad + g
    else:
        leaf.grad._data += g._data
        leaf.grad._vc[0] += 1


def backward(
    tensors: Tensor | Sequence[Tensor],
    grad_tensors: Tensor | Sequence[Tensor | None] | None = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
) -> None:
    """Accumulate the gradients of ``tensors`` into the leaves' ``.grad``.

    ``grad_tensors`` weight each tensor (required for non-scalar ones)."""
    ts = [tensors] if isinstance(tensors, Tensor) else list(tensors)
    if grad_tensors is None or isinstance(grad_tensors, Tensor):
        gs: list[Tensor | None] = [grad_tensors] * len(ts) if ts else []
    else:
        gs = list(grad_tensors)
    for t in ts:
        if not t._requires_grad:
            raise RuntimeError(
                "element 0 of tensors does not require grad and does not have a grad_fn"
            )
    roots = [_root_grad(t, g, "backward") for t, g in zip(ts, gs, strict=True)]
    keep = create_graph if retain_graph is None else retain_graph
    run_backward(ts, roots, keep, create_graph)


def grad(
    outputs: Tensor | Sequence[Tensor],
    inputs: Tensor | Sequence[Tensor],
    grad_outputs: Tensor | Sequence[Tensor | None] | None = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    allow_unused: bool = False,
) -> tuple[Tensor | None, ...]:
    """The gradients of ``outputs`` with respect to ``inputs``, returned instead of being
    accumulated into ``.grad`` (``torch.autograd.grad``).

    >>> import tt_tensor as tt, tt_autograd as ag
    >>> x = tt.tensor([3.0], requires_grad=True)
    >>> (dx,) = ag.grad((x ** 3).sum(), x, create_graph=True)
    >>> (d2x,) = ag.grad(dx.sum(), x)
    >>> dx.item(), d2x.item()
    (27.0, 18.0)
    """
    outs = [outputs] if isinstance(outputs, Tensor) else list(outputs)
    ins = [inputs] if isinstance(inputs, Tensor) else list(inputs)
    if grad_outputs is None or isinstance(grad_outputs, Tensor):
        gos: list[Tensor | None] = [grad_outputs] * len(outs)
    else:
        gos = list(grad_outputs)
    for i, t in enumerate(ins):
        if not t._requires_grad:
            raise RuntimeError(f"grad: input {i} does not require grad")
    for t in outs:
        if not t._requires_grad:
            raise RuntimeError("grad: an output does not require grad and does not have a grad_fn")
    roots = [_root_grad(t, g, "grad") for t, g in zip(outs, gos, strict=True)]
    keep = create_graph if retain_graph is None else retain_graph
    result = run_backward(outs, roots, keep, create_graph, capture=ins)
    for i, r in enumerate(result):
        if r is None and not allow_unused:
            raise RuntimeError(
                f"grad: input {i} was not used in the graph of the outputs; pass "
                "allow_unused=True if this is intended"
            )
    return tuple(result)
