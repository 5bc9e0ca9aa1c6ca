"""Behaviour of the learning-rate schedulers: the constructor's step, get_last_lr,
state_dict round trips and resuming."""

from __future__ import annotations

import copy
import math
import warnings
from pathlib import Path
from typing import Any

import pytest

import tt_tensor as tt
from tt_nn import load, save
from tt_optim.adam import Adam
from tt_optim.lr_scheduler import (
    CosineAnnealingLR,
    ExponentialLR,
    LambdaLR,
    LinearLR,
    LRScheduler,
    MultiStepLR,
    OneCycleLR,
    SequentialLR,
    StepLR,
)
from tt_optim.sgd import SGD


def leaf(t: tt.Tensor) -> tt.Tensor:
    """A parameter: a leaf tensor that requires grad (what ``tt_nn.Parameter`` gives; the
    optimizers take plain leaves too, as PyTorch's do)."""
    return t.detach().requires_grad_()


def sgd(lr: float = 1.0) -> SGD:
    return SGD([leaf(tt.zeros(2))], lr=lr, momentum=0.9)


def test_constructor_records_initial_lr_and_takes_the_first_step() -> None:
    opt = sgd(0.5)
    sched = LinearLR(opt, start_factor=0.1, total_iters=4)
    assert opt.param_groups[0]["initial_lr"] == 0.5
    assert sched.base_lrs == [0.5]
    assert sched.last_epoch == 0
    assert sched.get_last_lr() == [pytest.approx(0.05)]
    assert opt.param_groups[0]["lr"] == pytest.approx(0.05)


def test_get_last_lr_follows_each_step() -> None:
    opt = sgd()
    sched = MultiStepLR(opt, milestones=[2, 4], gamma=0.5)
    seen = []
    for _ in range(5):
        opt.step()
        sched.step()
        seen.append(sched.get_last_lr()[0])
    assert seen == [1.0, 0.5, 0.5, 0.25, 0.25]
    assert sched.last_epoch == 5


def make_warmup_cosine(opt: SGD) -> SequentialLR:
    return SequentialLR(
        opt,
        [LinearLR(opt, start_factor=0.2, total_iters=3), CosineAnnealingLR(opt, T_max=10)],
        milestones=[3],
    )


SCHEDULERS: dict[str, Any] = {
    "StepLR": lambda o: StepLR(o, 3, gamma=0.5),
    "MultiStepLR": lambda o: MultiStepLR(o, milestones=[2, 8, 8, 12], gamma=0.5),
    "ExponentialLR": lambda o: ExponentialLR(o, 0.9),
    "CosineAnnealingLR": lambda o: CosineAnnealingLR(o, T_max=7, eta_min=0.01),
    "OneCycleLR": lambda o: OneCycleLR(o, max_lr=2.0, total_steps=20),
    "SequentialLR": make_warmup_cosine,
}


def through_file(state: dict[str, Any], tmp_path: Path) -> Any:
    """``state`` written to a checkpoint file and read back (what a Trainer checkpoint does)."""
    path = tmp_path / "state.safetensors"
    save(state, path)
    return load(path)


@pytest.mark.parametrize("via", ["deepcopy", "file"])
@pytest.mark.parametrize("name", list(SCHEDULERS))
def test_state_dict_round_trip_resumes_the_same_schedule(
    name: str, via: str, tmp_path: Path
) -> None:
    make = SCHEDULERS[name]
    opt = sgd()
    sched = make(opt)
    for _ in range(6):
        opt.step()
        sched.step()
    keep = copy.deepcopy if via == "deepcopy" else lambda s: through_file(s, tmp_path)
    opt_state = keep(opt.state_dict())
    sched_state = keep(sched.state_dict())
    assert "optimizer" not in sched_state
    resumed_opt = sgd()
    resumed = make(resumed_opt)  # built first, then loaded (PyTorch's order)
    resumed_opt.load_state_dict(opt_state)
    resumed.load_state_dict(sched_state)
    for _ in range(10):
        opt.step()
        sched.step()
        resumed_opt.step()
        resumed.step()
        assert resumed.get_last_lr() == sched.get_last_lr()
        assert resumed_opt.param_groups[0]["lr"] == opt.param_groups[0]["lr"]
        assert resumed_opt.param_groups[0]["momentum"] == opt.param_groups[0]["momentum"]


def test_multistep_lr_loaded_from_a_file_still_takes_an_explicit_epoch(tmp_path: Path) -> None:
    # The file keeps milestones as a plain mapping; load_state_dict rebuilds the Counter
    # that the closed form (step(epoch)) needs.
    sched = MultiStepLR(sgd(), milestones=[2, 4, 4], gamma=0.5)
    resumed = MultiStepLR(sgd(), milestones=[1], gamma=0.5)
    resumed.load_state_dict(through_file(sched.state_dict(), tmp_path))
    with pytest.warns(UserWarning, match="epoch parameter"):  # deprecated, as in PyTorch
        resumed.step(5)
    assert resumed.get_last_lr() == [pytest.approx(0.125)]


