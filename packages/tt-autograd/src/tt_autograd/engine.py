"""The backward engine: walk the graph once, in reverse order of recording, without recursion.

Every node carries a sequence number, taken from one counter when it is recorded.  A node is
recorded after the nodes of its inputs, so its number is larger than theirs: the numbers are a
topological order of any graph, and going down them visits every consumer of a tensor before
the node that produced it.

``backward(root)`` keeps a max-heap of the nodes that have received a gradient, keyed by their
sequence number, and one gradient buffer per node.  It pops the newest node: every node that
feeds a gradient into it is newer still, so it has already run and the buffer is complete.  The
node's formula runs once, and each input's gradient is added to its producer's buffer (the
producer enters the heap on its first gradient).  Leaf tensors collect their buffers the same way
and receive them once the heap is empty; their total is added to ``.grad`` (which accumulates
across backward calls, as in PyTorch).  A formula may return ``None`` for an input (no
gradient flows there); nothing else waits on it.

There is no separate pass to count dependencies (PyTorch's engine makes one): the order alone
says when a buffer is complete.  Both the heap and the buffers live in the call, so graphs may be
shared between backward calls, and a chain of 100,000 operations needs no recursion.  Without
``retain_graph`` every node frees its saved tensors after it runs; a second backward that needs
them raises.  With ``create_graph`` the formulas run with recording on, so the gradients have a
graph of their own (its nodes are newer, and never reached from this graph).

``grad(outputs, inputs)`` (``capture``) first marks the nodes on a path from the outputs down
to an input (two passes before the walk, see ``_on_paths``) and runs only those: a non-leaf
input's own node does not run (its saved tensors stay), and no hook fires off those paths.
Hooks run on the gradient arriving at their tensor; one that changes its size or dtype
raises.

Cost: O(nodes log nodes + edges) Python steps plus the formulas' own work.  Memory: one
gradient buffer per node that has received a gradient and not yet run, plus the leaves' totals.
"""

from __future__ import annotations

from collections.abc import Sequence
from heapq import heappop, heappush
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
        if what == "grad":  # (backward(gradient=2.0) converts a number, autograd.grad not)
            raise TypeError(
                f"grad: gradients can be either Tensors or None, but got {type(g).__name__} in "
                "grad_outputs"
            )
        g = tt.tensor(g, dtype=t.dtype)
    if tuple(g.shape) != tuple(t.shape):
        raise RuntimeError(
            f"{what}: mismatch in shape: grad_output has a shape of {tuple(g.shape)} and "
            f"output has a shape of {tuple(t.shape)}"
        )
    return g


def _as_list(tensors: Tensor | Sequence[Any]) -> list[Any]:
    """``tensors`` as a list: a single tensor is one item (as in PyTorch's signatures)."""
    return [tensors] if isinstance(tensors, Tensor) else list(tensors)


def _grad_list(grads: Tensor | Sequence[Any] | None, n: int, what: str) -> list[Any]:
    """The root gradients as a list of ``n`` (``None`` or a tensor means the same for every
    output); a sequence of another length is a ``RuntimeError`` naming both counts."""
    if grads is None or isinstance(grads, Tensor):
        return [grads] * n
    gs = list(grads)
    if len(gs) != n:
        raise RuntimeError(
            f"{what}: got {n} tensors and {len(gs)} gradients (one gradient per output needed)"
        )
    return gs


def _owner(t: Tensor) -> int:
    a = t._data
    return id(a.base if a.base is not None else a)


def _run_hooks(hooks: Any, g: Tensor, kept: set[int]) -> Tensor:
    """Run the hooks in order, each on the previous one's result.  A hook may keep the
    gradient it receives (or return one it keeps): those buffers join ``kept``, so a leaf
    stores a copy of them (the later in-place accumulation must not change what it holds)."""
    kept.add(_owner(g))
    for h in hooks:
        r = h(g)
        if r is not None:
            if not isinstance(r, Tensor):
                raise TypeError(f"expected Variable, but hook returned '{type(r).__name__}'")
            if r._data.shape != g._data.shape or r._data.dtype != g._data.dtype:
                _raise_hook_changed(h, g, r)
            g = r
            kept.add(_owner(g))
    return g


