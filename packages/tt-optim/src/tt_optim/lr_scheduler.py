"""Learning-rate schedulers (``torch.optim.lr_scheduler``): each ``scheduler.step()`` sets a
new ``group["lr"]`` in every parameter group of an optimizer.

The protocol is PyTorch's:

* **The constructor takes a step.**  Building a scheduler records ``group["initial_lr"]``
  (the optimizer's current lr, unless a group already has one), stores those as
  ``base_lrs``, sets ``last_epoch = -1`` and calls ``step()`` once, so that after
  construction ``last_epoch == 0`` and the lr is the schedule's value at step 0.
* **Call ``scheduler.step()`` after ``optimizer.step()``**, once per epoch (or per batch for
  ``OneCycleLR``): it increments ``last_epoch`` and writes the lr for that step.
* **Chainable formulas.**  Most ``get_lr`` methods compute the new lr from the *current*
  ``group["lr"]`` (e.g. ``StepLR`` multiplies by ``gamma`` on multiples of ``step_size``)
  rather than from a closed form, so schedulers can be combined.  ``step(epoch)`` (deprecated
  in PyTorch) jumps to an epoch with the closed form where one exists.
* ``get_last_lr()`` returns the lrs written by the last step (calling ``get_lr()`` yourself
  warns, as in PyTorch: it computes the *next* step's lrs, and ``OneCycleLR``'s also moves
  the momentum); ``state_dict()`` holds every attribute but the optimizer;
  ``load_state_dict`` restores them.
* ``ReduceLROnPlateau`` is the exception, as in PyTorch: it follows a metric, not the epoch
  count.  Its constructor takes no step and adds no ``"initial_lr"``, and each
  ``step(metric)`` cuts the lrs when the metric has stopped improving.

>>> import tt_tensor as tt
>>> from tt_optim.sgd import SGD
>>> opt = SGD([tt.zeros(1, requires_grad=True)], lr=1.0)
>>> sched = StepLR(opt, step_size=2, gamma=0.5)
>>> lrs = []
>>> for epoch in range(5):
...     opt.step()  # the training of one epoch goes here
...     lrs.append(sched.get_last_lr()[0])
...     sched.step()
>>> lrs
[1.0, 1.0, 0.5, 0.5, 0.25]

Systems question: why do schedulers default to recursive ("chainable") formulas instead of
the closed forms, and what is the price (hint: floating-point drift over many steps)?
"""

from __future__ import annotations

import math
import types
import warnings
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Literal, SupportsFloat

from .optimizer import Optimizer

__all__ = [
    "CosineAnnealingLR",
    "ExponentialLR",
    "LRScheduler",
    "LambdaLR",
    "LinearLR",
    "MultiStepLR",
    "OneCycleLR",
    "ReduceLROnPlateau",
    "SequentialLR",
    "StepLR",
]

EPOCH_DEPRECATION_WARNING = (
    "The epoch parameter in `scheduler.step()` was not necessary and is being deprecated where "
    "possible. Please use `scheduler.step()` to step the scheduler. During the deprecation, if "
    "epoch is different from None, the closed form is used instead of the new chainable form, "
    "where available."
)


def _warn_get_lr_called_within_step(scheduler: LRScheduler) -> None:
    """Warn (``UserWarning``, as PyTorch does) when ``get_lr`` is called from outside
    :meth:`LRScheduler.step`: ``get_lr`` computes the lrs of the step being taken, the lrs in
    use are those of :meth:`LRScheduler.get_last_lr`."""
    if not scheduler._get_lr_called_within_step:
        warnings.warn(
            "To get the last learning rate computed by the scheduler, please use `get_last_lr()`.",
            UserWarning,
            stacklevel=3,
        )


def _lrs(optimizer: Optimizer) -> list[float]:
    """The current ``lr`` of every parameter group."""
    return [group["lr"] for group in optimizer.param_groups]


