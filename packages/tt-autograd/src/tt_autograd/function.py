"""Custom differentiable operations: subclass :class:`Function` (``torch.autograd.Function``).

Write ``forward(ctx, *args)`` with tensor operations or NumPy (it runs with recording off) and
``backward(ctx, *grad_outputs)`` returning one gradient per ``forward`` argument (``None`` for
non-tensors).  Save what backward needs with ``ctx.save_for_backward(*tensors)``; read it back
with ``ctx.saved_tensors`` (checked against later in-place modification).  Call
``MyFunction.apply(*args, **kwargs)`` (keyword arguments go to ``forward`` and get no gradient).

As in PyTorch, ``forward`` may instead take the inputs alone, with a ``setup_context(ctx,
inputs, output)`` staticmethod filling ``ctx``.  It may return a tuple of outputs, non-tensors
among them (a list is one non-tensor output, as in PyTorch); ``backward`` then receives one
gradient per output: zeros for an unused output (``None`` after
``ctx.set_materialize_grads(False)``), ``None`` for a non-tensor one.
``ctx.mark_non_differentiable(*outputs)`` keeps outputs out of the graph;
``ctx.mark_dirty(*inputs)`` declares inputs that ``forward`` modified in place and returns
(they keep their identity and get the function's node as history); ``ctx.needs_input_grad`` is
available in ``forward`` as well as in ``backward``.  :func:`once_differentiable` marks a
``backward`` that cannot itself be differentiated.

Differences from PyTorch: an output of a function with several outputs has a node of its own
(a :class:`FunctionOutput`, which leads to the function's node and shows its name, saved
tensors and attributes), so two outputs' ``grad_fn`` are different objects, and hooks on those
nodes are refused (hooks on the output tensors work); forward-mode
(``jvp``) is not supported.

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

import functools
import inspect
import warnings
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np

from tt_tensor import Tensor
from tt_tensor import dispatch as _dispatch
from tt_tensor.tensor import _make

from .grad_mode import _enabled
from .node import SEQUENCE, Node

__all__ = ["Function", "FunctionCtx", "FunctionOutput", "once_differentiable"]

F = TypeVar("F", bound=Callable[..., Any])


class FunctionCtx(Node):
    """The ``ctx`` of a :class:`Function`: also the node recorded in the graph.

    Its ``name()`` is ``<Function>Backward``, as in PyTorch; its type stays ``FunctionCtx``
    (PyTorch makes a class ``<Function>Backward`` per Function; tt-nn's tests check for this
    one).  Any attribute may be set on it in ``forward`` (``ctx.k = 3``) and read in
    ``backward``."""

    _fn: type[Function]

    # Until Function.apply records the node: no edges, nothing saved (class-level defaults,
    # so creating a ctx, which every call does, sets no field).
    _to_save: tuple[Any, ...] = ()
    _non_diff: frozenset[int] | set[int] = frozenset()
    _dirty: tuple[Tensor, ...] = ()
    materialize_grads = True
    # A function with several outputs (or a tuple of one): per output, its (shape, dtype), or
    # None for a non-tensor; None for a function returning a lone tensor.
    _outputs_meta: tuple[tuple[Any, Any] | None, ...] | None = None
    params: tuple[Any, ...] = ()
    next: tuple[Any, ...] = ()
    shapes: tuple[Any, ...] = ()
    dtypes: tuple[Any, ...] = ()

    def __init__(self, fn: type[Function]) -> None:  # graph fields are set by Function.apply
        self._fn = fn

    def name(self) -> str:
        """``<Function>Backward``, e.g. ``"ScaledExpBackward"`` (as PyTorch names it)."""
        return f"{self._fn.__name__}Backward"

    def save_for_backward(self, *tensors: Tensor | None) -> None:
        """Keep ``tensors`` (or ``None``) for backward (their versions are checked when read
        back; anything else raises a TypeError when ``apply`` records the node)."""
        self._to_save = tensors

    def mark_non_differentiable(self, *outputs: Tensor) -> None:
        """Declare outputs that never need a gradient (backward still receives one for them:
        zeros, or ``None`` after ``set_materialize_grads(False)``)."""
        self._non_diff = {*self._non_diff, *(id(o) for o in outputs)}

    def mark_dirty(self, *tensors: Tensor) -> None:
        """Declare inputs that ``forward`` modified in place; each must also be returned."""
        self._dirty = (*self._dirty, *tensors)

    def set_materialize_grads(self, value: bool) -> None:
        """With ``False``, backward receives ``None`` (not zeros) for an output whose gradient
        was never computed (an unused output of a function with several outputs)."""
        self.materialize_grads = bool(value)

    def register_hook(self, hook: Any) -> Any:
        if self._outputs_meta is not None:
            _no_node_hooks(self)
        return Node.register_hook(self, hook)

    def register_prehook(self, hook: Any) -> Any:
        if self._outputs_meta is not None:
            _no_node_hooks(self)
        return Node.register_prehook(self, hook)

    def __repr__(self) -> str:
        return f"<{self.name()}>"


def _no_node_hooks(ctx: FunctionCtx) -> None:
    """Node hooks see every output's gradient at once in PyTorch; tt's function with several
    outputs gathers them in the engine's buffer instead, so it refuses them (hooks on the
    output *tensors* work)."""
    raise NotImplementedError(
        f"{ctx.name()}: hooks on the node of a Function with several outputs are not "
        "supported; register them on the output tensors (tensor.register_hook) instead"
    )


class FunctionOutput(Node):
    """The ``grad_fn`` of one output of a Function with several outputs.

    Its only edge leads to the function's node (a :class:`FunctionCtx`); it hands the gradient
    it receives on as an :class:`OutputGrads` tagged with its output's place, and the engine
    adds those up in the function's buffer, so the function's backward runs once with one
    gradient per output.  It shows the function's name, saved tensors, ``needs_input_grad``,
    ``next_functions`` and ctx attributes."""

    saves = ()

    def __init__(self, ctx: FunctionCtx, index: int) -> None:
        self._ctx = ctx
        self._index = index
        self.next = (ctx,)
        self.shapes = (None,)
        self.dtypes = (None,)
        self.params = ()
        self.seq = next(SEQUENCE)  # after the function's node: it runs first

    def apply(self, grad: Tensor) -> tuple[Any, ...]:
        return (OutputGrads({self._index: grad}),)

    def name(self) -> str:
        return self._ctx.name()

    @property
    def saved_tensors(self) -> tuple[Any, ...]:
        return self._ctx.saved_tensors

    @property
    def needs_input_grad(self) -> tuple[bool, ...]:
        return self._ctx.needs_input_grad

    @property
    def next_functions(self) -> tuple[tuple[Any, int], ...]:
        return self._ctx.next_functions

    def __getattr__(self, name: str) -> Any:  # (only for names not found: the ctx's fields)
        if name == "_ctx":
            raise AttributeError(name)
        return getattr(self._ctx, name)

    def register_hook(self, hook: Any) -> Any:
        _no_node_hooks(self._ctx)

    def register_prehook(self, hook: Any) -> Any:
        _no_node_hooks(self._ctx)

    def __repr__(self) -> str:
        return f"<{self.name()}>"


class OutputGrads:
    """The gradients of some outputs of a Function with several outputs, by output place;
    ``+`` (the engine's accumulation) merges them."""

    __slots__ = ("grads",)

    def __init__(self, grads: dict[int, Any]) -> None:
        self.grads = grads

    def __add__(self, other: OutputGrads) -> OutputGrads:
        merged = dict(self.grads)
        for i, g in other.grads.items():
            merged[i] = merged[i] + g if i in merged else g
        return OutputGrads(merged)


def _grad_outputs(ctx: FunctionCtx, g: Any) -> list[Any]:
    """One gradient per output for backward: the one received, else zeros of the output's
    shape and dtype (``None`` without materialize_grads, and for a non-tensor output)."""
    assert ctx._outputs_meta is not None
    got = g.grads if isinstance(g, OutputGrads) else {0: g}
    out: list[Any] = []
    for i, meta in enumerate(ctx._outputs_meta):
        gi = got.get(i)
        if gi is None and meta is not None and ctx.materialize_grads:
            gi = _make(np.zeros(meta[0], meta[1]))
        out.append(gi)
    return out


def _function_formula(ctx: Node, g: Any) -> tuple[Tensor | None, ...]:
    assert isinstance(ctx, FunctionCtx)
    if ctx._outputs_meta is None:
        grads = ctx._fn.backward(ctx, g)
    else:
        grads = ctx._fn.backward(ctx, *_grad_outputs(ctx, g))
    if not isinstance(grads, tuple):
        grads = (grads,)  # (a list too: PyTorch takes it for one gradient)
    n = len(ctx.next)
    if len(grads) > n and all(gr is None for gr in grads[n:]):
        grads = grads[:n]  # trailing Nones beyond the arguments are accepted (PyTorch)
    if len(grads) != n:
        raise RuntimeError(
            f"function {ctx.name()} returned an incorrect number of gradients "
            f"(expected {n}, got {len(grads)})"
        )
    for i, gr in enumerate(grads):
        if gr is None:
            continue
        if ctx.shapes[i] is None:
            raise RuntimeError(
                f"function {ctx.name()} returned a gradient different than None "
                f"at position {i + 1}, but the corresponding forward input was not a Variable"
            )
        if not isinstance(gr, Tensor):
            raise RuntimeError(
                f"function {ctx.name()}: expected Variable or None (got "
                f"{type(gr).__name__}) as the gradient at position {i + 1}"
            )
    return tuple(grads)


FunctionCtx.formula = staticmethod(_function_formula)


def _record(ctx: FunctionCtx, shapes: list[Any], dtypes: list[Any]) -> None:
    """Give ``ctx`` what the graph needs besides its edges (set before forward): the inputs'
    shapes and dtypes, the saved tensors with their versions, and its sequence number."""
    ctx.shapes = (*shapes,)
    ctx.dtypes = (*dtypes,)
    saved = ctx._to_save
    ctx.saved = saved
    try:
        ctx.versions = tuple(-1 if t is None else t._vc[0] for t in saved)
    except AttributeError:  # something other than a tensor or None (found only when it fails)
        for i, t in enumerate(saved):
            if t is not None and not isinstance(t, Tensor):
                raise TypeError(
                    f"save_for_backward can only save variables, but argument {i} is of type "
                    f"{type(t).__name__}"
                ) from None
        raise
    nones = [t for t in saved if t is None]  # (by identity: == on a tensor compares)
    if nones:  # Node's rule: each None saved has its value in ``scalars``
        ctx.scalars = tuple(nones)
    ctx.seq = next(SEQUENCE)


def _bind(sig: inspect.Signature, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """``args`` and ``kwargs`` bound to ``forward``'s signature ``sig``, defaults filled in (so
    that ``setup_context`` sees every input, as in PyTorch).  Only for the setup_context
    style."""
    bound = sig.bind(*args, **kwargs)
    bound.apply_defaults()
    return bound.args, bound.kwargs


class Function:
    """Base class for custom autograd operations (see the module docstring)."""

    _setup_context_defined = False
    _forward_signature: inspect.Signature

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Note whether the subclass uses the ``forward`` + ``setup_context`` style, and take
        ``vjp`` as its backward if it defines that one instead (PyTorch's alias)."""
        super().__init_subclass__(**kwargs)
        cls._setup_context_defined = cls.setup_context is not Function.setup_context
        if cls._setup_context_defined:  # (read once: apply binds every call's arguments)
            cls._forward_signature = inspect.signature(cls.forward)
        if cls.backward is Function.backward and cls.vjp is not Function.vjp:
            cls.backward = cls.vjp  # type: ignore[method-assign]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        warnings.warn(
            f"{type(self)} should not be instantiated. Methods on autograd functions are all "
            "static, so you should invoke them on the class itself (MyFunction.apply(...)).",
            DeprecationWarning,
            stacklevel=2,
        )

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError(
            "Legacy autograd function with non-static forward method is not supported: call "
            f"{type(self).__name__}.apply(...) on the class, with forward and backward as "
            "staticmethods"
        )

    @staticmethod
    def forward(ctx: Any, *args: Any, **kwargs: Any) -> Any:
        """Compute the output (recording is off here)."""
        raise NotImplementedError("Function subclasses must implement forward")

    @staticmethod
    def setup_context(ctx: FunctionCtx, inputs: tuple[Any, ...], output: Any) -> None:
        """Optional: fill ``ctx`` from the inputs and the output, when ``forward`` does not
        take ``ctx`` (PyTorch's newer style)."""
        raise NotImplementedError("setup_context is not overridden")

    @staticmethod
    def backward(ctx: FunctionCtx, *grad_outputs: Any) -> Any:
        """Return one gradient per forward argument."""
        raise NotImplementedError("Function subclasses must implement backward")

    @staticmethod
    def vjp(ctx: FunctionCtx, *grad_outputs: Any) -> Any:
        """Another name for :meth:`backward` (define one of the two)."""
        raise NotImplementedError("Function subclasses must implement backward or vjp")

    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Any:
        """Run ``forward`` and, if any tensor argument requires grad, record one node."""
        ctx = FunctionCtx(cls)
        if cls._setup_context_defined:  # (setup_context sees every input, defaults too)
            args, kwargs = _bind(cls._forward_signature, args, kwargs)
        prev = _enabled[0]
        # One pass over the arguments, before forward (so that forward can read
        # ctx.needs_input_grad): each tensor's edge, shape and dtype.  The node is recorded
        # when some tensor argument requires grad (the rule of ``records``).
        wanted = False
        shapes: list[Any] = []
        dtypes: list[Any] = []
        if prev:
            nxt: list[Any] = []
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
            ctx.next = (*nxt,)
        else:
            ctx.next = (None,) * len(args)
        _enabled[0] = False
        try:
            if cls._setup_context_defined:
                out = cls.forward(*args, **kwargs)
                cls.setup_context(ctx, args, out)
            else:
                out = cls.forward(ctx, *args, **kwargs)
        finally:
            _enabled[0] = prev
        if not isinstance(out, Tensor) or ctx._dirty:
            return _apply_general(ctx, args, out, wanted, shapes, dtypes)
        # The common case: one tensor output.
        if not wanted or out._data.dtype.kind != "f" or id(out) in ctx._non_diff:
            return out
        for a in args:
            if a is out:  # forward returned an input: give the output a fresh identity
                out = out.detach()
                break
        _record(ctx, shapes, dtypes)
        out._requires_grad = True
        out.grad_fn = ctx
        return out


def _apply_general(
    ctx: FunctionCtx,
    args: tuple[Any, ...],
    out: Any,
    wanted: bool,
    shapes: list[Any],
    dtypes: list[Any],
) -> Any:
    """Function.apply for a tuple of outputs, a non-tensor output, or in-place
    (``mark_dirty``) inputs.  A lone dirty tensor gets ``ctx`` as its node; several outputs
    each get a :class:`FunctionOutput` leading to it."""
    many = isinstance(out, tuple)  # (a list is one non-tensor output, as in PyTorch)
    outs: list[Any] = list(out) if many else [out]
    dirty = ctx._dirty
    for d in dirty:
        if not any(o is d for o in outs):
            raise RuntimeError(
                f"{ctx._fn.__name__}: some elements marked as dirty during the forward method "
                "were not returned as output. The inputs that are modified inplace must all be "
                "outputs of the Function."
            )
        d._vc[0] += 1  # (PyTorch counts marking dirty as one more in-place write)
    if not wanted:
        return out
    for d in dirty:
        if d._requires_grad and d.grad_fn is None:
            raise RuntimeError(
                f"{ctx._fn.__name__}: a leaf Variable that requires grad has been used in an "
                "in-place operation (an input marked dirty)."
            )
        if d._base is not None:
            raise RuntimeError(
                f"{ctx._fn.__name__}: in-place operations that record history are not "
                "supported on views (slices, reshapes, transposes); mark_dirty a base tensor, "
                "or clone() the view first"
            )
    _record(ctx, shapes, dtypes)
    if many:
        ctx._outputs_meta = tuple(
            (o._data.shape, o._data.dtype) if isinstance(o, Tensor) else None for o in outs
        )
    results: list[Any] = []
    for i, o in enumerate(outs):
        if not isinstance(o, Tensor):
            results.append(o)
            continue
        is_dirty = any(o is d for d in dirty)
        differentiable = o._data.dtype.kind == "f" and id(o) not in ctx._non_diff
        if not is_dirty and any(o is a for a in args):
            o = o.detach()  # an input returned as is: a fresh identity
        if differentiable:
            o.grad_fn = FunctionOutput(ctx, i) if many else ctx
            o._requires_grad = True
            if is_dirty and o._meta:  # a retained .grad, recorded views: follow the new
                # history, through the installed engine, as an in-place primitive does
                _dispatch.get_engine("mark_dirty").rebased(o)
        results.append(o)
    if not many:
        return results[0]
    return tuple(results)


class _DelayedError(Function):
    """The node behind the outputs of a :func:`once_differentiable` backward: differentiating
    them raises."""

    @staticmethod
    def forward(ctx: FunctionCtx, *tensors: Any) -> Any:
        return tensors[0] if len(tensors) == 1 else tensors

    @staticmethod
    def backward(ctx: FunctionCtx, *grads: Any) -> Any:
        raise RuntimeError(
            "trying to differentiate twice a function that was marked with @once_differentiable"
        )


def once_differentiable(fn: F) -> F:
    """Decorate a Function's ``backward`` that cannot itself be differentiated: it runs with
    recording off, and under ``create_graph`` its results lead to a node that raises if a
    second backward reaches it (PyTorch's ``once_differentiable``)."""

    @functools.wraps(fn)
    def wrapper(ctx: Any, *args: Any, **kwargs: Any) -> Any:
        prev = _enabled[0]
        _enabled[0] = False
        try:
            outputs = fn(ctx, *args, **kwargs)
        finally:
            _enabled[0] = prev
        if not prev or not any(isinstance(a, Tensor) and a._requires_grad for a in args):
            return outputs
        outs = outputs if isinstance(outputs, tuple) else (outputs,)
        fake = [None if v is None else v.detach().requires_grad_() for v in outs]
        return _DelayedError.apply(*fake)

    return wrapper  # type: ignore[return-value]


FunctionCtx.saves = (0,)  # non-empty: release() frees what save_for_backward kept
