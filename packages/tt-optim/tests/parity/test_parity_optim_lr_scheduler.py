"""Every learning-rate scheduler's sequence of lrs (and momenta) against
``torch.optim.lr_scheduler``.

The same expression builds the scheduler in both libraries (``m`` is ``tt_optim`` or
``torch.optim``, which share the class names), then both step 50 times; after each step the
``get_last_lr()`` lists, every group's ``lr``, and the momentum or betas must agree to 1e-12
relative (the same float64 formulas run in the same order, so they agree to the last bit or
close to it).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Any

import pytest
import torch

import tt_optim
import tt_tensor as tt
from tt_nn.parameter import Parameter

pytestmark = pytest.mark.parity

STEPS = 50


def make_optimizer(m: Any, kind: str) -> Any:
    """An optimizer with two parameter groups (different lrs) in library ``m``."""
    a: Any
    b: Any
    if m is tt_optim:
        a, b = Parameter(tt.zeros(2)), Parameter(tt.zeros(3))
    else:
        a, b = torch.zeros(2, requires_grad=True), torch.zeros(3, requires_grad=True)
    groups = [{"params": [a]}, {"params": [b], "lr": 0.05}]
    if kind == "sgd":
        return m.SGD(groups, lr=0.1, momentum=0.9)
    if kind == "adam":
        return m.Adam(groups, lr=0.1, betas=(0.9, 0.99))
    return m.RMSprop(groups, lr=0.1, momentum=0.5)


def lr_state(opt: Any) -> list[tuple[Any, ...]]:
    """What a scheduler may change in each group: lr, momentum, betas."""
    return [(g["lr"], g.get("momentum"), g.get("betas")) for g in opt.param_groups]


def assert_equal_sequences(got: list[Any], want: list[Any]) -> None:
    assert len(got) == len(want)
    for step, (g, w) in enumerate(zip(got, want, strict=True)):
        fg, fw = _flat(g), _flat(w)
        assert [v is None for v in fg] == [v is None for v in fw], f"step {step}: {g} != {w}"
        nums_g = [v for v in fg if v is not None]
        nums_w = [v for v in fw if v is not None]
        assert nums_g == pytest.approx(nums_w, rel=1e-12, abs=1e-15), f"step {step}: {g} != {w}"


def _flat(x: Any) -> list[Any]:
    """Nested tuples and lists of numbers (lr, momentum, betas per group) as one flat list
    (``pytest.approx`` compares flat sequences only); ``None`` where a group has no such
    option."""
    if isinstance(x, tuple | list):
        return [y for item in x for y in _flat(item)]
    return [x]


def run(
    m: Any, kind: str, make: Callable[[Any, Any], Any], steps: int = STEPS
) -> tuple[list[Any], list[Any]]:
    """Build optimizer and scheduler in library ``m``; return the last lrs and the group
    values after construction and after each of ``steps`` steps."""
    opt = make_optimizer(m, kind)
    sched = make(m.lr_scheduler, opt)
    last, groups = [sched.get_last_lr()], [lr_state(opt)]
    for _ in range(steps):
        opt.step()
        sched.step()
        last.append(sched.get_last_lr())
        groups.append(lr_state(opt))
    return last, groups


def warmup_cosine(s: Any, opt: Any) -> Any:
    warmup = s.LinearLR(opt, start_factor=0.1, total_iters=5)
    cosine = s.CosineAnnealingLR(opt, T_max=45, eta_min=1e-4)
    return s.SequentialLR(opt, [warmup, cosine], milestones=[5])


def three_stages(s: Any, opt: Any) -> Any:
    return s.SequentialLR(
        opt,
        [s.LinearLR(opt, 0.5, total_iters=4), s.ExponentialLR(opt, 0.9), s.StepLR(opt, 5)],
        milestones=[6, 20],
    )


class Warmup:
    """A callable object as lr_lambda (its __dict__ goes into the state dict)."""

    def __init__(self, steps: int) -> None:
        self.steps = steps

    def __call__(self, epoch: int) -> float:
        return min(1.0, (epoch + 1) / self.steps)


SCHEDULERS: dict[str, tuple[str, Callable[[Any, Any], Any]]] = {
    "StepLR": ("sgd", lambda s, o: s.StepLR(o, step_size=7, gamma=0.3)),
    "MultiStepLR": ("sgd", lambda s, o: s.MultiStepLR(o, milestones=[5, 12, 12, 30], gamma=0.5)),
    "ExponentialLR": ("adam", lambda s, o: s.ExponentialLR(o, gamma=0.93)),
    "CosineAnnealingLR": ("sgd", lambda s, o: s.CosineAnnealingLR(o, T_max=50)),
    # Past T_max the cosine climbs back: exercises the branch at the bottom of the cosine.
    "CosineAnnealingLR-restart": ("sgd", lambda s, o: s.CosineAnnealingLR(o, 15, eta_min=1e-3)),
    "LinearLR-warmup": ("sgd", lambda s, o: s.LinearLR(o, start_factor=0.1, total_iters=10)),
    "LinearLR-decay": ("adam", lambda s, o: s.LinearLR(o, 1.0, end_factor=0.2, total_iters=30)),
    "LinearLR-default": ("sgd", lambda s, o: s.LinearLR(o)),
    "LambdaLR": ("sgd", lambda s, o: s.LambdaLR(o, lambda e: 0.95**e)),
    "LambdaLR-per-group": (
        "sgd",
        lambda s, o: s.LambdaLR(o, [Warmup(10), lambda e: 1 / (1 + e)]),
    ),
    "SequentialLR-warmup-cosine": ("adam", warmup_cosine),
    "SequentialLR-three-stages": ("sgd", three_stages),
    "OneCycleLR-cos-sgd": ("sgd", lambda s, o: s.OneCycleLR(o, max_lr=1.0, total_steps=51)),
    "OneCycleLR-cos-adam": ("adam", lambda s, o: s.OneCycleLR(o, [1.0, 0.5], total_steps=51)),
    "OneCycleLR-rmsprop": ("rmsprop", lambda s, o: s.OneCycleLR(o, 0.3, total_steps=60)),
    "OneCycleLR-linear": (
        "sgd",
        lambda s, o: s.OneCycleLR(o, 1.0, total_steps=51, anneal_strategy="linear"),
    ),
    "OneCycleLR-three-phase": (
        "adam",
        lambda s, o: s.OneCycleLR(o, 1.0, total_steps=51, three_phase=True, pct_start=0.25),
    ),
    "OneCycleLR-epochs": (
        "sgd",
        lambda s, o: s.OneCycleLR(
            o, 1.0, epochs=5, steps_per_epoch=11, cycle_momentum=False, div_factor=10.0
        ),
    ),
    "OneCycleLR-momentum-lists": (
        "sgd",
        lambda s, o: s.OneCycleLR(
            o, 1.0, total_steps=60, base_momentum=[0.8, 0.7], max_momentum=[0.9, 0.99]
        ),
    ),
}


@pytest.mark.parametrize("name", list(SCHEDULERS))
def test_scheduler_lr_sequence_matches_torch(name: str) -> None:
    kind, make = SCHEDULERS[name]
    got_last, got_groups = run(tt_optim, kind, make)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # torch must not warn about the calling order
        want_last, want_groups = run(torch.optim, kind, make)
    assert_equal_sequences(got_last, want_last)
    assert_equal_sequences(got_groups, want_groups)


def test_warmup_then_cosine_reaches_the_base_lr_at_the_milestone() -> None:
    last, _ = run(tt_optim, "adam", warmup_cosine)
    assert last[0] == pytest.approx([0.01, 0.005])
    assert last[5] == pytest.approx([0.1, 0.05])  # the cosine starts at its base lr
    assert last[50] == pytest.approx([1e-4, 1e-4])  # and ends at eta_min after T_max = 45


@pytest.mark.parametrize(
    ("name", "epochs"),
    [
        ("StepLR", [3, 14, 22, 8]),
        ("MultiStepLR", [4, 12, 13, 31]),
        ("ExponentialLR", [5, 0, 17]),
        ("CosineAnnealingLR", [10, 25, 3]),
        ("LinearLR-warmup", [2, 9, 15]),
    ],
)
def test_step_with_an_epoch_uses_the_closed_form_like_torch(name: str, epochs: list[int]) -> None:
    kind, make = SCHEDULERS[name]
    results = []
    for m in (tt_optim, torch.optim):
        opt = make_optimizer(m, kind)
        sched = make(m.lr_scheduler, opt)
        lrs = []
        for epoch in epochs:
            opt.step()
            with pytest.warns(UserWarning, match="epoch parameter"):
                sched.step(epoch)
            lrs.append(sched.get_last_lr())
        results.append(lrs)
    assert_equal_sequences(results[0], results[1])


def test_one_cycle_refuses_to_step_past_total_steps_like_torch() -> None:
    for m in (tt_optim, torch.optim):
        opt = make_optimizer(m, "sgd")
        sched = m.lr_scheduler.OneCycleLR(opt, max_lr=1.0, total_steps=10)
        for _ in range(10):
            opt.step()
            sched.step()
        opt.step()
        with pytest.raises(ValueError, match="Tried to step 11 times"):
            sched.step()


@pytest.mark.parametrize(
    ("make", "error"),
    [
        (lambda s, o: s.LinearLR(o, start_factor=0.0), ValueError),
        (lambda s, o: s.LinearLR(o, end_factor=1.5), ValueError),
        (lambda s, o: s.LambdaLR(o, [lambda e: 1.0]), ValueError),
        (lambda s, o: s.OneCycleLR(o, 1.0), ValueError),
        (lambda s, o: s.OneCycleLR(o, 1.0, total_steps=0), ValueError),
        (lambda s, o: s.OneCycleLR(o, 1.0, total_steps=10, pct_start=1.5), ValueError),
        (lambda s, o: s.OneCycleLR(o, 1.0, total_steps=10, anneal_strategy="x"), ValueError),
        (lambda s, o: s.OneCycleLR(o, [1.0], total_steps=10), ValueError),
        (lambda s, o: s.SequentialLR(o, [s.StepLR(o, 2)], milestones=[3]), ValueError),
        (lambda s, o: s.SequentialLR(o, [], milestones=[]), ValueError),
        (lambda s, o: s.StepLR(o, 2, last_epoch=3), KeyError),
        (lambda s, o: s.StepLR(None, 2), TypeError),
    ],
)
def test_bad_scheduler_arguments_raise_like_torch(
    make: Callable[[Any, Any], Any], error: type[Exception]
) -> None:
    messages = []
    for m in (tt_optim, torch.optim):
        with pytest.raises(error) as e:
            make(m.lr_scheduler, make_optimizer(m, "sgd"))
        messages.append(str(e.value))
    if error is ValueError:
        assert messages[0] == messages[1]


def test_one_cycle_without_momentum_support_raises_like_torch() -> None:
    for m in (tt_optim, torch.optim):
        if m is tt_optim:
            opt = m.Adagrad([Parameter(tt.zeros(1))], lr=0.1)
        else:
            opt = m.Adagrad([torch.zeros(1, requires_grad=True)], lr=0.1)
        with pytest.raises(ValueError, match="must support momentum or beta1"):
            m.lr_scheduler.OneCycleLR(opt, 1.0, total_steps=10)


def test_cosine_recursive_formula_drifts_from_closed_form_like_torch() -> None:
    """The recursive form is what PyTorch runs; it differs from the closed form by rounding,
    and tt must follow the recursion, not the closed form."""
    got, _ = run(tt_optim, "sgd", SCHEDULERS["CosineAnnealingLR-restart"][1])
    want, _ = run(torch.optim, "sgd", SCHEDULERS["CosineAnnealingLR-restart"][1])
    assert got == want  # bit for bit: the same float64 operations in the same order
    closed = [1e-3 + (0.1 - 1e-3) * (1 + math.cos(math.pi * t / 15)) / 2 for t in range(51)]
    assert [lr[0] for lr in got] == pytest.approx(closed, rel=1e-9)


@pytest.mark.parametrize("name", list(SCHEDULERS))
def test_state_dict_has_torchs_keys_and_values(name: str) -> None:
    """After a few steps, the scheduler's state dict has the same entries as torch's (the
    nested schedulers' too), with equal values except the lambdas' (not comparable)."""
    kind, make = SCHEDULERS[name]
    states = []
    for m in (tt_optim, torch.optim):
        opt = make_optimizer(m, kind)
        sched = make(m.lr_scheduler, opt)
        for _ in range(7):
            opt.step()
            sched.step()
        states.append(sched.state_dict())
    got, want = states
    assert sorted(got) == sorted(want)
    for g, w in zip(got.get("_schedulers", []), want.get("_schedulers", []), strict=True):
        assert sorted(g) == sorted(w)
        assert g["last_epoch"] == w["last_epoch"]
    for key in ("last_epoch", "_step_count", "_is_initial", "_get_lr_called_within_step"):
        if key in want:
            assert got[key] == want[key], key
    if "_last_lr" in want:
        assert got["_last_lr"] == pytest.approx(want["_last_lr"], rel=1e-12)


@pytest.mark.parametrize(
    "name",
    [n for n in SCHEDULERS if not n.startswith("SequentialLR")],  # has no get_lr
)
def test_calling_get_lr_directly_warns_like_torch(name: str) -> None:
    kind, make = SCHEDULERS[name]
    computed = []
    for m in (tt_optim, torch.optim):
        opt = make_optimizer(m, kind)
        sched = make(m.lr_scheduler, opt)
        opt.step()
        sched.step()
        with pytest.warns(UserWarning, match=r"please use `get_last_lr\(\)`"):
            computed.append(sched.get_lr())
    assert computed[0] == pytest.approx(computed[1], rel=1e-12)


def test_one_cycle_total_steps_of_the_wrong_type_raises_like_torch() -> None:
    for m in (tt_optim, torch.optim):
        opt = make_optimizer(m, "sgd")
        with pytest.raises(TypeError):
            m.lr_scheduler.OneCycleLR(opt, 1.0, total_steps="10")
        with pytest.raises(ValueError, match="Expected positive integer total_steps"):
            m.lr_scheduler.OneCycleLR(opt, 1.0, total_steps=2.5)
