"""The autograd machinery against PyTorch: accumulation across backward calls, explicit output
gradients, autograd.grad, second derivatives (create_graph), no_grad, detach, retain_grad,
hooks, in-place writes next to saved tensors, and the dtypes of gradients."""

from __future__ import annotations

import contextlib

import numpy as np
import pytest
import torch

import tt_autograd
import tt_tensor as tt

pytestmark = pytest.mark.parity


def autograd(m):
    """tt spells it ``tt_autograd``, PyTorch ``torch.autograd``."""
    return torch.autograd if m is torch else tt_autograd


def no_grad(m):
    return torch.no_grad() if m is torch else tt_autograd.no_grad()


def leaf(m, arr):
    return m.from_numpy(np.array(arr)).requires_grad_()


def test_gradients_accumulate_across_backward_calls(check):
    def run(m):
        x = leaf(m, [1.0, -2.0, 3.0])
        y = (x * x).sum()
        y.backward(retain_graph=True)
        y.backward()
        (x.exp().sum()).backward()
        return x.grad

    check(run)


def test_backward_with_an_explicit_gradient(check):
    def run(m):
        x = leaf(m, [[1.0, 2.0], [3.0, 4.0]])
        y = x.sin() * 2
        y.backward(m.from_numpy(np.array([[1.0, 0.5], [-1.0, 2.0]])))
        return x.grad

    check(run)


def test_autograd_grad_returns_instead_of_accumulating(check):
    def run(m):
        x, y = leaf(m, [1.0, 2.0]), leaf(m, [3.0, -1.0])
        out = (x * y + x.exp()).sum()
        gx, gy = autograd(m).grad(out, (x, y))
        return gx, gy, x.grad is None, y.grad is None

    check(run)


def test_autograd_grad_with_unused_input(check, check_raises):
    def unused(m, allow):
        x, y = leaf(m, [1.0]), leaf(m, [2.0])
        return autograd(m).grad((x * 3).sum(), (x, y), allow_unused=allow)

    check(lambda m: unused(m, True))
    check_raises(lambda m: unused(m, False))


SECOND = {
    "cube": lambda m, x: x**3,
    "sin": lambda m, x: x.sin(),
    "exp": lambda m, x: x.exp(),
    "log": lambda m, x: (x * x + 1).log(),
    "tanh": lambda m, x: x.tanh(),
    "sigmoid": lambda m, x: x.sigmoid(),
    "sqrt": lambda m, x: (x * x + 1).sqrt(),
    "div": lambda m, x: 1 / (x * x + 1),
    "softmax": lambda m, x: x.softmax(0),
    "log_softmax": lambda m, x: x.log_softmax(0),
    "logsumexp": lambda m, x: x.logsumexp(0),
    "norm": lambda m, x: x.norm(),
    "var": lambda m, x: x.var(),
    "matmul": lambda m, x: x.reshape(2, 2) @ x.reshape(2, 2),
    "prod": lambda m, x: x.prod(),
    "maximum": lambda m, x: m.maximum(x, x.flip(0)) * x,
}


@pytest.mark.parametrize("name", SECOND)
def test_second_derivatives(check, name):
    def run(m):
        x = leaf(m, [0.3, -1.2, 0.7, 2.0])
        y = SECOND[name](m, x)
        w = m.from_numpy(np.linspace(-1.0, 2.0, y.numel()).reshape(tuple(y.shape)))
        (g,) = autograd(m).grad((y * w).sum(), x, create_graph=True)
        (h,) = autograd(m).grad((g * m.from_numpy(np.array([1.0, -0.5, 2.0, 0.25]))).sum(), x)
        return g, h

    check(run)


# PyTorch warns that backward(create_graph=True) makes a reference cycle; tt does not.
@pytest.mark.filterwarnings("ignore:Using backward\\(\\) with create_graph=True:UserWarning")
def test_create_graph_then_backward(check):
    def run(m):
        x = leaf(m, [0.5, 1.5])
        y = (x**4).sum()
        y.backward(create_graph=True)
        g = x.grad
        x.grad = None
        g.sum().backward()
        return g, x.grad

    check(run)


