"""tt's benchmarks: tt against PyTorch eager (and plain NumPy), as ratios of medians.

    python tests-integration/bench/run.py [--json bench-results.json] [--quick]
    python tests-integration/bench/run.py --profile mlp_step      # where tt spends its time

These are benchmarks, not tests: the script always exits 0 when every benchmark ran, and prints
MISSED beside a target tt does not meet (it exits 1 only when a worker crashed).

How the numbers are made (details in the bench_*.py modules beside this file):

* **A process per backend (NumPy excepted).**  The parent never times anything: it starts one
  worker process per case and backend (``run.py --worker tt --case mlp_step ...``), which builds
  the workload, warms up, calibrates a call count (timeit-style) and then waits; for each round
  the parent wakes the workers one at a time, and each times a few loops and prints its per-call
  times as JSON.  tt and torch never share a process, where their thread pools would fight over
  the cores, and never time at the same moment.  Plain NumPy is the exception: it uses tt's own
  libraries and thread pool, so tt's worker times it too, its timed loops alternating with tt's
  (the issue's "same process, interleaved").  Timed in separate processes, the NumPy step and
  tt's step met different phases of this machine's noise: per-round ratios spread from 1.05x to
  1.78x (two runs on 2026-11-21).
* **Many short interleaved rounds.**  Round 1 times tt, then torch; round 2 torch, then tt; and
  so on, so slow phases of a noisy machine hit every backend alike.  A round's number is the
  best of the worker's repeats, a backend's time the median over rounds; the ratio is ``tt time
  / other time`` (below 1: tt is faster).  This machine runs in fast and slow phases (on
  2026-11-22 a round's best nn-MLP step was either ~1.4-1.6 ms or ~1.9-2.2 ms, for tt and torch
  alike), and two workers' timings even a second apart often meet different phases.  So rounds
  are short (five loops of about 0.05 s) and many (41 by default): a worker that lives for the
  whole run costs no process start and no warm-up per round (every case: about 11 minutes, where
  9 rounds of fresh processes took about 16).  With a fresh process per round (until
  2026-11-22) the per-round ratios of the nn-MLP step spread over 0.58-1.77, and the median of
  9 rounds could move by about 0.1 between runs.
* **Same threads for all.**  Every worker gets the same OMP/OpenBLAS/MKL thread count (the
  number of usable cores, i.e. the libraries' own default, unless ``--threads`` says otherwise),
  and reports what its libraries actually use; all of it goes into the JSON.
* **Same work.**  tt and torch run the same source lines on the same seeded data, and each
  worker reports check values (losses, gradient sums) that must agree across backends.

The cases: ``overhead_add`` and ``overhead_backward`` (the fixed cost per op and per tiny
backward, target: tt at or under torch), ``mlp_step`` (a 784-256-128-10 MLP training step,
target: tt at or under torch and within 1.25x of hand-written NumPy), ``nn_mlp_step`` (the same
MLP with nn.Linear, F.cross_entropy and optim.SGD, target: at or under torch), ``cnn_step`` (the
issue's two-conv CNN at batch 64, target: within 1.7x of torch), ``mlp_infer_b1`` and
``cnn_infer_b1`` (batch-1 inference in eval mode, target: faster than torch), and ``memory``
(1,000 tt training steps: RSS and live autograd nodes must stay flat).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from subprocess import PIPE
from typing import Any

import bench_report
from bench_cases import CASES, Backend
from bench_timing import TimingSettings, rotated
from bench_worker import THREAD_VARIABLES, emit, memory_case, numpy_blas, serve_case

HERE = Path(__file__).resolve().parent
ALL_CASES = (*CASES, "memory")
WORKER_TIMEOUT_S = 1800
PAUSE_S = 0.2  # before each worker times: the last one's thread pools go idle


@dataclass(frozen=True)
class RunSettings:
    rounds: int
    timing: TimingSettings
    memory_steps: int
    memory_every: int


FULL = RunSettings(
    rounds=41,
    timing=TimingSettings(warmup_s=1.0, min_repeat_s=0.05, repeats=5),
    memory_steps=1000,
    memory_every=100,
)
QUICK = RunSettings(
    rounds=3,
    timing=TimingSettings(warmup_s=0.1, min_repeat_s=0.02, repeats=3),
    memory_steps=200,
    memory_every=50,
)


Rounds = dict[str, dict[Backend, list[dict[str, Any]]]]  # case -> backend -> one result a round


class WorkerError(RuntimeError):
    """A worker process failed, timed out or printed no result."""


# --------------------------------------------------------------------------- the parent


def run_benchmarks(cases: Sequence[str], settings: RunSettings, threads: int) -> dict[str, Any]:
    """Run every case in worker processes; return the full results (what the JSON holds)."""
    env = worker_env(threads)
    started = time.time()
    load_before = os.getloadavg()
    timed = [c for c in cases if c in CASES]
    rounds, errors, runtimes = run_rounds(env, timed, settings)
    summaries: dict[str, dict[str, Any]] = {}
    for case in timed:
        if case in errors:
            summaries[case] = {"error": errors[case]}
        else:
            summaries[case] = bench_report.summarize_case(case, rounds[case], rounds)
    if "memory" in cases:
        summaries["memory"] = run_memory(env, settings)
    return {
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(started)),
        "duration_s": time.time() - started,
        "settings": {**asdict(settings), "threads": threads},
        "machine": machine_info(threads, load_before),
        "runtimes": runtimes,
        "targets": [asdict(t) for t in bench_report.TARGETS],
        "cases": summaries,
        "missed": bench_report.missed(summaries),
    }


def run_rounds(
    env: dict[str, str], cases: Sequence[str], settings: RunSettings
) -> tuple[Rounds, dict[str, str], dict[str, Any]]:
    """``settings.rounds`` rounds; each times every case once on each of its backends (a case's
    ``with_tt`` backends inside tt's worker, the others in workers of their own).

    Every worker starts first, one after the other (each builds and warms up its workload while
    the others wait), and lives for the whole run.  Rounds are the OUTER loop, so each case's
    rounds are spread over the whole run; within a round one worker times at a time, after a
    pause of ``PAUSE_S`` (the previous worker's thread pools stop spinning), and the order of a
    case's workers rotates every round.  Returns the results, per failed case the error (a
    failed case is not timed again), and per backend its versions and thread pools."""
    rounds: Rounds = {case: {b: [] for b in CASES[case].backends} for case in cases}
    errors: dict[str, str] = {}
    serving: dict[str, list[Worker]] = {}  # case -> its workers, until the case fails
    runtimes: dict[str, Any] = {}
    timing = settings.timing
    options = (
        f"--warmup={timing.warmup_s}",
        f"--min-repeat={timing.min_repeat_s}",
        f"--repeats={timing.repeats}",
    )
    with contextlib.ExitStack() as running:
        workers: dict[str, contextlib.ExitStack] = {}  # case -> its workers, ended together
        for case in cases:
            own = [b for b in CASES[case].backends if b not in CASES[case].with_tt]
            workers[case] = running.enter_context(contextlib.ExitStack())
            try:
                served = [workers[case].enter_context(Worker(env, b, case, *options)) for b in own]
            except WorkerError as e:
                _failed(case, e, errors, workers[case])
                continue
            serving[case] = served
            for worker in served:
                for backend, runtime in worker.runtimes.items():
                    runtimes.setdefault(backend, runtime)
        for r in range(settings.rounds):
            for case, served in list(serving.items()):
                try:
                    for worker in rotated(served, r):
                        time.sleep(PAUSE_S)
                        result = worker.time_round()
                        for other, other_result in result.pop("with_tt", {}).items():
                            rounds[case][other].append(other_result)
                        rounds[case][worker.backend].append(result)
                except WorkerError as e:
                    _failed(case, e, errors, workers[case])
                    del serving[case]
                    continue
                latest = {b: rs[-1][bench_report.ROUND_STATISTIC] for b, rs in rounds[case].items()}
                times = ", ".join(f"{b} {bench_report.format_time(t)}" for b, t in latest.items())
                print(f"round {r + 1}/{settings.rounds} {case}: {times}", flush=True)
    return rounds, errors, runtimes


def _failed(
    case: str, error: WorkerError, errors: dict[str, str], workers: contextlib.ExitStack
) -> None:
    """Report a failed case, record its error and end its workers (it is not timed again)."""
    print(f"{case}: ERROR\n{error}", file=sys.stderr, flush=True)
    errors[case] = str(error)
    workers.close()


class Worker:
    """A worker process (``run.py --worker BACKEND --case CASE``) serving one case on one
    backend: entered, it has built and warmed up its workload and said it is ready; then
    :meth:`time_round` asks it for one round's timings.  Leaving ends it."""

    def __init__(self, env: dict[str, str], backend: Backend, case: str, *options: str) -> None:
        self.backend = backend
        self.command = worker_command(backend, case, *options)
        # stderr goes to a file (a pipe could fill up and block the worker), closed on exit
        self.stderr = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115
        self.process = subprocess.Popen(
            self.command, env=env, stdin=PIPE, stdout=PIPE, stderr=self.stderr, text=True
        )

    def __enter__(self) -> Worker:
        try:
            ready = self._answer()
            if ready.get("ready") is not True:
                raise self._error("did not say it was ready")
            self.runtimes: dict[str, Any] = ready["runtimes"]
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.end()
        self.stderr.close()

    def time_round(self) -> dict[str, Any]:
        assert self.process.stdin is not None
        with contextlib.suppress(BrokenPipeError):  # (it died: _answer says how)
            self.process.stdin.write("time\n")
            self.process.stdin.flush()
        return self._answer()

    def _answer(self) -> dict[str, Any]:
        """The worker's next line, a JSON object; a WorkerError if it exits, says something else
        or takes over ``WORKER_TIMEOUT_S`` (a watchdog kills it, which ends the line)."""
        assert self.process.stdout is not None
        hung = threading.Event()

        def kill() -> None:
            hung.set()
            self.process.kill()

        watchdog = threading.Timer(WORKER_TIMEOUT_S, kill)
        watchdog.start()
        try:
            line = self.process.stdout.readline()
        finally:
            watchdog.cancel()
        try:
            result = json.loads(line)
        except json.JSONDecodeError:
            result = None
        if not isinstance(result, dict):
            self.end()
            if hung.is_set():
                raise self._error(f"took over {WORKER_TIMEOUT_S} s: killed")
            raise self._error(f"printed {line[:200]!r}" if line else "printed nothing more")
        return result

    def _error(self, what: str) -> WorkerError:
        self.stderr.seek(0)
        return worker_error(self.command, what, self.process.poll(), self.stderr.read())

    def end(self) -> None:
        """End the worker: close its stdin (it returns), kill it if it does not, close stdout.
        Ending an ended worker does nothing."""
        for pipe in (self.process.stdin, self.process.stdout):
            if pipe is not None:
                with contextlib.suppress(OSError):  # (BrokenPipeError: it died, input unread)
                    pipe.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def run_memory(env: dict[str, str], settings: RunSettings) -> dict[str, Any]:
    try:
        result = run_worker(
            env,
            "tt",
            "memory",
            f"--steps={settings.memory_steps}",
            f"--every={settings.memory_every}",
        )
    except WorkerError as e:
        print(f"memory: ERROR\n{e}", file=sys.stderr, flush=True)
        return {"error": str(e)}
    summary = bench_report.summarize_memory(result)
    print(bench_report.memory_details(summary), flush=True)
    return summary


def run_worker(env: dict[str, str], backend: str, case: str, *options: str) -> dict[str, Any]:
    """Run ``run.py --worker`` once in a fresh process (the memory case); return the JSON on its
    last stdout line."""
    command = worker_command(backend, case, *options)
    try:
        done = subprocess.run(
            command, env=env, capture_output=True, text=True, timeout=WORKER_TIMEOUT_S, check=False
        )
    except subprocess.TimeoutExpired as e:
        raise worker_error(command, f"took over {WORKER_TIMEOUT_S} s", None, "") from e
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        raise worker_error(command, "printed no result", done.returncode, done.stderr)
    result: dict[str, Any] = json.loads(lines[-1])
    return result


def worker_command(backend: str, case: str, *options: str) -> list[str]:
    return [sys.executable, str(HERE / "run.py"), "--worker", backend, "--case", case, *options]


def worker_error(command: list[str], what: str, code: int | None, stderr: str) -> WorkerError:
    status = "still running" if code is None else f"exit {code}"
    return WorkerError(f"{' '.join(command)}\n{what} ({status}):\n{stderr[-3000:]}")


def worker_env(threads: int) -> dict[str, str]:
    """The parent's environment (PYTHONPATH included) with every thread pool sized alike."""
    return {**os.environ, **dict.fromkeys(THREAD_VARIABLES, str(threads))}


def usable_cores() -> int:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def machine_info(threads: int, load_before: tuple[float, float, float]) -> dict[str, Any]:
    import numpy as np

    return {
        "platform": platform.platform(),
        "cpu": cpu_model(),
        "cpu_count": os.cpu_count(),
        "usable_cores": usable_cores(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "numpy_blas": numpy_blas(),
        "thread_env": dict.fromkeys(THREAD_VARIABLES, str(threads)),
        "loadavg_before": load_before,
        "loadavg_after": os.getloadavg(),
    }


def cpu_model() -> str:
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def report(results: dict[str, Any]) -> str:
    machine = results["machine"]
    torch = results["runtimes"].get("torch", {})
    lines = [
        "",
        f"{machine['cpu']}, {machine['usable_cores']} usable cores, threads "
        f"{results['settings']['threads']}; load average {machine['loadavg_before'][0]:.2f} "
        f"-> {machine['loadavg_after'][0]:.2f}",
        f"numpy {machine['numpy']} ({machine['numpy_blas']}); torch {torch.get('torch', '?')} "
        f"(BLAS {torch.get('torch_blas', '?')}, {torch.get('torch_threads', '?')} threads)",
        f"{results['settings']['rounds']} interleaved rounds, median of per-round bests; "
        "ratio = tt / other (below 1: tt faster); rounds = middle half of the per-round ratios",
        "",
        bench_report.table(results["cases"]),
        "",
    ]
    missed = results["missed"]
    lines.append(f"MISSED: {'; '.join(missed)}" if missed else "all targets met")
    return "\n".join(lines)


# --------------------------------------------------------------------------- the command line


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Benchmark tt against PyTorch and NumPy.")
    parser.add_argument(
        "--json",
        type=Path,
        default=Path("bench-results.json"),
        help="where to write the full results (default: %(default)s)",
    )
    parser.add_argument("--quick", action="store_true", help="few, short rounds: a smoke test")
    parser.add_argument("--rounds", type=int, help="interleaved rounds per case")
    parser.add_argument("--threads", type=int, help="BLAS/OpenMP threads for every worker")
    parser.add_argument(
        "--case",
        action="append",
        choices=ALL_CASES,
        help="run only this case (repeatable; default: all)",
    )
    parser.add_argument(
        "--profile",
        choices=tuple(CASES),
        help="profile tt's version of a case (cProfile, then time per primitive) and exit",
    )
    worker = parser.add_argument_group("worker process (started by the parent)")
    worker.add_argument("--worker", choices=("tt", "torch", "numpy"))
    worker.add_argument("--warmup", type=float, default=FULL.timing.warmup_s)
    worker.add_argument("--min-repeat", type=float, default=FULL.timing.min_repeat_s)
    worker.add_argument("--repeats", type=int, default=FULL.timing.repeats)
    worker.add_argument("--steps", type=int, default=FULL.memory_steps)
    worker.add_argument("--every", type=int, default=FULL.memory_every)
    args = parser.parse_args(argv)
    if args.worker and (not args.case or len(args.case) != 1):
        parser.error("--worker needs exactly one --case")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.worker:
        [case] = args.case
        if case == "memory":
            emit(memory_case(args.steps, args.every))
        else:
            serve_case(
                args.worker, case, TimingSettings(args.warmup, args.min_repeat, args.repeats)
            )
        return 0
    if args.profile:
        from bench_profile import primitive_times, profile

        print(profile(args.profile))
        print()
        print(primitive_times(args.profile))
        return 0

    settings = QUICK if args.quick else FULL
    if args.rounds:
        settings = replace(settings, rounds=args.rounds)
    results = run_benchmarks(args.case or ALL_CASES, settings, args.threads or usable_cores())
    print(report(results))
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.json}")
    errors = [name for name, summary in results["cases"].items() if "error" in summary]
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
