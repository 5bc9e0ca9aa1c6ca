"""Benchmark runner for the nox ``bench`` session (placeholder until benchmarks exist).

Benchmarks will live beside this file as ``bench_*.py`` (a name pytest does not collect).
This script runs them and writes the results as a JSON list to ``--json PATH``.

    python tests-integration/bench/run.py --json results.json
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run the tt benchmarks.")
    parser.add_argument("--json", type=Path, required=True, help="where to write the results")
    args = parser.parse_args(argv)
    results: list[dict[str, object]] = []
    print("no benchmarks yet")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {len(results)} result(s) to {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
