"""The backward engine and its API: graph traversal, retain_graph, accumulation, in-place
checks, grad modes, hooks, retain_grad, detach, higher-order gradients, autograd.grad,
custom Functions and the graph printers."""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import tt_autograd as ag
import tt_tensor as tt
from tt_tensor import dispatch

pytestmark = pytest.mark.filterwarnings("error")

SECOND_TIME = "Trying to backward through the graph a second time"


def f64(values: Any, requires_grad: bool = True) -> tt.Tensor:
    t = tt.tensor(values, dtype=tt.float64)
    return t.requires_grad_() if requires_grad else t


def arr(t: tt.Tensor | None) -> np.ndarray:
    assert t is not None
    return t.detach().numpy()


@pytest.fixture(autouse=True)
def _grad_mode_is_restored() -> Any:
    """Every test starts and must end with recording on."""
    assert ag.is_grad_enabled()
    yield
    assert ag.is_grad_enabled(), "the test left gradient recording off"


# ----------------------------------------------------------------------- retain_graph
def test_second_backward_through_freed_saved_tensors_raises() -> None:
    x = f64([1.0, 2.0])
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match=SECOND_TIME) as info:
        y.backward()
    assert "retain_graph=True" in str(info.value)


def test_second_backward_through_a_graph_without_saved_tensors_is_allowed() -> None:
    # Like PyTorch: add and sum save nothing, so nothing was freed.
    x = f64([1.0, 2.0])
    y = (x + 1.0).sum()
    y.backward()
    y.backward()
    np.testing.assert_array_equal(arr(x.grad), [2.0, 2.0])


def test_retain_graph_allows_a_second_backward_and_leaf_grads_accumulate() -> None:
    x = f64([1.0, -2.0, 3.0])
    y = (x * x * x).sum()
    y.backward(retain_graph=True)
    np.testing.assert_allclose(arr(x.grad), [3.0, 12.0, 27.0])
    y.backward(retain_graph=True)
    np.testing.assert_allclose(arr(x.grad), [6.0, 24.0, 54.0])
    y.backward()  # the last one frees the graph
    np.testing.assert_allclose(arr(x.grad), [9.0, 36.0, 81.0])
    with pytest.raises(RuntimeError, match=SECOND_TIME):
        y.backward()


def test_leaf_grad_accumulates_across_separate_graphs_until_reset() -> None:
    w = f64([0.5, 1.5])
    for _ in range(3):
        (w * 2.0).sum().backward()
    np.testing.assert_array_equal(arr(w.grad), [6.0, 6.0])
    w.grad = None
    (w * w).sum().backward()
    np.testing.assert_array_equal(arr(w.grad), [1.0, 3.0])


def test_accumulation_happens_in_place_in_the_existing_grad_tensor() -> None:
    w = f64([1.0, 2.0])
    (w * 3.0).sum().backward()
    g = w.grad
    (w * 3.0).sum().backward()
    assert w.grad is g
    np.testing.assert_array_equal(arr(g), [6.0, 6.0])


# ----------------------------------------------------------------------- graph walking
def test_a_chain_of_100000_ops_backpropagates_without_recursion() -> None:
    x = tt.tensor([1.0], requires_grad=True)
    y = x
    for i in range(100_000):
        y = y * 1.0 if i % 2 else y + 0.5
    y.sum().backward()
    np.testing.assert_array_equal(arr(x.grad), [1.0])
    del y  # dropping a 100,000-node graph must not overflow either
    gc.collect()


def test_shared_subexpressions_get_the_summed_gradient_and_every_node_runs_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    runs: Counter[int] = Counter()
    original = ag.Node.apply

    def counting_apply(self: ag.Node, grad: tt.Tensor) -> Any:
        runs[id(self)] += 1
        return original(self, grad)

    monkeypatch.setattr(ag.Node, "apply", counting_apply)
    x = f64([0.5, -1.0, 2.0])
    y = x * x
    yy = y * y
    z = y + yy
    seen: dict[str, list[np.ndarray]] = {"y": [], "yy": [], "z": []}
    y.register_hook(lambda g: seen["y"].append(arr(g).copy()))
    yy.register_hook(lambda g: seen["yy"].append(arr(g).copy()))
    z.register_hook(lambda g: seen["z"].append(arr(g).copy()))
    z.sum().backward()
    xv = np.array([0.5, -1.0, 2.0])
    np.testing.assert_allclose(arr(x.grad), 2 * xv + 4 * xv**3)
    assert [len(v) for v in seen.values()] == [1, 1, 1]
    np.testing.assert_allclose(seen["y"][0], 1 + 2 * xv**2)  # both paths summed first
    assert sorted(runs.values()) == [1, 1, 1, 1]  # Sum, Add, Mul (y*y), Mul (x*x)
    assert len(runs) == 4


def test_a_path_whose_gradient_is_none_does_not_hold_back_the_other_paths() -> None:
    # y feeds two consumers; one returns None for it.  The engine must still run y's node
    # with the other consumer's gradient (it once waited for both and dropped y's gradient).
    class Blocked(ag.Function):
        @staticmethod
        def forward(ctx: Any, a: tt.Tensor) -> tt.Tensor:
            return a * 1

        @staticmethod
        def backward(ctx: Any, g: tt.Tensor) -> Any:
            return None

    x = f64([1.0, 2.0])
    y = x * 2
    (Blocked.apply(y) + y * 3).sum().backward()
    np.testing.assert_array_equal(arr(x.grad), [6.0, 6.0])


def test_nodes_run_newest_first_so_each_runs_after_all_its_consumers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    order: list[int] = []
    original = ag.Node.apply

    def logging_apply(self: ag.Node, grad: tt.Tensor) -> Any:
        order.append(self.seq)
        return original(self, grad)

    monkeypatch.setattr(ag.Node, "apply", logging_apply)
    x = f64([0.5, 2.0])
    a = x.exp()  # consumed by b, by c (through a longer path) and by the sum
    b = a * 3
    c = (b + a).sin() * a
    (c + a).sum().backward()
    assert order == sorted(order, reverse=True)
    assert len(order) == len(set(order)) == 7  # exp, mul, add, sin, mul, add, sum: once each
    av = np.exp([0.5, 2.0])
    da = np.cos(4 * av) * 4 * av + np.sin(4 * av) + 1  # d/da of sin(4a) * a + a
    np.testing.assert_allclose(arr(x.grad), da * av)


