"""``History``: the per-epoch record of a training run, and its loss and accuracy curves.

:meth:`Trainer.fit <tt_optim.trainer.Trainer.fit>` appends one dict per epoch, e.g.
``{"epoch": 1, "train_loss": 0.69, "train_accuracy": 0.5, "val_loss": 0.71,
"val_accuracy": 0.48, "lr": 0.1, "seconds": 0.02}``, and returns the ``History``.  Read it by
epoch (``history.epochs[0]``) or by metric (``history["val_loss"]``, one value per epoch).

:meth:`History.plot` draws the loss curves (and the accuracy curves, when recorded) into a PNG
file.  It needs matplotlib, an optional extra (``pip install "tt-optim[plot]"``): nothing
else in tt-optim imports it.

>>> h = History()
>>> h.append({"epoch": 1, "train_loss": 0.9, "lr": 0.1})
>>> h.append({"epoch": 2, "train_loss": 0.4, "lr": 0.1})
>>> h["train_loss"], len(h)
([0.9, 0.4], 2)
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator, Mapping
from typing import Any

__all__ = ["History"]

#: The message of the ImportError that :meth:`History.plot` raises without matplotlib.
PLOT_EXTRA_HINT = 'History.plot needs matplotlib, an optional extra: pip install "tt-optim[plot]"'

_SPLITS = ("train", "val")


class History:
    """The records of a training run, one dict of numbers per epoch.

    Attributes: ``epochs``, a list of dicts (``"epoch"``, ``"train_loss"``, ``"lr"``,
    ``"seconds"`` and, when measured, ``"train_<metric>"``, ``"val_loss"``,
    ``"val_<metric>"``)."""

    def __init__(self) -> None:
        self.epochs: list[dict[str, float]] = []

    def __repr__(self) -> str:
        last = self.epochs[-1] if self.epochs else {}
        return f"History(epochs={len(self.epochs)}, last={last})"

    def __len__(self) -> int:
        return len(self.epochs)

    def __iter__(self) -> Iterator[dict[str, float]]:
        return iter(self.epochs)

    def __getitem__(self, key: str) -> list[float]:
        """The values of metric ``key``, one per epoch that recorded it (``KeyError`` when no
        epoch did)."""
        values = [record[key] for record in self.epochs if key in record]
        if not values:
            known = sorted({k for record in self.epochs for k in record})
            raise KeyError(f"History: no epoch recorded {key!r}; recorded keys: {known}")
        return values

    def append(self, record: Mapping[str, float]) -> None:
        """Add the record of one epoch (a copy is kept)."""
        self.epochs.append(dict(record))

    def state_dict(self) -> dict[str, Any]:
        """The records, as lists and numbers (what a checkpoint stores)."""
        return {"epochs": [dict(record) for record in self.epochs]}

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """Replace the records with those of a :meth:`state_dict`."""
        self.epochs = [dict(record) for record in state_dict["epochs"]]

    def plot(self, path: str | os.PathLike[str]) -> None:
        """Draw the loss curves (and accuracy curves, if recorded) against the epoch into a
        PNG file at ``path``, atomically (a temporary file beside it, then ``os.replace``).

        Raises ``ImportError`` when matplotlib is not installed (the ``plot`` extra) and
        ``ValueError`` when there is nothing to plot.  Uses matplotlib's object API
        (``Figure``), not ``pyplot``: no window, no global figure state, any backend."""
        try:
            from matplotlib.figure import Figure
        except ImportError as e:
            raise ImportError(PLOT_EXTRA_HINT) from e
        panels = [
            m for m in ("loss", "accuracy") if any(f"{s}_{m}" in r for r in self for s in _SPLITS)
        ]
        if not panels:
            raise ValueError("History.plot: no epoch recorded a loss or an accuracy to plot")
        fig = Figure(figsize=(5.0 * len(panels), 4.0), layout="constrained")
        axes = fig.subplots(1, len(panels), squeeze=False)[0]
        for ax, metric in zip(axes, panels, strict=True):
            for split in _SPLITS:
                key = f"{split}_{metric}"
                points = [(r["epoch"], r[key]) for r in self.epochs if key in r]
                if points:
                    xs, ys = zip(*points, strict=True)
                    ax.plot(xs, ys, marker="o", label=split)
            ax.set_xlabel("epoch")
            ax.set_ylabel(metric)
            ax.grid(True, alpha=0.3)
            ax.legend()
        target = os.fspath(path)
        directory = os.path.dirname(os.path.abspath(target))
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=".history-", suffix=".png.tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                fig.savefig(fh, format="png")
            os.replace(tmp, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
