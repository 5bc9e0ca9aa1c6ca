"""``ReduceLROnPlateau`` against ``torch.optim.lr_scheduler.ReduceLROnPlateau``.

Both libraries get the same scripted metric sequence (improvements, plateaus, changes
smaller than the threshold, worsening runs) and must write the same lrs, bit for bit (the
same float64 operations), and keep the same counters (``best``, ``num_bad_epochs``,
``cooldown_counter``) after every step, in both modes and both threshold modes, with
several parameter groups, cooldown, and per-group or shared ``min_lr``."""

from __future__ import annotations

import copy
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch

import tt_optim
import tt_tensor as tt
from tt_nn.parameter import Parameter

pytestmark = pytest.mark.parity

LRS = (0.1, 0.05, 0.3)


def make_optimizer(m: Any, groups: int = 3) -> Any:
    """SGD with ``groups`` parameter groups, lrs from ``LRS``, in library ``m``."""
    params: list[Any]
    if m is tt_optim:
        params = [Parameter(tt.zeros(2)) for _ in range(groups)]
    else:
        params = [torch.zeros(2, requires_grad=True) for _ in range(groups)]
    return m.SGD(
        [{"params": [p], "lr": lr} for p, lr in zip(params, LRS, strict=False)],
        lr=0.1,
        momentum=0.9,
    )


def scripted_metrics(mode: str, steps: int = 90, seed: int = 0) -> list[float]:
    """A loss-like curve (or, in ``"max"`` mode, an accuracy-like one): runs of clear
    improvement, exact plateaus, tiny improvements (below a 1e-4 relative or 1e-2 absolute
    threshold), noisy plateaus and worsening runs."""
    rng = np.random.default_rng(seed)
    value = 5.0
    out: list[float] = []
    kinds = ["improve", "flat", "tiny", "noisy", "worse"]
    while len(out) < steps:
        kind = kinds[int(rng.integers(len(kinds)))]
        for _ in range(int(rng.integers(1, 15))):
            if kind == "improve":
                value *= 1 - rng.uniform(0.01, 0.2)
            elif kind == "tiny":
                value -= abs(value) * 1e-5 + rng.uniform(0, 1e-3)
            elif kind == "noisy":
                value += rng.normal(0, 0.01)
            elif kind == "worse":
                value += rng.uniform(0, 0.3)
            out.append(value)
    out = out[:steps]
    return out if mode == "min" else [-v for v in out]


CASES: dict[str, tuple[dict[str, Any], str]] = {
    "defaults": ({}, "min"),
    "min-rel-patience2-cooldown3": ({"factor": 0.5, "patience": 2, "cooldown": 3}, "min"),
    "min-abs": (
        {"threshold_mode": "abs", "threshold": 1e-2, "patience": 1, "factor": 0.7},
        "min",
    ),
    "max-rel": (
        {"mode": "max", "threshold": 1e-3, "patience": 3, "cooldown": 1, "factor": 0.3},
        "max",
    ),
    "max-abs-min-lr-list": (
        {
            "mode": "max",
            "threshold_mode": "abs",
            "threshold": 5e-3,
            "patience": 0,
            "min_lr": [1e-3, 2e-2, 1e-4],
            "factor": 0.5,
        },
        "max",
    ),
    "min-lr-scalar-and-eps": ({"patience": 1, "min_lr": 4e-3, "eps": 1e-3, "factor": 0.6}, "min"),
    "zero-threshold": ({"threshold": 0.0, "patience": 2, "cooldown": 2}, "min"),
    "factor-zero": ({"factor": 0.0, "patience": 4, "min_lr": 1e-5}, "min"),
}

COUNTERS = ("best", "num_bad_epochs", "cooldown_counter", "last_epoch")


