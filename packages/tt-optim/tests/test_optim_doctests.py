"""The examples in tt_optim's docstrings run and give the output they show."""

from __future__ import annotations

from tt_doctests import check_docstring_examples

import tt_optim


def test_docstring_examples_of_every_tt_optim_module_pass() -> None:
    check_docstring_examples(tt_optim, min_modules=10, min_examples=20)
