"""Graph nodes: what autograd records for each differentiable primitive call.

A :class:`Node` (a tensor's ``grad_fn``) remembers, for one call of one primitive:

* ``next``: one *edge* per input, pointing to where that input's gradient goes: the node that
  produced the input, the input tensor itself when it is a leaf that requires grad, or ``None``;
* the tensors the gradient formula needs (``saved``), each with the version it had when saved;
* the primitive's non-tensor parameters and the inputs' shapes and dtypes;
* ``seq``, its place in the order of recording (larger than its inputs' nodes'), which the
  backward engine walks down.

``apply(grad)`` runs the formula and returns one gradient per input, each reduced to that
input's dtype.  Nodes hold no reference to their own output tensor (only its array, when the
formula needs it), so a graph is freed as soon as the last tensor pointing to it is dropped.

Memory: one node per recorded primitive call plus whatever it saves.  After backward without
``retain_graph`` the saved tensors are released.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from itertools import count
from typing import Any

from tt_tensor import Tensor
from tt_tensor.dispatch import Handle
from tt_tensor.tensor import _make as _view_of_saved

from .grad_mode import _enabled

__all__ = ["SEQUENCE", "AccumulateGrad", "Node", "SavedOutput", "ViewNode"]

SEQUENCE = count()  # every recorded node takes the next number (see Node.seq)

_FREED_MSG = (
    "Trying to backward through the graph a second time (or directly access saved tensors "
    "after they have already been freed). Saved intermediate values of the graph are freed "
    "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
    "backward through the graph a second time or if you need to access saved tensors after "
    "calling backward."
)


class SavedOutput:
    """Marker in a node's saved list: 'the output of this node' (saved as its array only)."""

    __slots__ = ("array", "vc")

    def __init__(self, out: Tensor) -> None:
        self.array = out._data
        self.vc = out._vc


