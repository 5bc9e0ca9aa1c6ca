"""Where does tt spend a case's time?  Two views, for whoever optimizes tt.

    python tests-integration/bench/run.py --profile mlp_step

1. :func:`profile`: cProfile over many steps.  The share of the time spent in each area
   (tt_tensor's Python, tt_autograd's Python, C code, everything else), then the top functions
   by SELF time (time in the function's own body, not in its callees), cumulative time beside.
   cProfile adds a fixed cost to every Python call, so it inflates call-heavy Python code
   against C kernels: read the shares as "where to look", not as exact fractions.  Note that
   it cannot see NumPy's ufuncs and operators (``np.matmul``, ``a @ b``, ``np.exp``): their
   time is counted as the self time of the Python function calling them.
2. :func:`primitive_times`: no profiler; a dispatch observer times every primitive call (the
   NumPy work, wrapping the result, and recording the node).  What the primitives do not
   account for is the framework's glue: op front-ends, the backward engine, formula code.
"""

from __future__ import annotations

import cProfile
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import PurePath
from types import CodeType
from typing import Any

from bench_cases import build
from bench_timing import warm_up

TT_PACKAGES = ("tt_tensor", "tt_autograd")


@dataclass
class FunctionCost:
    calls: int = 0
    self_s: float = 0.0
    cumulative_s: float = 0.0


def profile(case: str, seconds: float = 3.0, top: int = 20) -> str:
    """Profile tt's ``case`` for about ``seconds`` and return the report."""
    step = build(case, "tt").step
    warm_up(step, 0.5)
    profiler = cProfile.Profile()
    steps = 0
    deadline = time.perf_counter() + seconds
    profiler.enable()
    while time.perf_counter() < deadline:
        step()
        steps += 1
    profiler.disable()

    costs: dict[str, FunctionCost] = defaultdict(FunctionCost)
    for entry in profiler.getstats():
        cost = costs[_name(entry.code)]
        cost.calls += entry.callcount
        cost.self_s += entry.inlinetime
        cost.cumulative_s += entry.totaltime
    total = sum(c.self_s for c in costs.values())

    areas: dict[str, float] = defaultdict(float)
    for name, cost in costs.items():
        areas[_area(name)] += cost.self_s
    lines = [f"tt {case}: {steps} steps profiled, {1e6 * total / steps:.1f} us per step"]
    lines += [f"  {100 * s / total:5.1f}%  {area}" for area, s in _by_value(areas)]
    lines.append(f"\n  {'self':>6} {'cum':>6} {'calls/step':>10}  function")
    for name, cost in sorted(costs.items(), key=lambda kv: -kv[1].self_s)[:top]:
        lines.append(
            f"  {100 * cost.self_s / total:5.1f}% {100 * cost.cumulative_s / total:5.1f}% "
            f"{cost.calls / steps:10.1f}  {name}"
        )
    return "\n".join(lines)


def _name(code: CodeType | str) -> str:
    """``tt_tensor/dispatch.py:179(dispatch)`` for Python code (the path from the package
    folder on), cProfile's own label for C code (``<built-in method ...>``)."""
    if isinstance(code, str):
        return code
    parts = PurePath(code.co_filename).parts
    top = next((i for i, p in enumerate(parts) if p in (*TT_PACKAGES, "numpy")), len(parts) - 1)
    return f"{'/'.join(parts[top:])}:{code.co_firstlineno}({code.co_name})"


def _area(name: str) -> str:
    for package in TT_PACKAGES:
        if name.startswith(package + "/"):
            return f"{package} (Python)"
    if name.startswith("numpy/"):
        return "NumPy's Python layer (np.ones, broadcast_to, reductions' wrappers)"
    if name.startswith("<"):
        return "C code (builtins, NumPy methods; ufuncs and operators are not seen)"
    return "other Python (harness, stdlib)"


def _by_value(d: dict[str, float]) -> list[tuple[str, float]]:
    return sorted(d.items(), key=lambda kv: -kv[1])


def primitive_times(case: str, seconds: float = 3.0) -> str:
    """Time every primitive call of tt's ``case`` with dispatch observers; return the report."""
    from tt_tensor import dispatch
    from tt_tensor.dispatch import Primitive

    step = build(case, "tt").step
    warm_up(step, 0.5)
    costs: dict[str, FunctionCost] = defaultdict(FunctionCost)
    starts: list[float] = []  # a stack: the observers of one call run around its forward

    def before(op: Primitive, inputs: Any, arrays: Any, params: Any) -> None:
        starts.append(time.perf_counter())

    def after(op: Primitive, inputs: Any, arrays: Any, params: Any, out: Any) -> None:
        cost = costs[op.name]
        cost.self_s += time.perf_counter() - starts.pop()
        cost.calls += 1

    steps = 0
    start = time.perf_counter()
    with dispatch.add_observer(after=after, before=before):
        while time.perf_counter() - start < seconds:
            step()
            steps += 1
    total = time.perf_counter() - start
    in_primitives = sum(c.self_s for c in costs.values())
    lines = [
        f"tt {case}: {steps} steps, {1e6 * total / steps:.1f} us per step (with observers); "
        f"{100 * in_primitives / total:.1f}% inside primitives, "
        f"{100 * (1 - in_primitives / total):.1f}% glue outside them",
        f"\n  {'share':>6} {'us/step':>9} {'calls/step':>10}  primitive",
    ]
    for name, cost in sorted(costs.items(), key=lambda kv: -kv[1].self_s):
        lines.append(
            f"  {100 * cost.self_s / total:5.1f}% {1e6 * cost.self_s / steps:9.1f} "
            f"{cost.calls / steps:10.1f}  {name}"
        )
    return "\n".join(lines)
