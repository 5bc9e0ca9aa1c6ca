"""The examples in tt_autograd's docstrings run and give the output they show."""

from __future__ import annotations

from tt_doctests import check_docstring_examples

import tt_autograd


def test_docstring_examples_of_every_tt_autograd_module_pass() -> None:
    check_docstring_examples(tt_autograd, min_modules=9, min_examples=10)
