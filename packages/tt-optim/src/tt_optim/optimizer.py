"""``Optimizer``: the base class every optimizer derives from (``torch.optim.Optimizer``).

An optimizer owns a list of *parameter groups*.  A group is a dict: ``"params"`` (a list of
leaf tensors) plus the hyper-parameters that apply to them (``"lr"``, ``"momentum"``, ...).
Whatever a group does not say is filled in from the optimizer's ``defaults``, so one model can
train its biases with another learning rate than its weights::

    opt = SGD([{"params": weights}, {"params": biases, "lr": 1e-2}], lr=1e-3)

Per-parameter state (momentum buffers, running averages, step counts) lives in
``opt.state[p]``, a dict keyed by the parameter tensor itself.  :meth:`Optimizer.step` goes
over each group and each parameter with a ``.grad`` and updates the parameter **in place**,
under ``no_grad`` (the update is not part of any graph).  That loop is shared: a subclass
writes only ``_update``, the update rule of one parameter.

``state_dict()`` names parameters by their position (0, 1, 2, ... across the groups, in order)
instead of by the tensor object, so a checkpoint can be loaded into a freshly built model whose
parameters are new objects in the same order.

Parameters may also come with their names, as ``(name, tensor)`` pairs:
``SGD(model.named_parameters(), lr=0.1)``, or inside a group dict.  The names are kept in the
group as ``"param_names"`` (next to ``"params"``) and saved in ``state_dict()``; they are
labels for people and tools, loading still matches parameters by position.

>>> import tt_tensor as tt
>>> from tt_optim.sgd import SGD
>>> w = tt.tensor([1.0, 2.0], requires_grad=True)
>>> opt = SGD([w], lr=0.5)
>>> (w * w).sum().backward()
>>> opt.step()
>>> w
tensor([0., 0.], shape=(2,), dtype=tt_tensor.float32, requires_grad=True)
>>> opt.zero_grad(); w.grad is None
True

Systems questions: why does ``state_dict()`` store parameter *indices* rather than the
tensors?  What breaks if two groups share a parameter?
"""

from __future__ import annotations

import copy
import warnings
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

import tt_autograd
from tt_nn.module import zero_grads
from tt_tensor import Tensor

__all__ = ["Optimizer", "ParamsT", "required"]

#: What an optimizer accepts as ``params``: tensors, ``(name, tensor)`` pairs (what
#: ``model.named_parameters()`` yields), or dicts that define parameter groups.
ParamsT = Iterable[Tensor] | Iterable[dict[str, Any]] | Iterable[tuple[str, Tensor]]


class _RequiredParameter:
    """The marker of a hyper-parameter without a default (``torch.optim.optimizer.required``)."""

    def __repr__(self) -> str:
        return "<required parameter>"


#: Use as a default in ``defaults`` to make every group specify that hyper-parameter.
required = _RequiredParameter()

_LABELS = {"lr": "learning rate", "eps": "epsilon value"}

#: PyTorch's implementation options that tt cannot honour, with the reason.  The optimizers
#: accept them (a torch program ports unchanged) and keep them in ``defaults`` and every
#: group, but a true value raises ``NotImplementedError`` when a group is added or loaded.
#: ``foreach`` and ``fused`` only pick PyTorch's kernel (both run on the CPU there, with the
#: update tt computes), so they are accepted and ignored; their invalid combinations raise
#: PyTorch's ``RuntimeError`` (see :func:`check_options`).
UNSUPPORTED_OPTIONS = {
    "capturable": (
        "capturable makes the step capturable in a CUDA graph, and tt runs on the CPU with "
        "NumPy (PyTorch itself refuses capturable=True on the CPU, at the first step)"
    ),
    "differentiable": (
        "tt updates the parameters in place under no_grad, so autograd cannot "
        "differentiate through the step"
    ),
}


def check_options(optimizer: Optimizer, group: dict[str, Any]) -> None:
    """Check a parameter group's implementation options, those the optimizer declares in its
    ``defaults`` (a user-written optimizer without them may use the names freely): ``fused``
    with ``foreach`` or with ``differentiable`` raises PyTorch's ``RuntimeError``; a true
    ``capturable`` or ``differentiable`` raises ``NotImplementedError`` (see
    ``UNSUPPORTED_OPTIONS``)."""
    declared = optimizer.defaults
    if "fused" in declared and group.get("fused"):
        if group.get("differentiable"):
            raise RuntimeError("`fused` does not support `differentiable`")
        if group.get("foreach"):
            raise RuntimeError("`fused` and `foreach` cannot be `True` together.")
    for name, reason in UNSUPPORTED_OPTIONS.items():
        if name in declared and group.get(name):
            raise NotImplementedError(
                f"{type(optimizer).__name__}: {name}={group[name]!r} is not supported: {reason}"
            )


def check_non_negative(**values: float) -> None:
    """Raise PyTorch's ``ValueError("Invalid <what>: <value>")`` for the first of ``values``
    (in the order given) that is negative or nan; every optimizer validates this way."""
    for name, value in values.items():
        if not value >= 0.0:
            raise ValueError(f"Invalid {_LABELS.get(name, name + ' value')}: {value}")


