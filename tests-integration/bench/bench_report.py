"""From the workers' raw results to medians, ratios, verdicts and the printed table.

A *round* runs every backend of a case once: tt and torch each in its own process, plain NumPy
inside tt's (see run.py).  A backend's number for its round is the BEST of its repeats: other
processes can only ever add time, so the fastest repeat is the one least disturbed (timeit's
advice).  A case's time on a backend is the MEDIAN of its per-round numbers, which discards
rounds that were disturbed from start to end.

The ratio is ``tt / other``: below 1 tt is faster.  Because the rounds are interleaved, round
``r`` of tt and round ``r`` of torch ran moments apart, so the per-round ratios show how much
the machine's noise moves the answer.  The "rounds" column gives their middle half (lower to
upper quartile); when the target's limit lies inside it, at least a quarter of the rounds on
each side of the limit, the verdict says "noisy": the median decides it, not the rounds alike.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bench_cases import CASES, Backend

ROUND_STATISTIC = "best_s"  # which of a worker's numbers stands for its round
FLAT_LIMIT_MIB = 4.0  # RSS growth after warmup below which memory counts as flat
CHECK_RTOL = 1e-4  # relative tolerance when comparing the check values across backends


@dataclass(frozen=True)
class Target:
    """Met when ``tt time / versus time <= limit``.

    ``versus`` is a backend of the same case (``"torch"``, ``"numpy"``), ``"seconds"`` (an
    absolute limit: tt's time itself must be at most ``limit`` seconds), or ``"case:NAME"``
    (tt's time as a fraction of tt's time on another case, e.g. a data batch against a
    training step; skipped when that case did not run)."""

    case: str
    versus: str
    limit: float


TARGETS = (
    Target("overhead_add", "torch", 1.0),
    Target("overhead_backward", "torch", 1.0),
    Target("mlp_step", "torch", 1.0),
    Target("mlp_step", "numpy", 1.25),
    Target("nn_mlp_step", "torch", 1.0),
    Target("cnn_step", "torch", 1.7),
    Target("mlp_infer_b1", "torch", 1.0),
    Target("cnn_infer_b1", "torch", 1.0),
    Target("loader_batch", "torch", 0.1),
    Target("loader_batch", "case:nn_mlp_step", 0.05),
    Target("load_fashion_mnist", "seconds", 1.0),
)


# --------------------------------------------------------------------------- summaries


def summarize_case(
    case: str,
    rounds: dict[Backend, list[dict[str, Any]]],
    other_cases: dict[str, dict[Backend, list[dict[str, Any]]]] | None = None,
) -> dict[str, Any]:
    """Medians, ratios and verdicts of one timed case from its per-round worker results
    (``other_cases``: the rounds of the other cases, for ``case:NAME`` targets)."""
    median_s = {b: statistics.median(r[ROUND_STATISTIC] for r in rs) for b, rs in rounds.items()}
    checks = {b: rs[0]["check"] for b, rs in rounds.items()}
    agree = all(_close(checks["tt"], values) for values in checks.values())
    targets = []
    for target in TARGETS:
        if target.case != case:
            continue
        if target.versus == "seconds":
            versus_rounds: list[dict[str, Any]] = [{ROUND_STATISTIC: 1.0}] * len(rounds["tt"])
        elif target.versus.startswith("case:"):
            other = (other_cases or {}).get(target.versus.removeprefix("case:"), {})
            versus_rounds = other.get("tt", [])
            if len(versus_rounds) != len(rounds["tt"]):
                continue  # that case did not run (or failed): no verdict
        else:
            versus_rounds = rounds[target.versus]  # type: ignore[index]
        versus_s = statistics.median(r[ROUND_STATISTIC] for r in versus_rounds)
        ratio = median_s["tt"] / versus_s
        pairs = zip(rounds["tt"], versus_rounds, strict=True)
        targets.append(
            {
                "versus": target.versus,
                "ratio": ratio,
                "limit": target.limit,
                "met": agree and ratio <= target.limit,
                "round_ratios": [t[ROUND_STATISTIC] / o[ROUND_STATISTIC] for t, o in pairs],
            }
        )
    return {
        "description": CASES[case].description,
        "median_s": median_s,
        "targets": targets,
        "checks": {"values": checks, "agree": agree},
        "rounds": rounds,
    }


def summarize_memory(result: dict[str, Any]) -> dict[str, Any]:
    """First/last/max RSS, growth after warmup (the first sample after step 0) and live nodes."""
    samples = result["samples"]
    rss = [s["rss_mib"] for s in samples]
    nodes = [s["live_nodes"] for s in samples]
    after_warmup = rss[1] if len(rss) > 1 else rss[0]
    growth = rss[-1] - after_warmup
    nodes_bounded = max(nodes) <= result["graph_nodes"]
    return {
        **result,
        "rss_first_mib": rss[0],
        "rss_after_warmup_mib": after_warmup,
        "rss_last_mib": rss[-1],
        "rss_max_mib": max(rss),
        "growth_mib": growth,
        "growth_limit_mib": FLAT_LIMIT_MIB,
        "max_live_nodes": max(nodes),
        "nodes_bounded": nodes_bounded,
        "flat": growth < FLAT_LIMIT_MIB and nodes_bounded,
    }


def missed(cases: dict[str, dict[str, Any]]) -> list[str]:
    """One line per missed target, failed check or failed case."""
    out = []
    for name, summary in cases.items():
        if "error" in summary:
            out.append(f"{name}: ERROR")
        elif name == "memory":
            if not summary["flat"]:
                out.append(f"memory: not flat (growth {summary['growth_mib']:+.1f} MiB)")
        else:
            if not summary["checks"]["agree"]:
                out.append(f"{name}: check values differ between backends")
            out.extend(
                f"{name}: {_ratio(t)} > {_limit(t)}"
                for t in summary["targets"]
                if t["ratio"] > t["limit"]
            )
    return out


def _close(a: Sequence[float], b: Sequence[float]) -> bool:
    return len(a) == len(b) and all(
        math.isclose(x, y, rel_tol=CHECK_RTOL, abs_tol=CHECK_RTOL)
        for x, y in zip(a, b, strict=True)
    )


# --------------------------------------------------------------------------- the table


HEADER = ("case", "tt", "torch", "numpy", "ratio", "rounds", "target", "verdict")


def table(cases: dict[str, dict[str, Any]]) -> str:
    rows: list[tuple[str, ...]] = []
    for name, summary in cases.items():
        if "error" in summary:
            rows.append((name, *[""] * 6, "ERROR"))
        elif name == "memory":
            rows.append(_memory_row(summary))
        else:
            rows.extend(_timed_rows(name, summary))
    widths = [max(len(row[i]) for row in (HEADER, *rows)) for i in range(len(HEADER))]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True))
        for row in (HEADER, *rows)
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(line.rstrip() for line in lines)


def _timed_rows(name: str, summary: dict[str, Any]) -> list[tuple[str, ...]]:
    median_s = summary["median_s"]
    times = [format_time(median_s[b]) if b in median_s else "-" for b in ("tt", "torch", "numpy")]
    rows = []
    for i, t in enumerate(summary["targets"]):
        low, high = middle_half(t["round_ratios"])
        if not summary["checks"]["agree"]:
            verdict = "INVALID (checks differ)"
        else:
            verdict = "met" if t["met"] else "MISSED"
            if low <= t["limit"] <= high:
                verdict += " (noisy)"
        rows.append(
            (
                name if i == 0 else "",
                *(times if i == 0 else ["", "", ""]),
                _ratio(t),
                f"{low:.2f}-{high:.2f}",
                f"<= {_limit(t)}",
                verdict,
            )
        )
    return rows


def middle_half(values: Sequence[float]) -> tuple[float, float]:
    """The lower and upper quartile of ``values``, within their range (both the value itself
    for a single one)."""
    if len(values) < 2:
        return values[0], values[0]
    q1, _, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return q1, q3


def _ratio(target: dict[str, Any]) -> str:
    if target["versus"] == "seconds":
        return format_time(target["ratio"])
    return f"{target['ratio']:.2f}x {target['versus'].removeprefix('case:')}"


def _limit(target: dict[str, Any]) -> str:
    if target["versus"] == "seconds":
        return format_time(target["limit"])
    return f"{target['limit']:.2f}x"


def _memory_row(summary: dict[str, Any]) -> tuple[str, ...]:
    return (
        "memory",
        f"{summary['rss_last_mib']:.1f} MiB",
        "-",
        "-",
        f"{summary['growth_mib']:+.1f} MiB",
        "",
        f"< {summary['growth_limit_mib']:.0f} MiB, nodes <= {summary['graph_nodes']}",
        "flat" if summary["flat"] else "MISSED",
    )


def memory_details(summary: dict[str, Any]) -> str:
    samples = summary["samples"]
    return (
        f"memory: {summary['steps']} tt MLP steps, RSS sampled every {summary['every']}: "
        f"first {summary['rss_first_mib']:.1f}, after warmup "
        f"{summary['rss_after_warmup_mib']:.1f}, last {summary['rss_last_mib']:.1f}, "
        f"max {summary['rss_max_mib']:.1f} MiB; growth after warmup "
        f"{summary['growth_mib']:+.2f} MiB\n"
        f"        live autograd nodes per sample {[s['live_nodes'] for s in samples]} "
        f"(one step's graph: {summary['graph_nodes']})"
    )


def format_time(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:.2f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.3f} ms"
    return f"{seconds:.3f} s"
