"""The examples in tt_optim's docstrings run and give the output they show."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import tt_optim


def test_docstring_examples_of_every_tt_optim_module_pass() -> None:
    submodules = pkgutil.walk_packages(tt_optim.__path__, "tt_optim.")
    names = ["tt_optim", *sorted(m.name for m in submodules)]
    assert len(names) >= 10
    attempted = 0
    failed: dict[str, int] = {}
    for name in names:
        module = importlib.import_module(name)
        result = doctest.testmod(module, optionflags=doctest.ELLIPSIS, report=True)
        attempted += result.attempted
        if result.failed:
            failed[name] = result.failed
    assert not failed, f"doctest failures (module: count): {failed}"
    assert attempted >= 20, f"only {attempted} doctest examples found"
