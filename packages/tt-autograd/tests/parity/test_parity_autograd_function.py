"""Custom Functions and the node API against PyTorch: the forward + setup_context style,
keyword arguments, needs_input_grad in forward, several (and non-tensor) outputs, unused
outputs and set_materialize_grads, mark_non_differentiable, mark_dirty, save_for_backward
checks, once_differentiable, Node.name / register_hook / register_prehook / metadata, and
autograd.grad's materialize_grads.  (Two outputs' grad_fn being different objects in tt is in
test_parity_autograd_differences.py.)"""

from __future__ import annotations

import numpy as np
import pytest
import torch

import tt_autograd

pytestmark = pytest.mark.parity


def autograd(m):
    return torch.autograd if m is torch else tt_autograd


def once_differentiable(m):
    return (
        torch.autograd.function.once_differentiable
        if m is torch
        else tt_autograd.once_differentiable
    )


def leaf(m, arr=(1.0, -2.0, 3.0)):
    return m.from_numpy(np.array(arr)).requires_grad_()


def test_forward_with_setup_context_and_keyword_arguments(check):
    def run(m):
        class Scale(autograd(m).Function):
            @staticmethod
            def forward(x, k=2.0):
                return x * x * k

            @staticmethod
            def setup_context(ctx, inputs, output):
                x, k = inputs  # (defaults filled in: k is there even when not passed)
                ctx.save_for_backward(x)
                ctx.k = k

            @staticmethod
            def backward(ctx, g):
                (x,) = ctx.saved_tensors
                return 2 * x * g * ctx.k, None

        x = leaf(m)
        a, b = Scale.apply(x), Scale.apply(x, k=3.0)
        (a + b).sum().backward()
        return a, b, x.grad, a.grad_fn.name()

    check(run)


def test_needs_input_grad_in_forward_and_backward(check):
    def run(m):
        seen = []

        class MulK(autograd(m).Function):
            @staticmethod
            def forward(ctx, a, b, k):
                seen.append(tuple(ctx.needs_input_grad))
                return a * b * k

            @staticmethod
            def backward(ctx, g):
                seen.append(tuple(ctx.needs_input_grad))
                return g, g, None

        MulK.apply(leaf(m), m.ones(3, dtype=m.float64), 2.0).sum().backward()
        return seen

    check(run)


def _two_outputs(m, materialize=True):
    seen = []

    class TwoOut(autograd(m).Function):
        @staticmethod
        def forward(ctx, x):
            ctx.set_materialize_grads(materialize)
            big = x > 0
            ctx.mark_non_differentiable(big)
            return x * 2, x.exp(), big, 7

        @staticmethod
        def backward(ctx, ga, gb, gbig, gk):
            seen.append([ga, gb, gbig, gk])
            total = 0
            if ga is not None:
                total = total + ga * 2
            if gb is not None:
                total = total + gb * ctx.saved_tensors[0].exp()
            return total

    class Saving(TwoOut):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return TwoOut.forward(ctx, x)

    return Saving, seen


@pytest.mark.parametrize("materialize", [True, False])
def test_several_outputs_one_used(check, materialize):
    def run(m):
        fn, seen = _two_outputs(m, materialize)
        x = leaf(m)
        a, b, big, k = fn.apply(x)
        b.sum().backward()
        return a, b, big, k, a.requires_grad, big.requires_grad, big.grad_fn is None, x.grad, seen

    check(run)


def test_several_outputs_all_used_and_differentiated_twice(check):
    def run(m):
        fn, _ = _two_outputs(m)
        x = leaf(m)
        a, b, _, _ = fn.apply(x)
        (a * b).sum().backward()
        return x.grad, a.grad_fn.name(), b.grad_fn.name()

    check(run)


def test_a_list_of_outputs_is_one_non_tensor_output(check):
    def run(m):
        class Split(autograd(m).Function):
            @staticmethod
            def forward(ctx, x):
                return [x * 2, x * 3]

            @staticmethod
            def backward(ctx, g1, g2):
                return g1 * 2 + g2 * 3

        out = Split.apply(leaf(m))
        return type(out).__name__, out, [o.requires_grad for o in out]

    check(run)


def test_a_non_tensor_output(check):
    def run(m):
        class Count(autograd(m).Function):
            @staticmethod
            def forward(ctx, x):
                return 3.0

            @staticmethod
            def backward(ctx, g):
                return g

        return Count.apply(leaf(m))

    check(run)


def _add_one_in_place(m):
    class AddOne(autograd(m).Function):
        @staticmethod
        def forward(ctx, x):
            x.add_(1)
            ctx.mark_dirty(x)
            return x

        @staticmethod
        def backward(ctx, g):
            return g * 3

    return AddOne


