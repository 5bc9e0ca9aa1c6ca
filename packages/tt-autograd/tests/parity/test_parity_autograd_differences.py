"""Where tt-autograd and PyTorch legitimately differ.

Each test asserts tt's documented behaviour AND PyTorch's, so a change on either side shows up
here.  The other modules leave exactly these cases out and point here."""

from __future__ import annotations

import pytest
import torch

import tt_autograd  # (importing it turns gradient tracking on)
import tt_tensor as tt

pytestmark = pytest.mark.parity


def test_inplace_with_history_on_a_view_raises():
    # PyTorch rewrites the history of the base when a view of it is written in place
    # ("view + inplace"); tt supports in-place writes with history only on the base tensor
    # itself and says so.  (Writing through the base, y[0:1] = ..., works in both.)
    x = tt.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="not supported on views"):
        (x * 2)[0:1].add_(1)
    y = torch.ones(3, requires_grad=True)
    z = y * 2
    z[0:1].add_(1)
    z.sum().backward()
    assert y.grad.tolist() == [2.0, 2.0, 2.0]


def test_a_view_of_a_constant_does_not_follow_its_base_into_the_graph():
    # A view recorded in the graph follows an in-place op on its base to the new history, in
    # both.  A view taken of a tensor that did not require grad was not recorded: tt does not
    # know of it, so it stays a constant when its base joins the graph; PyTorch's does not.
    x = tt.ones(2, requires_grad=True)
    b = tt.zeros(4)
    v = b[:2]
    b.add_(tt.ones(4) * x.sum())
    assert b.requires_grad
    assert not v.requires_grad
    tx = torch.ones(2, requires_grad=True)
    tb = torch.zeros(4)
    tv = tb[:2]
    tb.add_(torch.ones(4) * tx.sum())
    assert tb.requires_grad
    assert tv.requires_grad


def test_scatter_add_gradient_of_a_larger_src():
    # scatter_add reads src only where index reaches (index may be smaller than src).  tt
    # gives the unread entries of src a zero gradient; PyTorch's backward returns a gradient
    # of index's shape and then rejects it.
    x, src = tt.zeros(3), tt.ones(3, requires_grad=True)
    tt.scatter_add(x, 0, tt.tensor([2]), src).sum().backward()
    assert src.grad.tolist() == [1.0, 0.0, 0.0]
    y, tsrc = torch.zeros(3), torch.ones(3, requires_grad=True)
    out = torch.scatter_add(y, 0, torch.tensor([2]), tsrc).sum()
    with pytest.raises(RuntimeError, match="invalid gradient"):
        out.backward()


def test_bool_base_to_a_tensor_power():
    # True ** t is a float tensor in both; its gradient is 0 * log(1) = 0 in tt, while
    # PyTorch's backward fails an internal assert (a PyTorch bug).
    x = tt.tensor([0.5, 2.0], requires_grad=True)
    (True**x).sum().backward()
    assert x.grad.tolist() == [0.0, 0.0]
    y = torch.tensor([0.5, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="INTERNAL ASSERT"):
        (True**y).sum().backward()


def test_matmul_has_one_backward_node():
    # tt records one primitive, so one node class; PyTorch names the kernel it dispatched to.
    a, b = tt.ones(3, requires_grad=True), tt.ones(2, 3, requires_grad=True)
    assert {type(t.grad_fn).__name__ for t in (a @ a, b @ a, b @ b.mT)} == {"MatmulBackward0"}
    c, d = torch.ones(3, requires_grad=True), torch.ones(2, 3, requires_grad=True)
    names = {type(t.grad_fn).__name__ for t in (c @ c, d @ c, d @ d.mT)}
    assert names == {"DotBackward0", "MvBackward0", "MmBackward0"}


def test_no_reference_cycle_warning_for_create_graph_backward():
    # PyTorch warns that backward(create_graph=True) may make a reference cycle between a
    # parameter and its gradient; tt does not warn (both compute the same graph of .grad).
    x = tt.ones(2, requires_grad=True)
    (x**3).sum().backward(create_graph=True)
    assert x.grad.requires_grad
    y = torch.ones(2, requires_grad=True)
    with pytest.warns(UserWarning, match="reference cycle"):
        (y**3).sum().backward(create_graph=True)


def test_outputs_of_a_function_with_several_outputs_have_nodes_of_their_own():
    # PyTorch gives all outputs of a custom Function the one node (a.grad_fn is b.grad_fn).
    # tt's engine passes one gradient per node, so each output gets a FunctionOutput node
    # leading to the function's node; it shows that node's name, saved tensors and next
    # functions, and the function's backward still runs once with every output's gradient.
    def function(m):
        class Two(getattr(m, "autograd", tt_autograd).Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x * 2, x * 3

            @staticmethod
            def backward(ctx, g1, g2):
                return g1 * 2 + g2 * 3

        return Two

    x = tt.ones(2, requires_grad=True)
    a, b = function(tt).apply(x)
    assert a.grad_fn is not b.grad_fn
    assert a.grad_fn.name() == b.grad_fn.name() == "TwoBackward"
    assert a.grad_fn.next_functions[0][0].variable is x
    assert b.grad_fn.next_functions[0][0].variable is x
    ta, tb = function(torch).apply(torch.ones(2, requires_grad=True))
    assert ta.grad_fn is tb.grad_fn
    assert ta.grad_fn.name() == "TwoBackward"


def test_the_node_of_a_function_is_a_function_ctx():
    # PyTorch makes a node class <Function>Backward per custom Function; tt records a
    # FunctionCtx whose name() is the same (tt-nn's tests check for the FunctionCtx type).
    class Double(tt_autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2

    y = Double.apply(tt.ones(1, requires_grad=True))
    assert type(y.grad_fn).__name__ == "FunctionCtx"
    assert y.grad_fn.name() == "DoubleBackward"

    class TDouble(torch.autograd.Function):
        forward = Double.forward
        backward = Double.backward

    ty = TDouble.apply(torch.ones(1, requires_grad=True))
    assert type(ty.grad_fn).__name__ == ty.grad_fn.name() == "TDoubleBackward"