def test_no_grad_and_detach(check):
    def run(m):
        x = leaf(m, [1.0, 2.0])
        with no_grad(m):
            y = x * 2
        z = x.detach() * 3
        w = (x * 4).detach()
        out = (x * y + z).sum()
        out.backward()
        return (y.requires_grad, z.requires_grad, w.requires_grad, w.is_leaf, x.grad)

    check(run)


def test_optimizer_style_update_under_no_grad(check):
    def run(m):
        w = leaf(m, [1.0, -1.0])
        for _ in range(3):
            loss = ((w - 0.5) ** 2).sum()
            loss.backward()
            with no_grad(m):
                w -= 0.1 * w.grad
            w.grad = None
        return w.detach(), w.requires_grad, w.is_leaf

    check(run)


def test_requires_grad_propagation(check):
    def run(m):
        x = leaf(m, [1.0])
        c = m.ones(1)
        return (
            (x + c).requires_grad,
            (c * 2).requires_grad,
            (x + c).is_leaf,
            x.is_leaf,
            (x > 0).requires_grad,
            x.argmax().requires_grad,
            x.detach().requires_grad_(False).requires_grad,
        )

    check(run)


def test_retain_grad_and_hooks(check):
    def run(m):
        x = leaf(m, [1.0, 2.0, 3.0])
        y = x * 2
        y.retain_grad()
        h = x.register_hook(lambda g: g * 10)
        z = y.register_hook(lambda g: g + 1)
        (y * y).sum().backward()
        h.remove()
        z.remove()
        return x.grad, y.grad, y.retains_grad

    check(run)


def test_inplace_next_to_saved_tensors(check, check_raises):
    # mul saves each operand only for the *other* operand's gradient: with a constant other
    # operand, writing into the tensor afterwards is allowed (as in PyTorch).
    def allowed(m):
        x = leaf(m, [1.0, 2.0])
        y = x * 1
        z = y * 2 + y / 4
        y.add_(1)
        (z.sum() + y.sum()).backward()
        return x.grad

    check(allowed)

    # When the saved value is needed, both refuse at backward time.
    def refused(m):
        x = leaf(m, [1.0, 2.0])
        y = x * 1
        z = y * y
        y.add_(1)
        z.sum().backward()

    check_raises(refused)

    def refused_output(m):
        x = leaf(m, [1.0, 2.0])
        y = x.exp()
        y.mul_(2)
        y.sum().backward()

    check_raises(refused_output)


def test_grad_fn_names(check):
    def run(m):
        x = leaf(m, [1.0, 2.0])
        # (matmul is not compared: tt records one MatmulBackward0, PyTorch names the kernel it
        # chose, DotBackward0, MvBackward0, MmBackward0, ...)
        outs = [x + 1, x * 2, x / 2, x.exp(), x.tanh(), x.sigmoid(), -x, x.abs(), x.sum()]
        return [type(o.grad_fn).__name__ for o in outs]

    check(run)


# ----------------------------------------------------------------------- gradient dtypes
@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
def test_gradient_dtype_matches_the_input(check, rand, dtype):
    x = rand(3, 4, dtype=dtype, low=0.5, high=2.0)
    check(lambda m, t: (t * t).sum(), x, grad=True)
    check(lambda m, t: t.exp().mean(0), x, grad=True)
    check(lambda m, t: t.softmax(-1)[:, 0], x, grad=True)
    if dtype != "float16":  # PyTorch has no float16 matmul on every CPU build
        check(lambda m, t: t @ t.t(), x, grad=True)


@pytest.mark.parametrize(
    ("da", "db"), [("float32", "float64"), ("float16", "float32"), ("float64", "float16")]
)
def test_mixed_dtypes_give_each_input_its_own_gradient_dtype(check, rand, da, db):
    a, b = rand(3, dtype=da, low=0.5, high=2.0), rand(3, dtype=db, low=0.5, high=2.0)
    check(lambda m, x, y: x * y, a, b, grad=True)
    check(lambda m, x, y: x / y + y**x, a, b, grad=True)
    check(lambda m, x, y: m.where(x > 1, x, y), a, b, grad=True)
    check(lambda m, x, y: m.cat([x, y]), a, b, grad=True)


