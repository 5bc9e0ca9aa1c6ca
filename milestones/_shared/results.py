"""Write milestones/RESULTS.md from the gates the milestone scripts measured.

    python milestones/_shared/results.py RESULTS_DIR MILESTONES_DIR

``RESULTS_DIR`` holds one ``<milestone>.json`` per script, written by ``run.py --json``
(see milestone.py).  ``nox -s milestones -- --full`` calls this after a full run, so
RESULTS.md always shows measured figures, never typed ones.  A milestone whose script wrote
no JSON (it crashed before finishing) is listed as such.
"""

from __future__ import annotations

import json
import platform
import sys
from datetime import datetime, timezone
from pathlib import Path

from milestone import write_atomically


def shown(value: float, unit: str) -> str:
    return f"{value:.2%}" if unit == "%" else f"{value:.3g}{unit}"


def render(results: Path, milestones: Path) -> str:
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Milestone results",
        "",
        "Written by `nox -s milestones -- --full` from the gates each `run.py` measured; do not",
        "edit by hand.",
        "",
        f"Last full run: {when}, Python {platform.python_version()} on {platform.machine()}.",
        "",
        "| milestone | gate | data | result | gate | seconds | seed | |",
        "| --- | --- | --- | ---: | --- | ---: | ---: | --- |",
    ]
    for folder in sorted(p for p in milestones.iterdir() if (p / "run.py").is_file()):
        path = results / f"{folder.name}.json"
        if not path.is_file():
            lines.append(f"| {folder.name} | (no result: the script did not finish) | | | | | | |")
            continue
        for g in json.loads(path.read_text(encoding="utf-8"))["gates"]:
            threshold = f"{g['comparison']} {shown(g['threshold'], g['unit'])}"
            lines.append(
                f"| {folder.name} | {g['name']} | {g['data']} | {shown(g['value'], g['unit'])} "
                f"| {threshold} | {g['seconds']:.1f} | {g['seed']} "
                f"| {'pass' if g['passed'] else 'FAIL'} |"
            )
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    results, milestones = map(Path, argv)
    write_atomically(milestones / "RESULTS.md", render(results, milestones))
    print(f"wrote {milestones / 'RESULTS.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
