"""Custom Functions beyond one tensor in, one out: the forward + setup_context style, several
and non-tensor outputs, set_materialize_grads, mark_non_differentiable, mark_dirty,
once_differentiable; and the node API (name, metadata, register_hook, register_prehook)."""

from __future__ import annotations

import gc
import weakref
from typing import Any, ClassVar

import numpy as np
import pytest

import tt_autograd as ag
import tt_tensor as tt

pytestmark = pytest.mark.filterwarnings("error")


def f64(values: Any, requires_grad: bool = True) -> tt.Tensor:
    t = tt.tensor(values, dtype=tt.float64)
    return t.requires_grad_() if requires_grad else t


def arr(t: tt.Tensor | None) -> np.ndarray:
    assert t is not None
    return t.detach().numpy()


class SinCos(ag.Function):
    """(sin x, cos x, "label"): two tensor outputs and a non-tensor one."""

    received: ClassVar[list[Any]] = []

    @staticmethod
    def forward(ctx: Any, x: tt.Tensor, materialize: bool = True) -> Any:
        ctx.set_materialize_grads(materialize)
        ctx.save_for_backward(x)
        ctx.label = "sc"
        return x.sin(), x.cos(), "label"

    @staticmethod
    def backward(ctx: Any, gs: Any, gc_: Any, glabel: Any) -> tuple[Any, None]:
        SinCos.received.append((gs, gc_, glabel))
        (x,) = ctx.saved_tensors
        total = tt.zeros_like(x)
        if gs is not None:
            total = total + gs * x.cos()
        if gc_ is not None:
            total = total - gc_ * x.sin()
        return total, None


@pytest.fixture(autouse=True)
def _clear() -> None:
    SinCos.received.clear()


def test_several_outputs_run_backward_once_with_every_gradient() -> None:
    x = f64([0.5, 1.0])
    s, c, label = SinCos.apply(x)
    assert label == "label"
    assert s.grad_fn is not c.grad_fn  # (a FunctionOutput each) leading to one node
    assert s.grad_fn.next == c.grad_fn.next
    assert s.grad_fn.name() == "SinCosBackward"
    assert s.grad_fn.label == "sc"  # ctx attributes show through the output's node
    assert s.grad_fn.saved_tensors[0] is x
    (s * 2 + c * 3).sum().backward()
    assert len(SinCos.received) == 1
    gs, gc_, glabel = SinCos.received[0]
    assert arr(gs).tolist() == [2.0, 2.0]
    assert arr(gc_).tolist() == [3.0, 3.0]
    assert glabel is None
    xs = np.array([0.5, 1.0])
    np.testing.assert_allclose(arr(x.grad), 2 * np.cos(xs) - 3 * np.sin(xs))
    assert ag.gradcheck(lambda t: SinCos.apply(t)[:2], [f64([0.3, -0.8])])


@pytest.mark.parametrize("materialize", [True, False])
def test_an_unused_output_gets_zeros_or_none(materialize: bool) -> None:
    x = f64([0.5, 1.0])
    s, _, _ = SinCos.apply(x, materialize)
    s.sum().backward()
    gs, gc_, _ = SinCos.received[0]
    assert arr(gs).tolist() == [1.0, 1.0]
    if materialize:
        assert arr(gc_).tolist() == [0.0, 0.0]
        assert gc_.dtype == tt.float64
    else:
        assert gc_ is None
    np.testing.assert_allclose(arr(x.grad), np.cos([0.5, 1.0]))


def test_mark_non_differentiable_among_several_outputs() -> None:
    class ValuesAndMask(ag.Function):
        @staticmethod
        def forward(ctx: Any, x: tt.Tensor) -> Any:
            mask = x > 0
            doubled = x * 2
            ctx.mark_non_differentiable(mask)
            return doubled, mask

        @staticmethod
        def backward(ctx: Any, g: Any, gmask: Any) -> Any:
            assert gmask.dtype == tt.bool_  # materialized: zeros of the output's dtype
            assert not gmask.any().item()
            return g * 2

    x = f64([-1.0, 2.0])
    doubled, mask = ValuesAndMask.apply(x)
    assert doubled.requires_grad
    assert not mask.requires_grad
    assert mask.grad_fn is None
    doubled.sum().backward()
    assert arr(x.grad).tolist() == [2.0, 2.0]


def test_setup_context_style_sees_defaults_and_keywords() -> None:
    class Scale(ag.Function):
        seen: ClassVar[list[Any]] = []

        @staticmethod
        def forward(x: tt.Tensor, k: float = 2.0) -> tt.Tensor:
            assert not ag.is_grad_enabled()
            return x * k

        @staticmethod
        def setup_context(ctx: Any, inputs: Any, output: Any) -> None:
            Scale.seen.append((len(inputs), inputs[1], output.requires_grad))
            ctx.k = inputs[1]

        @staticmethod
        def backward(ctx: Any, g: tt.Tensor) -> Any:
            return g * ctx.k, None

    x = f64([1.0, 2.0])
    Scale.apply(x).sum().backward()
    Scale.apply(x, k=5.0).sum().backward()
    assert Scale.seen == [(2, 2.0, False), (2, 5.0, False)]
    assert arr(x.grad).tolist() == [7.0, 7.0]


