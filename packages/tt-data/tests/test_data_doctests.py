"""The examples in tt_data's docstrings run and give the output they show."""

from __future__ import annotations

from tt_doctests import check_docstring_examples

import tt_data


def test_docstring_examples_of_every_tt_data_module_pass() -> None:
    check_docstring_examples(tt_data, min_modules=10, min_examples=10)
