"""Make .ci/chain.py importable as ``chain`` for the checkers' tests."""

from __future__ import annotations

import sys
from pathlib import Path

CI_DIR = Path(__file__).resolve().parents[2] / ".ci"
if str(CI_DIR) not in sys.path:
    sys.path.insert(0, str(CI_DIR))
