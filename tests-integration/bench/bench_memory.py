"""Does tt leak?  Train the MLP for many steps and watch the process's memory.

Every ``every`` steps the worker samples

* the resident set size (RSS) of the process, from ``/proc/self/statm`` (Linux), and
* the number of live autograd :class:`tt_autograd.Node` objects, by walking the objects the
  garbage collector tracks (nodes hold references to other objects, so it tracks them all).

A training loop that frees each step's graph keeps both flat after a short warmup (the first
steps allocate NumPy's and the BLAS's buffers for good).  A leak shows as RSS growing with the
step count, or as nodes piling up: a graph kept alive by a stray reference.
"""

from __future__ import annotations

import gc
import os
import resource
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

from bench_cases import build

STATM = Path("/proc/self/statm")


@dataclass(frozen=True)
class Sample:
    step: int
    rss_mib: float
    live_nodes: int


def rss_mib() -> float:
    """The current resident set size in MiB.

    Without ``/proc`` (not Linux) this falls back to the PEAK RSS from ``getrusage``, which
    can only grow: good enough to see a leak, not a release."""
    if STATM.exists():
        resident_pages = int(STATM.read_text().split()[1])
        return resident_pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10  # bytes vs KiB


def live_nodes() -> int:
    from tt_autograd import Node

    return sum(1 for obj in gc.get_objects() if isinstance(obj, Node))


def run_memory(steps: int, every: int) -> dict[str, object]:
    """Train tt's MLP for ``steps`` steps, sampling RSS and live nodes every ``every`` steps."""
    step = build("mlp_step", "tt").step
    samples = [Sample(0, rss_mib(), live_nodes())]
    graph_nodes = 0
    for n in range(1, steps + 1):
        loss = step()
        if n == 1:
            graph_nodes = live_nodes()  # one step's graph, kept alive by `loss` right now
        del loss
        if n % every == 0:
            samples.append(Sample(n, rss_mib(), live_nodes()))
    return {
        "steps": steps,
        "every": every,
        "rss_source": str(STATM) if STATM.exists() else "getrusage peak",
        "graph_nodes": graph_nodes,
        "samples": [asdict(s) for s in samples],
    }