class LRScheduler:
    """Base class of learning-rate schedulers: ``LRScheduler(optimizer, last_epoch=-1)``.

    A subclass implements :meth:`get_lr` (the lrs for step ``last_epoch``, usually from the
    current ones) and may implement :meth:`_get_closed_form_lr`.  ``last_epoch >= 0`` resumes
    a schedule: every group must then already hold ``"initial_lr"`` (``KeyError``
    otherwise).

    ``get_lr`` is called by :meth:`step` (which sets ``_get_lr_called_within_step`` around
    the call); called directly it warns and points to :meth:`get_last_lr`."""

    _get_lr_called_within_step: bool = False
    _is_initial: bool = False

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")
        self.optimizer = optimizer
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", group["lr"])
        else:
            for i, group in enumerate(optimizer.param_groups):
                if "initial_lr" not in group:
                    raise KeyError(
                        f"param 'initial_lr' is not specified in param_groups[{i}] when "
                        "resuming scheduler with last_epoch >= 0 (load the optimizer's state "
                        "dict first)"
                    )
        self.base_lrs: list[float] = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self._initial_step()

    def _initial_step(self) -> None:
        """Reset the step count and take the constructor's step (``last_epoch`` -1 -> 0)."""
        self._step_count = 0
        self._is_initial = True
        try:
            self.step()
        finally:
            self._is_initial = False

    def get_lr(self) -> list[float]:
        """The lr of every group for step ``last_epoch`` (called by :meth:`step`; a direct
        call warns: use :meth:`get_last_lr`)."""
        raise NotImplementedError(f"{type(self).__name__} does not implement get_lr")

    def _get_closed_form_lr(self) -> list[float] | None:
        """The lrs at ``last_epoch`` from a closed formula, or ``None`` if there is none."""
        return None

    def get_last_lr(self) -> list[float]:
        """The lrs that the last :meth:`step` wrote, one per parameter group."""
        return self._last_lr

    def step(self, epoch: int | None = None) -> None:
        """Advance the schedule by one step and write the new lrs into the optimizer.

        ``epoch`` (deprecated, as in PyTorch) jumps to that epoch, with the closed form when
        the scheduler has one."""
        self._step_count += 1
        if epoch is not None:
            warnings.warn(EPOCH_DEPRECATION_WARNING, UserWarning, stacklevel=2)
        self._update_lr(epoch)

    def _update_lr(self, epoch: int | None = None) -> None:
        values: list[float] | None
        self._get_lr_called_within_step = True
        try:
            if epoch is None:
                self.last_epoch += 1
                values = self.get_lr()
            else:
                self.last_epoch = epoch
                values = self._get_closed_form_lr()
                if values is None:
                    values = self.get_lr()
        finally:
            self._get_lr_called_within_step = False
        for group, lr in zip(self.optimizer.param_groups, values, strict=True):
            group["lr"] = lr
        self._last_lr = _lrs(self.optimizer)

    def state_dict(self) -> dict[str, Any]:
        """Every attribute of the scheduler except the optimizer."""
        return {k: v for k, v in self.__dict__.items() if k != "optimizer"}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore the attributes saved by :meth:`state_dict`."""
        self.__dict__.update(state_dict)


class LambdaLR(LRScheduler):
    """``lr = base_lr * lr_lambda(epoch)``: ``LambdaLR(optimizer, lr_lambda, last_epoch=-1)``.

    ``lr_lambda`` is one function, or a list with one per parameter group.  ``state_dict``
    does not save plain functions or lambdas (they cannot be serialised); a callable object's
    ``__dict__`` is saved instead.

    >>> import tt_tensor as tt
    >>> from tt_optim.sgd import SGD
    >>> opt = SGD([tt.zeros(1, requires_grad=True)], lr=0.1)
    >>> sched = LambdaLR(opt, lambda epoch: 0.5**epoch)
    >>> sched.step(); sched.get_last_lr()
    [0.05]
    """

    def __init__(
        self,
        optimizer: Optimizer,
        lr_lambda: Callable[[int], float] | Sequence[Callable[[int], float]],
        last_epoch: int = -1,
    ) -> None:
        self.optimizer = optimizer
        n = len(optimizer.param_groups)
        if not isinstance(lr_lambda, list | tuple):
            self.lr_lambdas: list[Callable[[int], float]] = [lr_lambda] * n  # type: ignore[list-item]
        else:
            if len(lr_lambda) != n:
                raise ValueError(f"Expected {n} lr_lambdas, but got {len(lr_lambda)}")
            self.lr_lambdas = list(lr_lambda)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        _warn_get_lr_called_within_step(self)
        return [
            base_lr * lmbda(self.last_epoch)
            for lmbda, base_lr in zip(self.lr_lambdas, self.base_lrs, strict=True)
        ]

    def state_dict(self) -> dict[str, Any]:
        """The attributes, with ``lr_lambdas`` as ``None`` for functions and the ``__dict__``
        of callable objects."""
        state = {k: v for k, v in self.__dict__.items() if k not in ("optimizer", "lr_lambdas")}
        state["lr_lambdas"] = [
            None if isinstance(fn, types.FunctionType) else dict(vars(fn)) for fn in self.lr_lambdas
        ]
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore the attributes; the saved ``__dict__`` of callable lambdas are applied to
        this scheduler's lambdas (which stay the ones given to the constructor)."""
        state = {k: v for k, v in state_dict.items() if k != "lr_lambdas"}
        self.__dict__.update(state)
        for fn, saved in zip(self.lr_lambdas, state_dict["lr_lambdas"], strict=True):
            if saved is not None:
                vars(fn).update(saved)