def test_mark_dirty_keeps_the_tensor_and_gives_it_the_function_as_history(check):
    def run(m):
        x = leaf(m)
        y = x * 1
        z = _add_one_in_place(m).apply(y)
        same, version = z is y, y._version
        z.sum().backward()
        return same, version, z, x.grad, z.grad_fn.name()

    check(run)


def test_mark_dirty_errors(check_raises):
    check_raises(lambda m: _add_one_in_place(m).apply(leaf(m)))  # a leaf that requires grad

    def not_returned(m):
        class Dirty(autograd(m).Function):
            @staticmethod
            def forward(ctx, x):
                ctx.mark_dirty(x)
                return x * 2

            @staticmethod
            def backward(ctx, g):
                return g

        Dirty.apply(leaf(m) * 1)

    e_tt, e_torch = check_raises(not_returned)
    assert "were not returned as output" in str(e_tt)
    assert "were not returned as output" in str(e_torch)


def test_save_for_backward_of_a_non_tensor_raises(check_raises):
    def run(m):
        class Bad(autograd(m).Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x, 3.0)
                return x * 2

            @staticmethod
            def backward(ctx, g):
                return g * 2

        Bad.apply(leaf(m))

    e_tt, e_torch = check_raises(run)
    says = "save_for_backward can only save variables, but argument 1 is of type float"
    assert says in str(e_tt)
    assert says in str(e_torch)


def test_once_differentiable(check, check_raises):
    def function(m):
        class Cube(autograd(m).Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x**3

            @staticmethod
            @once_differentiable(m)
            def backward(ctx, g):
                (x,) = ctx.saved_tensors
                return 3 * x * x * g

        return Cube

    def first(m):
        x = leaf(m)
        (g,) = autograd(m).grad(function(m).apply(x).sum(), x, create_graph=True)
        return g, g.requires_grad

    check(first)

    def second(m):
        x = leaf(m)
        y = function(m).apply(x)
        (g,) = autograd(m).grad(
            y, x, grad_outputs=m.ones_like(y).requires_grad_(), create_graph=True
        )
        g.sum().backward()

    e_tt, e_torch = check_raises(second)
    assert "marked with @once_differentiable" in str(e_tt)
    assert "marked with @once_differentiable" in str(e_torch)


def test_instantiating_a_function(check_raises):
    def run(m):
        class Double(autograd(m).Function):
            @staticmethod
            def forward(ctx, x):
                return x * 2

            @staticmethod
            def backward(ctx, g):
                return g * 2

        with pytest.warns(DeprecationWarning, match="should not be instantiated"):
            fn = Double()
        fn(leaf(m))

    check_raises(run)


def test_a_function_may_define_vjp_instead_of_backward(check):
    def run(m):
        class Double(autograd(m).Function):
            @staticmethod
            def forward(ctx, x):
                return x * 2

            @staticmethod
            def vjp(ctx, g):
                return g * 5

        x = leaf(m)
        Double.apply(x).sum().backward()
        return x.grad

    check(run)


def test_node_name_metadata_and_hooks(check):
    def run(m):
        seen = []
        x = leaf(m)
        y = x * 2
        node = y.grad_fn
        node.metadata["tag"] = 1
        node.register_prehook(lambda go: seen.append(("pre", go)))
        node.register_hook(lambda gi, go: seen.append(("post", gi, go)))
        h = node.register_hook(lambda gi, go: (gi[0] * 10, *gi[1:]))
        y.sum().backward(retain_graph=True)
        h.remove()
        y.sum().backward()
        return node.name(), dict(node.metadata), seen, x.grad

    check(run)


def test_a_prehook_replaces_the_incoming_gradient(check):
    def run(m):
        x = leaf(m)
        y = x.exp()
        y.grad_fn.register_prehook(lambda go: (go[0] * 3,))
        y.sum().backward()
        return x.grad

    check(run)


def test_autograd_grad_materialize_grads(check, check_raises):
    def run(m, **kw):
        x, y = leaf(m), leaf(m)
        return autograd(m).grad((x * 2).sum(), (x, y), materialize_grads=True, **kw)

    check(run)
    check(lambda m: run(m, allow_unused=True))
    check_raises(lambda m: run(m, allow_unused=False))


def test_autograd_grad_with_fewer_grad_outputs_than_outputs(check_raises):
    def run(m):
        x = leaf(m)
        autograd(m).grad([x * 2, x * 3], x, grad_outputs=[m.ones(3, dtype=m.float64)])

    check_raises(run)
