"""``Module``: the base class of every layer and model (``torch.nn.Module``).

A module is a tree.  Assigning to an attribute *registers* what is assigned:

* a :class:`Parameter` goes to ``_parameters`` (found by ``parameters()``, trained by
  optimizers, saved by ``state_dict()``);
* a :class:`Module` goes to ``_modules`` (a child: its parameters are yours too);
* a buffer (``register_buffer`` or a :class:`Buffer`) goes to ``_buffers``: state that is
  saved but not trained, such as batch-norm running statistics.

Everything else is an ordinary attribute.  ``module(x)`` runs the forward pre-hooks,
``forward(x)`` and the forward hooks.  Names in ``state_dict()`` are dotted paths
(``"0.weight"``, ``"encoder.layer.bias"``), exactly as in PyTorch, so the same keys index a
tt and a torch model of the same structure.

Memory: the module keeps references to its parameters and buffers only; activations are kept
by autograd, not by the module.

>>> import tt_tensor as tt, tt_nn as nn
>>> class Affine(nn.Module):
...     def __init__(self) -> None:
...         super().__init__()
...         self.scale = nn.Parameter(tt.ones(2))
...     def forward(self, x: tt.Tensor) -> tt.Tensor:
...         return x * self.scale
>>> m = Affine()
>>> [name for name, _ in m.named_parameters()]
['scale']
>>> m(tt.tensor([1.0, 2.0])).tolist()
[1.0, 2.0]

Systems question: why must ``load_state_dict`` check every key and shape *before* copying
the first tensor?
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, NamedTuple

import tt_autograd as ag
import tt_tensor as tt
from tt_tensor import Tensor
from tt_tensor.dispatch import Handle

from .parameter import Buffer, Parameter

__all__ = ["IncompatibleKeys", "Module", "zero_grads"]


class IncompatibleKeys(NamedTuple):
    """What ``load_state_dict(strict=False)`` did not match."""

    missing_keys: list[str]
    unexpected_keys: list[str]


def _addindent(text: str, spaces: int) -> str:
    lines = text.split("\n")
    if len(lines) == 1:
        return text
    return lines[0] + "\n" + "\n".join(" " * spaces + line for line in lines[1:])


class Module:
    """Base class for layers and models: subclass it, create parameters and submodules in
    ``__init__`` (after ``super().__init__()``), and compute in ``forward``."""

    training: bool
    _parameters: dict[str, Parameter | None]
    _buffers: dict[str, Tensor | None]
    _non_persistent: set[str]
    _modules: dict[str, Module | None]
    _forward_hooks: list[Callable[..., Any]]
    _forward_pre_hooks: list[Callable[..., Any]]

    def __init__(self) -> None:
        d = self.__dict__
        d["training"] = True
        d["_parameters"] = {}
        d["_buffers"] = {}
        d["_non_persistent"] = set()
        d["_modules"] = {}
        d["_forward_hooks"] = []
        d["_forward_pre_hooks"] = []

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """The computation; every subclass defines it."""
        raise NotImplementedError(
            f'Module [{type(self).__name__}] is missing the required "forward" function'
        )

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if not (self._forward_hooks or self._forward_pre_hooks):
            return self.forward(*args, **kwargs)
        for hook in list(self._forward_pre_hooks):
            result = hook(self, args)
            if result is not None:
                args = result if isinstance(result, tuple) else (result,)
        out = self.forward(*args, **kwargs)
        for hook in list(self._forward_hooks):
            result = hook(self, args, out)
            if result is not None:
                out = result
        return out

    # ------------------------------------------------------------------ registration
    def _check_ready(self, what: str) -> None:
        if "_parameters" not in self.__dict__:
            raise AttributeError(
                f"cannot assign {what} before Module.__init__() call "
                f"(call super().__init__() first in {type(self).__name__}.__init__)"
            )

    def __setattr__(self, name: str, value: Any) -> None:
        # Replacing a registered value keeps its place in its table (so a Sequential still
        # runs in order and state_dict() keys keep PyTorch's order); only a name that changes
        # kind (a buffer becoming a parameter, say) leaves its old table.
        d = self.__dict__
        params = d.get("_parameters")
        if isinstance(value, Parameter):
            self._check_ready("parameters")
            self._remove_from(name, "__dict__", "_buffers", "_modules")
            self.register_parameter(name, value)
        elif params is not None and name in params:
            if value is not None:
                raise TypeError(
                    f"cannot assign '{type(value).__name__}' as parameter '{name}' "
                    "(tt_nn.Parameter or None expected)"
                )
            params[name] = None
        elif isinstance(value, Module):
            self._check_ready("child module")
            self._remove_from(name, "__dict__", "_parameters", "_buffers")
            d["_modules"][name] = value
        elif params is not None and name in d["_modules"]:
            if value is not None:
                raise TypeError(
                    f"cannot assign '{type(value).__name__}' as child module '{name}' "
                    "(tt_nn.Module or None expected)"
                )
            d["_modules"][name] = None
        elif isinstance(value, Buffer):
            self._check_ready("buffers")
            self.register_buffer(name, value, persistent=value.persistent)
        elif params is not None and name in d["_buffers"]:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(
                    f"cannot assign '{type(value).__name__}' as buffer '{name}' "
                    "(a Tensor or None expected)"
                )
            d["_buffers"][name] = value
        else:
            object.__setattr__(self, name, value)

    def _remove_from(self, name: str, *tables: str) -> None:
        d = self.__dict__
        for table in tables:
            (d if table == "__dict__" else d[table]).pop(name, None)
        if "_buffers" in tables:
            d["_non_persistent"].discard(name)

    def __getattr__(self, name: str) -> Any:
        # Only reached when normal lookup fails: registered names live in the three tables.
        d = self.__dict__
        for table in ("_parameters", "_buffers", "_modules"):
            t = d.get(table)
            if t is not None and name in t:
                return t[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name: str) -> None:
        d = self.__dict__
        for table in ("_parameters", "_buffers", "_modules"):
            if name in d[table]:
                del d[table][name]
                d["_non_persistent"].discard(name)
                return
        object.__delattr__(self, name)

    def _check_name(self, name: str, kind: str, table: str) -> None:
        # PyTorch's rule: a name may be re-registered only as the kind it already is; any
        # other attribute of that name (a buffer, a child, a method, a plain value) is an error.
        if not isinstance(name, str):
            raise TypeError(f"{kind} name should be a string, got {type(name).__name__}")
        if not name or "." in name:
            raise KeyError(f'{kind} name can\'t be empty or contain ".", got {name!r}')
        if name not in self.__dict__[table] and hasattr(self, name):
            raise KeyError(f"attribute '{name}' already exists")

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Register ``param`` (or ``None``, a declared but absent parameter) under ``name``."""
        self._check_ready("parameters")
        self._check_name(name, "parameter", "_parameters")
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(
                f"cannot assign '{type(param).__name__}' object to parameter '{name}' "
                "(tt_nn.Parameter or None required)"
            )
        self._parameters[name] = param  # a re-registered name keeps its position

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """Register ``tensor`` as a buffer: saved in ``state_dict`` (unless ``persistent`` is
        False) and converted by ``to()``, but not trained."""
        self._check_ready("buffers")
        self._check_name(name, "buffer", "_buffers")
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(
                f"cannot assign '{type(tensor).__name__}' object to buffer '{name}' "
                "(a Tensor or None required)"
            )
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent.discard(name)
        else:
            self._non_persistent.add(name)

    def add_module(self, name: str, module: Module | None) -> None:
        """Register ``module`` as a child under ``name``."""
        self._check_ready("child module")
        self._check_name(name, "module", "_modules")
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{type(module).__name__} is not a Module subclass")
        self._modules[name] = module

    register_module = add_module

    def get_submodule(self, target: str) -> Module:
        """The submodule at dotted path ``target`` (``""`` is this module)."""
        mod = self
        if target:
            for part in target.split("."):
                child = mod._modules.get(part)
                if child is None:
                    raise AttributeError(f"{type(mod).__name__} has no submodule `{part}`")
                mod = child
        return mod

    def get_parameter(self, target: str) -> Parameter:
        """The parameter at dotted path ``target``."""
        path, _, name = target.rpartition(".")
        p = self.get_submodule(path)._parameters.get(name)
        if p is None:
            raise AttributeError(f"`{target}` is not a parameter")
        return p

    # ------------------------------------------------------------------ traversal
    def named_modules(
        self, memo: set[int] | None = None, prefix: str = "", remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Module]]:
        """This module and every descendant, with dotted names, each once."""
        if memo is None:
            memo = set()
        if remove_duplicate:
            if id(self) in memo:
                return
            memo.add(id(self))
        yield prefix, self
        for name, child in self._modules.items():
            if child is None:
                continue
            sub = f"{prefix}.{name}" if prefix else name
            yield from child.named_modules(memo, sub, remove_duplicate)

    def modules(self) -> Iterator[Module]:
        """This module and every descendant."""
        for _, m in self.named_modules():
            yield m

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """The direct submodules, with their names."""
        seen: set[int] = set()
        for name, child in self._modules.items():
            if child is not None and id(child) not in seen:
                seen.add(id(child))
                yield name, child

    def children(self) -> Iterator[Module]:
        """The direct submodules."""
        for _, m in self.named_children():
            yield m

    def _named_members(
        self, table: str, prefix: str, recurse: bool, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Any]]:
        seen: set[int] = set()
        mods = (
            self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate)
            if recurse
            else iter([(prefix, self)])
        )
        for mod_prefix, mod in mods:
            for name, value in getattr(mod, table).items():
                if value is None or (remove_duplicate and id(value) in seen):
                    continue
                seen.add(id(value))
                yield (f"{mod_prefix}.{name}" if mod_prefix else name), value

    def named_parameters(
        self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Parameter]]:
        """Every parameter with its dotted name; a parameter (or module) shared by two modules
        once, or under every name with ``remove_duplicate=False``."""
        yield from self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        """Every parameter (for an optimizer: ``SGD(model.parameters(), lr=0.1)``)."""
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(
        self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Tensor]]:
        """Every buffer with its dotted name."""
        yield from self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        """Every buffer."""
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    # ------------------------------------------------------------------ modes and updates
    def train(self, mode: bool = True) -> Module:
        """Training mode (dropout active, batch norm uses batch statistics) for the whole
        tree; returns ``self``.

        Each child's own ``train(mode)`` is called, so a child that overrides ``train`` (to
        keep a frozen batch norm in eval mode, say) is honoured, as in PyTorch."""
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")
        self.__dict__["training"] = mode
        for child in self.children():
            child.train(mode)
        return self

    def eval(self) -> Module:
        """Evaluation mode: ``train(False)``."""
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        """Set ``requires_grad`` on every parameter (freeze with ``False``)."""
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset every parameter's gradient: to ``None`` (the default), or to zeros in place
        (the same ``.grad`` tensor, detached from any graph, filled with zeros)."""
        zero_grads(self.parameters(), set_to_none)

    def apply(self, fn: Callable[[Module], Any]) -> Module:
        """Call ``fn`` on every descendant, then on this module (for custom initialisation)."""
        for child in self.children():
            child.apply(fn)
        fn(self)
        return self

    def _convert(self, fn: Callable[[Tensor], Tensor]) -> Module:
        # A parameter keeps its identity (PyTorch's ``param.data = fn(param)``): only the array
        # it wraps is swapped, so ``m.weight is w`` holds afterwards and an optimizer built
        # before ``model.double()`` still updates the model's parameters.
        with ag.no_grad():
            for m in self.modules():
                for p in m._parameters.values():
                    if p is None:
                        continue
                    new = fn(p)
                    if new is not p:
                        p.data = new
                        if p.grad is not None:
                            p.grad.data = fn(p.grad)
                for name, b in m._buffers.items():
                    if b is not None:
                        m._buffers[name] = fn(b)
        return self

    def to(self, *args: Any, **kwargs: Any) -> Module:
        """Convert floating parameters and buffers to a dtype: ``model.to(tt.float64)``.  A
        device (``"cpu"``) is accepted and ignored, so device-aware PyTorch code runs."""
        dtype = kwargs.pop("dtype", None)
        kwargs.pop("device", None)
        kwargs.pop("non_blocking", None)
        if kwargs:
            raise TypeError(f"to: unexpected arguments {sorted(kwargs)}")
        for a in args:
            if isinstance(a, Tensor):
                dtype = a.dtype
            elif (isinstance(a, str) and a.split(":")[0] == "cpu") or a is None:
                continue
            else:
                dtype = a
        if dtype is None:
            return self
        if not tt.tensor(0, dtype=dtype).dtype.is_floating_point:
            raise TypeError(
                f"Module.to only accepts floating point dtypes, but got desired dtype={dtype}"
            )
        return self._convert(lambda t: t.to(dtype) if t.dtype.is_floating_point else t)

    def float(self) -> Module:
        """Floating parameters and buffers to float32."""
        return self.to(tt.float32)

    def double(self) -> Module:
        """Floating parameters and buffers to float64."""
        return self.to(tt.float64)

    def half(self) -> Module:
        """Floating parameters and buffers to float16."""
        return self.to(tt.float16)

    def cpu(self) -> Module:
        """Return ``self`` (everything lives on the CPU)."""
        return self

    # ------------------------------------------------------------------ hooks
    def register_forward_hook(self, hook: Callable[..., Any]) -> Handle:
        """Call ``hook(module, inputs, output)`` after every forward; a non-None result
        replaces the output.  Returns a handle whose ``remove()`` unregisters it."""
        self._forward_hooks.append(hook)
        return Handle([(self._forward_hooks, hook)])

    def register_forward_pre_hook(self, hook: Callable[..., Any]) -> Handle:
        """Call ``hook(module, inputs)`` before every forward; a non-None result replaces the
        inputs.  Returns a handle whose ``remove()`` unregisters it."""
        self._forward_pre_hooks.append(hook)
        return Handle([(self._forward_pre_hooks, hook)])

    # ------------------------------------------------------------------ state
    def state_dict(
        self, *args: Any, destination: Any = None, prefix: str = "", keep_vars: bool = False
    ) -> OrderedDict[str, Tensor]:
        """Every parameter and persistent buffer by dotted name, in registration order: this
        module's own, then each child's under ``prefix + "<child>."``.

        As in PyTorch, ``prefix`` is prepended as given (``prefix="x"`` gives ``"xweight"``),
        and a module registered under two names (``self.b = self.a``) is listed under both.
        The values share memory with the module (detached unless ``keep_vars``): save them,
        or copy them, before training on."""
        out: OrderedDict[str, Tensor] = OrderedDict() if destination is None else destination
        self._save_own(out, prefix, keep_vars)
        for name, child in self._modules.items():
            if child is not None:
                child.state_dict(destination=out, prefix=f"{prefix}{name}.", keep_vars=keep_vars)
        return out

    def _save_own(self, out: dict[str, Tensor], prefix: str, keep_vars: bool) -> None:
        """This module's own parameters and persistent buffers (not its children's)."""
        for name, p in self._parameters.items():
            if p is not None:
                out[prefix + name] = p if keep_vars else p.detach()
        for name, b in self._buffers.items():
            if b is not None and name not in self._non_persistent:
                out[prefix + name] = b if keep_vars else b.detach()

    def _upgrade_state_dict(
        self, state_dict: dict[str, Any], prefix: str, local_metadata: Mapping[str, Any]
    ) -> None:
        """Fill in entries an older checkpoint of this module lacks (PyTorch does this in
        ``_load_from_state_dict``, keyed by the ``version`` in the state dict's metadata).
        The base module adds nothing; ``BatchNorm`` adds ``num_batches_tracked``."""

    def load_state_dict(
        self, state_dict: Mapping[str, Any], strict: bool = True, assign: bool = False
    ) -> IncompatibleKeys:
        """Copy ``state_dict``'s tensors into this module's parameters and buffers.

        Everything is checked before anything is copied: with ``strict`` (the default) a
        missing or unexpected key raises, and a wrong shape always raises; the error lists
        every problem, and the module is left unchanged.  Returns the missing and unexpected
        keys (both empty under ``strict``)."""
        if not isinstance(state_dict, Mapping):
            raise TypeError(
                f"Expected state_dict to be dict-like, got {type(state_dict).__name__}."
            )
        # Work on a copy, which each module may complete with entries older checkpoints lack.
        # What is loaded is every module's own entries, module by module as PyTorch does, never
        # through an override of state_dict() (one that saves only part of a layer still loads
        # a full checkpoint); the same walk and order as state_dict().
        metadata = getattr(state_dict, "_metadata", None)
        state_dict = dict(state_dict)
        own: dict[str, Tensor] = {}
        for mod_prefix, mod in self.named_modules(remove_duplicate=False):
            local_metadata = {} if metadata is None else metadata.get(mod_prefix, {})
            base = f"{mod_prefix}." if mod_prefix else ""
            mod._upgrade_state_dict(state_dict, base, local_metadata)
            mod._save_own(own, base, True)
        missing = [k for k in own if k not in state_dict]
        unexpected = [k for k in state_dict if k not in own]
        errors: list[str] = []
        for key, target in own.items():
            if key not in state_dict:
                continue
            src = state_dict[key]
            if not isinstance(src, Tensor):
                errors.append(
                    f'While copying the parameter named "{key}", expected a Tensor from the '
                    f"checkpoint but received {type(src).__name__}"
                )
            elif tuple(src.shape) != tuple(target.shape):
                errors.append(
                    f"size mismatch for {key}: copying a param with shape {tuple(src.shape)} "
                    f"from checkpoint, the shape in current model is {tuple(target.shape)}."
                )
        if strict:
            if unexpected:
                errors.insert(
                    0, "Unexpected key(s) in state_dict: " + ", ".join(f'"{k}"' for k in unexpected)
                )
            if missing:
                errors.insert(
                    0, "Missing key(s) in state_dict: " + ", ".join(f'"{k}"' for k in missing)
                )
        if errors:
            raise RuntimeError(
                f"Error(s) in loading state_dict for {type(self).__name__}:\n\t"
                + "\n\t".join(errors)
            )
        with ag.no_grad():
            for key, target in own.items():
                if key not in state_dict:
                    continue
                src = state_dict[key]
                if assign:
                    self._assign(key, src)
                else:
                    target.copy_(src.detach())
        return IncompatibleKeys(missing, unexpected)

    def _assign(self, key: str, src: Tensor) -> None:
        path, _, name = key.rpartition(".")
        mod = self.get_submodule(path)
        if name in mod._parameters:
            old = mod._parameters[name]
            req = old.requires_grad if old is not None else True
            mod._parameters[name] = src if isinstance(src, Parameter) else Parameter(src, req)
        else:
            mod._buffers[name] = src

    # ------------------------------------------------------------------ printing
    def extra_repr(self) -> str:
        """The layer's own settings, shown in ``print(model)`` (override it)."""
        return ""

    def _get_name(self) -> str:
        return type(self).__name__

    def __repr__(self) -> str:
        extra = self.extra_repr()
        lines = extra.split("\n") if extra else []
        for name, child in self._modules.items():
            lines.append(f"({name}): " + _addindent(repr(child), 2))
        if not self._modules:
            return (
                f"{self._get_name()}({extra})"
                if len(lines) <= 1
                else (f"{self._get_name()}(\n  " + "\n  ".join(lines) + "\n)")
            )
        return f"{self._get_name()}(\n  " + "\n  ".join(lines) + "\n)"

    def __dir__(self) -> list[str]:
        keys = set(super().__dir__())
        keys.update(self._parameters, self._buffers, self._modules)
        return sorted(keys)


def zero_grads(params: Iterable[Tensor], set_to_none: bool = True) -> None:
    """Reset the gradient of each of ``params``: ``.grad = None``, or, with ``set_to_none=False``,
    zeros written into the same ``.grad`` tensor (detached from any graph first).  What
    ``Module.zero_grad`` and ``Optimizer.zero_grad`` both do."""
    for p in params:
        g = p.grad
        if g is None:
            continue
        if set_to_none:
            p.grad = None
        else:
            if g.grad_fn is not None:
                g.detach_()
            else:
                g.requires_grad_(False)
            g.zero_()
