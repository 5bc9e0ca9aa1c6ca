"""Memory behaviour of the graph: saved tensors are released by backward, graphs are freed
with their last tensor, and a training loop does not accumulate nodes."""

from __future__ import annotations

import gc
import weakref
from typing import Any

import numpy as np
import pytest

import tt_autograd as ag
import tt_tensor as tt

pytestmark = pytest.mark.filterwarnings("error")


def _nodes(root: tt.Tensor) -> list[ag.Node]:
    """Every node reachable from ``root.grad_fn``."""
    out: list[ag.Node] = []
    stack: list[Any] = [root.grad_fn]
    seen: set[int] = set()
    while stack:
        n = stack.pop()
        if not isinstance(n, ag.Node) or id(n) in seen:
            continue
        seen.add(id(n))
        out.append(n)
        stack.extend(n.next)
    return out


def _graph(x: tt.Tensor, w: tt.Tensor) -> tt.Tensor:
    h = (x @ w).tanh()
    return (h.exp() * h).sigmoid().log().sum()


def _inputs() -> tuple[tt.Tensor, tt.Tensor]:
    rng = np.random.default_rng(0)
    x = tt.from_numpy(rng.standard_normal((4, 3)))
    w = tt.from_numpy(rng.standard_normal((3, 2))).requires_grad_()
    return x, w


def test_backward_releases_the_saved_tensors_of_every_node() -> None:
    x, w = _inputs()
    loss = _graph(x, w)
    nodes = _nodes(loss)
    saving = [n for n in nodes if type(n).saves]
    assert {type(n).__name__ for n in saving} >= {
        "MatmulBackward0",
        "TanhBackward0",
        "ExpBackward0",
        "MulBackward0",
        "SigmoidBackward0",
        "LogBackward0",
    }
    assert all(n.saved for n in saving)
    loss.backward()
    assert all(n.saved is None for n in saving)
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        _ = saving[0].saved_tensors


def test_retain_graph_keeps_the_saved_tensors_until_the_last_backward() -> None:
    x, w = _inputs()
    loss = _graph(x, w)
    saving = [n for n in _nodes(loss) if type(n).saves]
    loss.backward(retain_graph=True)
    assert all(n.saved is not None for n in saving)
    loss.backward()
    assert all(n.saved is None for n in saving)


def test_autograd_grad_also_releases_saved_tensors() -> None:
    x, w = _inputs()
    loss = _graph(x, w)
    saving = [n for n in _nodes(loss) if type(n).saves]
    ag.grad(loss, w)
    assert all(n.saved is None for n in saving)


def test_a_graph_is_freed_as_soon_as_its_last_tensor_is_dropped() -> None:
    x, w = _inputs()
    loss = _graph(x, w)
    refs = [weakref.ref(n) for n in _nodes(loss)]
    assert len(refs) >= 7
    was_enabled = gc.isenabled()
    gc.disable()  # freed by reference counting alone: the graph holds no cycles
    try:
        del loss
        assert all(r() is None for r in refs)
    finally:
        if was_enabled:
            gc.enable()


def test_a_backward_graph_does_not_keep_its_output_tensor_alive() -> None:
    x, w = _inputs()
    h = (x @ w).exp()  # exp saves its output's array, not the tensor
    ref = weakref.ref(h)
    node = h.grad_fn
    del h
    assert ref() is None
    assert node is not None


def _live_nodes() -> int:
    gc.collect()
    return sum(1 for o in gc.get_objects() if issubclass(type(o), ag.Node))


def test_training_loop_keeps_the_number_of_live_nodes_bounded() -> None:
    rng = np.random.default_rng(1)
    xb = tt.from_numpy(rng.standard_normal((8, 3)))
    yb = tt.from_numpy(rng.standard_normal((8, 1)))
    params = [
        tt.from_numpy(rng.standard_normal(s) * 0.5).requires_grad_()
        for s in ((3, 8), (8,), (8, 1), (1,))
    ]

    def step() -> float:
        w1, b1, w2, b2 = params
        pred = (xb @ w1 + b1).tanh() @ w2 + b2
        loss = ((pred - yb) ** 2).mean()
        for p in params:
            p.grad = None
        loss.backward()
        with ag.no_grad():
            for p in params:
                p.sub_(p.grad * 0.05)  # type: ignore[operator]
        return float(loss.item())

    baseline = _live_nodes()
    losses = [step() for _ in range(10)]
    after_10 = _live_nodes()
    losses += [step() for _ in range(190)]
    after_200 = _live_nodes()
    assert after_10 == baseline
    assert after_200 == baseline
    assert losses[-1] < losses[0]  # it did train
    assert all(p.grad_fn is None and p.is_leaf for p in params)
