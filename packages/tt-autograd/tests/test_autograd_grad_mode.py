"""``records``: the one rule for whether an operation is recorded in the graph; the grad-mode
decorators on generator functions."""

from __future__ import annotations

from collections.abc import Generator, Iterator

import pytest

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


def test_a_decorated_generator_function_runs_each_resumption_under_the_mode() -> None:
    x = tt.ones(2, requires_grad=True)
    modes: list[bool] = []

    @ag.no_grad()
    def gen(t: tt.Tensor) -> Generator[tt.Tensor, int, int]:
        got = yield t * 2
        modes.append(ag.is_grad_enabled())
        assert got == 7
        yield t * 3
        return 5

    g = gen(x)
    first = next(g)
    assert not first.requires_grad
    assert ag.is_grad_enabled()  # the caller's mode between two resumptions
    assert not g.send(7).requires_grad
    assert modes == [False]
    with pytest.raises(StopIteration) as stop:
        next(g)
    assert stop.value.value == 5  # the generator's return value is passed on

    @ag.enable_grad
    def on(t: tt.Tensor) -> Iterator[tt.Tensor]:
        yield t * 2

    @ag.set_grad_enabled(False)
    def off(t: tt.Tensor) -> Iterator[tt.Tensor]:
        yield t * 2

    with ag.no_grad():
        assert [o.requires_grad for o in on(x)] == [True]
    assert [o.requires_grad for o in off(x)] == [False]
    assert ag.is_grad_enabled()


def test_an_exception_thrown_into_a_decorated_generator_reaches_it_under_the_mode() -> None:
    seen: list[tuple[str, bool]] = []

    @ag.no_grad()
    def gen() -> Iterator[int]:
        try:
            yield 1
        except KeyError:
            seen.append(("caught", ag.is_grad_enabled()))
            yield 2
        finally:
            seen.append(("closed", ag.is_grad_enabled()))

    g = gen()
    assert next(g) == 1
    assert g.throw(KeyError("k")) == 2
    g.close()
    assert seen == [("caught", False), ("closed", False)]
    assert ag.is_grad_enabled()
