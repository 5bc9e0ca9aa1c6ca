"""The one helper behind every package's doctest test (``packages/*/tests/test_*_doctests.py``).

The examples in a package's docstrings are part of its textbook: each test runs them all, in
every module of the installed package, and fails naming the modules whose examples fail.
pytest finds this module through ``pythonpath`` in the root pyproject.toml.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil
from types import ModuleType


def check_docstring_examples(package: ModuleType, min_modules: int, min_examples: int) -> None:
    """Run the doctests of ``package`` and every submodule; fail on any failure, and when
    fewer than ``min_modules`` modules or ``min_examples`` examples were found (so a broken
    discovery cannot pass silently)."""
    name = package.__name__
    submodules = pkgutil.walk_packages(package.__path__, f"{name}.")
    names = [name, *sorted(m.name for m in submodules)]
    attempted = 0
    failed: dict[str, int] = {}
    for module_name in names:
        module = importlib.import_module(module_name)
        result = doctest.testmod(module, optionflags=doctest.ELLIPSIS, report=True)
        attempted += result.attempted
        if result.failed:
            failed[module_name] = result.failed
    assert not failed, f"doctest failures (module: count): {failed}"
    assert len(names) >= min_modules, f"only {len(names)} modules found in {name}"
    assert attempted >= min_examples, f"only {attempted} doctest examples found in {name}"