def test_integer_operands_get_no_gradient(check, rand):
    check(lambda m, x, i: x * i, rand(3), rand(3, dtype="int64"), grad=True)
    check(lambda m, x, i: x[i], rand(3), rand(2, dtype="int64", low=0, high=3), grad=True)


def test_float32_gradients_stay_float32():
    x = tt.ones(3, requires_grad=True)
    ((x * 2.5).exp().sum() / 3).backward()
    y = torch.ones(3, requires_grad=True)
    ((y * 2.5).exp().sum() / 3).backward()
    assert x.grad.dtype.name == "float32"
    assert y.grad.dtype == torch.float32


def test_a_none_gradient_on_one_path_leaves_the_other_paths_intact(check):
    def run(m):
        class Blocked(autograd(m).Function):
            @staticmethod
            def forward(ctx, a):
                return a * 1

            @staticmethod
            def backward(ctx, g):
                return None

        x = leaf(m, [1.0, 2.0])
        y = x * 2
        (Blocked.apply(y) + y * 3).sum().backward()
        return x.grad

    check(run)


def test_remainder_second_derivatives(check):
    # The quotient in remainder's gradient is piecewise constant: it is computed unrecorded.
    def run(m):
        x, y = leaf(m, [5.0, 7.0]), leaf(m, [2.0, 3.0])
        gx, gy = autograd(m).grad(((x % y) ** 2).sum(), (x, y), create_graph=True)
        return gx, gy, autograd(m).grad(gy.sum(), (x, y))

    check(run)


def test_a_gradient_seen_by_a_leaf_hook_is_not_changed_by_later_accumulation(check):
    def run(m):
        x = leaf(m, [1.0, 2.0])
        seen = []
        x.register_hook(seen.append)
        (x * 2).sum().backward()
        (x * 3).sum().backward()
        y = x * 1
        y.register_hook(seen.append)  # a node's hook too: its gradient reaches x unchanged
        x.grad = None
        y.sum().backward()
        (x * 4).sum().backward()  # accumulates into x.grad in place
        return (*seen, x.grad)

    check(run)


def test_retain_grad_follows_an_in_place_op(check):
    def run(m):
        x = leaf(m, [1.0, 2.0])
        y = x * 1
        y.retain_grad()
        y.mul_(3)
        (y * y).sum().backward()
        return y.grad, x.grad

    check(run)


def test_autograd_grad_fills_retained_gradients(check):
    def run(m):
        x = leaf(m, [1.0, 2.0])
        y = x * 2
        y.retain_grad()
        (gx,) = autograd(m).grad((y * y).sum(), x)
        return y.grad, gx, x.grad

    check(run)

    def returned_and_retained_are_separate(m):
        x = leaf(m, [1.0, 2.0])
        y = x * 2
        y.retain_grad()
        (gy,) = autograd(m).grad((y * y).sum(), y)
        gy.add_(100)  # changes what grad returned, not y.grad
        return gy, y.grad

    check(returned_and_retained_are_separate)

    def with_create_graph(m):  # the retained copy keeps its graph
        x = leaf(m, [1.0, 2.0])
        y = x * 2
        y.retain_grad()
        autograd(m).grad((y * y).sum(), y, create_graph=True)
        assert y.grad.requires_grad
        (gx,) = autograd(m).grad(y.grad.sum(), x)
        return gx

    check(with_create_graph)


def test_autograd_grad_runs_only_the_nodes_on_a_path_to_the_inputs(check):
    def run(m):
        x, w = leaf(m, [1.0, 2.0]), leaf(m, [3.0, 4.0])
        log = []
        w.register_hook(lambda g: log.append("w"))
        (gx,) = autograd(m).grad((x * w).sum(), x)
        y = x.exp()
        (gy,) = autograd(m).grad((y * y).sum(), y)
        y.sum().backward()  # y's own node did not run, so its saved output is still there
        return gx, gy, x.grad, len(log)

    check(run)


