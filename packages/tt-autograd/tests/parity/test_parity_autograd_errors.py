"""Misuse of autograd: tt must raise where PyTorch raises, with the same exception type and a
message that says what went wrong."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import tt_autograd

pytestmark = pytest.mark.parity


def autograd(m):
    return torch.autograd if m is torch else tt_autograd


def leaf(m, arr=(1.0, 2.0, 3.0)):
    return m.from_numpy(np.array(arr)).requires_grad_()


@pytest.mark.parametrize("dtype", ["int64", "int32", "uint8", "bool"])
def test_requires_grad_on_a_non_floating_tensor(check_raises, rand, dtype):
    e_tt, _ = check_raises(lambda m, t: t.requires_grad_(), rand(3, dtype=dtype))
    assert "floating point" in str(e_tt)
    check_raises(lambda m, t: setattr(t, "requires_grad", True), rand(3, dtype=dtype))
    check_raises(lambda m: m.tensor([1, 2], requires_grad=True))
    check_raises(lambda m: m.zeros(2, dtype=m.int64, requires_grad=True))


INPLACE_ON_LEAF = {
    "add_": lambda m, x: x.add_(1),
    "mul_": lambda m, x: x.mul_(x),
    "sub_": lambda m, x: x.sub_(m.ones(3, dtype=m.float64)),
    "div_": lambda m, x: x.div_(2),
    "iadd": lambda m, x: x.__iadd__(1),
    "imul": lambda m, x: x.__imul__(2.0),
    "setitem": lambda m, x: x.__setitem__(0, 5.0),
    "setitem_mask": lambda m, x: x.__setitem__(x > 1, 0.0),
    "fill_": lambda m, x: x.fill_(0.0),
    "zero_": lambda m, x: x.zero_(),
    "copy_": lambda m, x: x.copy_(m.zeros(3, dtype=m.float64)),
    "clamp_": lambda m, x: x.clamp_(0.0, 1.0),
    "masked_fill_": lambda m, x: x.masked_fill_(x > 1, 0.0),
    "view_of_leaf": lambda m, x: x[1:].add_(1),
}


@pytest.mark.parametrize("name", INPLACE_ON_LEAF)
def test_inplace_on_a_leaf_that_requires_grad(check_raises, name):
    e_tt, _ = check_raises(lambda m: INPLACE_ON_LEAF[name](m, leaf(m)))
    assert "in-place" in str(e_tt) or "inplace" in str(e_tt)


def test_backward_twice(check_raises):
    def twice(m, make):
        x = leaf(m)
        y = make(x).sum()
        y.backward()
        y.backward()

    for make in (lambda x: x * x, lambda x: x.exp(), lambda x: x.sin() * 2, lambda x: x**3):
        e_tt, _ = check_raises(lambda m, f=make: twice(m, f))
        assert "second time" in str(e_tt)

    def grad_twice(m):
        x = leaf(m)
        y = (x * x).sum()
        autograd(m).grad(y, x)
        autograd(m).grad(y, x)

    check_raises(grad_twice)


def test_backward_needs_a_gradient_for_non_scalar_outputs(check_raises):
    e_tt, _ = check_raises(lambda m: (leaf(m) * 2).backward())
    assert "scalar" in str(e_tt)
    check_raises(lambda m: (leaf(m) * 2).backward(m.ones(2, dtype=m.float64)))  # shape


def test_backward_of_a_tensor_without_grad(check_raises):
    check_raises(lambda m: m.ones(3).sum().backward())
    check_raises(lambda m: (leaf(m).detach() * 2).sum().backward())
    check_raises(lambda m: (leaf(m) > 0).sum().backward())


def test_autograd_grad_misuse(check_raises):
    check_raises(lambda m: autograd(m).grad(leaf(m).sum(), m.ones(3)))
    check_raises(lambda m: autograd(m).grad(m.ones(3).sum(), leaf(m)))


def test_requires_grad_false_on_a_non_leaf(check_raises):
    check_raises(lambda m: (leaf(m) * 2).requires_grad_(False))


def test_numpy_of_a_tensor_that_requires_grad(check_raises):
    e_tt, _ = check_raises(lambda m: leaf(m).numpy())
    assert "detach" in str(e_tt)


def test_saved_tensor_modified_in_place(check_raises):
    def run(m):
        x = leaf(m)
        y = x * 1
        z = y.sin()
        y.mul_(2)
        z.sum().backward()

    e_tt, _ = check_raises(run)
    assert "modified by an inplace operation" in str(e_tt)


def _function(m, grads):
    class Doubling(autograd(m).Function):
        @staticmethod
        def forward(ctx, x, *rest):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return grads(g)

    return Doubling


@pytest.mark.parametrize(
    ("grads", "extra", "says"),
    [
        (lambda g: 2.0, (), "got float"),
        (lambda g: (g, g), (3.0,), "position 2"),
        (lambda g: (g, 3.0), (3.0,), "position 2"),
        (lambda g: (g, g), (), "incorrect number of gradients"),
    ],
)
def test_function_backward_returning_bad_gradients(check_raises, grads, extra, says):
    e_tt, e_torch = check_raises(
        lambda m: _function(m, grads).apply(leaf(m), *extra).sum().backward()
    )
    assert says in str(e_tt)
    assert says in str(e_torch)


def test_function_backward_may_return_extra_trailing_nones(check):
    def run(m):
        x = leaf(m)
        _function(m, lambda g: (g * 3, None, None)).apply(x).sum().backward()
        return x.grad

    check(run)


@pytest.mark.parametrize(
    ("value", "says"),
    [
        (lambda m: m.ones(4, dtype=m.float64), "size"),
        (lambda m: m.ones(3, dtype=m.float32), "dtype"),
        (lambda m: m.ones(3, dtype=m.int64), "dtype"),
    ],
)
def test_assigning_a_grad_of_the_wrong_size_or_dtype(check_raises, value, says):
    def run(m):
        x = leaf(m)
        x.grad = value(m)

    e_tt, e_torch = check_raises(run)
    assert says in str(e_tt)
    assert says in str(e_torch)
    check_raises(lambda m: setattr(leaf(m), "grad", 3.0))  # not a tensor: TypeError


def test_autograd_grad_with_a_number_as_grad_output(check_raises):
    check_raises(lambda m: autograd(m).grad((leaf(m) * 2).sum(), leaf(m), grad_outputs=[2.0]))


def test_detach_in_place_on_a_view(check_raises):
    e_tt, _ = check_raises(lambda m: leaf(m)[:1].detach_())
    assert "Can't detach views in-place" in str(e_tt)
    check_raises(lambda m: (leaf(m) * 2).reshape(3, 1).detach_())