def test_needs_input_grad_in_forward() -> None:
    seen: list[tuple[bool, ...]] = []

    class Mul(ag.Function):
        @staticmethod
        def forward(ctx: Any, a: tt.Tensor, b: tt.Tensor, k: float) -> tt.Tensor:
            seen.append(ctx.needs_input_grad)
            return a * b * k

        @staticmethod
        def backward(ctx: Any, g: tt.Tensor) -> Any:
            return g, g, None

    a, b = f64([1.0]), f64([2.0], False)
    Mul.apply(a, b, 3.0)
    with ag.no_grad():
        Mul.apply(a, b, 3.0)
    assert seen == [(True, False, False), (False, False, False)]


class AddOne(ag.Function):
    @staticmethod
    def forward(ctx: Any, x: tt.Tensor) -> tt.Tensor:
        x.add_(1.0)
        ctx.mark_dirty(x)
        return x

    @staticmethod
    def backward(ctx: Any, g: tt.Tensor) -> tt.Tensor:
        return g * 3.0


def test_mark_dirty_keeps_identity_bumps_the_version_and_moves_views() -> None:
    x = f64([1.0, 2.0, 3.0])
    y = x * 1.0
    v = y[1:]  # a recorded view of y: follows y to its new history
    z = AddOne.apply(y)
    assert z is y
    assert y._version == 2  # the add_ and the marking
    assert y.grad_fn.name() == "AddOneBackward"
    assert arr(v).tolist() == [3.0, 4.0]
    v.sum().backward()
    assert arr(x.grad).tolist() == [0.0, 3.0, 3.0]


def test_mark_dirty_errors() -> None:
    with pytest.raises(RuntimeError, match="AddOne: a leaf Variable that requires grad"):
        AddOne.apply(f64([1.0]))
    with pytest.raises(RuntimeError, match="AddOne: in-place operations that record history"):
        AddOne.apply((f64([1.0, 2.0]) * 1.0)[1:])

    class Forgot(ag.Function):
        @staticmethod
        def forward(ctx: Any, x: tt.Tensor) -> tt.Tensor:
            ctx.mark_dirty(x)
            return x * 2.0

        @staticmethod
        def backward(ctx: Any, g: tt.Tensor) -> tt.Tensor:
            return g

    with pytest.raises(RuntimeError, match="Forgot: some elements marked as dirty"):
        Forgot.apply(f64([1.0]) * 1.0)
    with ag.no_grad():  # no history: an in-place write to a leaf is allowed, as for add_
        x = f64([1.0])
        AddOne.apply(x)
        assert arr(x).tolist() == [2.0]


def test_save_for_backward_of_a_non_tensor_names_it() -> None:
    class Bad(ag.Function):
        @staticmethod
        def forward(ctx: Any, x: tt.Tensor) -> tt.Tensor:
            ctx.save_for_backward(x, None, [x])
            return x * 2.0

        @staticmethod
        def backward(ctx: Any, g: tt.Tensor) -> tt.Tensor:
            return g

    with pytest.raises(TypeError, match="argument 2 is of type list"):
        Bad.apply(f64([1.0]))


def test_once_differentiable_runs_without_recording_and_refuses_a_second_backward() -> None:
    class Cube(ag.Function):
        @staticmethod
        def forward(ctx: Any, x: tt.Tensor) -> tt.Tensor:
            ctx.save_for_backward(x)
            return x**3

        @staticmethod
        @ag.once_differentiable
        def backward(ctx: Any, g: tt.Tensor) -> tt.Tensor:
            assert not ag.is_grad_enabled()
            (x,) = ctx.saved_tensors
            return 3.0 * x * x * g

    x = f64([2.0])
    y = Cube.apply(x)
    (g,) = ag.grad(y, x, grad_outputs=tt.ones_like(y).requires_grad_(), create_graph=True)
    assert arr(g).tolist() == [12.0]
    assert g.grad_fn.name() == "_DelayedErrorBackward"
    with pytest.raises(RuntimeError, match="marked with @once_differentiable"):
        g.sum().backward()
    Cube.apply(x).sum().backward()  # a plain backward is unaffected
    assert arr(x.grad).tolist() == [12.0]


def test_instantiating_a_function_warns_and_calling_it_raises() -> None:
    with pytest.warns(DeprecationWarning, match="should not be instantiated"):
        fn = AddOne()
    with pytest.raises(RuntimeError, match=r"call AddOne.apply\(\.\.\.\) on the class"):
        fn(f64([1.0]) * 1.0)


def test_node_name_and_metadata() -> None:
    y = f64([1.0]) * 2.0
    assert y.grad_fn.name() == "MulBackward0"
    assert repr(y.grad_fn) == "<MulBackward0>"
    y.grad_fn.metadata["step"] = 3
    assert y.grad_fn.metadata == {"step": 3}