@pytest.mark.parametrize(
    "hook",
    [lambda g: g[:1], lambda g: g.float(), lambda g: 3],
    ids=["size", "dtype", "not_a_tensor"],
)
def test_a_hook_that_changes_the_gradient_raises(check_raises, hook):
    def run(m, on_leaf):
        x = leaf(m, [1.0, 2.0])
        t = x if on_leaf else x * 2
        t.register_hook(hook)
        (t * 1).sum().backward()

    check_raises(lambda m: run(m, True))
    check_raises(lambda m: run(m, False))


def test_data_has_a_version_counter_of_its_own(check):
    # Writing through .data is invisible to autograd's checks of saved tensors (PyTorch).
    def run(m):
        x = leaf(m, [1.0, 2.0])
        z = x * x
        x.data.mul_(2)
        z.sum().backward()
        return x.grad, x._version

    check(run)


def test_assigning_a_grad_then_accumulating(check):
    def run(m):
        x = leaf(m, [1.0, 2.0])
        x.grad = m.from_numpy(np.array([0.5, 0.25]))
        (x * 3).sum().backward()
        g = x.grad
        x.grad = None
        return g, x.grad

    check(run)


@pytest.mark.filterwarnings("ignore:.*(not a double precision|is float32, not float64)")
def test_gradcheck_entry_points(check):
    def run(m):
        ag = autograd(m)
        x = m.from_numpy(np.array([0.5, 1.5])).requires_grad_()
        x32 = m.tensor([1.0, 2.0], requires_grad=True)
        u = m.from_numpy(np.array([1.0, -2.0])).requires_grad_()
        return (
            ag.gradcheck(lambda a: a * a, x),  # a single tensor
            ag.gradcheck(lambda a: a * 2, x32, raise_exception=False),  # float32: fails
            ag.gradcheck(lambda a: a.detach() * a, x, raise_exception=False),
            ag.gradgradcheck(lambda a: a**3, x, u),
            ag.gradgradcheck(lambda a: a.detach() ** 2 * a, (x,), raise_exception=False),
        )

    check(run)


@pytest.mark.parametrize("decorate", ["no_grad", "enable_grad", "set_grad_enabled"])
def test_grad_mode_decorators_on_generator_functions(check, decorate):
    def run(m):
        ag = autograd(m) if m is tt else torch
        if decorate == "set_grad_enabled":
            deco = ag.set_grad_enabled(False)
        else:
            deco = getattr(ag, decorate)()

        @deco
        def gen(t):
            yield t * 2
            yield ag.is_grad_enabled()

        x = leaf(m, [1.0, 2.0])
        with no_grad(m) if decorate == "enable_grad" else contextlib.nullcontext():
            first, mode = gen(x)
        return first.requires_grad, mode

    check(run)


VIEWS_THEN_INPLACE = {
    "slice_then_mul_": lambda m, y, w: (y[:1], lambda: y.mul_(3)),
    "view_then_add_": lambda m, y, w: (y.view(2, 1), lambda: y.add_(w)),
    "view_of_view": lambda m, y, w: (y.reshape(2, 1)[1], lambda: y.mul_(w)),
    "transpose_twice_written": lambda m, y, w: (
        y.reshape(1, 2).t(),
        lambda: (y.mul_(w), y.add_(w)),
    ),
}


@pytest.mark.parametrize("name", VIEWS_THEN_INPLACE)
def test_a_view_taken_before_an_in_place_op_on_its_base_follows_the_new_history(check, name):
    # The view's grad_fn is regenerated from the base's new history (as PyTorch does).
    def run(m):
        x, w = leaf(m, [1.0, 2.0]), leaf(m, [5.0, -1.0])
        y = x * 1
        v, write = VIEWS_THEN_INPLACE[name](m, y, w)
        v.retain_grad()
        write()
        (v * v).sum().backward()
        return v, v.grad, x.grad, w.grad, v.requires_grad

    check(run)


def test_a_view_made_under_no_grad_and_written_in_place_with_grad_on_raises(check_raises):
    def run(m):
        x = leaf(m, [1.0, 2.0])
        with no_grad(m):
            v = x[:1]
        v.mul_(2)

    e_tt, _ = check_raises(run)
    assert "A view was created in no_grad mode" in str(e_tt)
