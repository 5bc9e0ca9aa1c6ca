"""Check that tt-* distributions are imported from the installed wheel, not the source tree.

    python .ci/check_installed.py tt-tensor tt-autograd

Run by the nox sessions right after installing from the wheelhouse: prints where each
package is imported from and exits non-zero if one resolves outside ``sys.prefix``.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import sys
from collections.abc import Sequence
from pathlib import Path


def main(distributions: Sequence[str]) -> int:
    prefix = Path(sys.prefix).resolve()
    status = 0
    for dist in distributions:
        module = importlib.import_module(dist.replace("-", "_"))
        where = Path(module.__file__ or "?").resolve().parent
        version = importlib.metadata.version(dist)
        if prefix in where.parents:
            print(f"{dist} {version}: {where}")
        else:
            print(f"{dist} {version}: imported from {where}, not from the installed wheel")
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