class StepLR(LRScheduler):
    """Multiply the lr by ``gamma`` every ``step_size`` epochs:
    ``StepLR(optimizer, step_size, gamma=0.1, last_epoch=-1)``.

    ``lr = base_lr * gamma ** (epoch // step_size)``."""

    def __init__(
        self, optimizer: Optimizer, step_size: int, gamma: float = 0.1, last_epoch: int = -1
    ) -> None:
        self.step_size = step_size
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        _warn_get_lr_called_within_step(self)
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return _lrs(self.optimizer)
        return [lr * self.gamma for lr in _lrs(self.optimizer)]

    def _get_closed_form_lr(self) -> list[float]:
        return [
            base_lr * self.gamma ** (self.last_epoch // self.step_size) for base_lr in self.base_lrs
        ]


class MultiStepLR(LRScheduler):
    """Multiply the lr by ``gamma`` at each milestone epoch:
    ``MultiStepLR(optimizer, milestones, gamma=0.1, last_epoch=-1)``.

    A milestone listed twice multiplies by ``gamma**2``."""

    def __init__(
        self,
        optimizer: Optimizer,
        milestones: Iterable[int],
        gamma: float = 0.1,
        last_epoch: int = -1,
    ) -> None:
        self.milestones = Counter(milestones)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        _warn_get_lr_called_within_step(self)
        if self.last_epoch not in self.milestones:
            return _lrs(self.optimizer)
        factor = self.gamma ** self.milestones[self.last_epoch]
        return [lr * factor for lr in _lrs(self.optimizer)]

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore the saved attributes; ``milestones`` becomes a ``Counter`` again (a
        checkpoint file stores it as a plain mapping of epoch to count)."""
        super().load_state_dict(state_dict)
        self.milestones = Counter(self.milestones)

    def _get_closed_form_lr(self) -> list[float]:
        milestones = sorted(self.milestones.elements())
        passed = bisect_right(milestones, self.last_epoch)
        return [base_lr * self.gamma**passed for base_lr in self.base_lrs]


class ExponentialLR(LRScheduler):
    """Multiply the lr by ``gamma`` every epoch: ``ExponentialLR(optimizer, gamma,
    last_epoch=-1)``; ``lr = base_lr * gamma ** epoch``."""

    def __init__(self, optimizer: Optimizer, gamma: float, last_epoch: int = -1) -> None:
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        _warn_get_lr_called_within_step(self)
        if self._is_initial:
            return _lrs(self.optimizer)
        return [lr * self.gamma for lr in _lrs(self.optimizer)]

    def _get_closed_form_lr(self) -> list[float]:
        return [base_lr * self.gamma**self.last_epoch for base_lr in self.base_lrs]


class CosineAnnealingLR(LRScheduler):
    r"""Anneal the lr along a half cosine from ``base_lr`` down to ``eta_min`` in ``T_max``
    epochs: ``CosineAnnealingLR(optimizer, T_max, eta_min=0.0, last_epoch=-1)``.

    The closed form is ``eta_min + (base_lr - eta_min) * (1 + cos(pi * epoch / T_max)) / 2``;
    past ``T_max`` the lr climbs back (a full cosine period is ``2 T_max``).  Like PyTorch,
    each step uses the recursive form (``T`` = T_max)::

        lr_t = eta_min + (lr_{t-1} - eta_min) * (1 + cos(pi t / T)) / (1 + cos(pi (t-1) / T))

    which equals the closed form when nothing else changes the lr, and follows any other
    change made to ``group["lr"]``.  At the bottom of the cosine (where the ratio is 0/0) it
    adds the closed-form increment instead.
    """

    def __init__(
        self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0, last_epoch: int = -1
    ) -> None:
        self.T_max = T_max
        self.eta_min = eta_min
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        _warn_get_lr_called_within_step(self)
        t, T, eta_min = self.last_epoch, self.T_max, self.eta_min
        if self._is_initial:
            return _lrs(self.optimizer)
        if self._step_count == 1 and t > 0:  # resumed at epoch t: use the closed form
            return [
                eta_min + (base_lr - eta_min) * (1 + math.cos(t * math.pi / T)) / 2
                for base_lr in self.base_lrs
            ]
        if (t - 1 - T) % (2 * T) == 0:  # leaving the bottom of the cosine
            return [
                lr + (base_lr - eta_min) * (1 - math.cos(math.pi / T)) / 2
                for base_lr, lr in zip(self.base_lrs, _lrs(self.optimizer), strict=True)
            ]
        ratio = (1 + math.cos(math.pi * t / T)) / (1 + math.cos(math.pi * (t - 1) / T))
        return [ratio * (lr - eta_min) + eta_min for lr in _lrs(self.optimizer)]

    def _get_closed_form_lr(self) -> list[float]:
        return [
            self.eta_min
            + (base_lr - self.eta_min) * (1 + math.cos(math.pi * self.last_epoch / self.T_max)) / 2
            for base_lr in self.base_lrs
        ]


class LinearLR(LRScheduler):
    """Move the lr factor linearly from ``start_factor`` to ``end_factor`` over
    ``total_iters`` epochs, then keep it: ``LinearLR(optimizer, start_factor=1/3,
    end_factor=1.0, total_iters=5, last_epoch=-1)``.  The usual warm-up.

    ``lr = base_lr * (start + (end - start) * min(epoch, total_iters) / total_iters)``,
    computed recursively as in PyTorch (each step multiplies the current lr by the ratio of
    consecutive factors)."""

    def __init__(
        self,
        optimizer: Optimizer,
        start_factor: float = 1.0 / 3,
        end_factor: float = 1.0,
        total_iters: int = 5,
        last_epoch: int = -1,
    ) -> None:
        if start_factor > 1.0 or start_factor <= 0:
            raise ValueError(
                "Starting multiplicative factor expected to be greater than 0 and less or "
                "equal to 1."
            )
        if end_factor > 1.0 or end_factor < 0:
            raise ValueError("Ending multiplicative factor expected to be between 0 and 1.")
        self.start_factor = start_factor
        self.end_factor = end_factor
        self.total_iters = total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        _warn_get_lr_called_within_step(self)
        if self.last_epoch == 0:
            return [lr * self.start_factor for lr in _lrs(self.optimizer)]
        if self._is_initial or self.last_epoch > self.total_iters:
            return _lrs(self.optimizer)
        slope = self.end_factor - self.start_factor
        ratio = 1.0 + slope / (self.total_iters * self.start_factor + (self.last_epoch - 1) * slope)
        return [lr * ratio for lr in _lrs(self.optimizer)]

    def _get_closed_form_lr(self) -> list[float]:
        done = min(self.total_iters, self.last_epoch) / self.total_iters
        factor = self.start_factor + (self.end_factor - self.start_factor) * done
        return [base_lr * factor for base_lr in self.base_lrs]


class OneCycleLR(LRScheduler):
    """The 1cycle policy (Smith and Topin, 2017), stepped once per *batch*: the lr rises from
    ``max_lr / div_factor`` to ``max_lr`` during the first ``pct_start`` of ``total_steps``,
    then falls to ``initial_lr / final_div_factor``; the momentum moves the opposite way,
    between ``max_momentum`` and ``base_momentum``.

    ``OneCycleLR(optimizer, max_lr, total_steps=None, epochs=None, steps_per_epoch=None,
    pct_start=0.3, anneal_strategy="cos", cycle_momentum=True, base_momentum=0.85,
    max_momentum=0.95, div_factor=25.0, final_div_factor=1e4, three_phase=False,
    last_epoch=-1)``

    Each phase interpolates from its start value to its end value with
    ``anneal(start, end, pct)``: ``"cos"`` is ``end + (start - end) / 2 * (1 + cos(pi pct))``,
    ``"linear"`` is ``start + (end - start) * pct``.  ``three_phase`` adds a return to
    ``initial_lr`` before the final annihilation.  With ``cycle_momentum``, the momentum is
    ``group["momentum"]`` (SGD, RMSprop) or ``group["betas"][0]`` (Adam).  Stepping more than
    ``total_steps`` times raises ``ValueError``.
    """

    def __init__(
        self,
        optimizer: Optimizer,
        max_lr: float | list[float],
        total_steps: int | None = None,
        epochs: int | None = None,
        steps_per_epoch: int | None = None,
        pct_start: float = 0.3,
        anneal_strategy: str = "cos",
        cycle_momentum: bool = True,
        base_momentum: float | list[float] = 0.85,
        max_momentum: float | list[float] = 0.95,
        div_factor: float = 25.0,
        final_div_factor: float = 1e4,
        three_phase: bool = False,
        last_epoch: int = -1,
    ) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")
        self.optimizer = optimizer
        if total_steps is not None:
            try:  # PyTorch compares first: a total_steps that is no number is a TypeError
                nonpositive = total_steps <= 0
            except TypeError:
                raise TypeError(
                    "OneCycleLR: total_steps must be a positive integer, but got "
                    f"{total_steps!r} ({type(total_steps).__name__})"
                ) from None
            if nonpositive or not isinstance(total_steps, int):
                raise ValueError(f"Expected positive integer total_steps, but got {total_steps}")
            self.total_steps = total_steps
        elif epochs is not None and steps_per_epoch is not None:
            if not isinstance(epochs, int) or epochs <= 0:
                raise ValueError(f"Expected positive integer epochs, but got {epochs}")
            if not isinstance(steps_per_epoch, int) or steps_per_epoch <= 0:
                raise ValueError(
                    f"Expected positive integer steps_per_epoch, but got {steps_per_epoch}"
                )
            self.total_steps = epochs * steps_per_epoch
        else:
            raise ValueError("You must define either total_steps OR (epochs AND steps_per_epoch)")
        if pct_start < 0 or pct_start > 1 or not isinstance(pct_start, float):
            raise ValueError(f"Expected float between 0 and 1 pct_start, but got {pct_start}")
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(
                f"anneal_strategy must be one of 'cos' or 'linear', instead got {anneal_strategy}"
            )
        self._anneal_func_type = anneal_strategy
        # Each phase: the step where it ends, and the group keys of its start and end values.
        warm_end = float(pct_start * self.total_steps) - 1
        self._schedule_phases: list[dict[str, Any]] = [
            {
                "end_step": warm_end,
                "start_lr": "initial_lr",
                "end_lr": "max_lr",
                "start_momentum": "max_momentum",
                "end_momentum": "base_momentum",
            },
        ]
        if three_phase:
            self._schedule_phases.append(
                {
                    "end_step": float(2 * pct_start * self.total_steps) - 2,
                    "start_lr": "max_lr",
                    "end_lr": "initial_lr",
                    "start_momentum": "base_momentum",
                    "end_momentum": "max_momentum",
                }
            )
        self._schedule_phases.append(
            {
                "end_step": self.total_steps - 1,
                "start_lr": "initial_lr" if three_phase else "max_lr",
                "end_lr": "min_lr",
                "start_momentum": "max_momentum" if three_phase else "base_momentum",
                "end_momentum": "max_momentum",
            }
        )

        groups = optimizer.param_groups
        max_lrs = _per_group("max_lr", optimizer, max_lr)
        if last_epoch == -1:
            for lr, group in zip(max_lrs, groups, strict=True):
                group["initial_lr"] = lr / div_factor
                group["max_lr"] = lr
                group["min_lr"] = group["initial_lr"] / final_div_factor

        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            if "momentum" not in optimizer.defaults and "betas" not in optimizer.defaults:
                raise ValueError(
                    "optimizer must support momentum or beta1 with `cycle_momentum` option enabled"
                )
            self.use_beta1 = "betas" in optimizer.defaults
            max_momenta = _per_group("max_momentum", optimizer, max_momentum)
            base_momenta = _per_group("base_momentum", optimizer, base_momentum)
            if last_epoch == -1:
                for m_max, m_base, group in zip(max_momenta, base_momenta, groups, strict=True):
                    if self.use_beta1:
                        group["betas"] = (m_max, *group["betas"][1:])
                    else:
                        group["momentum"] = m_max
                    group["max_momentum"] = m_max
                    group["base_momentum"] = m_base
        super().__init__(optimizer, last_epoch)

    def _anneal(self, start: float, end: float, pct: float) -> float:
        if self._anneal_func_type == "cos":
            return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)
        return (end - start) * pct + start

    def get_lr(self) -> list[float]:
        _warn_get_lr_called_within_step(self)
        step = self.last_epoch
        if step > self.total_steps:
            raise ValueError(
                f"Tried to step {step} times. The specified number of total steps is "
                f"{self.total_steps}"
            )
        lrs = []
        for group in self.optimizer.param_groups:
            start_step = 0.0
            last = len(self._schedule_phases) - 1
            for i, phase in enumerate(self._schedule_phases):
                end_step = phase["end_step"]
                if step <= end_step or i == last:
                    pct = (step - start_step) / (end_step - start_step)
                    lr = self._anneal(group[phase["start_lr"]], group[phase["end_lr"]], pct)
                    if self.cycle_momentum:
                        momentum = self._anneal(
                            group[phase["start_momentum"]], group[phase["end_momentum"]], pct
                        )
                    break
                start_step = end_step
            lrs.append(lr)
            if self.cycle_momentum:
                if self.use_beta1:
                    group["betas"] = (momentum, *group["betas"][1:])
                else:
                    group["momentum"] = momentum
        return lrs


def _per_group(name: str, optimizer: Optimizer, value: float | list[float]) -> list[float]:
    """``value`` for each parameter group: a list must have one entry per group."""
    n = len(optimizer.param_groups)
    if isinstance(value, list | tuple):
        if len(value) != n:
            raise ValueError(
                f"{name} must have the same length as optimizer.param_groups. "
                f"{name} has {len(value)} values, param_groups has {n}."
            )
        return list(value)
    return [value] * n


class SequentialLR(LRScheduler):
    """Run schedulers one after the other, switching at the ``milestones`` epochs:
    ``SequentialLR(optimizer, schedulers, milestones, last_epoch=-1)``.

    Warm-up then cosine::

        warmup = LinearLR(opt, start_factor=0.1, total_iters=5)
        cosine = CosineAnnealingLR(opt, T_max=45)
        sched = SequentialLR(opt, [warmup, cosine], milestones=[5])

    At a milestone the next scheduler restarts at its epoch 0 (its closed form at 0, i.e. the
    base lr).  The schedulers were built (and took their first step) before this one: the
    constructor undoes those steps and replays the first scheduler's initial step."""

    def __init__(
        self,
        optimizer: Optimizer,
        schedulers: list[LRScheduler],
        milestones: list[int],
        last_epoch: int = -1,
    ) -> None:
        name = type(self).__name__
        if len(schedulers) < 1:
            raise ValueError(f"{name} expects at least one scheduler, but got no scheduler.")
        for i, scheduler in enumerate(schedulers):
            if not hasattr(scheduler, "optimizer"):
                raise TypeError(f"{name} at index {i} should have `optimizer` as its attribute.")
            if scheduler.optimizer is not optimizer:
                raise ValueError(
                    f"{name} expects all schedulers to belong to the same optimizer, but got "
                    f"scheduler {type(scheduler).__name__} at index {i} has "
                    f"{scheduler.optimizer}, which is different from {type(optimizer).__name__}."
                )
        if len(milestones) != len(schedulers) - 1:
            raise ValueError(
                "Sequential Schedulers expects number of schedulers provided to be one more "
                "than the number of milestone points, but got number of schedulers "
                f"{len(schedulers)} and the number of milestones to be equal to {len(milestones)}"
            )
        self._schedulers = schedulers
        self._milestones = milestones
        self.last_epoch = last_epoch + 1
        self.optimizer = optimizer
        for group in optimizer.param_groups:
            group["lr"] = group["initial_lr"]
        for scheduler in schedulers:  # undo the step each took in its constructor
            _undo_step(scheduler)
        idx = bisect_right(milestones, 0)
        schedulers[idx]._initial_step()
        self._last_lr = schedulers[idx].get_last_lr()

    def step(self, epoch: int | None = None) -> None:
        """Step the scheduler in charge of the new epoch (restarting it at a milestone)."""
        if epoch is not None:
            raise TypeError("SequentialLR.step() takes no epoch argument")
        self.last_epoch += 1
        idx = bisect_right(self._milestones, self.last_epoch)
        scheduler = self._schedulers[idx]
        if idx > 0 and self._milestones[idx - 1] == self.last_epoch:
            scheduler._update_lr(0)
        else:
            scheduler.step()
        self._last_lr = scheduler.get_last_lr()

    def state_dict(self) -> dict[str, Any]:
        """The attributes, with each scheduler's own state dict in ``_schedulers``."""
        state = {k: v for k, v in self.__dict__.items() if k not in ("optimizer", "_schedulers")}
        state["_schedulers"] = [s.state_dict() for s in self._schedulers]
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore the attributes and each scheduler's state."""
        self.__dict__.update({k: v for k, v in state_dict.items() if k != "_schedulers"})
        for scheduler, saved in zip(self._schedulers, state_dict["_schedulers"], strict=True):
            scheduler.load_state_dict(saved)


def _undo_step(scheduler: LRScheduler) -> None:
    """Decrement ``last_epoch`` of a scheduler, or of every scheduler nested in a
    :class:`SequentialLR`."""
    if isinstance(scheduler, SequentialLR):
        for inner in scheduler._schedulers:
            _undo_step(inner)
    else:
        scheduler.last_epoch -= 1


class ReduceLROnPlateau(LRScheduler):
    """Cut the lr by ``factor`` when a metric has stopped improving for ``patience`` epochs.

    ``ReduceLROnPlateau(optimizer, mode="min", factor=0.1, patience=10, threshold=1e-4,
    threshold_mode="rel", cooldown=0, min_lr=0, eps=1e-8)``

    Unlike the other schedulers it follows a measured quantity, not the epoch count: call
    ``scheduler.step(metric)`` once per epoch, after validation, with the value to watch
    (a validation loss in ``mode="min"``, an accuracy in ``mode="max"``; a number or a 0-d
    tensor).  The constructor takes no step and leaves the groups as they are (no
    ``"initial_lr"``).

    **Rule**, at each ``step(metric)``:

    1. *Improvement test* against ``best`` (the best metric so far, at first ``+inf`` in
       ``"min"`` mode and ``-inf`` in ``"max"``)::

           min, rel:  metric < best * (1 - threshold)
           min, abs:  metric < best - threshold
           max, rel:  metric > best * (1 + threshold)
           max, abs:  metric > best + threshold

       If it passes, ``best = metric`` and ``num_bad_epochs = 0``; otherwise
       ``num_bad_epochs += 1``.
    2. *Cooldown*: if ``cooldown_counter > 0``, it is decremented and ``num_bad_epochs`` is
       reset to 0 (bad epochs during a cooldown do not count).
    3. *Reduction*: if ``num_bad_epochs > patience``, every group gets
       ``new_lr = max(lr * factor, min_lr[i])``, written only when ``lr - new_lr > eps``
       (so an lr at its floor stays exactly there); then ``cooldown_counter = cooldown`` and
       ``num_bad_epochs = 0``.

    So with ``patience=2`` the lr drops at the third epoch in a row without improvement; a
    value that is better but by less than the threshold counts as no improvement.

    ``min_lr`` is one floor for every group, or a list with one per group (``ValueError``
    when its length differs from the number of groups; with a list, adding a group later
    makes the next reduction raise ``RuntimeError``, with a scalar the floor extends to the
    new group).  ``factor >= 1``, an unknown ``mode`` or ``threshold_mode`` raise
    ``ValueError``, with PyTorch's messages.  ``get_last_lr()`` returns the groups' lrs after
    the last step (at construction, their current lrs); ``state_dict()`` holds every
    attribute but the optimizer (``best``, ``num_bad_epochs``, ``cooldown_counter``,
    ``last_epoch``, the options, ...), so training resumed from it reduces the lr at the
    same epochs.

    >>> import tt_tensor as tt
    >>> from tt_optim.sgd import SGD
    >>> opt = SGD([tt.zeros(1, requires_grad=True)], lr=1.0)
    >>> sched = ReduceLROnPlateau(opt, factor=0.5, patience=1)
    >>> lrs = []
    >>> for val_loss in [3.0, 2.0, 2.0, 2.0, 1.0, 1.5, 1.5]:
    ...     sched.step(val_loss)
    ...     lrs.append(sched.get_last_lr()[0])
    >>> lrs  # halved after the second epoch in a row without improvement
    [1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.25]
    """

    def __init__(
        self,
        optimizer: Optimizer,
        mode: Literal["min", "max"] = "min",
        factor: float = 0.1,
        patience: int = 10,
        threshold: float = 1e-4,
        threshold_mode: Literal["rel", "abs"] = "rel",
        cooldown: int = 0,
        min_lr: list[float] | float = 0,
        eps: float = 1e-8,
    ) -> None:
        if factor >= 1.0:
            raise ValueError("Factor should be < 1.0.")
        self.factor = factor
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")
        self.optimizer = optimizer
        n = len(optimizer.param_groups)
        self.default_min_lr: float | None
        if isinstance(min_lr, list | tuple):
            if len(min_lr) != n:
                raise ValueError(f"expected {n} min_lrs, got {len(min_lr)}")
            self.default_min_lr = None
            self.min_lrs = list(min_lr)
        else:
            self.default_min_lr = min_lr
            self.min_lrs = [min_lr] * n
        self.patience = patience
        self.cooldown = cooldown
        self.eps = eps
        self.last_epoch = 0
        self._last_lr = _lrs(optimizer)
        self._init_is_better(mode, threshold, threshold_mode)
        self._reset()

    def _init_is_better(self, mode: str, threshold: float, threshold_mode: str) -> None:
        """Check and set the comparison options, and ``mode_worse`` (the start of ``best``)."""
        if mode not in ("min", "max"):
            raise ValueError(f"mode {mode} is unknown!")
        if threshold_mode not in ("rel", "abs"):
            raise ValueError(f"threshold mode {threshold_mode} is unknown!")
        self.mode_worse = math.inf if mode == "min" else -math.inf
        self.mode = mode
        self.threshold = threshold
        self.threshold_mode = threshold_mode

    def _reset(self) -> None:
        """Forget the best value and the bad-epoch and cooldown counters."""
        self.best = self.mode_worse
        self.cooldown_counter = 0
        self.num_bad_epochs = 0

    @property
    def in_cooldown(self) -> bool:
        """Whether the scheduler is in the cooldown that follows a reduction."""
        return self.cooldown_counter > 0

    def _is_better(self, a: float, best: float) -> bool:
        """Whether ``a`` improves on ``best`` by more than the threshold (step 1 of the rule)."""
        if self.mode == "min":
            if self.threshold_mode == "rel":
                return a < best * (1.0 - self.threshold)
            return a < best - self.threshold
        if self.threshold_mode == "rel":
            return a > best * (self.threshold + 1.0)
        return a > best + self.threshold

    def step(self, metrics: SupportsFloat, epoch: int | None = None) -> None:  # type: ignore[override]
        """Record the epoch's ``metrics`` (a number or a 0-d tensor) and reduce the lrs if
        it has not improved for more than ``patience`` epochs (the class docstring's rule).

        ``epoch`` (deprecated, as in PyTorch) sets ``last_epoch`` instead of incrementing it."""
        current = float(metrics)
        if epoch is None:
            epoch = self.last_epoch + 1
        else:
            warnings.warn(EPOCH_DEPRECATION_WARNING, UserWarning, stacklevel=2)
        self.last_epoch = epoch
        if self._is_better(current, self.best):
            self.best = current
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.in_cooldown:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0
        if self.num_bad_epochs > self.patience:
            self._reduce_lr()
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        self._last_lr = _lrs(self.optimizer)

    def _reduce_lr(self) -> None:
        """Multiply every group's lr by ``factor``, not below its ``min_lr``."""
        groups = self.optimizer.param_groups
        if len(groups) != len(self.min_lrs):
            if self.default_min_lr is None:
                raise RuntimeError(
                    f"The number of param groups in the `optimizer` ({len(groups)}) differs "
                    "from when `ReduceLROnPlateau` was initialized "
                    f"({len(self.min_lrs)}), usually due to a new param group being added to "
                    "the optimizer. Please modify the `min_lrs` field to match the length of "
                    "the `optimizer` param groups."
                )
            self.min_lrs = [self.default_min_lr] * len(groups)
        for group, min_lr in zip(groups, self.min_lrs, strict=True):
            old_lr = float(group["lr"])
            new_lr = max(old_lr * self.factor, min_lr)
            if old_lr - new_lr > self.eps:
                group["lr"] = new_lr

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore the attributes saved by :meth:`state_dict` (and check the modes again)."""
        super().load_state_dict(state_dict)
        self._init_is_better(self.mode, self.threshold, self.threshold_mode)