def test_the_same_leaf_used_twice_in_one_op_gets_both_contributions() -> None:
    x = f64([1.0, 2.0])
    (x + x).sum().backward()
    np.testing.assert_array_equal(arr(x.grad), [2.0, 2.0])
    x.grad = None
    (x * x).sum().backward()
    np.testing.assert_array_equal(arr(x.grad), [2.0, 4.0])


def test_backward_with_several_roots_and_explicit_gradients() -> None:
    x = f64([1.0, 2.0])
    a, b = x * 2.0, x * x
    ag.backward([a, b], [f64([1.0, 1.0], False), f64([10.0, 100.0], False)])
    np.testing.assert_array_equal(arr(x.grad), [2.0 + 20.0, 2.0 + 400.0])


def test_backward_of_a_non_scalar_needs_an_explicit_gradient() -> None:
    x = f64([1.0, 2.0])
    with pytest.raises(RuntimeError, match="only for scalar outputs"):
        (x * 2.0).backward()
    with pytest.raises(RuntimeError, match=r"mismatch in shape.*\(3,\).*\(2,\)"):
        (x * 2.0).backward(tt.ones(3, dtype=tt.float64))
    (x * 2.0).backward(f64([1.0, -1.0], False))
    np.testing.assert_array_equal(arr(x.grad), [2.0, -2.0])


def test_backward_of_a_tensor_that_does_not_require_grad_raises() -> None:
    with pytest.raises(RuntimeError, match="does not require grad"):
        tt.ones(2).sum().backward()


# ----------------------------------------------------------------------- in-place
def test_in_place_change_of_a_saved_input_is_detected_and_names_the_op() -> None:
    x = f64([1.0, 2.0])
    y = x * 2.0
    z = y * y  # saves y (version 0)
    with ag.no_grad():
        y.add_(1.0)
    with pytest.raises(RuntimeError, match="modified by an inplace operation") as info:
        z.sum().backward()
    msg = str(info.value)
    assert "MulBackward0" in msg
    assert "is at version 1; expected version 0" in msg


def test_in_place_change_of_a_saved_output_is_detected() -> None:
    x = f64([1.0, 2.0])
    y = x.exp()  # saves its output
    y.mul_(2.0)
    with pytest.raises(RuntimeError, match=r"output of ExpBackward0, is at version 1"):
        y.sum().backward()


def test_in_place_change_through_a_view_or_detach_bumps_the_shared_version() -> None:
    x = f64([1.0, 2.0, 3.0])
    y = x * 1.0
    z = (y * y).sum()
    v = y.detach()[1]  # shares memory and version counter with y
    v.add_(1.0)
    assert y._version == 1
    np.testing.assert_array_equal(arr(y), [1.0, 3.0, 3.0])
    with pytest.raises(RuntimeError, match="MulBackward0"):
        z.backward()


def test_in_place_on_a_leaf_that_requires_grad_raises_unless_grad_is_off() -> None:
    w = f64([1.0, 2.0])
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used"):
        w.add_(1.0)
    with pytest.raises(RuntimeError, match="mul_: a leaf Variable"):
        w *= 2.0
    with pytest.raises(RuntimeError, match="leaf Variable"):
        w[0] = 5.0
    with ag.no_grad():  # how optimizers update parameters
        w.sub_(0.5)
    np.testing.assert_array_equal(arr(w), [0.5, 1.5])
    assert w.is_leaf
    assert w.requires_grad
    assert w.grad_fn is None


def test_in_place_on_a_non_leaf_rewrites_history() -> None:
    x = f64([1.0, 2.0, 3.0])
    w = f64([4.0, 5.0, 6.0])
    y = x * 2.0
    first = y.grad_fn
    out = y.mul_(w)
    assert out is y
    assert y.grad_fn is not first
    assert type(y.grad_fn).__name__ == "MulBackward0"
    assert y.grad_fn.next[0] is first  # the old history is the input of the new node
    assert y._version == 1
    y.sum().backward()
    np.testing.assert_array_equal(arr(x.grad), [8.0, 10.0, 12.0])
    np.testing.assert_array_equal(arr(w.grad), [2.0, 4.0, 6.0])


def test_in_place_chain_on_a_non_leaf_matches_the_out_of_place_gradient() -> None:
    x = f64([0.5, -1.0])
    w = f64([2.0, 3.0])
    y = x * 1.5  # saves x, not y: y may be changed in place
    y.mul_(w)
    y += x
    y.div_(w)
    y.sub_(x * x)
    (y * y).sum().backward()
    gx, gw = arr(x.grad), arr(w.grad)
    x2, w2 = f64([0.5, -1.0]), f64([2.0, 3.0])
    y2 = (x2 * 1.5 * w2 + x2) / w2 - x2 * x2
    (y2 * y2).sum().backward()
    np.testing.assert_allclose(gx, arr(x2.grad))
    np.testing.assert_allclose(gw, arr(w2.grad))


def test_setitem_on_a_non_leaf_records_history() -> None:
    x = f64([1.0, 2.0, 3.0])
    v = f64(7.0)
    y = x.clone()
    y[1] = v * 3.0
    (y * y).sum().backward()
    np.testing.assert_array_equal(arr(x.grad), [2.0, 0.0, 6.0])
    assert v.grad is not None
    np.testing.assert_array_equal(arr(v.grad), 2 * 21.0 * 3.0)


def test_in_place_op_with_a_grad_input_makes_a_plain_tensor_require_grad() -> None:
    x = f64([1.0, 2.0])
    acc = tt.zeros(2, dtype=tt.float64)
    acc.add_(x * x)
    assert acc.requires_grad
    assert type(acc.grad_fn).__name__ == "AddBackward0"
    acc.sum().backward()
    np.testing.assert_array_equal(arr(x.grad), [2.0, 4.0])