class Node:
    """The record of one differentiable primitive call (a tensor's ``grad_fn``).

    Subclasses set ``formula(ctx, grad) -> tuple`` and ``saves`` (indices of inputs to save,
    and ``-1`` for the output)."""

    # No __slots__: the rarely used fields below are class-level defaults, so recording a
    # node sets only what that node needs (recording is on the hot path of every op).
    formula: Callable[[Node, Tensor], tuple[Tensor | None, ...]]
    saves: tuple[int, ...] = ()
    needed_by: dict[int, int] | None = None
    hooks: list[Callable[[Tensor], Tensor | None]] | None = None  # the output tensor's
    prehooks: list[Callable[[Tensor], Tensor | None]] | None = None  # the node's own
    retained: Any = None
    saved: tuple[Any, ...] | None = ()
    versions: tuple[int, ...] = ()
    scalars: tuple[Any, ...] = ()
    next: tuple[Any, ...]
    shapes: tuple[Any, ...]
    dtypes: tuple[Any, ...]
    seq: int

    def __init__(
        self, inputs: Any, arrays: Any, params: tuple[Any, ...], out: Tensor | None
    ) -> None:
        # For each input: the edge its gradient follows (the node that made it, the input itself
        # when it is a leaf that requires grad, else None), and its shape and dtype (the
        # gradient is reduced and cast to them).  One and two tensor inputs are unrolled: this
        # runs for every recorded op and the loop below costs twice as much.
        n = len(inputs)
        if n == 1 and inputs[0] is not None:
            a = inputs[0]
            self.next = ((a.grad_fn or a) if a._requires_grad else None,)
            self.shapes = (a._data.shape,)
            self.dtypes = (a._data.dtype,)
        elif n == 2 and inputs[0] is not None and inputs[1] is not None:
            a, b = inputs
            da, db = a._data, b._data
            ea = (a.grad_fn or a) if a._requires_grad else None
            self.next = (ea, (b.grad_fn or b) if b._requires_grad else None)
            self.shapes = (da.shape, db.shape)
            self.dtypes = (da.dtype, db.dtype)
        else:
            self._edges(inputs)
        self.params = params
        self.seq = next(SEQUENCE)
        if self.saves:
            self._save(inputs, arrays, out)

    def _edges(self, inputs: Any) -> None:
        nxt: list[Any] = []
        shapes: list[Any] = []
        dtypes: list[Any] = []
        for t in inputs:
            if t is None:
                nxt.append(None)
                shapes.append(None)
                dtypes.append(None)
            else:
                d = t._data
                shapes.append(d.shape)
                dtypes.append(d.dtype)
                nxt.append((t.grad_fn or t) if t._requires_grad else None)
        self.next = (*nxt,)
        self.shapes = (*shapes,)
        self.dtypes = (*dtypes,)

    def _save(self, inputs: Any, arrays: Any, out: Tensor | None) -> None:
        saved: list[Any] = []
        versions: list[int] = []
        scalars: list[Any] = []
        needed_by = self.needed_by
        unused = {i for i, j in needed_by.items() if self.next[j] is None} if needed_by else ()
        for i in self.saves:
            if i < 0:
                assert out is not None
                s: Any = SavedOutput(out)
                versions.append(out._vc[0])
            else:
                s = inputs[i]
                if s is None:  # a Python scalar operand: keep its value
                    scalars.append(arrays[i])
                    versions.append(-1)
                elif i in unused:
                    s = None  # only another input's gradient reads it, and that one is unused
                    scalars.append(None)
                    versions.append(-1)
                else:
                    versions.append(s._vc[0])
            saved.append(s)
        self.saved = tuple(saved)
        self.versions = tuple(versions)
        self.scalars = tuple(scalars)

    # --------------------------------------------------------------- for formulas
    @property
    def saved_tensors(self) -> tuple[Any, ...]:
        """The saved values, checked against in-place modification; a Python scalar operand
        comes back as the number itself."""
        saved = self.saved
        if saved is None:
            raise RuntimeError(_FREED_MSG)
        out: list[Any] = []
        k = 0  # the next Python scalar operand's place in self.scalars
        for s, v in zip(saved, self.versions):  # noqa: B905 (recorded together, one per value)
            if s is None:  # a Python scalar operand (or a None a Function saved): its value
                out.append(self.scalars[k])
                k += 1
            elif s.__class__ is SavedOutput:
                if s.vc[0] != v:
                    self._raise_modified(s.array, s.vc[0], v, "output")
                out.append(_wrap_output(s, self))
            else:
                if s._vc[0] != v:
                    self._raise_modified(s._data, s._vc[0], v, "input")
                out.append(s)
        return tuple(out)

    def _raise_modified(self, arr: Any, now: int, then: int, what: str) -> None:
        raise RuntimeError(
            "one of the variables needed for gradient computation has been modified by an "
            f"inplace operation: [{arr.dtype} {list(arr.shape)}], which is an {what} of "
            f"{self.name()}, is at version {now}; expected version {then} instead. Hint: avoid "
            "the in-place op (use its out-of-place form), or clone() the tensor before it."
        )

    @property
    def needs_input_grad(self) -> tuple[bool, ...]:
        """For each input, whether its gradient is needed."""
        return tuple(e is not None for e in self.next)

    @property
    def next_functions(self) -> tuple[tuple[Any, int], ...]:
        """PyTorch's view of the edges: ``(node, 0)``, ``(AccumulateGrad, 0)`` for a leaf,
        ``(None, 0)`` where no gradient flows."""
        return tuple((AccumulateGrad(e) if isinstance(e, Tensor) else e, 0) for e in self.next)

    def apply(self, grad: Tensor) -> tuple[Tensor | None, ...]:
        """Run the formula and return one gradient per input, in each input's dtype."""
        grads = type(self).formula(self, grad)
        if len(grads) != len(self.next):
            raise RuntimeError(
                f"{self.name()}: the formula returned {len(grads)} gradients for "
                f"{len(self.next)} inputs"
            )
        for g, dt, shape in zip(grads, self.dtypes, self.shapes):  # noqa: B905 (checked above)
            if g is not None and (g._data.dtype is not dt or g._data.shape != shape):
                return self._conform(grads)
        return grads  # the common case: every gradient already has its input's dtype and shape

    def _conform(self, grads: tuple[Tensor | None, ...]) -> tuple[Tensor | None, ...]:
        """Cast each gradient to its input's dtype; a wrong shape is a formula bug: raise."""
        out: list[Tensor | None] = []
        for i, g in enumerate(grads):
            if g is None or self.next[i] is None:
                out.append(None)
                continue
            dt = self.dtypes[i]
            if g._data.dtype != dt:
                g = g.to(dt)
            if g._data.shape != self.shapes[i]:
                raise RuntimeError(
                    f"{self.name()}: the gradient computed for input {i} has shape "
                    f"{tuple(g._data.shape)} but the input has shape {self.shapes[i]}"
                )
            out.append(g)
        return tuple(out)

    def release(self) -> None:
        """Free the saved tensors (after a backward without ``retain_graph``)."""
        if self.saves:
            self.saved = None

    def name(self) -> str:
        """The node's name, e.g. ``"MulBackward0"`` (PyTorch's ``Node.name()``)."""
        return type(self).__name__

    @property
    def metadata(self) -> dict[str, Any]:
        """A dict for the user's own annotations of this node (PyTorch's ``Node.metadata``)."""
        meta: dict[str, Any] | None = self.__dict__.get("_metadata")
        if meta is None:
            meta = self.__dict__["_metadata"] = {}
        return meta

    def register_prehook(
        self, hook: Callable[[tuple[Tensor, ...]], tuple[Tensor, ...] | None]
    ) -> Handle:
        """Run ``hook(grad_outputs)`` before this node runs: ``grad_outputs`` is a 1-tuple
        holding the gradient of the node's output; a returned tuple replaces it (PyTorch's
        ``Node.register_prehook``).  Prehooks run in order of registration; as in PyTorch,
        after the output tensor's hooks and after its
        retained ``.grad`` (or ``autograd.grad``'s result) is taken, just before the node."""

        def pre(g: Tensor) -> Tensor | None:
            r = hook((g,))
            return None if r is None else r[0]

        pre.__name__ = getattr(hook, "__name__", "hook")
        if self.prehooks is None:
            self.prehooks = []
        self.prehooks.append(pre)
        return Handle([(self.prehooks, pre)])

    def register_hook(
        self,
        hook: Callable[
            [tuple[Tensor | None, ...], tuple[Tensor, ...]], tuple[Tensor | None, ...] | None
        ],
    ) -> Handle:
        """Run ``hook(grad_inputs, grad_outputs)`` after this node has run (PyTorch's
        ``Node.register_hook``): ``grad_inputs`` holds one gradient per input (``None`` where
        none flows), ``grad_outputs`` the 1-tuple of the gradient it received; a returned tuple
        replaces ``grad_inputs``.

        Only this node pays: its first hook gives it an ``apply`` of its own (an instance
        attribute the engine calls instead of the class's), which runs the hooks after the
        formula.  The wrapper holds the node weakly, so no reference cycle is made."""
        post: list[Any] | None = self.__dict__.get("_post_hooks")
        if post is None:
            post = self.__dict__["_post_hooks"] = []
            run = type(self).apply
            ref = weakref.ref(self)
            hooks = post

            def apply(grad: Tensor) -> tuple[Tensor | None, ...]:
                node = ref()
                assert node is not None  # (the engine holds it while calling)
                grads = run(node, grad)
                for h in list(hooks):
                    r = h(grads, (grad,))
                    if r is not None:
                        grads = node._checked_hook_result(h, tuple(r), len(grads))
                return grads

            self.__dict__["apply"] = apply
        post.append(hook)
        return Handle([(post, hook)])

    def _checked_hook_result(
        self, hook: Any, grads: tuple[Any, ...], n: int
    ) -> tuple[Tensor | None, ...]:
        """A post-hook's replacement ``grad_inputs``: one per input, each ``None`` or a tensor
        with that input's shape (cast to its dtype), as PyTorch checks them."""
        name = getattr(hook, "__name__", "hook")
        if len(grads) != n:
            raise RuntimeError(
                f"hook '{name}' of {self.name()} returned {len(grads)} gradients, expected {n}"
            )
        for i, g in enumerate(grads):
            if g is not None and (not isinstance(g, Tensor) or g._data.shape != self.shapes[i]):
                got = tuple(g._data.shape) if isinstance(g, Tensor) else type(g).__name__
                raise RuntimeError(
                    f"hook '{name}' of {self.name()} returned a gradient for input {i} of "
                    f"{got}, expected a tensor of shape {self.shapes[i]} or None"
                )
        return self._conform(grads)

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"


