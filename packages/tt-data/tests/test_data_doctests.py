"""The examples in tt_data's docstrings run and give the output they show."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import tt_data


def test_docstring_examples_of_every_tt_data_module_pass() -> None:
    submodules = pkgutil.walk_packages(tt_data.__path__, "tt_data.")
    names = ["tt_data", *sorted(m.name for m in submodules)]
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
    assert attempted >= 10, f"only {attempted} doctest examples found"