def test_recorded_in_place_op_on_a_view_raises_a_clear_error() -> None:
    x = f64([1.0, 2.0])
    y = x * 1.0
    with pytest.raises(RuntimeError, match=r"mul_: in-place operations .* not supported on views"):
        y[0].mul_(x[1])
    with pytest.raises(RuntimeError, match=r"add_: .* views"):
        y.T.add_(x)


# ----------------------------------------------------------------------- grad modes
def _nodes_recorded_during(fn: Callable[[], Any]) -> list[Any]:
    recorded: list[Any] = []
    with dispatch.add_observer(lambda op, i, a, p, out: recorded.append(out.grad_fn)):
        fn()
    return [n for n in recorded if n is not None]


def test_no_grad_builds_no_graph() -> None:
    x = f64([1.0, 2.0])
    out: list[tt.Tensor] = []

    def run() -> None:
        with ag.no_grad():
            out.append(((x * 2.0).exp() @ x).relu())
            assert not ag.is_grad_enabled()

    assert _nodes_recorded_during(run) == []
    (y,) = out
    assert y.grad_fn is None
    assert not y.requires_grad
    assert y.is_leaf
    assert _nodes_recorded_during(lambda: out.append(x * 2.0)) != []
    assert out[-1].requires_grad


def test_no_grad_as_a_decorator_and_enable_grad_inside_it() -> None:
    x = f64([1.0])

    @ag.no_grad()
    def inference() -> tuple[tt.Tensor, tt.Tensor]:
        off = x * 2.0
        with ag.enable_grad():
            on = x * 2.0
        return off, on

    off, on = inference()
    assert not off.requires_grad
    assert on.requires_grad
    assert ag.is_grad_enabled()

    @ag.enable_grad()
    def train_step() -> tt.Tensor:
        return x * 3.0

    with ag.no_grad():
        y = train_step()
        assert not ag.is_grad_enabled()
    assert y.requires_grad


def test_set_grad_enabled_as_function_context_manager_and_decorator() -> None:
    x = f64([1.0])
    ag.set_grad_enabled(False)
    try:
        assert not ag.is_grad_enabled()
        assert not (x * 2.0).requires_grad
    finally:
        ag.set_grad_enabled(True)
    assert ag.is_grad_enabled()
    with ag.set_grad_enabled(False):
        assert not (x * 2.0).requires_grad
        with ag.set_grad_enabled(True):
            assert (x * 2.0).requires_grad
        assert not ag.is_grad_enabled()
    assert ag.is_grad_enabled()

    @ag.set_grad_enabled(False)
    def frozen() -> tt.Tensor:
        return x * 2.0

    assert ag.is_grad_enabled()  # decorating does not change the mode
    assert not frozen().requires_grad
    assert ag.is_grad_enabled()


def test_inference_mode_false_as_a_decorator_keeps_recording_on() -> None:
    x = f64([1.0])

    @ag.inference_mode(False)
    def f() -> tt.Tensor:
        return x * 2.0

    @ag.inference_mode()
    def g() -> tt.Tensor:
        return x * 2.0

    with ag.no_grad():
        assert f().requires_grad
    assert not g().requires_grad


def test_grad_mode_is_restored_when_the_block_raises() -> None:
    with pytest.raises(ValueError, match="boom"), ag.no_grad():
        raise ValueError("boom")
    assert ag.is_grad_enabled()


# ----------------------------------------------------------------------- requires_grad, dtypes
def test_requires_grad_on_an_integer_or_bool_tensor_raises() -> None:
    with pytest.raises(RuntimeError, match="only Tensors of floating point dtype"):
        tt.tensor([1, 2]).requires_grad_()
    with pytest.raises(RuntimeError, match="floating point"):
        tt.tensor([True]).requires_grad = True
    with pytest.raises(RuntimeError, match="floating point"):
        tt.tensor([1, 2], requires_grad=True)


def test_requires_grad_cannot_be_turned_off_on_a_non_leaf() -> None:
    y = f64([1.0]) * 2.0
    with pytest.raises(RuntimeError, match="only change requires_grad flags of leaf"):
        y.requires_grad = False
    y.requires_grad = True  # already true: allowed


def test_integer_outputs_do_not_require_grad() -> None:
    x = f64([1.5, -0.5])
    assert not x.argmax().requires_grad
    assert not (x > 0).requires_grad
    assert not x.long().requires_grad
    assert (x * tt.tensor([2, 3])).requires_grad


def test_gradients_keep_each_input_dtype() -> None:
    a = tt.tensor([1.0, 2.0], dtype=tt.float32, requires_grad=True)
    (a * a).sum().backward()
    assert a.grad is not None
    assert a.grad.dtype == tt.float32

    h = tt.tensor([1.0, 2.0], dtype=tt.float16, requires_grad=True)
    w = tt.tensor([3.0, 4.0], dtype=tt.float32, requires_grad=True)
    y = h * w
    assert y.dtype == tt.float32
    y.sum().backward()
    assert h.grad is not None
    assert w.grad is not None
    assert h.grad.dtype == tt.float16
    assert w.grad.dtype == tt.float32
    np.testing.assert_array_equal(arr(h.grad), [3.0, 4.0])

    d = f64([2.0])
    s = tt.tensor([5.0], requires_grad=True)
    (d * s).sum().backward()
    assert s.grad is not None
    assert s.grad.dtype == tt.float32
    assert d.grad is not None
    assert d.grad.dtype == tt.float64


def test_cast_back_and_forth_gives_a_gradient_in_the_original_dtype() -> None:
    x = tt.tensor([1.0, 2.0], dtype=tt.float32, requires_grad=True)
    (x.double() * 3.0).sum().backward()
    assert x.grad is not None
    assert x.grad.dtype == tt.float32
    np.testing.assert_array_equal(arr(x.grad), [3.0, 3.0])


