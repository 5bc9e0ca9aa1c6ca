"""Behaviour of tt_optim.early_stopping.EarlyStopping: when it stops, and its state."""

from __future__ import annotations

import math
from typing import Any

import pytest

from tt_optim.early_stopping import EarlyStopping


def _run(stopper: EarlyStopping, values: list[float], key: str = "val_loss") -> list[bool]:
    return [stopper.step({key: v}) for v in values]


def test_min_mode_stops_after_patience_epochs_without_a_lower_value() -> None:
    stopper = EarlyStopping(patience=2)
    assert _run(stopper, [1.0, 0.8, 0.9, 0.7, 0.75, 0.8]) == [False] * 5 + [True]
    assert stopper.best == 0.7
    assert stopper.stopped_epoch == 6


def test_max_mode_stops_when_an_accuracy_stops_rising() -> None:
    stopper = EarlyStopping(monitor="val_accuracy", patience=1, mode="max")
    assert _run(stopper, [0.5, 0.6, 0.6], key="val_accuracy") == [False, False, True]


def test_an_improvement_smaller_than_min_delta_does_not_count() -> None:
    stopper = EarlyStopping(patience=2, min_delta=0.1)
    assert _run(stopper, [1.0, 0.95, 0.92]) == [False, False, True]
    assert stopper.best == 1.0


def test_patience_zero_stops_at_the_first_epoch_without_improvement() -> None:
    assert _run(EarlyStopping(patience=0), [1.0, 0.5, 0.5]) == [False, False, True]


def test_a_nan_value_never_improves() -> None:
    stopper = EarlyStopping(patience=1)
    assert _run(stopper, [1.0, math.nan]) == [False, True]
    assert stopper.best == 1.0


def test_a_missing_monitored_metric_raises_key_error_listing_the_recorded_ones() -> None:
    with pytest.raises(
        KeyError, match=r"'val_loss' is not among the epoch's metrics \['train_loss'\]"
    ):
        EarlyStopping().step({"train_loss": 1.0})


def test_state_dict_round_trip_continues_the_count() -> None:
    a = EarlyStopping(patience=3)
    _run(a, [1.0, 1.2, 1.3])
    b = EarlyStopping(patience=3)
    b.load_state_dict(a.state_dict())
    assert b.state_dict() == a.state_dict()
    assert _run(b, [1.4]) == [True]
    with pytest.raises(ValueError, match="saved mode is 'min'"):
        EarlyStopping(mode="max").load_state_dict(a.state_dict())


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"monitor": ""}, "monitor must be a metric name"),
        ({"patience": -1}, "patience must be an int >= 0, got -1"),
        ({"patience": 2.5}, "patience must be an int >= 0, got 2.5"),
        ({"min_delta": -0.1}, "min_delta must be a number >= 0, got -0.1"),
        ({"mode": "auto"}, "mode must be 'min' or 'max', got 'auto'"),
    ],
)
def test_bad_arguments_raise_value_error_naming_them(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(ValueError, match=f"^EarlyStopping: {match}"):
        EarlyStopping(**kwargs)


@pytest.mark.parametrize("patience", [0, 1, 2, 3])
def test_should_stop_is_what_the_last_step_returned_and_survives_a_state_dict(
    patience: int,
) -> None:
    stopper = EarlyStopping(monitor="loss", patience=patience)
    assert stopper.should_stop is False  # before the first step
    for value in [1.0, 0.5, 0.7, 0.6, 0.4, 0.9, 0.9, 0.9, 0.3]:
        said = stopper.step({"loss": value})
        assert stopper.should_stop is said
        restored = EarlyStopping(monitor="loss", patience=patience)
        restored.load_state_dict(stopper.state_dict())
        assert restored.should_stop is said
