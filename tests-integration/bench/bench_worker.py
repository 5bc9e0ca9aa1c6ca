"""What one worker process does: time one case on one backend (tt's worker: also the case's
``with_tt`` backends) each time the parent asks, and print each result as a line of JSON.

A worker imports only its own backend (tt never shares a process with torch: their thread pools
would compete for the same cores).  It lives for the whole run: it builds and warms up its
workload once, then waits on stdin; the parent wakes one worker at a time, so while one times,
the others sleep.
The tt worker of a case with ``with_tt`` backends (plain NumPy, which shares tt's libraries and
thread pool) times those too, their loops alternating with tt's.
"""

from __future__ import annotations

import importlib
import json
import os
import platform
import sys
from collections.abc import Callable
from typing import Any

from bench_cases import CASES, Backend, build
from bench_memory import run_memory
from bench_timing import TimingSettings, measure_interleaved, prepare

# The variables that size the BLAS / OpenMP thread pools of NumPy (OpenBLAS) and torch (MKL,
# OpenMP).  The parent sets all of them to the same value for every worker.
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def serve_case(backend: Backend, case: str, settings: TimingSettings) -> None:
    """Build ``case`` on ``backend``, warm it up and calibrate it, print ``{"ready": true,
    "runtimes": ...}`` (versions and thread pools, see :func:`runtime_info`); then, for every
    line the parent writes to stdin (one per round), time ``settings.repeats`` loops and print
    the result.  Returns at the end of stdin.

    The tt worker also times the case's ``with_tt`` backends, interleaved with tt; their
    results come back under ``"with_tt"``."""
    backends = (backend, *CASES[case].with_tt) if backend == "tt" else (backend,)
    workloads = {b: build(case, b) for b in backends}
    steps: dict[str, Callable[[], object]] = {b: w.step for b, w in workloads.items()}
    numbers = prepare(steps, settings)
    emit({"ready": True, "runtimes": {b: runtime_info(b) for b in backends}})
    for _ in sys.stdin:
        load = os.getloadavg()[0]  # a busy machine explains an odd round
        timings = measure_interleaved(steps, numbers, settings.repeats)
        results = {
            b: {
                "backend": b,
                "case": case,
                "loadavg_1min": load,
                "number": timings[b].number,
                "per_call_s": timings[b].per_call_s,
                "median_s": timings[b].median_s,
                "best_s": timings[b].best_s,
                "check": workloads[b].check,
            }
            for b in backends
        }
        result = results.pop(backend)
        if results:
            result["with_tt"] = results
        emit(result)


def memory_case(steps: int, every: int) -> dict[str, Any]:
    return {"backend": "tt", "case": "memory", **run_memory(steps, every)}


def emit(result: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(result) + "\n")
    sys.stdout.flush()


def runtime_info(backend: Backend) -> dict[str, Any]:
    """Versions and thread-pool sizes as this worker sees them."""
    import numpy as np

    info: dict[str, Any] = {
        "python": platform.python_version(),
        "pid": os.getpid(),
        "thread_env": {name: os.environ.get(name) for name in THREAD_VARIABLES},
        "numpy": np.__version__,
        "numpy_blas": numpy_blas(),
    }
    if backend == "tt":
        import tt_autograd
        import tt_tensor

        info["tt_tensor"] = tt_tensor.__version__
        info["tt_autograd"] = tt_autograd.__version__
    if backend == "torch":
        info.update(torch_info())
    return info


def numpy_blas() -> str:
    """NumPy's BLAS in one line, e.g. ``scipy-openblas 0.3.31 (OpenBLAS ... MAX_THREADS=64)``."""
    import numpy as np

    config: Any = np.show_config(mode="dicts")
    blas = config.get("Build Dependencies", {}).get("blas", {})
    detail = " ".join(str(blas.get("openblas configuration", "")).split())
    return f"{blas.get('name', '?')} {blas.get('version', '?')}" + (
        f" ({detail})" if detail else ""
    )


def torch_info() -> dict[str, Any]:
    torch = importlib.import_module("torch")
    settings = str(torch.__config__.show())
    blas = next((p for p in settings.replace(",", " ").split() if p.startswith("BLAS_INFO=")), "")
    backend = next(
        (line for line in torch.__config__.parallel_info().splitlines() if "backend" in line), ""
    )
    return {
        "torch": torch.__version__,
        "torch_threads": torch.get_num_threads(),
        "torch_interop_threads": torch.get_num_interop_threads(),
        "torch_blas": blas.removeprefix("BLAS_INFO="),
        "torch_parallel": backend.strip(),
    }