def test_broadcast_gradients_are_reduced_to_each_input_shape() -> None:
    a = f64([[1.0], [2.0], [3.0]])  # (3, 1)
    b = f64([[10.0, 20.0, 30.0, 40.0]])  # (1, 4)
    c = f64(2.0)  # ()
    (a * b * c).sum().backward()
    assert a.grad is not None
    assert b.grad is not None
    assert c.grad is not None
    assert a.grad.shape == (3, 1)
    assert b.grad.shape == (1, 4)
    assert c.grad.shape == ()
    np.testing.assert_array_equal(arr(a.grad), [[200.0], [200.0], [200.0]])
    np.testing.assert_array_equal(arr(b.grad), [[12.0, 12.0, 12.0, 12.0]])
    np.testing.assert_array_equal(arr(c.grad), 6.0 * 100.0)


# ----------------------------------------------------------------------- retain_grad, hooks
def test_retain_grad_keeps_the_gradient_of_a_non_leaf() -> None:
    x = f64([1.0, 2.0])
    y = x * 2.0
    other = x * 3.0
    y.retain_grad()
    assert y.retains_grad
    assert not other.retains_grad
    (y * y + other).sum().backward(retain_graph=True)
    np.testing.assert_array_equal(arr(y.grad), [4.0, 8.0])
    assert other.grad is None  # not retained
    (y * y + other).sum().backward()
    np.testing.assert_array_equal(arr(y.grad), [8.0, 16.0])  # accumulates, like PyTorch


def test_retain_grad_on_a_leaf_is_a_no_op_and_on_a_constant_raises() -> None:
    x = f64([1.0])
    x.retain_grad()
    (x * 2.0).sum().backward()
    np.testing.assert_array_equal(arr(x.grad), [2.0])
    with pytest.raises(RuntimeError, match="can't retain_grad on Tensor that has requires_grad"):
        tt.ones(1).retain_grad()


def test_hook_on_a_leaf_sees_the_total_gradient_and_can_replace_it() -> None:
    x = f64([1.0, 2.0])
    seen: list[np.ndarray] = []

    def hook(g: tt.Tensor) -> tt.Tensor:
        seen.append(arr(g).copy())
        return g * 10.0

    handle = x.register_hook(hook)
    (x * 3.0 + x).sum().backward()
    assert len(seen) == 1
    np.testing.assert_array_equal(seen[0], [4.0, 4.0])
    np.testing.assert_array_equal(arr(x.grad), [40.0, 40.0])
    handle.remove()
    handle.remove()  # idempotent
    (x * 3.0).sum().backward()
    np.testing.assert_array_equal(arr(x.grad), [43.0, 43.0])
    assert len(seen) == 1


def test_hook_on_a_non_leaf_changes_the_gradient_flowing_upstream() -> None:
    x = f64([1.0, 2.0])
    y = x * 2.0
    y.retain_grad()
    calls: list[np.ndarray] = []
    y.register_hook(lambda g: calls.append(arr(g).copy()))  # returns None: observes only
    handle = y.register_hook(lambda g: g * 10.0)
    (y * y).sum().backward()
    np.testing.assert_array_equal(calls[0], [4.0, 8.0])
    np.testing.assert_array_equal(arr(y.grad), [40.0, 80.0])  # retained after the hooks
    np.testing.assert_array_equal(arr(x.grad), [80.0, 160.0])
    handle.remove()
    x.grad = None
    y2 = x * 2.0
    (y2 * y2).sum().backward()
    np.testing.assert_array_equal(arr(x.grad), [8.0, 16.0])


def test_hooks_run_in_registration_order_each_on_the_previous_result() -> None:
    x = f64([1.0])
    x.register_hook(lambda g: g + 1.0)
    x.register_hook(lambda g: g * 10.0)
    (x * 2.0).sum().backward()
    np.testing.assert_array_equal(arr(x.grad), [30.0])


def test_a_gradient_kept_by_a_leaf_hook_is_not_changed_by_later_accumulation() -> None:
    x = f64([1.0, 2.0])
    seen: list[tt.Tensor] = []
    x.register_hook(seen.append)
    (x * 2.0).sum().backward()
    (x * 3.0).sum().backward()
    np.testing.assert_array_equal(arr(seen[0]), [2.0, 2.0])  # .grad is a copy of it
    np.testing.assert_array_equal(arr(seen[1]), [3.0, 3.0])
    np.testing.assert_array_equal(arr(x.grad), [5.0, 5.0])


@pytest.mark.parametrize("on_leaf", [True, False])
def test_a_hook_that_changes_the_size_or_type_of_the_gradient_raises(on_leaf: bool) -> None:
    def run(hook: Any) -> None:
        x = f64([1.0, 2.0])
        t = x if on_leaf else x * 2.0
        t.register_hook(hook)
        (t * 1.0).sum().backward()

    def shorter(g: tt.Tensor) -> tt.Tensor:
        return g[:1]

    with pytest.raises(RuntimeError, match="hook 'shorter' has changed the size of value"):
        run(shorter)
    with pytest.raises(RuntimeError, match=r"changed the type of value \(was float64 got float32"):
        run(lambda g: g.float())
    with pytest.raises(TypeError, match="expected Variable, but hook returned 'int'"):
        run(lambda g: 3)


def test_retain_grad_follows_the_tensor_through_an_in_place_op() -> None:
    x = f64([1.0, 2.0])
    y = x * 1.0
    y.retain_grad()
    y.mul_(3.0)
    (y * y).sum().backward()
    np.testing.assert_array_equal(arr(y.grad), [6.0, 12.0])  # d(y^2)/dy of the new y
    np.testing.assert_array_equal(arr(x.grad), [18.0, 36.0])


def test_register_hook_on_a_tensor_without_grad_raises() -> None:
    with pytest.raises(RuntimeError, match="doesn't require gradient"):
        tt.ones(2).register_hook(lambda g: g)


