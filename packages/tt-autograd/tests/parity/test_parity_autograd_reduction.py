"""Gradients of reductions and of the softmax family against PyTorch: dims as int, tuple and
None, keepdim, ties (amax/amin split evenly, max(dim) picks one), zeros in prod, corrections
of var/std, and softmax/log_softmax/logsumexp on inputs of magnitude 1e4."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import tt_autograd

pytestmark = pytest.mark.parity

DIMS = [None, 0, 1, -1, (0, 2), (2, 0, 1)]


def reduce(name, dim, keepdim, **kw):
    if dim is None:
        return lambda m, t: getattr(t, name)(**kw)
    return lambda m, t: getattr(t, name)(dim, keepdim=keepdim, **kw)


@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("dim", DIMS, ids=str)
@pytest.mark.parametrize("name", ["sum", "mean", "amax", "amin", "logsumexp", "var", "std"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_multi_dim_reductions(check, rand, name, dim, keepdim, dtype):
    if name == "logsumexp" and dim is None:
        dim = (0, 1, 2)  # logsumexp needs its dim
    check(reduce(name, dim, keepdim), rand(2, 3, 4, dtype=dtype), grad=True)


@pytest.mark.parametrize(
    "name",
    [
        "sum",
        "mean",
        "amax",
        "amin",
        "var",
        "std",
        "prod",
        "max",
        "min",
        "logsumexp",
        "norm",
        "cumsum",
    ],
)
def test_reductions_of_non_contiguous_and_0d(check, rand, name):
    args = (0,) if name in ("cumsum", "logsumexp") else ()
    x = rand(3, 4, dtype="float64", low=0.5, high=2.0)
    check(lambda m, t: getattr(t, name)(*args), np.asfortranarray(x), grad=True)
    check(lambda m, t: getattr(t.t()[1:], name)(*args), x, grad=True)
    if name not in ("var", "std"):  # one element: var is nan (0 / 0) in both
        check(lambda m, t: getattr(t, name)(*args), np.asarray(x[0, 0]), grad=True)


@pytest.mark.parametrize("unbiased", [None, True, False])
@pytest.mark.parametrize("correction", [0, 1, 2])
@pytest.mark.parametrize("dim", [None, 0, (0, 1)], ids=str)
@pytest.mark.parametrize("name", ["var", "std"])
def test_var_std_corrections(check, rand, name, dim, correction, unbiased):
    kw = {"correction": correction} if unbiased is None else {"unbiased": unbiased}
    check(
        lambda m, t: getattr(t, name)(dim, keepdim=False, **kw),
        rand(3, 4, dtype="float64"),
        grad=True,
    )


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_std_of_constant_data_has_a_zero_gradient(check, dtype):
    # sqrt's derivative is infinite at 0; PyTorch's std gradient there is 0, not 0 * inf
    x = np.array([[5.0, 5.0, 5.0], [1.0, 2.0, 4.0]], dtype)
    check(lambda m, t: t.std(1), x, grad=True)
    check(lambda m, t: t.std(), np.full(4, 2.0, dtype), grad=True)
    check(lambda m, t: t.std(correction=0), np.array([3.0], dtype), grad=True)


@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("dim", [0, 1, -1])
@pytest.mark.parametrize("name", ["max", "min"])
def test_max_min_with_dim(check, rand, name, dim, keepdim):
    check(lambda m, t: getattr(t, name)(dim, keepdim), rand(3, 4), grad=True)
    check(
        lambda m, t: getattr(t, name)(dim, keepdim=keepdim).values,
        rand(3, 4, dtype="float64"),
        grad=True,
    )


def test_ties(check):
    x = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]], np.float64)
    check(lambda m, t: t.max(), x, grad=True)  # all-reduction: split evenly among ties
    check(lambda m, t: t.min(), x, grad=True)
    check(lambda m, t: t.amax(1), x, grad=True)  # split evenly
    check(lambda m, t: t.amin((0, 1)), x, grad=True)
    check(lambda m, t: t.max(1), x, grad=True)  # the first index wins
    check(lambda m, t: t.min(0).values, x, grad=True)
    check(lambda m, t: t.norm(float("inf")), x, grad=True)


@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("dim", [None, 0, 1, -1])
def test_prod(check, rand, dim, keepdim):
    check(reduce("prod", dim, keepdim), rand(3, 4, dtype="float64"), grad=True)
    check(reduce("prod", dim, keepdim), rand(3, 4), grad=True)


def test_prod_with_zeros(check):
    # One zero: only its own position gets a gradient (the product of the others); two zeros:
    # every gradient is 0.  Dividing by the input would give nan.
    check(lambda m, t: t.prod(), np.array([2.0, 0.0, 3.0]), grad=True)
    check(lambda m, t: t.prod(), np.array([2.0, 0.0, 0.0]), grad=True)
    check(
        lambda m, t: t.prod(1),
        np.array([[2.0, 0.0, 3.0], [1.0, 2.0, 3.0], [0.0, 0.0, 1.0]]),
        grad=True,
    )


def _hessian_rows(m, f, x):
    """g = df/dx with create_graph, then one row of the Hessian per element of g."""
    ag = torch.autograd if m is torch else tt_autograd
    (g,) = ag.grad(f(x), x, create_graph=True)
    flat = g.reshape(-1)
    rows = [ag.grad(flat[i], x, retain_graph=True)[0] for i in range(flat.numel())]
    return g, m.stack(rows)


@pytest.mark.parametrize(
    "values",
    [
        [0.0, 2.0, 3.0, -1.5],
        [0.0, 2.0, 0.0, -1.5],
        [0.0, 0.0, 0.0, -1.5],
        [[0.0, 2.0], [3.0, 0.0], [0.0, 0.0], [1.5, -2.0]],
    ],
)
@pytest.mark.parametrize("dim", [None, 0, -1])
def test_prod_with_zeros_second_derivatives(check, values, dim):
    # The gradient of prod with zeros keeps its graph: the Hessian is the product of the
    # other elements but two, exact with one, two or three zeros in a slice.
    def run(m):
        x = m.from_numpy(np.array(values)).requires_grad_()

        def f(t):
            p = t.prod() if dim is None else t.prod(dim)
            return p.sum() + (t * t).sum()

        return _hessian_rows(m, f, x)

    check(run)


NAN = float("nan")


@pytest.mark.parametrize(
    "expr",
    [
        lambda m, t: t.max(),
        lambda m, t: t.min(),
        lambda m, t: t[0].max(),
        lambda m, t: t.amax(1),
        lambda m, t: t.amin(0),
        lambda m, t: t.amax(-1, keepdim=True),
    ],
)
def test_extremes_with_nan(check, expr):
    # max()/min() send a NaN result's gradient, split evenly, to the NaN elements; amax/amin
    # over dims give every element of a NaN slice a NaN gradient (both as PyTorch).
    x = np.array([[1.0, NAN, NAN], [3.0, 4.0, 4.0]])
    check(expr, x, grad=True)


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_cumsum(check, rand, dim):
    check(lambda m, t: t.cumsum(dim), rand(3, 4), grad=True)
    check(lambda m, t: m.cumsum(t, dim), rand(3, 4, dtype="float64"), grad=True)


@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("dim", [None, 0, 1, (0, 1)], ids=str)
@pytest.mark.parametrize("p", [2, 1, 3, 0.5, float("inf"), float("-inf"), -1, -2, "fro", None])
def test_norm(check, rand, p, dim, keepdim):
    check(lambda m, t: t.norm(p, dim, keepdim), rand(3, 4, dtype="float64"), grad=True)


SOFTMAX_DIMS = [((5,), 0), ((3, 4), 0), ((3, 4), 1), ((3, 4), -1), ((2, 3, 4), 1), ((), 0)]


@pytest.mark.parametrize("scale", [1.0, 1e4])
@pytest.mark.parametrize(("shape", "dim"), SOFTMAX_DIMS)
@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_softmax_family(check, rand, name, shape, dim, scale, dtype):
    x = np.asarray(rand(*shape) * scale, dtype)
    check(lambda m, t: getattr(m, name)(t, dim), x, grad=True)
    check(lambda m, t: getattr(t, name)(dim), x, grad=True)


@pytest.mark.parametrize("scale", [1.0, 1e4])
@pytest.mark.parametrize(("dim", "keepdim"), [(0, False), (1, True), ((0, 1), False), (-1, False)])
def test_logsumexp(check, rand, dim, keepdim, scale):
    check(lambda m, t: t.logsumexp(dim, keepdim), np.asarray(rand(3, 4) * scale), grad=True)


def test_softmax_family_with_masked_entries(check):
    # -inf logits (a causal mask) get probability 0 and gradient 0.
    x = np.array([[0.5, -np.inf, 1.0], [2.0, 1.0, -np.inf]], np.float32)
    check(lambda m, t: t.softmax(1), x, grad=True)
    check(lambda m, t: t.log_softmax(1)[:, 0], x, grad=True)
    check(lambda m, t: t.logsumexp(1), x, grad=True)


def test_mean_of_softmax_is_a_typical_loss(check, rand):
    logits, target = rand(4, 5), np.array([1, 0, 4, 2])

    def nll(m, x, y):
        return -x.log_softmax(1).gather(1, y.unsqueeze(1)).mean()

    check(nll, logits, target, grad=True)


@pytest.mark.parametrize("p", [2, 1, 3, float("inf"), -1, -2, float("-inf")])
def test_norm_at_zero_has_a_zero_gradient(check, p):
    # The root's derivative is infinite at 0; PyTorch (and tt) use the subgradient 0.
    check(lambda m, t: t.norm(p), np.zeros(3), grad=True)
    check(lambda m, t: t.norm(p, 1), np.array([[0.0, 0.0], [1.0, -2.0]]), grad=True)