def _raise_hook_changed(h: Any, g: Tensor, r: Tensor) -> None:
    name = getattr(h, "__name__", type(h).__name__)
    if r._data.shape != g._data.shape:
        raise RuntimeError(
            f"hook '{name}' has changed the size of value (was {tuple(g._data.shape)} got "
            f"{tuple(r._data.shape)})"
        )
    raise RuntimeError(
        f"hook '{name}' has changed the type of value (was {g.dtype.name} got {r.dtype.name})"
    )


_NONE: frozenset[Any] = frozenset()  # backward(): no path sets to build


def _on_paths(roots: Sequence[Tensor], targets: dict[Any, int]) -> tuple[set[Any], set[Any]]:
    """For ``autograd.grad``: the nodes and leaves on a path from ``roots`` down to a target
    (``needed``), and among them the nodes that must run (``run``: some input of theirs is
    needed; a target's own node runs only then).  Two passes without recursion: collect what
    the roots reach, then visit it oldest first (every edge points to an older node), so each
    node's inputs are decided before it.  Cost: O(reached nodes log + edges)."""
    reached: dict[Any, None] = {}
    stack: list[Any] = [t.grad_fn or t for t in roots]
    while stack:
        e = stack.pop()
        if e in reached:
            continue
        reached[e] = None
        if not isinstance(e, Tensor):
            stack.extend(n for n in e.next if n is not None and n not in reached)
    needed: set[Any] = set()
    run: set[Any] = set()
    nodes = sorted((e for e in reached if not isinstance(e, Tensor)), key=lambda n: n.seq)
    needed.update(e for e in reached if isinstance(e, Tensor) and e in targets)
    for n in nodes:
        if any(e is not None and e in needed for e in n.next):
            run.add(n)
            needed.add(n)
        elif n in targets:
            needed.add(n)
    return needed, run


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
    buffers: dict[Any, Tensor] = {}  # node or leaf -> the sum of the gradients it received
    heap: list[tuple[int, Any]] = []  # (-sequence number, node): the newest node pops first
    leaves: list[Tensor] = []  # in the order their first gradient arrived
    for t, g in zip(roots, grads, strict=True):
        key: Any = t.grad_fn or t
        if key in buffers:
            buffers[key] = buffers[key] + g
        else:
            buffers[key] = g
            if key is t:
                leaves.append(t)
            else:
                heappush(heap, (-key.seq, key))
    targets: dict[Any, int] = {}
    captured: dict[Any, Tensor] = {}
    needed: set[Any] | frozenset[Any] = _NONE
    run: set[Any] | frozenset[Any] = _NONE
    if capture is not None:
        targets = {t.grad_fn or t: i for i, t in enumerate(capture)}
        needed, run = _on_paths(roots, targets)

    # A gradient buffer may pass unchanged through several nodes (add hands its gradient on as
    # is), so one buffer can reach several leaves.  A leaf's .grad is later updated in place,
    # so no two kept gradients may share memory: ``kept`` holds the buffers (by owning array)
    # already kept as a .grad, or held by the caller (the root gradients: x.backward(g) must
    # not alias x.grad and g); a leaf that receives one of those keeps a copy.
    kept = {_owner(g) for g in grads}
    prev = _enabled[0]
    _enabled[0] = create_graph
    try:
        while heap:
            key = heappop(heap)[1]
            g = buffers.pop(key)
            if targets and key not in needed:
                continue  # autograd.grad: off every path to an input (no hooks, nothing kept)
            if key.hooks:
                g = _run_hooks(key.hooks, g, kept)
            if targets and key in targets:
                captured[key] = g
                kept.add(_owner(g))  # (returned to the caller: a retained .grad is a copy)
            if key.retained is not None:
                t = key.retained()
                if t is not None and t.grad_fn is key:  # (an in-place op moved it on: not)
                    if t.grad is not None:
                        t.grad = t.grad + g
                    elif create_graph and _owner(g) in kept:
                        t.grad = g.clone()  # (recorded: the copy keeps g's graph)
                    else:
                        t.grad = _keep(g, kept)
            if targets and key not in run:
                continue  # autograd.grad: run only the nodes on a path to an input
            if key.prehooks:  # the node's own (after its output's hooks and .grad, as torch)
                g = _run_hooks(key.prehooks, g, kept)
            in_grads = key.apply(g)  # (one per edge: Node.apply checks the count)
            if not retain_graph:
                key.release()
            for e, gi in zip(key.next, in_grads):  # noqa: B905 (equal lengths, see above)
                if e is None or gi is None:
                    continue
                if e in buffers:
                    buffers[e] = buffers[e] + gi
                else:
                    buffers[e] = gi
                    if e.__class__ is Tensor or isinstance(e, Tensor):
                        leaves.append(e)
                    else:
                        heappush(heap, (-e.seq, e))
        for leaf in leaves:  # every node has run: each leaf's total is complete
            g = buffers.pop(leaf)
            if targets and leaf not in targets:
                continue  # autograd.grad: a leaf that is not an input (its hooks do not fire)
            meta = leaf._meta
            if meta and meta.get("hooks"):
                g = _run_hooks(meta["hooks"], g, kept)
            if capture is None:
                _accumulate(leaf, g, kept, create_graph)
            else:
                captured[leaf] = g
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
    """Add ``g`` to ``leaf.grad``; never let two kept gradients share one buffer.  (Through
    the slot: ``g`` has the leaf's shape and dtype, which the ``grad`` setter would check.)"""
    have = leaf._grad
    if have is None:
        if not create_graph:
            g = _keep(g, kept)
            if g._requires_grad:  # (a hook's result may carry a graph: keep none of it)
                g = g.detach()
        elif g._base is not None:
            g = g.clone()  # (as PyTorch: a .grad with a graph is no view; detach_() works)
        leaf._grad = g
    elif create_graph:
        leaf._grad = have + g
    else:
        have._data += g._data
        have._vc[0] += 1