# ----------------------------------------------------------------------- detach
def test_detach_shares_memory_and_leaves_the_graph() -> None:
    x = f64([1.0, 2.0])
    y = x * 2.0
    d = y.detach()
    assert d.grad_fn is None
    assert not d.requires_grad
    assert d.is_leaf
    assert np.shares_memory(d.numpy(), y.detach().numpy())
    z = d * x  # only x carries gradient now
    z.sum().backward()
    np.testing.assert_array_equal(arr(x.grad), [2.0, 4.0])
    d[0] = 100.0
    assert arr(y)[0] == 100.0
    assert y._version == d._version == 1


def test_detach_in_place_cuts_a_tensor_out_of_the_graph() -> None:
    x = f64([1.0])
    y = x * 2.0
    y.detach_()
    assert y.grad_fn is None
    assert not y.requires_grad


def test_detach_in_place_on_a_view_raises() -> None:
    x = f64([1.0, 2.0])
    with pytest.raises(RuntimeError, match="Can't detach views in-place"):
        x[:1].detach_()
    y = (x * 2.0).reshape(2, 1)
    with pytest.raises(RuntimeError, match="Use detach\\(\\) instead"):
        y.detach_()
    assert y.requires_grad  # unchanged


def test_a_grad_with_a_graph_is_no_view_so_it_can_be_detached_in_place() -> None:
    # zero_grad(set_to_none=False) after backward(create_graph=True) calls .grad.detach_()
    x = f64([[1.0, 2.0], [3.0, 4.0]])
    (x.reshape(4) ** 2).sum().backward(create_graph=True)
    assert x.grad is not None
    assert x.grad.grad_fn is not None
    x.grad.detach_()
    np.testing.assert_array_equal(arr(x.grad), [[2.0, 4.0], [6.0, 8.0]])


def test_data_has_its_own_version_counter() -> None:
    x = f64([1.0, 2.0])
    z = x * x
    d = x.data
    d.mul_(2.0)
    assert d._version == 1
    assert x._version == 0
    z.sum().backward()  # the saved x is not seen as modified; its values are the new ones
    np.testing.assert_array_equal(arr(x.grad), [4.0, 8.0])


def test_assigning_grad_checks_size_dtype_and_type() -> None:
    x = f64([1.0, 2.0])
    with pytest.raises(RuntimeError, match=r"gradient of size '\[3\]' to a tensor of size '\[2\]'"):
        x.grad = tt.ones(3, dtype=tt.float64)
    with pytest.raises(RuntimeError, match="dtype 'float32' to a tensor with grad_dtype 'float64'"):
        x.grad = tt.ones(2)
    with pytest.raises(TypeError, match="Tensor or None but got grad of type float"):
        x.grad = 2.0  # type: ignore[assignment]
    assert x.grad is None
    g = tt.ones(2, dtype=tt.float64)
    x.grad = g
    assert x.grad is g
    x.grad = None
    assert x.grad is None


def test_autograd_grad_refuses_a_number_as_a_grad_output() -> None:
    x = f64([1.0, 2.0])
    with pytest.raises(TypeError, match="Tensors or None, but got float"):
        ag.grad((x * 2.0).sum(), x, grad_outputs=[2.0])  # type: ignore[list-item]


def test_a_view_follows_an_in_place_op_on_its_base() -> None:
    x, w = f64([1.0, 2.0]), f64([5.0, -1.0])
    y = x * 1.0
    v = y[:1]
    vv = y.reshape(2, 1)[1]  # a view of a view
    y.mul_(3.0)
    assert v.grad_fn is not None
    assert v.grad_fn.next[0] is y.grad_fn  # regenerated
    v.sum().backward(retain_graph=True)
    np.testing.assert_array_equal(arr(x.grad), [3.0, 0.0])
    y.add_(w)
    x.grad = None
    (vv * 2.0).sum().backward()
    np.testing.assert_array_equal(arr(x.grad), [0.0, 6.0])
    np.testing.assert_array_equal(arr(w.grad), [0.0, 2.0])


def test_a_view_made_under_no_grad_cannot_be_written_in_place_with_grad_on() -> None:
    x = f64([1.0, 2.0])
    with ag.no_grad():
        v = x[:1]
    with pytest.raises(RuntimeError, match="mul_: A view was created in no_grad mode"):
        v.mul_(2.0)
    with ag.no_grad():
        v.mul_(2.0)  # both under no_grad: allowed, not recorded
    np.testing.assert_array_equal(arr(x), [2.0, 2.0])


# ----------------------------------------------------------------------- higher order
def test_create_graph_gives_differentiable_gradients_of_x_cubed() -> None:
    x = f64([2.0, -1.0])
    (g1,) = ag.grad((x**3).sum(), x, create_graph=True)
    assert g1 is not None
    assert g1.requires_grad
    np.testing.assert_allclose(arr(g1), [12.0, 3.0])  # 3x^2
    (g2,) = ag.grad(g1.sum(), x, create_graph=True)
    assert g2 is not None
    np.testing.assert_allclose(arr(g2), [12.0, -6.0])  # 6x
    (g3,) = ag.grad(g2.sum(), x)
    assert g3 is not None
    np.testing.assert_allclose(arr(g3), [6.0, 6.0])
    assert not g3.requires_grad


def test_backward_with_create_graph_leaves_a_differentiable_grad() -> None:
    x = f64([3.0])
    (x**3).sum().backward(create_graph=True)
    assert x.grad is not None
    assert x.grad.requires_grad
    g = x.grad
    x.grad = None
    g.sum().backward()
    np.testing.assert_allclose(arr(x.grad), [18.0])


def _mlp_loss(params: list[tt.Tensor], xb: tt.Tensor, yb: tt.Tensor) -> tt.Tensor:
    w1, b1, w2, b2 = params
    h = (xb @ w1 + b1).tanh()
    return ((h @ w2 + b2 - yb) ** 2).mean()


