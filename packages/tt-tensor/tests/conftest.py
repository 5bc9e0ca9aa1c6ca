"""Shared fixtures of tt-tensor's own test suite (the parity suite has its own conftest).

Nothing here is autouse: the parity folder below shares this conftest and must not be affected.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

from tt_tensor import dispatch


@pytest.fixture
def without_engine() -> Iterator[None]:
    """Run the test with no gradient engine installed, restoring whatever was there.

    tt-tensor's tests normally run without tt_autograd, but a combined session may have
    imported it (and so installed its engine) earlier in the same process.
    """
    saved = list(dispatch._engine)
    dispatch.set_engine(None)
    try:
        yield
    finally:
        dispatch.set_engine(saved[0] if saved else None)


@pytest.fixture
def rng() -> np.random.Generator:
    """A seeded NumPy generator for test inputs."""
    return np.random.default_rng(1234)
