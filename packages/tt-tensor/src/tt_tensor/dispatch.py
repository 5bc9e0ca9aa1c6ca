"""The single choke point every primitive operation goes through.

A *primitive* is a named NumPy computation (``add``, ``matmul``, ``sum``, ``unfold``, ...).  Every
public op either is one primitive call or is composed of them, and every primitive call runs
:func:`dispatch`.  Later tiers plug in here, never by patching :class:`~tt_tensor.Tensor`:

* **observers** (:func:`add_observer`) see each primitive before and after it runs.  The autograd
  tier records the graph from the ``after`` call; a profiler times the pair.
* an **engine** (:func:`set_engine`) answers the tensor methods that need one (``backward``,
  ``retain_grad``, ``register_hook``) and decides whether an in-place op must rewrite history.

With no observer registered the cost of dispatch over the bare NumPy call is one Python call and
one object creation (about 0.5 microseconds).

Systems questions: why must *every* primitive go through one function for a profiler or autograd
to be correct?  What would be lost if composite ops (softmax, var) were primitives?
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from .dtypes import category

if TYPE_CHECKING:
    from .tensor import Tensor

__all__ = [
    "PRIMITIVES",
    "Engine",
    "Handle",
    "Primitive",
    "add_observer",
    "dispatch",
    "dispatch_inplace",
    "get_engine",
    "observers",
    "set_engine",
]


class Primitive:
    """A named primitive: ``forward(*arrays, *params) -> ndarray``.

    ``inplace(target, *arrays, *params)``, when given, writes the result into ``target`` without
    a temporary (derived automatically from ``ufunc``).  ``view`` marks ops whose result may
    share memory with the first input.  ``differentiable`` is ``False`` for ops whose outputs
    never carry gradients (comparisons, argmax).  Every primitive is listed in
    :data:`PRIMITIVES` by name, so a gradient engine can check it covers them all.
    """

    __slots__ = ("differentiable", "forward", "inplace", "name", "view")

    def __init__(
        self,
        name: str,
        forward: Callable[..., Any],
        *,
        differentiable: bool = True,
        ufunc: np.ufunc | None = None,
        inplace: Callable[..., Any] | None = None,
        view: bool = False,
    ) -> None:
        self.name = name
        self.forward = forward
        self.differentiable = differentiable
        self.view = view
        if inplace is None and ufunc is not None:
            inplace = _ufunc_inplace(ufunc)
        self.inplace = inplace
        PRIMITIVES[name] = self

    def __repr__(self) -> str:
        return f"<primitive {self.name}>"


PRIMITIVES: dict[str, Primitive] = {}


def _ufunc_inplace(ufunc: Any) -> Callable[..., Any]:
    if ufunc in (np.add, np.subtract, np.multiply):  # like their out-of-place forms (see
        # tt_tensor.elementwise): not silenced, the hottest in-place ops (optimizer steps)

        def inplace(target: Any, a: Any, b: Any) -> None:
            if b.__class__ is np.ndarray and b.dtype is target.dtype is a.dtype:
                ufunc(a, b, target)  # positional ``out``, no casting: ~1.5K instructions less
            else:
                ufunc(a, b, out=target, casting="unsafe")

        return inplace

    def quiet_inplace(target: Any, *arrays: Any) -> None:
        with np.errstate(all="ignore"):  # IEEE results (x/0 = inf) without NumPy warnings
            ufunc(*arrays, out=target, casting="unsafe")

    return quiet_inplace


Inputs = Sequence["Tensor | None"]
BeforeFn = Callable[[Primitive, Inputs, Sequence[Any], tuple[Any, ...]], None]
AfterFn = Callable[[Primitive, Inputs, Sequence[Any], tuple[Any, ...], "Tensor"], None]


class Engine(Protocol):
    """What a gradient engine provides to :class:`~tt_tensor.Tensor` methods."""

    def backward(
        self, tensor: Tensor, gradient: Tensor | None, retain_graph: bool, create_graph: bool
    ) -> None: ...

    def retain_grad(self, tensor: Tensor) -> None: ...

    def register_hook(self, tensor: Tensor, hook: Callable[[Tensor], Tensor | None]) -> Handle: ...

    def set_requires_grad(self, tensor: Tensor, flag: bool) -> None: ...

    def inplace_needs_history(self, op: Primitive, target: Tensor, inputs: Inputs) -> bool: ...

    def rebased(self, tensor: Tensor) -> None:
        """An in-place op just replaced the history of ``tensor``, which has ``_meta`` (a
        retained gradient, hooks, views): carry what depends on its history over.  Optional:
        an engine without it (one written for tt-tensor 0.1.6) keeps working."""


_before: list[BeforeFn] = []
_after: list[AfterFn] = []
_engine: list[Engine] = []


class Handle:
    """Returned by registrations; ``remove()`` undoes the registration (idempotent)."""

    __slots__ = ("_lists",)

    def __init__(self, pairs: list[tuple[list[Any], Any]]) -> None:
        self._lists = pairs

    def remove(self) -> None:
        for lst, item in self._lists:
            if item in lst:
                lst.remove(item)
        self._lists = []

    def __enter__(self) -> Handle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()


def add_observer(after: AfterFn | None = None, before: BeforeFn | None = None) -> Handle:
    """Call ``before(op, inputs, arrays, params)`` and ``after(op, inputs, arrays, params,
    output)`` around every primitive.  Returns a :class:`Handle`; use it as a context manager
    or call ``remove()``.  ``inputs`` holds the tensor operands (``None`` for Python scalars),
    ``arrays`` the values the primitive computed on (after dtype promotion), ``params`` its
    non-tensor arguments.

    >>> import tt_tensor as tt
    >>> seen = []
    >>> with tt.dispatch.add_observer(lambda op, i, a, p, out: seen.append(op.name)):
    ...     _ = tt.ones(2) + 1
    >>> seen
    ['add']
    """
    pairs: list[tuple[list[Any], Any]] = []
    if before is not None:
        _before.append(before)
        pairs.append((_before, before))
    if after is not None:
        _after.append(after)
        pairs.append((_after, after))
    return Handle(pairs)


def observers() -> tuple[list[BeforeFn], list[AfterFn]]:
    """The registered (before, after) observer lists, for inspection."""
    return list(_before), list(_after)


def set_engine(engine: Engine | None) -> None:
    """Install the gradient engine (``None`` removes it).  One engine at a time."""
    _engine.clear()
    if engine is not None:
        _engine.append(engine)


def get_engine(what: str) -> Engine:
    """The installed engine, or a ``RuntimeError`` saying ``what`` needs one."""
    if not _engine:
        raise RuntimeError(
            f"{what}: no gradient engine is registered; import an autograd package "
            "(one that calls tt_tensor.dispatch.set_engine) first"
        )
    return _engine[0]


def dispatch(
    op: Primitive, inputs: Inputs, arrays: Sequence[Any], params: tuple[Any, ...] = ()
) -> Tensor:
    """Run ``op.forward(*arrays, *params)`` and wrap the result as a new tensor.

    ``inputs`` are the tensor operands in order (``None`` where the operand is a Python scalar);
    ``arrays`` their data after dtype promotion.  Observers run before and after.  The output of
    a view primitive that really shares memory with its first input shares that input's version
    counter, so an in-place write through either is seen by both.
    """
    if _before:
        for fn in _before:
            fn(op, inputs, arrays, params)
    arr = op.forward(*arrays, *params) if params else op.forward(*arrays)
    if type(arr) is not np.ndarray:  # NumPy returns scalars for 0-d results
        arr = np.array(arr) if isinstance(arr, np.generic) else np.asarray(arr)
    # An array without a base owns its memory; one whose base is the input is a view of it.
    # Only other cases need NumPy's (slower) overlap test.
    if (
        op.view
        and (base := arr.base) is not None
        and (base is arrays[0] or np.may_share_memory(arr, arrays[0]))
    ):
        out = _view_of(inputs[0], arr)  # type: ignore[arg-type]
    else:
        out = _make(arr)
    if _after:
        for after in _after:
            after(op, inputs, arrays, params, out)
    return out


def dispatch_inplace(
    op: Primitive,
    target: Tensor,
    inputs: Inputs,
    arrays: Sequence[Any],
    params: tuple[Any, ...] = (),
) -> Tensor:
    """Run ``op`` and write its result into ``target`` (whose data is ``arrays[0]``).

    The result dtype must not be of a higher category than ``target`` (``int += float`` raises,
    as in PyTorch) and the broadcast shape must equal ``target``'s.  The target's version
    counter is bumped so that autograd can detect saved tensors that changed.  When the engine
    says the op must be recorded, the op runs out of place on a snapshot of the target and the
    target takes over the result's history (PyTorch's "rebase").
    """
    tdata = target._data
    if not tdata.flags.writeable:
        raise RuntimeError(
            f"{op.name}_: the target tensor is a read-only view (an expanded tensor or one "
            "backed by read-only NumPy memory); call .clone() before writing into it"
        )
    record = bool(_engine) and _engine[0].inplace_needs_history(op, target, inputs)
    if record:
        snapshot = target.detach().clone()
        snapshot.requires_grad = target.requires_grad
        snapshot.grad_fn = target.grad_fn
        new_inputs = [snapshot if t is target else t for t in inputs]
        out = dispatch(op, new_inputs, arrays, params)
        _check_inplace_result(op, target, out._data)
        np.copyto(tdata, out._data, casting="unsafe")
        target._vc[0] += 1
        target.grad_fn = out.grad_fn
        target.requires_grad = out.requires_grad
        if target._meta:  # a retained .grad, views of it, ...: follow the new history
            rebased = getattr(_engine[0], "rebased", None)  # (optional: older engines lack it)
            if rebased is not None:
                rebased(target)
        return target
    if _before:
        for fn in _before:
            fn(op, inputs, arrays, params)
    if op.inplace is not None:
        for a in arrays[1:]:  # (a loop, not any() over a generator: this runs every update)
            if getattr(a, "dtype", None) is not tdata.dtype:
                res_dt = np.result_type(*arrays)
                if category(res_dt) > category(tdata.dtype):
                    _raise_cast(op, res_dt, tdata.dtype)
                break
        try:
            op.inplace(tdata, *arrays, *params)
        except ValueError:
            _check_inplace_result(op, target, np.broadcast_shapes(*(np.shape(a) for a in arrays)))
            raise
    else:
        result = np.asarray(op.forward(*arrays, *params))
        _check_inplace_result(op, target, result)
        np.copyto(tdata, result, casting="unsafe")
    target._vc[0] += 1
    if _after:
        for after in _after:
            after(op, inputs, arrays, params, target)
    return target


def _raise_cast(op: Primitive, got: np.dtype[Any], want: np.dtype[Any]) -> None:
    raise RuntimeError(
        f"{op.name}_: result type {got} can't be cast to the desired output type {want}"
    )


def _check_inplace_result(op: Primitive, target: Tensor, result: Any) -> None:
    shape = result if isinstance(result, tuple) else np.shape(result)
    if tuple(shape) != target._data.shape:
        raise RuntimeError(
            f"{op.name}_: output with shape {tuple(target.shape)} doesn't match the broadcast "
            f"shape {tuple(shape)}"
        )
    if not isinstance(result, tuple):
        dt = np.asarray(result).dtype
        if category(dt) > category(target._data.dtype):
            _raise_cast(op, dt, target._data.dtype)


from .tensor import _make, _view_of  # noqa: E402  (cycle: tensor.py imports this module's users)