def test_hessian_vector_product_of_an_mlp_matches_finite_differences() -> None:
    rng = np.random.default_rng(0)
    shapes = [(3, 4), (4,), (4, 2), (2,)]
    values = [rng.standard_normal(s) * 0.7 for s in shapes]
    vs = [rng.standard_normal(s) for s in shapes]
    xb = tt.from_numpy(rng.standard_normal((5, 3)))
    yb = tt.from_numpy(rng.standard_normal((5, 2)))

    params = [f64(v) for v in values]
    grads = ag.grad(_mlp_loss(params, xb, yb), params, create_graph=True)
    gv = sum(((g * tt.from_numpy(v)).sum() for g, v in zip(grads, vs, strict=True)), f64(0.0))
    hvp = ag.grad(gv, params)

    def grad_at(step: float) -> list[np.ndarray]:
        ps = [f64(v + step * d) for v, d in zip(values, vs, strict=True)]
        return [arr(g) for g in ag.grad(_mlp_loss(ps, xb, yb), ps)]

    eps = 1e-5
    plus, minus = grad_at(eps), grad_at(-eps)
    for h, p, m in zip(hvp, plus, minus, strict=True):
        np.testing.assert_allclose(arr(h), (p - m) / (2 * eps), rtol=1e-5, atol=1e-8)
    assert all(p.grad is None for p in params)  # autograd.grad does not accumulate


def test_autograd_grad_allow_unused() -> None:
    x, unused = f64([1.0, 2.0]), f64([3.0])
    y = (x * x).sum()
    with pytest.raises(RuntimeError, match="input 1 was not used in the graph"):
        ag.grad(y, [x, unused], retain_graph=True)
    gx, gu = ag.grad(y, [x, unused], allow_unused=True)
    assert gu is None
    np.testing.assert_array_equal(arr(gx), [2.0, 4.0])
    assert x.grad is None
    assert unused.grad is None


def test_autograd_grad_with_respect_to_a_non_leaf() -> None:
    x = f64([1.0, 2.0])
    y = x * 3.0
    (gy,) = ag.grad((y * y).sum(), y)
    np.testing.assert_array_equal(arr(gy), [6.0, 12.0])
    assert x.grad is None


def test_autograd_grad_runs_only_the_nodes_between_the_outputs_and_the_inputs() -> None:
    x, w = f64([1.0, 2.0]), f64([3.0, 4.0])
    fired: list[str] = []
    w.register_hook(lambda g: fired.append("w"))
    (gx,) = ag.grad((x * w).sum(), x)
    np.testing.assert_array_equal(arr(gx), [3.0, 4.0])
    assert fired == []  # w is on no path to x
    y = x.exp()
    y.register_hook(lambda g: fired.append("y"))
    (gy,) = ag.grad((y * y).sum(), y)
    np.testing.assert_allclose(arr(gy), 2 * np.exp([1.0, 2.0]))
    assert fired == ["y"]
    y.sum().backward()  # exp's node did not run: its saved output was not freed
    np.testing.assert_allclose(arr(x.grad), np.exp([1.0, 2.0]))
    # a node above one input and below another runs, once
    z = x * 2.0
    (gz, gx2) = ag.grad((z * z).sum(), (z, x))
    np.testing.assert_array_equal(arr(gz), [4.0, 8.0])
    np.testing.assert_array_equal(arr(gx2), [8.0, 16.0])


def test_autograd_grad_fills_the_grad_of_tensors_that_retain_it() -> None:
    x = f64([1.0, 2.0])
    y = x * 2.0
    y.retain_grad()
    ag.grad((y * y).sum(), x)
    np.testing.assert_array_equal(arr(y.grad), [4.0, 8.0])
    assert x.grad is None


def test_autograd_grad_refuses_inputs_that_do_not_require_grad() -> None:
    x = f64([1.0])
    with pytest.raises(RuntimeError, match="input 0 does not require grad"):
        ag.grad((x * 2.0).sum(), tt.ones(1))


# ----------------------------------------------------------------------- gradient buffers
def test_two_leaves_fed_the_same_gradient_buffer_get_separate_grads() -> None:
    a, b = f64([1.0, 2.0]), f64([3.0, 4.0])
    (a + b).sum().backward()
    assert a.grad is not None
    assert b.grad is not None
    assert not np.shares_memory(a.grad.numpy(), b.grad.numpy())
    a.grad.add_(5.0)
    np.testing.assert_array_equal(arr(b.grad), [1.0, 1.0])
    np.testing.assert_array_equal(arr(a.grad), [6.0, 6.0])


def test_a_retained_grad_and_a_leaf_grad_fed_the_same_buffer_are_separate() -> None:
    # add passes its gradient on unchanged, so y's retained grad and x's grad would share
    # the buffer; a later in-place update of one must not show in the other.
    x = f64([1.0, 2.0])
    y = x + 0.0
    y.retain_grad()
    y.sum().backward()
    assert x.grad is not None
    assert y.grad is not None
    assert not np.shares_memory(x.grad.numpy(), y.grad.numpy())
    x.grad.add_(5.0)
    np.testing.assert_array_equal(arr(y.grad), [1.0, 1.0])


def test_an_explicit_root_gradient_is_never_aliased_by_a_leaf_grad() -> None:
    a, b = f64([1.0, 2.0]), f64([3.0, 4.0])
    g = f64([1.0, 1.0], False)
    (a + b).backward(g)
    assert a.grad is not None
    assert b.grad is not None
    a.grad.mul_(3.0)
    b.grad.mul_(7.0)
    np.testing.assert_array_equal(arr(g), [1.0, 1.0])
    np.testing.assert_array_equal(arr(a.grad), [3.0, 3.0])
    np.testing.assert_array_equal(arr(b.grad), [7.0, 7.0])

    leaf = f64([1.0, 1.0])
    leaf.backward(g)
    assert leaf.grad is not None
    leaf.grad.add_(1.0)
    np.testing.assert_array_equal(arr(g), [1.0, 1.0])
    np.testing.assert_array_equal(arr(leaf.grad), [2.0, 2.0])