def test_node_hooks_see_and_replace_gradients() -> None:
    calls: list[Any] = []
    x = f64([1.0, 2.0])
    y = x * 3.0
    node = y.grad_fn
    node.register_prehook(lambda go: calls.append(("pre", arr(go[0]).tolist())))
    h = node.register_hook(lambda gi, go: (gi[0] + 1.0, gi[1]))
    node.register_hook(lambda gi, go: calls.append(("post", arr(gi[0]).tolist())))
    y.sum().backward(retain_graph=True)
    assert calls == [("pre", [1.0, 1.0]), ("post", [4.0, 4.0])]
    assert arr(x.grad).tolist() == [4.0, 4.0]
    h.remove()
    x.grad = None
    y.sum().backward()
    assert arr(x.grad).tolist() == [3.0, 3.0]
    z = x * 2.0
    z.grad_fn.register_hook(lambda gi, go: (gi[0],))  # one gradient for two inputs
    with pytest.raises(RuntimeError, match="MulBackward0 returned 1 gradients, expected 2"):
        z.sum().backward()


def test_a_node_hook_makes_no_reference_cycle() -> None:
    x = f64([1.0])
    y = x * 2.0
    y.grad_fn.register_hook(lambda gi, go: None)
    ref = weakref.ref(y.grad_fn)
    gc.disable()
    try:
        del y
        assert ref() is None  # freed by reference counting alone
    finally:
        gc.enable()


def test_autograd_grad_materialize_grads_gives_zeros_for_unused_inputs() -> None:
    x, u = f64([1.0, 2.0]), f64([[5.0]])
    gx, gu = ag.grad((x * 2.0).sum(), (x, u), materialize_grads=True)
    assert arr(gx).tolist() == [2.0, 2.0]
    assert arr(gu).tolist() == [[0.0]]
    assert gu.dtype == tt.float64
    with pytest.raises(ValueError, match="Expected allow_unused to be True or not passed"):
        ag.grad((x * 2.0).sum(), (x, u), materialize_grads=True, allow_unused=False)
    with pytest.raises(RuntimeError, match=r"got 2 tensors and 1 gradients"):
        ag.grad([x * 2.0, x * 3.0], x, grad_outputs=[tt.ones(2, dtype=tt.float64)])
    with pytest.raises(NotImplementedError, match="is_grads_batched"):
        ag.grad((x * 2.0).sum(), x, is_grads_batched=True)


# --------------------------------------------------------------------------- review mends
def test_node_hooks_on_a_function_with_several_outputs_are_refused() -> None:
    s, c, _ = SinCos.apply(f64([0.5]))
    for node in (s.grad_fn, s.grad_fn._ctx):
        with pytest.raises(NotImplementedError, match="several outputs"):
            node.register_hook(lambda gi, go: None)
        with pytest.raises(NotImplementedError, match="several outputs"):
            node.register_prehook(lambda go: None)
    seen: list[float] = []
    s.register_hook(lambda g: seen.append(float(g.sum().item())))  # tensor hooks still work
    (s + c).sum().backward()
    assert seen == [1.0]


class ExpKeepingOutputs(ag.Function):
    """Sets ``ctx.outputs``, a name users pick: it must not change how backward is called."""

    @staticmethod
    def forward(ctx: Any, a: tt.Tensor) -> tt.Tensor:
        out = a.exp()
        ctx.outputs = out
        return out

    @staticmethod
    def backward(ctx: Any, g: tt.Tensor) -> tt.Tensor:
        return g * ctx.outputs


def test_a_user_attribute_named_outputs_is_the_users() -> None:
    x = f64([0.0, 1.0])
    ExpKeepingOutputs.apply(x).sum().backward()
    np.testing.assert_allclose(arr(x.grad), np.exp([0.0, 1.0]))


def test_node_prehooks_run_after_the_retained_grad_is_taken() -> None:
    # PyTorch: y.grad is the gradient arriving at y (1); the prehook scales what y's node gets
    x = f64([1.0])
    y = x * 2
    y.retain_grad()
    assert y.grad_fn is not None
    y.grad_fn.register_prehook(lambda go: (go[0] * 10,))
    y.sum().backward()
    assert arr(y.grad).tolist() == [1.0]
    assert arr(x.grad).tolist() == [20.0]


def test_a_post_hook_returning_a_wrong_shape_raises() -> None:
    x = f64([1.0, 2.0])
    y = x * 3
    assert y.grad_fn is not None
    y.grad_fn.register_hook(lambda gi, go: (tt.ones(3, dtype=tt.float64), None))
    with pytest.raises(RuntimeError, match=r"returned a gradient for input 0 of \(3,\)"):
        y.sum().backward()


def test_backward_with_a_wrong_number_of_gradients_names_both_counts() -> None:
    a, b = f64([1.0]), f64([2.0])
    with pytest.raises(RuntimeError, match="backward: got 2 tensors and 1 gradients"):
        ag.backward([a * 1, b * 1], [tt.ones(1, dtype=tt.float64)])


def test_normal_with_tensor_arguments_carries_no_graph() -> None:
    # (tt-tensor's sampling) PyTorch's gradients of a sample with respect to its mean and std
    # are zero; tt's sample has no graph at all
    m, s = f64([0.0, 1.0]), f64([1.0, 2.0])
    assert not tt.normal(m, s).requires_grad
