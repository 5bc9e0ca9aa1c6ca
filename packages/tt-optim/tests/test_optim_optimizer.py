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


# ------------------------------------------------------------------ state created on the first step
@pytest.mark.parametrize(("cls", "kw"), ALL, ids=IDS)
def test_a_group_added_after_construction_gets_its_state_on_the_first_step(
    cls: type[Optimizer], kw: dict[str, Any]
) -> None:
    a, b = params()
    opt = cls([a], **kw)
    opt.add_param_group({"params": [b]})
    ref = cls([leaf(a.clone()), leaf(b.clone())], **kw)  # both given to the constructor
    ref_a, ref_b = ref.param_groups[0]["params"]
    rng = np.random.default_rng(1)
    for _ in range(3):
        set_grads([a, b], rng)
        ref_a.grad, ref_b.grad = tt.tensor(a.grad.numpy()), tt.tensor(b.grad.numpy())  # type: ignore[union-attr]
        opt.step()
        ref.step()
    np.testing.assert_array_equal(a.detach().numpy(), ref_a.detach().numpy())
    np.testing.assert_array_equal(b.detach().numpy(), ref_b.detach().numpy())
    assert sorted(opt.state[b]) == sorted(ref.state[ref_b])


def test_adagrad_add_param_group_then_step_updates_the_new_group() -> None:
    a, b = leaf(tt.tensor([1.0, 2.0])), leaf(tt.tensor([3.0]))
    opt = Adagrad([a], lr=0.1)
    opt.add_param_group({"params": [b]})
    a.grad, b.grad = tt.tensor([1.0, 1.0]), tt.tensor([2.0])
    opt.step()  # first Adagrad step: p - lr * g / |g| = p - 0.1 * sign(g)
    np.testing.assert_allclose(a.detach().numpy(), [0.9, 1.9], rtol=1e-6)
    np.testing.assert_allclose(b.detach().numpy(), [2.9], rtol=1e-6)
    assert opt.state[b]["step"].item() == 1.0
    np.testing.assert_allclose(opt.state[b]["sum"].numpy(), [4.0])


def test_adagrad_starts_every_sum_at_the_constructors_initial_accumulator_value() -> None:
    # PyTorch's quirk, kept: a group's own initial_accumulator_value is stored, not used.
    a, b, c = leaf(tt.tensor([1.0])), leaf(tt.tensor([1.0])), leaf(tt.tensor([1.0]))
    groups: list[dict[str, Any]] = [
        {"params": [a]},
        {"params": [b], "initial_accumulator_value": 5.0},
    ]
    opt = Adagrad(groups, lr=0.1, initial_accumulator_value=3.0)
    opt.add_param_group({"params": [c], "initial_accumulator_value": 7.0})
    assert opt.param_groups[1]["initial_accumulator_value"] == 5.0
    np.testing.assert_array_equal(opt.state[b]["sum"].numpy(), [3.0])
    assert c not in opt.state  # created on its first step
    b.grad, c.grad = tt.tensor([1.0]), tt.tensor([1.0])
    opt.step()
    for p in (b, c):
        np.testing.assert_array_equal(opt.state[p]["sum"].numpy(), [4.0])
        np.testing.assert_allclose(p.detach().numpy(), [1.0 - 0.1 * 1.0 / 2.0], rtol=1e-6)


class _FailingInit(SGD):
    """SGD whose state preparation fails for the parameter ``bad``."""

    def __init__(self, ps: list[tt.Tensor], bad: tt.Tensor) -> None:
        super().__init__(ps, lr=0.5)
        self.bad = bad

    def _init_state(self, p: tt.Tensor, group: dict[str, Any]) -> None:
        if p is self.bad:
            raise KeyError("no state for this parameter")


def test_a_failing_state_preparation_leaves_every_parameter_untouched() -> None:
    a, b = params()
    opt = _FailingInit([a], bad=b)
    opt.add_param_group({"params": [b]})
    set_grads([a, b], np.random.default_rng(0))
    before = values([a, b])
    with pytest.raises(KeyError, match="no state"):
        opt.step()
    for got, want in zip(values([a, b]), before, strict=True):
        np.testing.assert_array_equal(got, want)  # no half-applied step


# ------------------------------------------------------------------ named parameters
def test_named_parameters_are_split_into_params_and_param_names() -> None:
    a, b = params()
    opt = SGD([("w", a), ("b", b)], lr=0.1)
    group = opt.param_groups[0]
    assert group["params"][0] is a
    assert group["params"][1] is b
    assert group["param_names"] == ["w", "b"]
    a.grad, b.grad = tt.ones_like(a), tt.ones_like(b)
    before = values([a, b])
    opt.step()
    for got, want in zip(values([a, b]), before, strict=True):
        np.testing.assert_allclose(got, want - 0.1)
    assert "    param_names: ['w', 'b']\n" in repr(opt)


def test_named_parameters_inside_group_dicts_and_add_param_group() -> None:
    a, b = params()
    c = leaf(tt.zeros(2))
    groups: list[dict[str, Any]] = [{"params": [("w", a)], "lr": 0.5}, {"params": iter([("b", b)])}]
    opt = Adam(groups, lr=0.1)
    opt.add_param_group({"params": [("c", c)]})
    assert [g["param_names"] for g in opt.param_groups] == [["w"], ["b"], ["c"]]
    assert [g["lr"] for g in opt.param_groups] == [0.5, 0.1, 0.1]
    assert opt.param_groups[2]["params"][0] is c


def test_mixing_named_and_unnamed_parameters_raises() -> None:
    a, b = params()
    with pytest.raises(ValueError, match="Some param names are missing"):
        SGD([("w", a), b], lr=0.1)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="cannot add param group without names"):
        SGD([{"params": [("w", a)]}, {"params": [b]}], lr=0.1)  # type: ignore[arg-type]
    opt = SGD([a], lr=0.1)
    with pytest.raises(ValueError, match="cannot add param group with names"):
        opt.add_param_group({"params": [("b", b)]})
    assert len(opt.param_groups) == 1
    with pytest.raises(TypeError, match=r"\(name, tensor\) pairs.*length 1"):
        SGD([("w",)], lr=0.1)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"can only optimize Tensors.*str"):
        SGD([("w", "not a tensor")], lr=0.1)  # type: ignore[arg-type]


def test_state_dict_keeps_param_names_and_load_state_dict_restores_them() -> None:
    a, b = params()
    opt = SGD([("w", a), ("b", b)], lr=0.1, momentum=0.9)
    set_grads([a, b], np.random.default_rng(0))
    opt.step()
    saved = copy.deepcopy(opt.state_dict())
    assert saved["param_groups"][0]["param_names"] == ["w", "b"]
    assert saved["param_groups"][0]["params"] == [0, 1]

    x, y = params(seed=1)
    unnamed = SGD([x, y], lr=0.5)
    unnamed.load_state_dict(saved)  # saved names are taken
    assert unnamed.param_groups[0]["param_names"] == ["w", "b"]
    assert unnamed.param_groups[0]["params"][0] is x
    np.testing.assert_array_equal(
        unnamed.state[x]["momentum_buffer"].numpy(), opt.state[a]["momentum_buffer"].numpy()
    )

    named = SGD([("first", x), ("second", y)], lr=0.5)
    named.load_state_dict(SGD([a, b], lr=0.3).state_dict())  # no saved names: ours stay
    assert named.param_groups[0]["param_names"] == ["first", "second"]
    assert named.param_groups[0]["lr"] == 0.3
