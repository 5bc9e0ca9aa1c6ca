"""tt_tensor.allocator: glibc malloc keeps freed memory for reuse, unless told not to."""

from __future__ import annotations

import os
import platform
import subprocess
import sys

import tt_tensor as tt
from tt_tensor import allocator

IS_GLIBC = sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc"

CHECK = "import tt_tensor as tt; print(tt.allocator.malloc_tuned())"


def run(env: dict[str, str]) -> str:
    out = subprocess.run(
        [sys.executable, "-c", CHECK], env=env, capture_output=True, text=True, check=True
    )
    return out.stdout.strip()


def test_import_tunes_malloc_on_glibc_and_says_so() -> None:
    assert allocator.malloc_tuned() is IS_GLIBC
    assert tt.allocator.tune_malloc() is IS_GLIBC  # idempotent


def test_tuning_can_be_switched_off_before_import() -> None:
    env = dict(os.environ)
    env["TT_MALLOC_TUNING"] = "0"
    assert run(env) == "False"
    env.pop("TT_MALLOC_TUNING")
    assert run(env) == str(IS_GLIBC)
