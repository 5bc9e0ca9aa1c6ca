"""Timing workloads inside a worker process, the way :mod:`timeit` does.

1. **Warm up**: call ``step`` for a while, so caches, allocators and lazy initialisation (BLAS
   thread pools, torch's dispatcher) are in their steady state before anything is timed.
2. **Calibrate**: find a call count ``number`` (1, 2, 5, 10, 20, 50, ...) whose loop runs for at
   least ``min_repeat_s``, so the clock's resolution and the loop's own cost are negligible.
3. **Repeat**: time ``repeats`` loops of ``number`` calls; each gives one per-call time.

A worker does steps 1 and 2 once, then step 3 each time the parent asks (once per round), and
reports every per-call time, with their best and their median (the parent uses the best, see
bench_report.py).

Several workloads in one process (tt and the plain-NumPy version of a step, which share NumPy
and its BLAS thread pool) are each warmed up and calibrated, then step 3 times every workload
once per repeat, the first of each repeat rotating (tt, numpy; numpy, tt; ...), so a slow
phase of the machine falls on both and each pair of loops ran moments apart.

Two choices differ from :mod:`timeit` on purpose:

* the garbage collector stays ON: a framework that allocates many Python objects per op pays
  for collections in real training loops, and so it does here (both sides alike);
* the loop calls a Python function per iteration (about 0.05 us), for every backend alike.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class TimingSettings:
    warmup_s: float
    min_repeat_s: float
    repeats: int


@dataclass(frozen=True)
class Timing:
    number: int  # calls per timed loop
    per_call_s: list[float] = field(default_factory=list)  # one per repeat

    @property
    def median_s(self) -> float:
        return statistics.median(self.per_call_s)

    @property
    def best_s(self) -> float:
        return min(self.per_call_s)


def prepare(steps: Mapping[str, Callable[[], object]], settings: TimingSettings) -> dict[str, int]:
    """Steps 1 and 2 for each of ``steps``: warm it up, then find its call count ``number``."""
    for step in steps.values():
        warm_up(step, settings.warmup_s)
    return {name: calibrate(step, settings.min_repeat_s) for name, step in steps.items()}


def measure_interleaved(
    steps: Mapping[str, Callable[[], object]], numbers: Mapping[str, int], repeats: int
) -> dict[str, Timing]:
    """Step 3: time ``repeats`` loops of ``numbers[name]`` calls of each of ``steps``; repeat
    ``r`` times every step once, starting with step ``r mod len(steps)``."""
    names = list(steps)
    per_call: dict[str, list[float]] = {name: [] for name in names}
    for r in range(repeats):
        for name in rotated(names, r):
            per_call[name].append(time_loop(steps[name], numbers[name]) / numbers[name])
    return {name: Timing(numbers[name], per_call[name]) for name in names}


def rotated(items: Sequence[T], r: int) -> list[T]:
    """``items`` starting at item ``r mod len(items)``: round ``r``'s order."""
    first = r % len(items)
    return [*items[first:], *items[:first]]


def time_loop(step: Callable[[], object], number: int) -> float:
    """Seconds taken by ``number`` back-to-back calls of ``step``."""
    start = time.perf_counter()
    for _ in range(number):
        step()
    return time.perf_counter() - start


def warm_up(step: Callable[[], object], seconds: float, min_calls: int = 3) -> None:
    deadline = time.perf_counter() + seconds
    calls = 0
    while calls < min_calls or time.perf_counter() < deadline:
        step()
        calls += 1


def calibrate(step: Callable[[], object], min_repeat_s: float) -> int:
    """The smallest count in 1, 2, 5, 10, 20, 50, ... whose loop takes ``min_repeat_s``."""
    scale = 1
    while True:
        for multiple in (1, 2, 5):
            number = multiple * scale
            if time_loop(step, number) >= min_repeat_s:
                return number
        scale *= 10
