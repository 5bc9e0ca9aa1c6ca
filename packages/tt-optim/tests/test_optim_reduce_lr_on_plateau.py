"""``ReduceLROnPlateau``: the rule of its docstring (improvement test, patience, cooldown,
floor and eps), its errors, and state_dict round trips (in memory and through a file)."""

from __future__ import annotations

import copy
import math
from pathlib import Path
from typing import Any

import pytest

import tt_tensor as tt
from tt_nn import load, save
from tt_optim import lr_scheduler
from tt_optim.lr_scheduler import LRScheduler, ReduceLROnPlateau
from tt_optim.sgd import SGD


def sgd(*lrs: float) -> SGD:
    """SGD with one parameter group per lr (default: one group at lr 1)."""
    lrs = lrs or (1.0,)
    return SGD([{"params": [tt.zeros(1).requires_grad_()], "lr": lr} for lr in lrs], lr=1.0)


def lrs_over(sched: ReduceLROnPlateau, metrics: list[float]) -> list[float]:
    """The first group's lr after each ``step(metric)``."""
    out = []
    for value in metrics:
        sched.step(value)
        out.append(sched.get_last_lr()[0])
    return out


def test_exported_with_the_other_schedulers() -> None:
    assert "ReduceLROnPlateau" in lr_scheduler.__all__
    assert issubclass(ReduceLROnPlateau, LRScheduler)


def test_constructor_takes_no_step_and_adds_nothing_to_the_groups() -> None:
    opt = sgd(0.5, 0.25)
    sched = ReduceLROnPlateau(opt)
    assert sched.get_last_lr() == [0.5, 0.25]
    assert sched.last_epoch == 0
    assert sched.best == math.inf
    assert "initial_lr" not in opt.param_groups[0]


def test_the_lr_drops_after_more_than_patience_bad_epochs() -> None:
    sched = ReduceLROnPlateau(sgd(), factor=0.5, patience=2)
    # 1 improves (best = 1), then three epochs without improvement: the third cuts the lr.
    assert lrs_over(sched, [1.0, 1.0, 1.0, 1.0]) == [1.0, 1.0, 1.0, 0.5]
    assert sched.num_bad_epochs == 0  # reset by the reduction
    assert lrs_over(sched, [2.0, 2.0, 2.0]) == [0.5, 0.5, 0.25]


def test_an_improvement_resets_the_count_of_bad_epochs() -> None:
    sched = ReduceLROnPlateau(sgd(), factor=0.5, patience=1)
    assert lrs_over(sched, [5.0, 5.0, 4.0, 4.0, 3.0, 3.0, 3.0]) == [1.0] * 6 + [0.5]


def test_max_mode_follows_a_rising_metric() -> None:
    sched = ReduceLROnPlateau(sgd(), mode="max", factor=0.5, patience=0)
    assert sched.best == -math.inf
    assert lrs_over(sched, [0.5, 0.6, 0.6, 0.7, 0.65]) == [1.0, 1.0, 0.5, 0.5, 0.25]


@pytest.mark.parametrize(
    ("mode", "threshold_mode", "best", "still_bad", "improves"),
    [
        ("min", "rel", 10.0, 10.0 * (1 - 0.1), 8.99),  # needs a < best * (1 - threshold)
        ("min", "abs", 10.0, 9.9, 9.89),  # needs a < best - threshold
        ("max", "rel", 10.0, 11.0, 11.01),  # needs a > best * (1 + threshold)
        ("max", "abs", 10.0, 10.1, 10.11),  # needs a > best + threshold
    ],
)
def test_the_threshold_decides_what_counts_as_an_improvement(
    mode: Any, threshold_mode: Any, best: float, still_bad: float, improves: float
) -> None:
    threshold = 0.1
    sched = ReduceLROnPlateau(sgd(), mode=mode, threshold=threshold, threshold_mode=threshold_mode)
    sched.step(best)
    sched.step(still_bad)
    assert (sched.best, sched.num_bad_epochs) == (best, 1)
    sched.step(improves)
    assert (sched.best, sched.num_bad_epochs) == (improves, 0)


def test_bad_epochs_in_the_cooldown_do_not_count() -> None:
    sched = ReduceLROnPlateau(sgd(), factor=0.5, patience=0, cooldown=2)
    # epoch 2 cuts the lr and starts a cooldown of 2 epochs (3 and 4); 5 cuts again.
    assert lrs_over(sched, [1.0, 1.0, 1.0, 1.0, 1.0]) == [1.0, 0.5, 0.5, 0.5, 0.25]
    assert sched.cooldown_counter == 2
    assert sched.in_cooldown


