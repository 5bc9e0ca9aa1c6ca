"""The dispatch choke point: observers, the primitive registry, the engine hook."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np
import pytest

import tt_tensor as tt
from tt_tensor import composite, creation, elementwise, indexing, linalg, reduction, shape
from tt_tensor.dispatch import PRIMITIVES, Handle, Primitive, add_observer, observers

Record = tuple[str, str, tuple[Any, ...]]


@pytest.fixture
def log() -> Iterator[list[Record]]:
    """Record ("before"|"after", op name, inputs) for every primitive run inside the test."""
    seen: list[Record] = []

    def before(op: Primitive, inputs: Sequence[Any], arrays: Sequence[Any], params: Any) -> None:
        seen.append(("before", op.name, tuple(inputs)))

    def after(
        op: Primitive, inputs: Sequence[Any], arrays: Sequence[Any], params: Any, out: Any
    ) -> None:
        seen.append(("after", op.name, tuple(inputs)))

    with add_observer(after, before):
        yield seen


def names(log: list[Record], when: str = "after") -> list[str]:
    return [name for w, name, _ in log if w == when]


def test_observers_see_each_primitive_before_and_after(log: list[Record]) -> None:
    a, b = tt.ones(2), tt.ones(2)
    out = a + b
    assert [(w, n) for w, n, _ in log] == [("before", "add"), ("after", "add")]
    assert log[0][2] == (a, b)
    assert out.tolist() == [2.0, 2.0]


def test_observers_get_the_op_inputs_arrays_params_and_output() -> None:
    calls: list[dict[str, Any]] = []

    def after(op: Primitive, inputs: Any, arrays: Any, params: Any, out: Any) -> None:
        calls.append({"op": op, "inputs": inputs, "arrays": arrays, "params": params, "out": out})

    x = tt.tensor([1, 2])
    with add_observer(after):
        y = x + 0.5
        s = tt.ones(2, 3).sum(1, keepdim=True)
    add_call, sum_call = calls
    assert add_call["op"] is PRIMITIVES["add"]
    assert add_call["inputs"][0] is x
    assert add_call["inputs"][1] is None  # a Python scalar operand
    assert add_call["arrays"][0].dtype == np.float32  # after promotion
    assert add_call["out"] is y
    assert sum_call["op"].name == "sum"
    assert sum_call["params"][:2] == ((1,), True)
    assert sum_call["out"] is s


def test_before_runs_before_the_computation() -> None:
    order: list[str] = []
    x = tt.zeros(2)

    def before(op: Primitive, inputs: Any, arrays: Any, params: Any) -> None:
        order.append(f"before {op.name}: {x.tolist()}")

    with add_observer(before=before):
        x.add_(1.0)
    assert order == ["before add: [0.0, 0.0]"]
    assert x.tolist() == [1.0, 1.0]


def test_in_place_ops_report_the_target_as_output() -> None:
    outs: list[Any] = []
    x = tt.zeros(2)
    with add_observer(lambda op, i, a, p, out: outs.append((op.name, out))):
        x += 1
        x[0] = 5.0
    assert [n for n, _ in outs] == ["add", "index_put"]
    assert all(out is x for _, out in outs)


def test_handle_remove_stops_observing_and_is_idempotent() -> None:
    seen: list[str] = []
    h = add_observer(lambda op, i, a, p, out: seen.append(op.name))
    assert isinstance(h, Handle)
    _ = tt.ones(1) * 2
    h.remove()
    h.remove()
    _ = tt.ones(1) * 2
    assert seen == ["mul"]


def test_context_manager_removes_the_observer_even_on_error() -> None:
    seen: list[str] = []
    before_lists = observers()

    def observe_then_fail() -> None:
        with add_observer(lambda op, i, a, p, out: seen.append(op.name)):
            _ = tt.ones(2) - 1
            _ = tt.ones(2) + tt.ones(3)  # broadcast error inside the block

    with pytest.raises(RuntimeError, match="add: shapes"):
        observe_then_fail()
    _ = tt.ones(2) - 1
    assert seen == ["sub"]
    assert observers() == before_lists


def test_observers_lists_registered_callbacks() -> None:
    def after(*args: Any) -> None:
        pass

    def before(*args: Any) -> None:
        pass

    with add_observer(after, before):
        b, a = observers()
        assert before in b
        assert after in a
    b, a = observers()
    assert before not in b
    assert after not in a


def test_several_observers_all_run() -> None:
    first: list[str] = []
    second: list[str] = []
    with (
        add_observer(lambda op, i, a, p, o: first.append(op.name)),
        add_observer(lambda op, i, a, p, o: second.append(op.name)),
    ):
        _ = tt.ones(2).exp()
    assert first == second == ["exp"]


@pytest.mark.parametrize(
    ("fn", "expected"),
    [
        (lambda x: x.var(), ["mean", "sub", "mul", "sum", "div"]),
        # std: the root of 1 where the variance is 0, then 0 there (a zero gradient)
        (lambda x: x.std(), ["mean", "sub", "mul", "sum", "div", "eq", "where", "sqrt", "where"]),
        (lambda x: x.repeat(2, 1), ["reshape", "expand", "reshape"]),
        (lambda x: tt.stack([x, x]), ["reshape", "reshape", "cat"]),
        (lambda x: x.max(0), ["argmax", "gather", "reshape", "reshape"]),
    ],
)
def test_composite_ops_show_up_as_their_primitives(
    log: list[Record], fn: Callable[[tt.Tensor], Any], expected: list[str]
) -> None:
    fn(tt.tensor([[1.0, 2.0], [3.0, 5.0]]))
    assert names(log) == expected
    assert names(log, "before") == expected


def test_softmax_and_log_softmax_are_one_fused_primitive_each(log: list[Record]) -> None:
    x = tt.tensor([[1.0, 2.0]])
    x.softmax(1)
    x.log_softmax(1)
    assert names(log) == ["softmax", "log_softmax"]


def test_logsumexp_is_composed_of_primitives(log: list[Record]) -> None:
    tt.tensor([[1.0, 2.0]]).logsumexp(1)
    seen = names(log)
    assert "logsumexp" not in seen
    assert seen[0] == "amax"
    assert set(seen) <= set(PRIMITIVES)


def test_every_observed_name_is_a_registered_primitive(log: list[Record]) -> None:
    x = tt.arange(12.0).reshape(3, 4)
    _ = x.log_softmax(1), x.logsumexp(0), x.norm(), x.T @ x, x[x > 3], x.unfold(1, 2, 1)
    _ = tt.pad(x, (1, 1)), x.flip(0), x.cumsum(1), x.prod(), x.clamp(0, 5), x.sigmoid()
    _ = tt.where(x > 2, x, 0.0), x.gather(1, tt.tensor([[0], [1], [2]])), x.long() // 2
    assert log
    assert {name for _, name, _ in log} <= set(PRIMITIVES)


def test_primitives_registry_lists_every_primitive_object() -> None:
    found: dict[str, Primitive] = {}
    for module in (composite, creation, elementwise, indexing, linalg, reduction, shape):
        for value in vars(module).values():
            if isinstance(value, Primitive):
                found[value.name] = value
    assert found
    for name, prim in found.items():
        assert PRIMITIVES[name] is prim
    for name, prim in PRIMITIVES.items():
        assert prim.name == name
        assert callable(prim.forward)
        assert repr(prim) == f"<primitive {name}>"
    expected = {
        "add", "sub", "mul", "div", "pow", "neg", "abs", "exp", "log", "log1p", "sqrt", "rsqrt",
        "sin", "cos", "tanh", "sigmoid", "relu", "sign", "maximum", "minimum", "clamp", "where",
        "eq", "ne", "lt", "le", "gt", "ge", "floor_divide", "remainder", "cast", "matmul",
        "sum", "prod", "amax", "amin", "argmax", "argmin", "all", "any", "cumsum",
        "reshape", "view", "permute", "expand", "flip", "unfold", "contiguous", "clone", "cat",
        "pad", "getitem", "index_put", "gather", "scatter_add",
    }  # fmt: skip
    assert expected <= set(PRIMITIVES)


def test_non_differentiable_primitives_are_marked() -> None:
    for name in ("eq", "lt", "argmax", "argmin", "all", "any", "isnan", "logical_not"):
        assert not PRIMITIVES[name].differentiable, name
    for name in ("add", "matmul", "sum", "exp", "reshape", "getitem"):
        assert PRIMITIVES[name].differentiable, name
    for name in ("reshape", "view", "permute", "expand", "flip", "unfold", "getitem"):
        assert PRIMITIVES[name].view, name
    assert not PRIMITIVES["cat"].view


def test_observers_do_not_monkey_patch_the_tensor_class() -> None:
    before_dict = dict(vars(tt.Tensor))
    module_fns = {name: getattr(tt, name) for name in ("add", "matmul", "sum", "softmax")}
    with add_observer(lambda *a: None, lambda *a: None):
        _ = tt.ones(2) + 1
        assert dict(vars(tt.Tensor)) == before_dict
    after_dict = dict(vars(tt.Tensor))
    assert after_dict.keys() == before_dict.keys()
    assert all(after_dict[k] is before_dict[k] for k in before_dict)
    assert all(getattr(tt, name) is fn for name, fn in module_fns.items())


def test_dispatch_wraps_numpy_scalars_in_zero_dim_tensors() -> None:
    s = tt.ones(3).sum()
    assert isinstance(s, tt.Tensor)
    assert isinstance(s.numpy(), np.ndarray)
    assert s.shape == ()


# ----------------------------------------------------------------------- engine hook
def test_requires_grad_without_an_engine_raises_a_clear_error(without_engine: None) -> None:
    with pytest.raises(RuntimeError, match=r"requires_grad: no gradient engine is registered"):
        tt.ones(2, requires_grad=True)
    x = tt.ones(2)
    with pytest.raises(RuntimeError, match="import an autograd package"):
        x.requires_grad_()
    with pytest.raises(RuntimeError, match="no gradient engine"):
        x.requires_grad = True
    x.requires_grad = False  # unchanged: nothing to do, no engine needed
    assert not x.requires_grad
    with pytest.raises(RuntimeError, match="backward: no gradient engine"):
        x.sum().backward()
    with pytest.raises(RuntimeError, match="retain_grad: no gradient engine"):
        x.retain_grad()
    with pytest.raises(RuntimeError, match="register_hook: no gradient engine"):
        x.register_hook(lambda g: g)
    with pytest.raises(RuntimeError, match="no gradient engine"):
        tt.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="no gradient engine"):
        tt.rand(2, requires_grad=True)


def test_tensors_start_outside_any_graph() -> None:
    x = tt.ones(2)
    assert not x.requires_grad
    assert x.is_leaf
    assert x.grad is None
    assert x.grad_fn is None
    assert not x.retains_grad


class _FlagEngine:
    """The smallest engine: it only stores requires_grad."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []

    def set_requires_grad(self, tensor: tt.Tensor, flag: bool) -> None:
        self.calls.append(("set_requires_grad", flag))
        tensor._requires_grad = flag

    def inplace_needs_history(self, op: Primitive, target: tt.Tensor, inputs: Any) -> bool:
        self.calls.append(("inplace_needs_history", op.name))
        return False

    def backward(self, tensor: Any, gradient: Any, retain_graph: bool, create_graph: bool) -> None:
        self.calls.append(("backward", (retain_graph, create_graph)))

    def retain_grad(self, tensor: tt.Tensor) -> None:
        self.calls.append(("retain_grad", None))

    def register_hook(self, tensor: tt.Tensor, hook: Any) -> Handle:
        self.calls.append(("register_hook", hook))
        return Handle([])


def test_an_installed_engine_answers_the_gradient_methods(without_engine: None) -> None:
    engine = _FlagEngine()
    tt.dispatch.set_engine(engine)
    x = tt.ones(2, requires_grad=True)
    assert x.requires_grad
    assert "requires_grad=True" in repr(x)
    with pytest.raises(RuntimeError, match=r"Can't call numpy\(\) on Tensor that requires grad"):
        x.numpy()
    assert x.numpy(force=True).tolist() == [1.0, 1.0]
    assert x.detach().numpy().tolist() == [1.0, 1.0]
    x.sum().backward()
    x.retain_grad()
    x.register_hook(lambda g: g)
    x.add_(1.0)
    kinds = [k for k, _ in engine.calls]
    assert kinds == [
        "set_requires_grad",
        "backward",
        "retain_grad",
        "register_hook",
        "inplace_needs_history",
    ]
    assert tt.dispatch.get_engine("test") is engine
    tt.dispatch.set_engine(None)
    with pytest.raises(RuntimeError, match="test: no gradient engine"):
        tt.dispatch.get_engine("test")