def run(
    m: Any, kwargs: dict[str, Any], metrics: list[float], tensor_metrics: bool = False
) -> list[tuple[Any, ...]]:
    """The lrs and counters after construction and after each ``step(metric)``."""
    opt = make_optimizer(m)
    sched = m.lr_scheduler.ReduceLROnPlateau(opt, **kwargs)
    seen = [snapshot(sched, opt)]
    for value in metrics:
        opt.step()
        if tensor_metrics:
            sched.step(tt.tensor(value) if m is tt_optim else torch.tensor(value))
        else:
            sched.step(value)
        seen.append(snapshot(sched, opt))
    return seen


def snapshot(sched: Any, opt: Any) -> tuple[Any, ...]:
    return (
        list(sched.get_last_lr()),
        [g["lr"] for g in opt.param_groups],
        *(getattr(sched, k) for k in COUNTERS),
    )


@pytest.mark.parametrize("name", list(CASES))
def test_lr_sequence_matches_torch(name: str) -> None:
    kwargs, mode = CASES[name]
    metrics = scripted_metrics(mode)
    got, want = run(tt_optim, kwargs, metrics), run(torch.optim, kwargs, metrics)
    assert got == want  # bit for bit
    lrs = {tuple(step[1]) for step in want}
    assert len(lrs) > 1, "the script should make the lr drop"


def test_zero_dim_tensor_metrics_match_torch() -> None:
    kwargs, mode = CASES["min-rel-patience2-cooldown3"]
    metrics = scripted_metrics(mode, seed=3)
    got = run(tt_optim, kwargs, metrics, tensor_metrics=True)
    want = run(torch.optim, kwargs, metrics, tensor_metrics=True)
    assert got == want


@pytest.mark.parametrize("name", list(CASES))
def test_state_dict_matches_torch_and_a_round_trip_resumes_mid_run(name: str) -> None:
    """The state dict has torch's entries and values; a scheduler built fresh and loaded
    from it at step 40 (with the optimizer's state) continues exactly like torch's
    uninterrupted run."""
    kwargs, mode = CASES[name]
    metrics = scripted_metrics(mode, seed=7)
    cut = 40
    opt, ref_opt = make_optimizer(tt_optim), make_optimizer(torch.optim)
    sched = tt_optim.lr_scheduler.ReduceLROnPlateau(opt, **kwargs)
    ref = torch.optim.lr_scheduler.ReduceLROnPlateau(ref_opt, **kwargs)
    assert sched.state_dict() == ref.state_dict()
    for value in metrics[:cut]:
        sched.step(value)
        ref.step(value)
    got_state, want_state = sched.state_dict(), ref.state_dict()
    assert list(got_state) == list(want_state)
    assert got_state == want_state
    opt_state, sched_state = copy.deepcopy(opt.state_dict()), copy.deepcopy(got_state)
    resumed_opt = make_optimizer(tt_optim)
    resumed = tt_optim.lr_scheduler.ReduceLROnPlateau(resumed_opt, **kwargs)
    resumed_opt.load_state_dict(opt_state)
    resumed.load_state_dict(sched_state)
    for value in metrics[cut:]:
        resumed.step(value)
        ref.step(value)
        assert resumed.get_last_lr() == ref.get_last_lr()
        assert [g["lr"] for g in resumed_opt.param_groups] == [
            g["lr"] for g in ref_opt.param_groups
        ]
        assert snapshot(resumed, resumed_opt)[2:] == snapshot(ref, ref_opt)[2:]


def test_a_state_dict_from_torch_loads_into_tt() -> None:
    kwargs, mode = CASES["max-rel"]
    metrics = scripted_metrics(mode, seed=11)
    ref_opt = make_optimizer(torch.optim)
    ref = torch.optim.lr_scheduler.ReduceLROnPlateau(ref_opt, **kwargs)
    for value in metrics[:30]:
        ref.step(value)
    opt = make_optimizer(tt_optim)
    sched = tt_optim.lr_scheduler.ReduceLROnPlateau(opt, **kwargs)
    for group, ref_group in zip(opt.param_groups, ref_opt.param_groups, strict=True):
        group["lr"] = ref_group["lr"]
    sched.load_state_dict(ref.state_dict())
    for value in metrics[30:]:
        sched.step(value)
        ref.step(value)
        assert sched.get_last_lr() == ref.get_last_lr()


