"""The implementation options (``foreach``, ``fused``, ``capturable``, ``differentiable``):
accepted, kept in the groups, ``foreach`` ignored, the others refused when true."""

from __future__ import annotations

from typing import Any

import pytest

import tt_tensor as tt
from tt_optim.adadelta import Adadelta
from tt_optim.adagrad import Adagrad
from tt_optim.adam import Adam, AdamW
from tt_optim.optimizer import UNSUPPORTED_OPTIONS, Optimizer
from tt_optim.rmsprop import RMSprop
from tt_optim.sgd import SGD

OPTIMIZERS: list[type[Optimizer]] = [SGD, Adam, AdamW, RMSprop, Adagrad, Adadelta]


def leaf(*values: float) -> tt.Tensor:
    return tt.tensor(list(values), dtype=tt.float64).requires_grad_()


def run(cls: type[Optimizer], **kw: Any) -> list[float]:
    w = leaf(1.0, -2.0)
    opt = cls([w], lr=0.1, **kw)
    for _ in range(5):
        opt.zero_grad()
        (w * w * w).sum().backward()
        opt.step()
    return w.tolist()  # type: ignore[no-any-return]


@pytest.mark.parametrize("cls", OPTIMIZERS)
def test_foreach_changes_nothing(cls: type[Optimizer]) -> None:
    want = run(cls)
    assert run(cls, foreach=True) == want
    assert run(cls, foreach=False) == want


@pytest.mark.parametrize("cls", OPTIMIZERS)
def test_false_options_are_accepted_and_kept_in_every_group(cls: type[Optimizer]) -> None:
    names = [n for n in ("fused", "capturable", "differentiable") if n in cls([leaf(0.0)]).defaults]
    kw = dict.fromkeys(names, False)
    opt = cls([{"params": [leaf(0.0)]}, {"params": [leaf(0.0)], "lr": 0.5}], foreach=False, **kw)
    for group in opt.param_groups:
        assert group["foreach"] is False
        for name in names:
            assert group[name] is False
    assert opt.state_dict()["param_groups"][1]["foreach"] is False


@pytest.mark.parametrize("cls", OPTIMIZERS)
def test_true_unsupported_options_raise_at_construction(cls: type[Optimizer]) -> None:
    names = [n for n in UNSUPPORTED_OPTIONS if n in cls([leaf(0.0)]).defaults]
    assert "differentiable" in names
    for name in names:
        with pytest.raises(NotImplementedError, match=f"{cls.__name__}: {name}=True"):
            cls([leaf(0.0)], **{name: True})


def test_a_group_asking_for_an_unsupported_option_is_refused_and_not_added() -> None:
    opt = Adam([leaf(1.0)], lr=0.1)
    with pytest.raises(NotImplementedError, match="Adam: differentiable=True is not supported"):
        opt.add_param_group({"params": [leaf(2.0)], "differentiable": True})
    with pytest.raises(NotImplementedError, match="capturable"):
        Adam([{"params": [leaf(1.0)]}, {"params": [leaf(2.0)], "capturable": True}])
    assert len(opt.param_groups) == 1
    opt.add_param_group({"params": [leaf(2.0)], "fused": False, "foreach": True})
    assert opt.param_groups[1]["fused"] is False
    assert opt.param_groups[1]["foreach"] is True


def test_the_error_says_why() -> None:
    with pytest.raises(NotImplementedError, match="in place under no_grad"):
        SGD([leaf(0.0)], differentiable=True)
    with pytest.raises(NotImplementedError, match="CUDA graph"):
        RMSprop([leaf(0.0)], capturable=True)


def test_fused_is_accepted_and_ignored_but_not_with_foreach_or_differentiable() -> None:
    # PyTorch runs fused=True on the CPU (SGD, Adam, AdamW, Adagrad) with the same update
    for cls in (SGD, Adam, AdamW, Adagrad):
        p, q = leaf(1.0, 2.0), leaf(1.0, 2.0)
        fused, plain = cls([p], lr=0.1, fused=True), cls([q], lr=0.1)
        assert fused.param_groups[0]["fused"] is True
        for opt, t in ((fused, p), (plain, q)):
            t.grad = tt.ones(2, dtype=tt.float64)
            opt.step()
        assert p.tolist() == q.tolist()
        with pytest.raises(RuntimeError, match="`fused` and `foreach` cannot be `True` together"):
            cls([leaf(0.0)], fused=True, foreach=True)
        with pytest.raises(RuntimeError, match="`fused` does not support `differentiable`"):
            cls([leaf(0.0)], fused=True, differentiable=True)


def test_loading_a_state_dict_fills_missing_options_and_checks_them() -> None:
    # a checkpoint saved before the options existed gets their defaults, as in PyTorch
    opt = SGD([leaf(0.0)], lr=0.1)
    sd = opt.state_dict()
    for name in ("foreach", "fused", "differentiable"):
        del sd["param_groups"][0][name]
    fresh = SGD([leaf(0.0)], lr=0.5)
    fresh.load_state_dict(sd)
    group = fresh.param_groups[0]
    assert (group["foreach"], group["fused"], group["differentiable"]) == (None, None, False)
    assert group["lr"] == 0.1
    # an option tt cannot honour is refused on load too, and nothing changes
    sd = opt.state_dict()
    sd["param_groups"][0]["differentiable"] = True
    with pytest.raises(NotImplementedError, match="SGD: differentiable=True"):
        fresh.load_state_dict(sd)
    assert fresh.param_groups[0]["differentiable"] is False


def test_an_optimizer_without_these_options_is_not_checked() -> None:
    """A user's optimizer whose defaults do not declare an option may use the name freely."""

    class Custom(Optimizer):
        def __init__(self, params: Any) -> None:
            super().__init__(params, {"lr": 0.1})

    opt = Custom([{"params": [leaf(0.0)], "fused": True}])
    assert opt.param_groups[0]["fused"] is True


def test_rmsprop_takes_its_options_positionally_like_torch() -> None:
    opt = RMSprop([leaf(0.0)], 0.01, 0.99, 1e-8, 0, 0, False, False, True, True, False)
    group = opt.param_groups[0]
    assert (group["capturable"], group["foreach"], group["maximize"]) == (False, True, True)
    assert group["differentiable"] is False
