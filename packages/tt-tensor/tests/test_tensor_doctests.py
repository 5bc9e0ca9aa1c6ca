"""The examples in tt_tensor's docstrings run and pass."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import tt_tensor


def test_every_module_docstring_example_passes() -> None:
    modules = [tt_tensor] + [
        importlib.import_module(f"tt_tensor.{info.name}")
        for info in pkgutil.iter_modules(tt_tensor.__path__)
    ]
    attempted = 0
    for module in modules:
        result = doctest.testmod(module, verbose=False, report=False)
        assert result.failed == 0, f"{module.__name__}: {result.failed} doctest(s) failed"
        attempted += result.attempted
    assert len(modules) >= 12
    assert attempted >= 15  # the package does ship examples: make sure they were found