def test_constructor_leaves_the_groups_as_torch_does() -> None:
    """No ``initial_lr`` and no step: the groups keep their keys and lrs."""
    groups = []
    for m in (tt_optim, torch.optim):
        opt = make_optimizer(m)
        m.lr_scheduler.ReduceLROnPlateau(opt)
        groups.append([sorted(k for k in g if k != "params") for g in opt.param_groups])
    assert groups[0] == groups[1]
    assert "initial_lr" not in groups[0][0]


def test_is_an_lr_scheduler_like_torch() -> None:
    for m in (tt_optim, torch.optim):
        sched = m.lr_scheduler.ReduceLROnPlateau(make_optimizer(m))
        assert isinstance(sched, m.lr_scheduler.LRScheduler)


@pytest.mark.parametrize(
    ("make", "error"),
    [
        (lambda s, o: s.ReduceLROnPlateau(o, factor=1.0), ValueError),
        (lambda s, o: s.ReduceLROnPlateau(o, factor=2.5), ValueError),
        (lambda s, o: s.ReduceLROnPlateau(o, min_lr=[0.0, 0.0]), ValueError),
        (lambda s, o: s.ReduceLROnPlateau(o, min_lr=(0.0,) * 4), ValueError),
        (lambda s, o: s.ReduceLROnPlateau(o, mode="maximum"), ValueError),
        (lambda s, o: s.ReduceLROnPlateau(o, threshold_mode="relative"), ValueError),
        (lambda s, o: s.ReduceLROnPlateau(None), TypeError),
        (lambda s, o: s.ReduceLROnPlateau(None, factor=1.0), ValueError),  # factor first
    ],
)
def test_bad_arguments_raise_like_torch(make: Callable[[Any, Any], Any], error: type) -> None:
    messages = []
    for m in (tt_optim, torch.optim):
        with pytest.raises(error) as e:
            make(m.lr_scheduler, make_optimizer(m))
        messages.append(str(e.value))
    assert messages[0] == messages[1]


def test_step_without_a_metric_is_a_type_error_like_torch() -> None:
    for m in (tt_optim, torch.optim):
        sched = m.lr_scheduler.ReduceLROnPlateau(make_optimizer(m))
        with pytest.raises(TypeError, match="metrics"):
            sched.step()


def test_added_group_with_min_lr_list_raises_and_with_a_scalar_extends_like_torch() -> None:
    for m in (tt_optim, torch.optim):
        extra: Any = Parameter(tt.zeros(1)) if m is tt_optim else torch.zeros(1, requires_grad=True)
        opt = make_optimizer(m, groups=2)
        sched = m.lr_scheduler.ReduceLROnPlateau(opt, patience=0, min_lr=[0.0, 0.0])
        opt.add_param_group({"params": [extra], "lr": 1.0})
        sched.step(1.0)
        with pytest.raises(RuntimeError, match="differs from when `ReduceLROnPlateau`"):
            sched.step(1.0)

    lrs = []
    for m in (tt_optim, torch.optim):
        extra = Parameter(tt.zeros(1)) if m is tt_optim else torch.zeros(1, requires_grad=True)
        opt = make_optimizer(m, groups=2)
        sched = m.lr_scheduler.ReduceLROnPlateau(opt, patience=0, min_lr=0.02)
        opt.add_param_group({"params": [extra], "lr": 1.0})
        for value in (1.0, 1.0, 1.0, 1.0):
            sched.step(value)
        lrs.append((sched.get_last_lr(), sched.min_lrs))
    assert lrs[0] == lrs[1]


def test_explicit_epoch_warns_and_sets_last_epoch_like_torch() -> None:
    results = []
    for m in (tt_optim, torch.optim):
        sched = m.lr_scheduler.ReduceLROnPlateau(make_optimizer(m), patience=0)
        with pytest.warns(UserWarning, match="epoch parameter"):
            sched.step(1.0, 7)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            sched.step(1.0)
        results.append((sched.last_epoch, sched.get_last_lr()))
    assert results[0] == results[1]