def test_min_lr_floors_each_group_and_eps_skips_tiny_cuts() -> None:
    opt = sgd(1.0, 0.1)
    sched = ReduceLROnPlateau(opt, factor=0.1, patience=0, min_lr=[0.05, 0.02])
    for value in [1.0, 1.0, 1.0, 1.0]:
        sched.step(value)
    assert sched.get_last_lr() == [0.05, 0.02]
    opt = sgd(1.0)
    sched = ReduceLROnPlateau(opt, factor=0.9, patience=0, eps=0.2)
    lrs_over(sched, [1.0, 1.0])  # 1.0 -> 0.9 is a change of 0.1 <= eps: not written
    assert opt.param_groups[0]["lr"] == 1.0


def test_a_scalar_min_lr_extends_to_a_group_added_later_a_list_does_not() -> None:
    opt = sgd(1.0)
    sched = ReduceLROnPlateau(opt, patience=0, min_lr=0.5)
    opt.add_param_group({"params": [tt.zeros(1).requires_grad_()], "lr": 2.0})
    lrs_over(sched, [1.0, 1.0])
    assert sched.get_last_lr() == [0.5, pytest.approx(0.5)]
    opt = sgd(1.0)
    sched = ReduceLROnPlateau(opt, patience=0, min_lr=[0.5])
    opt.add_param_group({"params": [tt.zeros(1).requires_grad_()], "lr": 2.0})
    sched.step(1.0)
    with pytest.raises(RuntimeError, match="min_lrs"):
        sched.step(1.0)


def test_a_zero_dim_tensor_metric_is_accepted() -> None:
    sched = ReduceLROnPlateau(sgd(), patience=0)
    sched.step(tt.tensor(2.0))
    assert sched.best == 2.0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"factor": 1.0}, "Factor should be < 1.0."),
        ({"factor": 1.5}, "Factor should be < 1.0."),
        ({"min_lr": [0.0, 0.0, 0.0]}, "expected 2 min_lrs, got 3"),
        ({"mode": "lowest"}, "mode lowest is unknown!"),
        ({"threshold_mode": "pct"}, "threshold mode pct is unknown!"),
    ],
)
def test_bad_arguments_raise_value_error(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=f"^{message}$"):
        ReduceLROnPlateau(sgd(1.0, 1.0), **kwargs)


def test_needs_an_optimizer() -> None:
    with pytest.raises(TypeError, match="is not an Optimizer"):
        ReduceLROnPlateau(object())  # type: ignore[arg-type]


def through_file(state: dict[str, Any], tmp_path: Path) -> Any:
    path = tmp_path / "state.safetensors"
    save(state, path)
    return load(path)


@pytest.mark.parametrize("via", ["deepcopy", "file"])
def test_state_dict_round_trip_mid_run_resumes_the_same_lrs(via: str, tmp_path: Path) -> None:
    metrics = [3.0, 2.0, 2.0, 2.5, 2.0, 1.0, 1.2, 1.1, 1.0, 1.0, 0.5, 0.6, 0.6, 0.6, 0.6]
    kwargs: dict[str, Any] = {"factor": 0.5, "patience": 1, "cooldown": 1, "min_lr": [0.1, 0.0]}
    opt = sgd(1.0, 0.3)
    sched = ReduceLROnPlateau(opt, **kwargs)
    fresh = ReduceLROnPlateau(sgd(1.0, 0.3), **kwargs)
    # Before any step best is inf: the file encodes it and gives it back.
    keep = copy.deepcopy if via == "deepcopy" else lambda s: through_file(s, tmp_path)
    assert keep(fresh.state_dict()) == fresh.state_dict()
    lrs_over(sched, metrics[:6])
    opt_state, sched_state = keep(opt.state_dict()), keep(sched.state_dict())
    assert "optimizer" not in sched_state
    resumed_opt = sgd(1.0, 0.3)
    resumed = ReduceLROnPlateau(resumed_opt, **kwargs)
    resumed_opt.load_state_dict(opt_state)
    resumed.load_state_dict(sched_state)
    assert resumed.get_last_lr() == sched.get_last_lr()
    for value in metrics[6:]:
        sched.step(value)
        resumed.step(value)
        assert resumed.get_last_lr() == sched.get_last_lr()
        assert resumed.num_bad_epochs == sched.num_bad_epochs
        assert resumed.cooldown_counter == sched.cooldown_counter


def test_load_state_dict_checks_the_modes() -> None:
    sched = ReduceLROnPlateau(sgd())
    state = sched.state_dict()
    state["mode"] = "sideways"
    with pytest.raises(ValueError, match="mode sideways is unknown"):
        sched.load_state_dict(state)
