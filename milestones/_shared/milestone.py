"""What every milestone script shares: its command line, its gates and its result table.

A milestone is a list of **gates**: a measured value (an accuracy, a count) against a
threshold.  Each script builds its gates, then calls :func:`finish`, which prints one table,
writes the gates as JSON when asked (``--json PATH``, read by ``nox -s milestones`` to build
``milestones/RESULTS.md``) and returns the exit status: 0 when every gate passes.

Command line of every ``run.py``:

* no flag: the default run (small or generated data, and Fashion-MNIST when its files are
  present), sized to fit the CI budget;
* ``--full``: the full runs with the full gates (whole training sets, more epochs);
* ``--json PATH``: also write the gates to ``PATH``.

Scripts import this file by path (``milestones/_shared`` is not a package anyone installs)::

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "_shared"))
    from milestone import Gate, finish, parse_args
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass(frozen=True)
class Gate:
    """One measured result against its threshold.

    ``comparison`` is ``">="`` (the value must reach the threshold) or ``"<="`` (it must not
    pass it); ``unit`` is ``"%"`` for fractions shown as percentages, else ``""``."""

    name: str
    data: str
    value: float
    threshold: float
    comparison: str
    seconds: float
    seed: int
    unit: str = "%"

    @property
    def passed(self) -> bool:
        if self.comparison == ">=":
            return self.value >= self.threshold
        if self.comparison == "<=":
            return self.value <= self.threshold
        raise ValueError(
            f"Gate {self.name!r}: comparison must be '>=' or '<=', got {self.comparison!r}"
        )

    def shown(self, x: float) -> str:
        return f"{x:.2%}" if self.unit == "%" else f"{x:.3g}{self.unit}"


def parse_args(description: str, argv: Sequence[str] | None = None) -> argparse.Namespace:
    """``--full`` and ``--json PATH``, the flags every milestone script takes."""
    parser = argparse.ArgumentParser(description=description.strip().splitlines()[0])
    parser.add_argument("--full", action="store_true", help="the full runs with the full gates")
    parser.add_argument("--json", type=Path, help="also write the gates as JSON to this file")
    return parser.parse_args(argv)


def finish(milestone: str, gates: Sequence[Gate], json_path: Path | None) -> int:
    """Print the table of ``gates``, write them to ``json_path`` (atomically) when given, and
    return the exit status: 0 when every gate passes, 1 otherwise."""
    header = ("gate", "data", "result", "gate", "seconds", "seed", "")
    rows = [
        (
            g.name,
            g.data,
            g.shown(g.value),
            f"{g.comparison} {g.shown(g.threshold)}",
            f"{g.seconds:.1f}",
            str(g.seed),
            "pass" if g.passed else "FAIL",
        )
        for g in gates
    ]
    widths = [max(len(r[i]) for r in (header, *rows)) for i in range(len(header))]
    print(f"\n{milestone}")
    for i, row in enumerate((header, *rows)):
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
        if i == 0:
            print("  ".join("-" * w for w in widths))
    if json_path is not None:
        record = {
            "milestone": milestone,
            "gates": [asdict(g) | {"passed": g.passed} for g in gates],
        }
        write_atomically(json_path, json.dumps(record, indent=2) + "\n")
    return 0 if gates and all(g.passed for g in gates) else 1


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to a temporary file beside ``path``, then rename it over ``path``."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