def test_lambda_lr_saves_callable_objects_but_not_functions() -> None:
    class Decay:
        def __init__(self) -> None:
            self.rate = 0.5

        def __call__(self, epoch: int) -> float:
            return float(self.rate**epoch)

    opt = SGD([{"params": [leaf(tt.zeros(1))]}, {"params": [leaf(tt.zeros(1))]}], 1.0)
    decay = Decay()
    sched = LambdaLR(opt, [decay, lambda e: 1.0])
    state = sched.state_dict()
    assert state["lr_lambdas"] == [{"rate": 0.5}, None]
    state["lr_lambdas"][0]["rate"] = 0.25
    sched.load_state_dict(state)
    assert decay.rate == 0.25
    assert "lr_lambdas" in state
    sched.step()
    assert sched.get_last_lr() == [0.25, 1.0]


def test_resuming_with_last_epoch_needs_initial_lr() -> None:
    opt = sgd()
    with pytest.raises(KeyError, match="initial_lr"):
        StepLR(opt, 2, last_epoch=4)
    opt.param_groups[0]["initial_lr"] = 1.0
    sched = CosineAnnealingLR(opt, T_max=10, last_epoch=4)  # resumes at epoch 5
    assert sched.last_epoch == 5
    assert sched.get_last_lr() == [1.0]  # the constructor's step keeps the current lr
    opt.step()
    sched.step()  # then the recursion continues from it
    ratio = (1 + math.cos(math.pi * 6 / 10)) / (1 + math.cos(math.pi * 5 / 10))
    assert sched.get_last_lr()[0] == pytest.approx(ratio)


def test_one_cycle_cycles_adam_beta1_opposite_to_the_lr() -> None:
    opt = Adam([leaf(tt.zeros(1))], lr=0.1, betas=(0.9, 0.999))
    sched = OneCycleLR(opt, max_lr=1.0, total_steps=10, pct_start=0.5)
    lrs, beta1s = [], []
    for _ in range(9):
        lrs.append(sched.get_last_lr()[0])
        beta1s.append(opt.param_groups[0]["betas"][0])
        opt.step()
        sched.step()
    assert lrs[0] == pytest.approx(1.0 / 25)
    assert beta1s[0] == pytest.approx(0.95)
    assert lrs[4] == pytest.approx(1.0)
    assert beta1s[4] == pytest.approx(0.85)
    assert opt.param_groups[0]["betas"][1] == 0.999


def test_sequential_lr_switches_scheduler_at_the_milestone() -> None:
    opt = sgd()
    sched = make_warmup_cosine(opt)
    lrs = [sched.get_last_lr()[0]]
    for _ in range(13):
        opt.step()
        sched.step()
        lrs.append(sched.get_last_lr()[0])
    assert lrs[:3] == pytest.approx([0.2, 0.2 + 0.8 / 3, 0.2 + 1.6 / 3])
    assert lrs[3] == pytest.approx(1.0)  # the cosine starts from the base lr
    assert lrs[13] == pytest.approx(0.0, abs=1e-12)  # and reaches 0 after T_max = 10


def test_a_scheduler_needs_an_optimizer() -> None:
    with pytest.raises(TypeError, match="is not an Optimizer"):
        StepLR(object(), 2)  # type: ignore[arg-type]
    with pytest.raises(NotImplementedError, match="get_lr"):
        LRScheduler(sgd())


@pytest.mark.parametrize("name", [n for n in SCHEDULERS if n != "SequentialLR"])
def test_calling_get_lr_directly_warns_and_stepping_does_not(name: str) -> None:
    opt = sgd()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the constructor's step and step() stay silent
        sched = SCHEDULERS[name](opt)
        opt.step()
        sched.step()
    last = sched.get_last_lr()
    with pytest.warns(UserWarning, match=r"please use `get_last_lr\(\)`"):
        sched.get_lr()
    assert sched.get_last_lr() == last  # get_lr computes, it does not write the lrs
    assert sched.state_dict()["_get_lr_called_within_step"] is False


def test_one_cycle_total_steps_that_is_no_number_is_a_type_error() -> None:
    with pytest.raises(
        TypeError,
        match=r"OneCycleLR: total_steps must be a positive integer, "
        r"but got '10' \(str\)",
    ):
        OneCycleLR(sgd(), max_lr=1.0, total_steps="10")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"Expected positive integer total_steps, but got 2\.5"):
        OneCycleLR(sgd(), max_lr=1.0, total_steps=2.5)  # type: ignore[arg-type]
