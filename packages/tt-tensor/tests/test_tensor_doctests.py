"""The examples in tt_tensor's docstrings run and give the output they show."""

from __future__ import annotations

from tt_doctests import check_docstring_examples

import tt_tensor


def test_docstring_examples_of_every_tt_tensor_module_pass() -> None:
    check_docstring_examples(tt_tensor, min_modules=12, min_examples=15)