class Optimizer:
    """Base class of optimizers: ``Optimizer(params, defaults)``.

    ``params`` is an iterable of tensors, of ``(name, tensor)`` pairs, or of dicts (parameter
    groups, whose ``"params"`` hold tensors or pairs); ``defaults`` holds the
    hyper-parameters a group uses when it does not set them.  Named and unnamed parameters do
    not mix, neither within a group nor across groups (``ValueError``).

    Attributes: ``param_groups`` (list of dicts; a group built from pairs also has
    ``"param_names"``), ``state`` (``defaultdict(dict)`` keyed by parameter), ``defaults``.

    **Memory**: the optimizer holds references to the parameters (no copies); subclasses add
    their per-parameter state, documented in their docstrings.
    """

    def __init__(self, params: ParamsT, defaults: dict[str, Any]) -> None:
        self.defaults = defaults
        self.state: defaultdict[Tensor, dict[str, Any]] = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []
        if isinstance(params, Tensor):
            raise TypeError(
                "params argument given to the optimizer should be an iterable of Tensors or "
                f"dicts, but got {type(params).__name__}"
            )
        groups: list[Any] = list(params)
        if len(groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines.extend(f"    {k}: {group[k]}" for k in sorted(group) if k != "params")
        return "\n".join(lines) + "\n)"

    # ------------------------------------------------------------------ groups
    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a parameter group (a dict with ``"params"`` and optional hyper-parameters).

        Useful to start training layers that were frozen: ``opt.add_param_group({"params":
        head.parameters(), "lr": 1e-3})``.  Missing hyper-parameters come from ``defaults``.
        ``"params"`` may hold ``(name, tensor)`` pairs (``head.named_parameters()``): they are
        split into ``"params"`` and ``"param_names"``.  Raises ``ValueError`` when a parameter
        already belongs to another group, and when the group is named and the optimizer's
        groups are not, or the reverse; ``NotImplementedError`` when the group asks for
        ``fused``, ``capturable`` or ``differentiable`` (see ``UNSUPPORTED_OPTIONS``)."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group).__name__}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            param_group["params"] = [params]
        elif isinstance(params, set):
            raise TypeError(
                "optimizer parameters need to be organized in ordered collections, but the "
                "ordering of tensors in sets will change between runs. Please use a list instead."
            )
        else:
            param_group["params"] = list(params)
        _split_names(param_group)
        for p in param_group["params"]:
            if not isinstance(p, Tensor):
                raise TypeError(
                    "optimizer can only optimize Tensors, but one of the params is "
                    f"{type(p).__name__}"
                )
            if not (p.is_leaf or p.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")
        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError(
                    "parameter group didn't specify a value of required optimization "
                    f"parameter {name}"
                )
            param_group.setdefault(name, default)
        check_options(self, param_group)
        ids = [id(p) for p in param_group["params"]]
        if len(ids) != len(set(ids)):
            warnings.warn(
                "optimizer contains a parameter group with duplicate parameters; in future, "
                "this will cause an error; see github.com/pytorch/pytorch/issues/40967 for "
                "more information",
                stacklevel=3,
            )
        named = "param_names" in param_group
        if any(("param_names" in group) != named for group in self.param_groups):
            raise ValueError(
                "all optimizer param groups should be with/without names. cannot add param "
                f"group {'with' if named else 'without'} names to the optimizer"
            )
        taken = {id(p) for group in self.param_groups for p in group["params"]}
        if not taken.isdisjoint(ids):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    # ------------------------------------------------------------------ gradients
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients of every parameter: ``.grad = None`` (default), or fill the
        existing ``.grad`` with zeros when ``set_to_none=False``.

        Optimizers skip parameters whose ``.grad`` is ``None``, while a zero gradient still
        takes a step (momentum and weight decay keep moving the parameter)."""
        zero_grads((p for group in self.param_groups for p in group["params"]), set_to_none)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a ``.grad``, in place; return the loss of
        ``closure`` when one is given.

        ``closure`` recomputes the loss and calls backward; it runs first, with gradients on
        (optimizers such as L-BFGS evaluate it several times).  The updates run under
        ``no_grad``: they are not recorded, and parameters with ``.grad is None`` are skipped.
        A subclass either overrides this method or implements :meth:`_update`, the update rule
        of one parameter, and :meth:`_init_state` if it keeps state.

        Two passes: first every parameter with a gradient gets its state (created on its
        first step, so a group added later with :meth:`add_param_group` works), then every
        update runs.  An error while preparing the state therefore leaves all parameters
        untouched instead of half a step applied."""
        loss = None
        if closure is not None:
            with tt_autograd.enable_grad():
                loss = closure()
        with tt_autograd.no_grad():
            if type(self)._init_state is not Optimizer._init_state:  # (SGD has none: skip)
                for group in self.param_groups:
                    for p in group["params"]:
                        if p.grad is not None:
                            self._init_state(p, group)
            for group in self.param_groups:
                for p in group["params"]:
                    if p.grad is not None:
                        self._update(p, p.grad, group)
        return loss

    def _init_state(self, p: Tensor, group: dict[str, Any]) -> None:
        """Create ``self.state[p]`` if ``p`` has none yet (called by :meth:`step` for each
        parameter with a gradient, before any update).  The base class keeps no state."""

    @staticmethod
    def _gradient(p: Tensor, grad: Tensor, group: dict[str, Any], l2: bool = True) -> Tensor:
        """The gradient an update rule follows: negated under ``maximize``, plus
        ``weight_decay * p`` (L2 regularisation) unless ``l2`` is false (AdamW decays the
        parameter itself instead).  A new tensor when changed; ``grad`` is never modified."""
        if group["maximize"]:
            grad = -grad
        if l2 and group["weight_decay"] != 0:
            grad = grad.add(p, alpha=group["weight_decay"])
        return grad

    def _update(self, p: Tensor, grad: Tensor, group: dict[str, Any]) -> None:
        """Apply the update rule to parameter ``p`` with gradient ``grad`` and the
        hyper-parameters of its ``group`` (called under ``no_grad``)."""
        raise NotImplementedError(f"{type(self).__name__} does not implement step or _update")

    # ------------------------------------------------------------------ checkpoints
    def state_dict(self) -> dict[str, Any]:
        """The optimizer's state as ``{"state": {index: {...}}, "param_groups": [...]}``.

        Parameters are replaced by their index (counted across the groups, in order).  Like
        PyTorch, the state tensors are returned by reference, not copied: save (or clone) the
        dict before the next :meth:`step` if you want a snapshot."""
        index: dict[int, int] = {}
        packed_groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            for p in group["params"]:
                index.setdefault(id(p), len(index))
            packed["params"] = [index[id(p)] for p in group["params"]]
            packed_groups.append(packed)
        packed_state = {
            (index[id(k)] if isinstance(k, Tensor) else k): v for k, v in self.state.items()
        }
        return {"state": packed_state, "param_groups": packed_groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Load a :meth:`state_dict`: the group hyper-parameters and the per-parameter state.

        The number of groups and each group's size must match this optimizer's (``ValueError``
        otherwise).  State tensors are copied (and floating ones converted to their parameter's
        dtype): the optimizer never shares memory with ``state_dict``.  Saved
        ``"param_names"`` replace this optimizer's; a group saved without names keeps the
        names it has (as in PyTorch, names never decide which parameter gets which state)."""
        for key in ("state", "param_groups"):
            if key not in state_dict:
                raise KeyError(f"load_state_dict: the state dict has no {key!r} entry")
        groups = self.param_groups
        saved_groups = copy.deepcopy(state_dict["param_groups"])
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(
            len(g["params"]) != len(s["params"]) for g, s in zip(groups, saved_groups, strict=True)
        ):
            raise ValueError(
                "loaded state dict contains a parameter group that doesn't match the size of "
                "optimizer's group"
            )
        id_map: dict[Any, Tensor] = {}
        for g, s in zip(groups, saved_groups, strict=True):
            id_map.update(zip(s["params"], g["params"], strict=True))
        state: defaultdict[Any, dict[str, Any]] = defaultdict(dict)
        for k, v in state_dict["state"].items():
            if k in id_map:
                param = id_map[k]
                state[param] = {key: _cast(param, value, key) for key, value in v.items()}
            else:
                state[k] = v
        for g, s in zip(groups, saved_groups, strict=True):
            s["params"] = g["params"]
            if "param_names" in g and "param_names" not in s:
                s["param_names"] = g["param_names"]  # saved names win; else keep ours
            for name, default in self.defaults.items():  # (a checkpoint from before an
                s.setdefault(name, default)  # option existed: its default, as in PyTorch)
            check_options(self, s)
        self.state = state
        self.param_groups = saved_groups


def _split_names(param_group: dict[str, Any]) -> None:
    """Unzip the ``(name, tensor)`` pairs of ``param_group["params"]`` (what
    ``model.named_parameters()`` yields) into ``"params"`` and ``"param_names"``, in place.

    Either every entry is a pair or none is (``ValueError`` otherwise); plain tensors leave
    the group unchanged."""
    params = param_group["params"]
    pairs = [p for p in params if isinstance(p, tuple)]
    if not pairs:
        return
    if len(pairs) != len(params):
        raise ValueError(
            "all optimizer params should be with/without names. Some param names are missing"
        )
    for pair in pairs:
        if len(pair) != 2:
            raise TypeError(
                "optimizer params given as tuples must be (name, tensor) pairs, but one is a "
                f"tuple of length {len(pair)}"
            )
    param_group["params"] = [tensor for _, tensor in pairs]
    param_group["param_names"] = [name for name, _ in pairs]


def _cast(param: Tensor, value: Any, key: Any) -> Any:
    """A private copy of one saved state value for ``param``: tensors are cloned (floating
    ones converted to the parameter's dtype, except the step count), containers recursed."""
    if isinstance(value, Tensor):
        out = value.detach().clone()
        if key != "step" and param.is_floating_point() and out.is_floating_point():
            out = out.to(param.dtype)
        return out
    if isinstance(value, dict):
        return {k: _cast(param, v, k) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_cast(param, v, key) for v in value)
    return value
