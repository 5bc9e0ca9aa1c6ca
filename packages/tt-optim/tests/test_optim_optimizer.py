"""Behaviour of the optimizer base class and of every optimizer: parameter groups, in-place
updates, zero_grad, closures, and state_dict round trips."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pytest

import tt_autograd
import tt_tensor as tt
from tt_optim.adadelta import Adadelta
from tt_optim.adagrad import Adagrad
from tt_optim.adam import Adam, AdamW
from tt_optim.optimizer import Optimizer, required
from tt_optim.rmsprop import RMSprop
from tt_optim.sgd import SGD


def leaf(t: tt.Tensor) -> tt.Tensor:
    """A parameter: a leaf tensor that requires grad (what ``tt_nn.Parameter`` gives; tt-nn is
    not a dependency of tt-optim, so these tests use plain leaves, as PyTorch allows)."""
    return t.detach().requires_grad_()


ALL: list[tuple[type[Optimizer], dict[str, Any]]] = [
    (SGD, {"lr": 0.1, "momentum": 0.9, "nesterov": True, "weight_decay": 0.01}),
    (Adam, {"lr": 0.1, "amsgrad": True, "weight_decay": 0.01}),
    (AdamW, {"lr": 0.1}),
    (RMSprop, {"lr": 0.01, "momentum": 0.5, "centered": True}),
    (Adagrad, {"lr": 0.1, "lr_decay": 0.01}),
    (Adadelta, {"rho": 0.8}),
]
IDS = [cls.__name__ for cls, _ in ALL]


def params(seed: int = 0) -> list[tt.Tensor]:
    rng = np.random.default_rng(seed)
    return [leaf(tt.from_numpy(rng.standard_normal(s))) for s in [(3, 2), (2,)]]


def set_grads(ps: list[tt.Tensor], rng: np.random.Generator) -> None:
    for p in ps:
        p.grad = tt.from_numpy(rng.standard_normal(tuple(p.shape)))


def values(ps: list[tt.Tensor]) -> list[np.ndarray[Any, Any]]:
    return [p.detach().numpy().copy() for p in ps]


@pytest.mark.parametrize(("cls", "kw"), ALL, ids=IDS)
def test_step_updates_parameters_in_place_without_recording_a_graph(
    cls: type[Optimizer], kw: dict[str, Any]
) -> None:
    ps = params()
    arrays = [p._data for p in ps]
    before = values(ps)
    opt = cls(ps, **kw)
    set_grads(ps, np.random.default_rng(1))
    opt.step()
    for p, arr, old in zip(ps, arrays, before, strict=True):
        assert p._data is arr  # the same memory, written in place
        assert p.is_leaf
        assert p.grad_fn is None
        assert p.requires_grad
        assert not np.array_equal(p.detach().numpy(), old)


@pytest.mark.parametrize(("cls", "kw"), ALL, ids=IDS)
def test_state_dict_round_trip_resumes_with_identical_updates(
    cls: type[Optimizer], kw: dict[str, Any]
) -> None:
    rng = np.random.default_rng(2)
    ps = params()
    opt = cls(ps, **kw)
    for _ in range(5):
        set_grads(ps, rng)
        opt.step()
    saved = copy.deepcopy(opt.state_dict())
    twin = [leaf(p.detach().clone()) for p in ps]
    resumed: Any = cls  # every optimizer takes lr
    resumed = resumed(twin, lr=123.0)  # the loaded groups replace these hyper-parameters
    resumed.load_state_dict(saved)
    assert resumed.param_groups[0]["lr"] == opt.param_groups[0]["lr"]
    for _ in range(5):
        set_grads(ps, rng)
        for a, b in zip(twin, ps, strict=True):
            a.grad = b.grad.clone()  # type: ignore[union-attr]
        opt.step()
        resumed.step()
    for a, b in zip(twin, ps, strict=True):
        np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())


def test_load_state_dict_copies_the_state_tensors() -> None:
    ps = params()
    opt = Adam(ps, lr=0.1)
    set_grads(ps, np.random.default_rng(3))
    opt.step()
    saved = opt.state_dict()
    other = Adam(params(), lr=0.1)
    other.load_state_dict(saved)
    for i, p in enumerate(other.param_groups[0]["params"]):
        mine, theirs = other.state[p]["exp_avg"], saved["state"][i]["exp_avg"]
        np.testing.assert_array_equal(mine.numpy(), theirs.numpy())
        assert not np.shares_memory(mine.numpy(), theirs.numpy())
    assert other.param_groups[0] is not saved["param_groups"][0]


def test_load_state_dict_converts_state_to_the_parameter_dtype() -> None:
    ps = params()
    opt = SGD(ps, lr=0.1, momentum=0.9)
    set_grads(ps, np.random.default_rng(4))
    opt.step()
    p32 = [leaf(p.detach().float()) for p in ps]
    other = SGD(p32, lr=0.1, momentum=0.9)
    other.load_state_dict(opt.state_dict())
    assert all(other.state[p]["momentum_buffer"].dtype == tt.float32 for p in p32)


def test_load_state_dict_rejects_a_different_number_or_size_of_groups() -> None:
    ps = params()
    saved = SGD(ps, lr=0.1).state_dict()
    two_groups = SGD([{"params": ps[:1]}, {"params": ps[1:]}], lr=0.1)
    with pytest.raises(ValueError, match="different number of parameter groups"):
        two_groups.load_state_dict(saved)
    with pytest.raises(ValueError, match="doesn't match the size"):
        SGD(ps[:1], lr=0.1).load_state_dict(saved)
    with pytest.raises(KeyError, match="param_groups"):
        SGD(ps, lr=0.1).load_state_dict({"state": {}})


def test_param_groups_take_their_own_options_and_the_defaults_for_the_rest() -> None:
    a, b = params()
    groups: list[dict[str, Any]] = [{"params": [a]}, {"params": b, "lr": 0.5}]
    opt = SGD(groups, lr=0.1, momentum=0.9)
    assert opt.param_groups[0]["lr"] == 0.1
    assert opt.param_groups[1]["lr"] == 0.5
    assert opt.param_groups[1]["momentum"] == 0.9
    assert opt.param_groups[1]["params"] == [b]  # a single tensor becomes a list
    a.grad, b.grad = tt.ones_like(a), tt.ones_like(b)
    before_a, before_b = values([a, b])
    opt.step()
    np.testing.assert_allclose(a.detach().numpy(), before_a - 0.1)
    np.testing.assert_allclose(b.detach().numpy(), before_b - 0.5)


def test_add_param_group_refuses_a_parameter_that_is_already_optimized() -> None:
    a, b = params()
    opt = SGD([a], lr=0.1)
    opt.add_param_group({"params": [b], "lr": 0.01})
    assert len(opt.param_groups) == 2
    assert opt.param_groups[1]["momentum"] == 0
    with pytest.raises(ValueError, match="more than one parameter group"):
        opt.add_param_group({"params": [a]})
    assert len(opt.param_groups) == 2


def test_bad_params_raise_clear_errors() -> None:
    a, _ = params()
    with pytest.raises(TypeError, match="ordered collections"):
        SGD([{"params": {a}}], lr=0.1)
    with pytest.raises(TypeError, match="can only optimize Tensors"):
        SGD([1.0], lr=0.1)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="non-leaf"):
        SGD([a * 2], lr=0.1)
    with pytest.warns(UserWarning, match="duplicate parameters"):
        SGD([a, a], lr=0.1)


def test_a_required_default_must_be_given_by_every_group() -> None:
    class Plain(Optimizer):
        def __init__(self, ps: Any, lr: Any = required) -> None:
            super().__init__(ps, {"lr": lr})

    with pytest.raises(ValueError, match="required optimization parameter lr"):
        Plain(params())
    assert Plain(params(), lr=0.5).param_groups[0]["lr"] == 0.5
    p = leaf(tt.zeros(1))
    p.grad = tt.ones(1)
    opt = Plain([p], lr=0.5)
    with pytest.raises(NotImplementedError, match="Plain"):
        opt.step()


def test_zero_grad_sets_none_or_fills_zeros_in_the_same_tensor() -> None:
    a, b = params()
    opt = SGD([a, b], lr=0.1)
    set_grads([a, b], np.random.default_rng(5))
    grad = a.grad
    opt.zero_grad(set_to_none=False)
    assert a.grad is grad
    assert not a.grad.numpy().any()  # type: ignore[union-attr]
    opt.zero_grad()
    assert a.grad is None
    assert b.grad is None


def test_parameters_without_grad_are_left_alone_and_get_no_state() -> None:
    a, b = params()
    opt = Adam([a, b], lr=0.1)
    a.grad = tt.ones_like(a)
    before = values([b])[0]
    opt.step()
    np.testing.assert_array_equal(b.detach().numpy(), before)
    assert b not in opt.state
    assert "exp_avg" in opt.state[a]


def test_step_runs_the_closure_with_gradients_on_and_returns_its_loss() -> None:
    w = leaf(tt.tensor([3.0], dtype=tt.float64))
    opt = SGD([w], lr=0.25)

    def closure() -> tt.Tensor:
        opt.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        return loss

    with tt_autograd.no_grad():
        loss = opt.step(closure)
    assert loss.item() == 9.0
    assert w.item() == 1.5  # 3 - 0.25 * 6


def test_sgd_momentum_first_step_uses_the_plain_gradient() -> None:
    w = leaf(tt.tensor([0.0], dtype=tt.float64))
    opt = SGD([w], lr=1.0, momentum=0.9, dampening=0.5)
    for expected in (-1.0, -1.0 - 1.4):  # buffer 1, then 0.9 * 1 + 0.5 * 1
        w.grad = tt.tensor([1.0], dtype=tt.float64)
        opt.step()
        assert w.item() == pytest.approx(expected)


def test_maximize_climbs_the_objective() -> None:
    w = leaf(tt.tensor([1.0], dtype=tt.float64))
    opt = Adam([w], lr=0.1, maximize=True)
    w.grad = tt.tensor([2.0], dtype=tt.float64)
    opt.step()
    assert w.item() == pytest.approx(1.1)


def test_adam_keeps_two_copies_of_the_parameters_and_amsgrad_three() -> None:
    (a, _), opt = params(), None
    for amsgrad, n in ((False, 2), (True, 3)):
        opt = Adam([a], lr=0.1, amsgrad=amsgrad)
        a.grad = tt.ones_like(a)
        opt.step()
        copies = [v for v in opt.state[a].values() if tuple(v.shape) == tuple(a.shape)]
        assert len(copies) == n


def test_adagrad_creates_its_state_in_the_constructor() -> None:
    a, _ = params()
    opt = Adagrad([a], initial_accumulator_value=0.25)
    assert opt.state[a]["step"].item() == 0.0
    np.testing.assert_array_equal(opt.state[a]["sum"].numpy(), np.full((3, 2), 0.25))


def test_float32_parameters_stay_float32() -> None:
    p = leaf(tt.ones(4))
    for cls, kw in ALL:
        opt = cls([p], **kw)
        p.grad = tt.ones(4)
        opt.step()
        assert p.dtype == tt.float32
        assert all(v.dtype == tt.float32 for k, v in opt.state[p].items() if k != "step")


def test_repr_lists_each_group_hyperparameters() -> None:
    text = repr(SGD(params(), lr=0.1))
    assert text.startswith("SGD (\nParameter Group 0\n")
    assert "    lr: 0.1\n" in text
    assert "params" not in text