def backward(
    tensors: Tensor | Sequence[Tensor],
    grad_tensors: Tensor | Sequence[Tensor | None] | None = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
) -> None:
    """Accumulate the gradients of ``tensors`` into the leaves' ``.grad``.

    ``grad_tensors`` weight each tensor (required for non-scalar ones)."""
    ts = _as_list(tensors)
    gs = _grad_list(grad_tensors, len(ts), "backward")
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
    only_inputs: bool = True,
    allow_unused: bool | None = None,
    is_grads_batched: bool = False,
    materialize_grads: bool = False,
) -> tuple[Tensor | None, ...]:
    """The gradients of ``outputs`` with respect to ``inputs``, returned instead of being
    accumulated into ``.grad`` (``torch.autograd.grad``).

    An input the outputs do not depend on is an error, unless ``allow_unused`` (its gradient
    is then ``None``) or ``materialize_grads`` (zeros; implies ``allow_unused``).
    ``only_inputs`` is accepted and ignored, as in PyTorch; ``is_grads_batched`` (vmap over
    ``grad_outputs``) is not supported.

    >>> import tt_tensor as tt, tt_autograd as ag
    >>> x = tt.tensor([3.0], requires_grad=True)
    >>> (dx,) = ag.grad((x ** 3).sum(), x, create_graph=True)
    >>> (d2x,) = ag.grad(dx.sum(), x)
    >>> dx.item(), d2x.item()
    (27.0, 18.0)
    """
    if materialize_grads and allow_unused is False:
        raise ValueError(
            "Expected allow_unused to be True or not passed when materialize_grads=True, but "
            "got: allow_unused=False."
        )
    if is_grads_batched:
        raise NotImplementedError("grad: is_grads_batched=True is not supported")
    outs = _as_list(outputs)
    ins = _as_list(inputs)
    gos = _grad_list(grad_outputs, len(outs), "grad")
    for i, t in enumerate(ins):
        if not t._requires_grad:
            raise RuntimeError(f"grad: input {i} does not require grad")
    for t in outs:
        if not t._requires_grad:
            raise RuntimeError("grad: an output does not require grad and does not have a grad_fn")
    roots = [_root_grad(t, g, "grad") for t, g in zip(outs, gos, strict=True)]
    keep = create_graph if retain_graph is None else retain_graph
    result = run_backward(outs, roots, keep, create_graph, capture=ins)
    if materialize_grads:
        return tuple(tt.zeros_like(t) if r is None else r for t, r in zip(ins, result, strict=True))
    for i, r in enumerate(result):
        if r is None and not allow_unused:
            raise RuntimeError(
                f"grad: input {i} was not used in the graph of the outputs; pass "
                "allow_unused=True if this is intended"
            )
    return tuple(result)