def test_a_leaf_grad_from_an_expanded_gradient_is_writable() -> None:
    x = f64([1.0, 2.0, 3.0])
    x.sum().backward()  # sum's gradient is an expanded (read-only) view
    assert x.grad is not None
    x.grad.mul_(2.0)
    np.testing.assert_array_equal(arr(x.grad), [2.0, 2.0, 2.0])


# ----------------------------------------------------------------------- Function
class ScaledExp(ag.Function):
    """exp(k * x), saving its output and k (a non-tensor argument) on ctx."""

    @staticmethod
    def forward(ctx: Any, x: tt.Tensor, k: float) -> tt.Tensor:
        assert not ag.is_grad_enabled()  # forward runs with recording off
        out = (x * k).exp()
        ctx.save_for_backward(out)
        ctx.k = k
        return out

    @staticmethod
    def backward(ctx: Any, g: tt.Tensor) -> tuple[tt.Tensor, None]:
        (out,) = ctx.saved_tensors
        return g * out * ctx.k, None


class MulAdd(ag.Function):
    """a * b + a, saving both inputs; records which inputs need a gradient."""

    needs: tuple[bool, ...] = ()

    @staticmethod
    def forward(ctx: Any, a: tt.Tensor, b: tt.Tensor) -> tt.Tensor:
        ctx.save_for_backward(a, b)
        return a * b + a

    @staticmethod
    def backward(ctx: Any, g: tt.Tensor) -> tuple[tt.Tensor | None, tt.Tensor | None]:
        a, b = ctx.saved_tensors
        MulAdd.needs = ctx.needs_input_grad
        ga = g * (b + 1.0) if ctx.needs_input_grad[0] else None
        gb = g * a if ctx.needs_input_grad[1] else None
        return ga, gb


def test_function_with_saved_output_and_ctx_attribute_passes_gradcheck() -> None:
    x = f64([0.3, -0.7, 1.1])
    y = ScaledExp.apply(x, 1.5)
    assert y.requires_grad
    assert y.grad_fn is not None
    assert repr(y.grad_fn) == "<ScaledExpBackward>"
    np.testing.assert_allclose(arr(y), np.exp(1.5 * np.array([0.3, -0.7, 1.1])))
    assert ag.gradcheck(lambda t: ScaledExp.apply(t, 1.5), [x])
    assert ag.gradgradcheck(lambda t: ScaledExp.apply(t, 1.5), [x])


def test_function_with_two_saved_inputs_passes_gradcheck_and_sees_needs_input_grad() -> None:
    a, b = f64([0.5, 2.0]), f64([-1.0, 3.0])
    assert ag.gradcheck(MulAdd.apply, [a, b])
    c = f64([4.0, 5.0], False)
    MulAdd.apply(a, c).sum().backward()
    assert MulAdd.needs == (True, False)
    np.testing.assert_array_equal(arr(a.grad), [4.0 + 1.0, 5.0 + 1.0])


def test_function_output_without_grad_inputs_records_nothing() -> None:
    y = ScaledExp.apply(f64([1.0], False), 2.0)
    assert not y.requires_grad
    assert y.grad_fn is None
    with ag.no_grad():
        z = ScaledExp.apply(f64([1.0]), 2.0)
    assert z.grad_fn is None


def test_function_backward_returning_the_wrong_number_of_gradients_raises() -> None:
    class Bad(ag.Function):
        @staticmethod
        def forward(ctx: Any, a: tt.Tensor, b: tt.Tensor) -> tt.Tensor:
            return a * b

        @staticmethod
        def backward(ctx: Any, g: tt.Tensor) -> tt.Tensor:
            return g

    y = Bad.apply(f64([1.0]), f64([2.0]))
    with pytest.raises(
        RuntimeError,
        match=r"BadBackward returned an incorrect number of gradients \(expected 2, got 1\)",
    ):
        y.sum().backward()


def _doubling_function(grads: Any) -> Any:
    class Doubling(ag.Function):
        @staticmethod
        def forward(ctx: Any, x: tt.Tensor, *rest: Any) -> tt.Tensor:
            return x * 2

        @staticmethod
        def backward(ctx: Any, g: tt.Tensor) -> Any:
            return grads(g)

    return Doubling


def test_function_backward_with_extra_trailing_nones_is_accepted() -> None:
    x = f64([1.0, 2.0])
    _doubling_function(lambda g: (g * 2, None, None)).apply(x).sum().backward()
    assert x.grad is not None
    assert x.grad.tolist() == [2.0, 2.0]


def test_function_backward_returning_a_non_tensor_raises() -> None:
    x = f64([1.0, 2.0])
    y = _doubling_function(lambda g: 2.0).apply(x)
    with pytest.raises(RuntimeError, match=r"expected Variable or None \(got float\)"):
        y.sum().backward()
    assert x.grad is None


def test_function_backward_with_a_gradient_for_a_non_tensor_argument_raises() -> None:
    x = f64([1.0, 2.0])
    y = _doubling_function(lambda g: (g, g)).apply(x, 3.0)
    with pytest.raises(RuntimeError, match=r"different than None at position 2, but the "):
        y.sum().backward()
    z = _doubling_function(lambda g: (g * 2, None)).apply(x, 3.0)  # None there is fine
    z.sum().backward()
    assert x.grad is not None
    assert x.grad.tolist() == [2.0, 2.0]


def test_function_may_save_none_and_reads_it_back_in_place() -> None:
    # as torch.autograd.Function: save_for_backward(None, x) gives back (None, x)
    class ScaleByNothing(ag.Function):
        @staticmethod
        def forward(ctx: Any, x: tt.Tensor) -> tt.Tensor:
            ctx.save_for_backward(None, x, None)
            return x * 3.0

        @staticmethod
        def backward(ctx: Any, g: tt.Tensor) -> tt.Tensor:
            seen.extend(ctx.saved_tensors)
            return g * 3.0

    seen: list[Any] = []
    x = f64([1.0, 2.0])
    ScaleByNothing.apply(x).sum().backward()
    assert seen[0] is None
    assert seen[1] is x
    assert seen[2] is None
    np.testing.assert_array_equal(arr(x.grad), [3.0, 3.0])


