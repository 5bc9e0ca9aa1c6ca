"""``EarlyStopping``: stop training when a monitored metric has stopped improving.

After every epoch the :class:`~tt_optim.trainer.Trainer` hands the epoch's metrics (``
"train_loss"``, ``"val_loss"``, ``"val_accuracy"``, ...) to :meth:`EarlyStopping.step`.  The
monitored value *improves* when it beats the best value so far by more than ``min_delta``
(lower is better for ``mode="min"``, higher for ``mode="max"``).  After ``patience`` epochs in
a row without an improvement, ``step`` returns ``True`` and training stops.

>>> stopper = EarlyStopping(monitor="val_loss", patience=2)
>>> [stopper.step({"val_loss": v}) for v in [1.0, 0.5, 0.6, 0.5]]
[False, False, False, True]
>>> stopper.best, stopper.wait, stopper.stopped_epoch
(0.5, 2, 4)

(``0.5`` at the fourth epoch only ties the best: no improvement, the second bad epoch in a
row.)

The state (best value, bad-epoch count) is plain numbers: :meth:`EarlyStopping.state_dict`
goes into the trainer's checkpoint, so a resumed run stops at the same epoch as an
uninterrupted one.

Systems question: why does a patience of a few epochs suit a noisy validation loss better
than stopping at the first epoch that is worse than the previous one?
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

__all__ = ["EarlyStopping"]


class EarlyStopping:
    """Stop training after ``patience`` epochs without improvement of ``monitor``:
    ``EarlyStopping(monitor="val_loss", patience=3, min_delta=0.0, mode="min")``.

    ``monitor`` names a key of the trainer's epoch record (``"val_loss"``, ``"train_loss"``,
    ``"val_accuracy"``, ...).  With ``mode="min"`` a value improves when it is below
    ``best - min_delta``; with ``mode="max"`` when it is above ``best + min_delta``.  A NaN
    never improves.

    Attributes: ``best`` (the best value seen, ``inf``/``-inf`` before the first epoch),
    ``wait`` (epochs in a row without improvement), ``stopped_epoch`` (the number of epochs
    seen when ``step`` first returned ``True``, or 0), :attr:`should_stop` (what the last
    ``step`` returned).
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        patience: int = 3,
        min_delta: float = 0.0,
        mode: str = "min",
    ) -> None:
        if not isinstance(monitor, str) or not monitor:
            raise ValueError(f"EarlyStopping: monitor must be a metric name, got {monitor!r}")
        if isinstance(patience, bool) or not isinstance(patience, int) or patience < 0:
            raise ValueError(f"EarlyStopping: patience must be an int >= 0, got {patience!r}")
        if not (isinstance(min_delta, int | float) and min_delta >= 0.0):
            raise ValueError(f"EarlyStopping: min_delta must be a number >= 0, got {min_delta!r}")
        if mode not in ("min", "max"):
            raise ValueError(f"EarlyStopping: mode must be 'min' or 'max', got {mode!r}")
        self.monitor = monitor
        self.patience = patience
        self.min_delta = float(min_delta)
        self.mode = mode
        self.best = math.inf if mode == "min" else -math.inf
        self.wait = 0
        self.epochs_seen = 0
        self.stopped_epoch = 0

    def __repr__(self) -> str:
        return (
            f"EarlyStopping(monitor={self.monitor!r}, patience={self.patience}, "
            f"min_delta={self.min_delta}, mode={self.mode!r})"
        )

    def is_improvement(self, value: float) -> bool:
        """Whether ``value`` beats :attr:`best` by more than ``min_delta``."""
        if self.mode == "min":
            return value < self.best - self.min_delta
        return value > self.best + self.min_delta

    @property
    def should_stop(self) -> bool:
        """What the last :meth:`step` returned (``False`` before the first): whether training
        should stop now.

        It is not stored: ``step`` says stop exactly when the epoch did not improve
        (``wait >= 1``) and ``wait >= patience``, so the counters of :meth:`state_dict`
        restore it.  The trainer reads it to not train on after a resume from the checkpoint
        of the epoch that stopped the run."""
        return self.wait >= max(self.patience, 1)

    def step(self, metrics: Mapping[str, float]) -> bool:
        """Record one epoch's ``metrics``; return ``True`` when training should stop.

        Raises ``KeyError`` naming the available keys when ``monitor`` is not among them."""
        if self.monitor not in metrics:
            raise KeyError(
                f"EarlyStopping: monitored metric {self.monitor!r} is not among the epoch's "
                f"metrics {sorted(metrics)} (monitor 'val_...' needs val_data in fit)"
            )
        value = float(metrics[self.monitor])
        self.epochs_seen += 1
        if self.is_improvement(value):
            self.best = value
            self.wait = 0
            return False
        self.wait += 1
        if self.should_stop:  # (the rule lives there; a resumed stopper reads it too)
            if self.stopped_epoch == 0:
                self.stopped_epoch = self.epochs_seen
            return True
        return False

    def state_dict(self) -> dict[str, Any]:
        """The settings and the counters, as plain numbers and strings."""
        return {
            "monitor": self.monitor,
            "patience": self.patience,
            "min_delta": self.min_delta,
            "mode": self.mode,
            "best": self.best,
            "wait": self.wait,
            "epochs_seen": self.epochs_seen,
            "stopped_epoch": self.stopped_epoch,
        }

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """Restore a :meth:`state_dict`; ``monitor`` and ``mode`` must match this object's
        (``ValueError`` otherwise: the saved best value would mean something else)."""
        for key in ("monitor", "mode"):
            if state_dict[key] != getattr(self, key):
                raise ValueError(
                    f"EarlyStopping.load_state_dict: the saved {key} is "
                    f"{state_dict[key]!r}, this EarlyStopping has {getattr(self, key)!r}"
                )
        self.patience = int(state_dict["patience"])
        self.min_delta = float(state_dict["min_delta"])
        self.best = float(state_dict["best"])
        self.wait = int(state_dict["wait"])
        self.epochs_seen = int(state_dict["epochs_seen"])
        self.stopped_epoch = int(state_dict["stopped_epoch"])
