"""The examples in tt_autograd's docstrings run and give the output they show."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import tt_autograd


def test_docstring_examples_of_every_tt_autograd_module_pass() -> None:
    submodules = pkgutil.walk_packages(tt_autograd.__path__, "tt_autograd.")
    names = ["tt_autograd", *sorted(m.name for m in submodules)]
    assert len(names) >= 9
    attempted = 0
    failed: dict[str, int] = {}
    for name in names:
        module = importlib.import_module(name)
        result = doctest.testmod(module, optionflags=doctest.ELLIPSIS, report=True)
        attempted += result.attempted
        if result.failed:
            failed[name] = result.failed
    assert not failed, f"doctest failures (module: count): {failed}"
    assert attempted >= 10, f"only {attempted} doctest examples found"