def test_function_saved_tensors_are_freed_and_checked_for_in_place_changes() -> None:
    a, b = f64([1.0, 2.0]), f64([3.0, 4.0])
    y = MulAdd.apply(a, b)
    ctx = y.grad_fn
    s = y.sum()
    s.backward()
    assert ctx.saved is None
    with pytest.raises(RuntimeError, match=SECOND_TIME):
        s.backward()

    y = MulAdd.apply(a, b)
    with ag.no_grad():
        b.mul_(2.0)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


def test_function_returning_its_input_gives_a_new_tensor_with_history() -> None:
    class Identity(ag.Function):
        @staticmethod
        def forward(ctx: Any, x: tt.Tensor) -> tt.Tensor:
            return x

        @staticmethod
        def backward(ctx: Any, g: tt.Tensor) -> tt.Tensor:
            return g * 2.0

    x = f64([1.0])
    y = Identity.apply(x)
    assert y is not x
    assert x.is_leaf
    y.sum().backward()
    np.testing.assert_array_equal(arr(x.grad), [2.0])


# ----------------------------------------------------------------------- graph printers
def _small_graph() -> tt.Tensor:
    x = tt.tensor([1.0, 2.0], requires_grad=True)
    w = tt.tensor([[3.0, 4.0]], dtype=tt.float64, requires_grad=True)
    return (x * w + x).sum()


def test_graph_text_of_a_small_graph() -> None:
    assert ag.graph_text(_small_graph()) == (
        "SumBackward0\n"
        "  AddBackward0\n"
        "    MulBackward0\n"
        "      AccumulateGrad (2,) float32\n"
        "      AccumulateGrad (1, 2) float64\n"
        "    AccumulateGrad (2,) float32"
    )


def test_graph_text_marks_a_node_reached_twice_and_handles_leaves() -> None:
    x = tt.tensor([1.0], requires_grad=True)
    y = x.exp()
    assert ag.graph_text(y * y) == (
        "MulBackward0\n"
        "  ExpBackward0\n"
        "    AccumulateGrad (1,) float32\n"
        "  ExpBackward0 (shown above)"
    )
    assert ag.graph_text(x) == "(leaf)"
    assert ag.graph_text(tt.ones(1)) == "(no graph)"


def test_graph_dot_of_a_small_graph() -> None:
    x = tt.tensor([1.0, 2.0], requires_grad=True)
    w = tt.tensor([3.0, 4.0], requires_grad=True)
    assert ag.graph_dot((x * w + x).sum(), name="g") == (
        "digraph g {\n"
        "  node [shape=box, fontname=monospace];\n"
        '  n0 [label="SumBackward0"];\n'
        '  n1 [label="AddBackward0"];\n'
        "  n1 -> n0;\n"
        '  n2 [label="MulBackward0"];\n'
        "  n2 -> n1;\n"
        '  n3 [label="AccumulateGrad (2,) float32", style=filled, fillcolor="#dde8ff"];\n'
        "  n3 -> n1;\n"
        "  n3 -> n2;\n"
        '  n4 [label="AccumulateGrad (2,) float32", style=filled, fillcolor="#dde8ff"];\n'
        "  n4 -> n2;\n"
        "}"
    )


def test_next_functions_follow_pytorch_conventions() -> None:
    x = tt.tensor([1.0], requires_grad=True)
    y = x * tt.ones(1) + 1.0
    (mul, _), (none, _) = y.grad_fn.next_functions
    assert repr(mul) == "<MulBackward0>"
    assert none is None
    (acc, _), (const, _) = mul.next_functions
    assert repr(acc) == "<AccumulateGrad>"
    assert acc.variable is x
    assert const is None


@pytest.mark.parametrize("dtype", [np.int64, np.int16])
def test_a_numpy_index_array_indexes_and_differentiates_like_an_index_tensor(dtype):
    # x[0, :, array]: PyTorch's order (the index dim stays last) in the forward and in the
    # gradient alike, whatever the array's integer width.
    def run(index):
        x = tt.arange(24.0).reshape(2, 3, 4).requires_grad_()
        r = x[0, :, index]
        (r * tt.arange(float(r.numel())).reshape(*r.shape)).sum().backward()
        return r.detach().numpy(), x.grad.numpy()

    r_np, g_np = run(np.array([3, 0], dtype=dtype))
    r_tt, g_tt = run(tt.tensor([3, 0]))
    assert r_np.shape == (3, 2)
    np.testing.assert_array_equal(r_np, r_tt)
    np.testing.assert_array_equal(g_np, g_tt)


def test_numpy_index_arrays_of_0_d_and_uint8_index_like_tensors_of_them():
    # a 0-d integer array is an int (x[np.array(0), :, a] keeps the index dim last), a uint8
    # array a mask, as the same tensors would be (and as PyTorch reads NumPy arrays)
    for index, like in [
        (
            (np.array(0), slice(None), np.array([3, 0])),
            (tt.tensor(0), slice(None), tt.tensor([3, 0])),
        ),
        (np.array([1, 0], np.uint8), tt.tensor([True, False])),
    ]:
        results = []
        for i in (index, like):
            x = tt.arange(24.0).reshape(2, 3, 4).requires_grad_()
            r = x[i]
            (r * tt.arange(float(r.numel())).reshape(*r.shape)).sum().backward()
            results.append((r.detach().numpy(), x.grad.numpy()))
        np.testing.assert_array_equal(results[0][0], results[1][0])
        np.testing.assert_array_equal(results[0][1], results[1][1])


def test_a_dtype_view_of_a_tensor_that_requires_grad_may_be_written_in_place():
    # view(dtype) is never recorded, so it is no "view made in no_grad mode": PyTorch allows
    # the write, which changes the base (and bumps its version, as any write through a view).
    y = tt.ones(2, requires_grad=True) * 2
    y.view(tt.int32).zero_()
    assert y.tolist() == [0.0, 0.0]
