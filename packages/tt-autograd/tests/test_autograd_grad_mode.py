"""``records``: the one rule for whether an operation is recorded in the graph."""

from __future__ import annotations

import tt_autograd as ag
import tt_tensor as tt


def test_records_needs_grad_mode_and_a_tensor_that_requires_grad() -> None:
    x = tt.ones(2, requires_grad=True)
    y = tt.ones(2)
    assert ag.records(x, None, 3.0)
    assert ag.records(y, x)
    assert not ag.records(y, None, "a")
    assert not ag.records()
    with ag.no_grad():
        assert not ag.records(x)