class ViewNode(Node):
    """The node of a view primitive (reshape, permute, getitem, ...).  When its output really
    shares the input's memory, the two are linked: the input's ``_meta["views"]`` is a weak set
    of its views, and the view's ``_meta["view_of"]`` the input (a strong reference: in
    ``y.reshape(2, 1)[1]`` nothing else keeps the middle view alive, and the chain from ``y`` to
    the last view goes through it).  An in-place op that rewrites
    the input's history then gives each live view a new node on that history (PyTorch
    regenerates a view's ``grad_fn`` the same way), see ``AutogradEngine.rebased``.  Only
    recorded views pay for this (one weak reference each)."""

    def __init__(
        self, inputs: Any, arrays: Any, params: tuple[Any, ...], out: Tensor | None
    ) -> None:
        Node.__init__(self, inputs, arrays, params, out)
        if out is None or out._base is None:
            return  # a copy (advanced indexing, a non-contiguous reshape): nothing to follow
        meta = out._meta
        if meta is None:
            meta = out._meta = {}
        if "view_of" in meta:
            return  # a node regenerated for an existing view: already linked
        parent = inputs[0]
        meta["view_of"] = parent
        pmeta = parent._meta
        if pmeta is None:
            pmeta = parent._meta = {}
        views = pmeta.get("views")
        if views is None:
            views = pmeta["views"] = weakref.WeakSet()
        views.add(out)


def _wrap_output(s: SavedOutput, node: Node) -> Tensor:
    """The saved output as a tensor; while recording (create_graph) it is attached to ``node``
    so that second derivatives flow through it."""
    t = _view_of_saved(s.array)
    t._vc = s.vc
    if _enabled[0]:
        t._requires_grad = True
        t.grad_fn = node
    return t


class AccumulateGrad:
    """Display-only stand-in for a leaf edge (PyTorch's ``AccumulateGrad`` node)."""

    __slots__ = ("variable",)

    def __init__(self, variable: Tensor) -> None:
        self.variable = variable

    next_functions: tuple[tuple[Any, int], ...] = ()

    def __repr__(self) -> str:
        return "<AccumulateGrad>"
