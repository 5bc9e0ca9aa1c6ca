"""Behaviour of tt_optim.history.History: records by epoch and by metric, and the PNG plot
(matplotlib is an optional extra)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tt_optim.history import PLOT_EXTRA_HINT, History

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _history() -> History:
    h = History()
    for epoch, (tl, ta, vl, va) in enumerate(
        [(1.0, 0.4, 1.1, 0.35), (0.6, 0.7, 0.7, 0.65), (0.3, 0.9, 0.5, 0.8)], start=1
    ):
        h.append(
            {
                "epoch": epoch,
                "train_loss": tl,
                "train_accuracy": ta,
                "val_loss": vl,
                "val_accuracy": va,
                "lr": 0.1,
                "seconds": 0.01,
            }
        )
    return h


def test_history_reads_by_epoch_and_by_metric() -> None:
    h = _history()
    assert len(h) == 3
    assert h["val_loss"] == [1.1, 0.7, 0.5]
    assert h.epochs[1]["train_accuracy"] == 0.7
    assert [r["epoch"] for r in h] == [1, 2, 3]
    with pytest.raises(KeyError, match="no epoch recorded 'val_f1'"):
        h["val_f1"]


def test_history_keeps_a_copy_of_each_record_and_round_trips_its_state() -> None:
    record = {"epoch": 1, "train_loss": 0.5}
    h = History()
    h.append(record)
    record["train_loss"] = 99.0
    assert h["train_loss"] == [0.5]
    restored = History()
    restored.load_state_dict(_history().state_dict())
    assert restored.epochs == _history().epochs


def test_plot_writes_a_png_file_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    path = tmp_path / "curves.png"
    _history().plot(path)
    data = path.read_bytes()
    assert data.startswith(PNG_SIGNATURE)
    assert len(data) > 1000
    assert os.listdir(tmp_path) == ["curves.png"]


def test_plot_draws_loss_only_when_no_accuracy_was_recorded(tmp_path: Path) -> None:
    from matplotlib.figure import Figure

    h = History()
    h.append({"epoch": 1, "train_loss": 0.5})
    h.append({"epoch": 2, "train_loss": 0.25})
    sizes: list[tuple[float, float]] = []
    original = Figure.savefig

    def spy(self: Figure, *args: Any, **kwargs: Any) -> None:
        width, height = self.get_size_inches()
        sizes.append((float(width), float(height)))
        original(self, *args, **kwargs)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(Figure, "savefig", spy)
        h.plot(tmp_path / "loss.png")
    assert sizes == [(5.0, 4.0)]  # one panel
    assert (tmp_path / "loss.png").read_bytes().startswith(PNG_SIGNATURE)


def test_plot_of_an_empty_history_raises_value_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no epoch recorded a loss"):
        History().plot(tmp_path / "x.png")
    assert os.listdir(tmp_path) == []


def test_a_failed_plot_leaves_the_existing_file_untouched(tmp_path: Path) -> None:
    from matplotlib.figure import Figure

    path = tmp_path / "curves.png"
    path.write_bytes(b"old")

    def broken(self: Figure, *args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(Figure, "savefig", broken)
        with pytest.raises(RuntimeError, match="disk full"):
            _history().plot(path)
    assert path.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["curves.png"]


def test_plot_without_matplotlib_raises_import_error_naming_the_extra(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # A None entry in sys.modules makes `import matplotlib...` fail as if it were absent.
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    with pytest.raises(ImportError, match=r'pip install "tt-optim\[plot\]"') as info:
        _history().plot(tmp_path / "curves.png")
    assert str(info.value) == PLOT_EXTRA_HINT
    assert os.listdir(tmp_path) == []


def test_tt_optim_imports_and_trains_without_matplotlib() -> None:
    code = (
        "import sys; sys.modules['matplotlib'] = None\n"
        "import tt_tensor as tt, tt_autograd, tt_nn as nn\n"
        "import tt_optim.history, tt_optim.trainer\n"
        "from tt_optim.sgd import SGD\n"
        "m = nn.Linear(2, 2)\n"
        "t = tt_optim.trainer.Trainer(m, SGD(m.parameters(), lr=0.1), nn.CrossEntropyLoss())\n"
        "h = t.fit([(tt.randn(4, 2), tt.tensor([0, 1, 1, 0]))], epochs=2)\n"
        "assert len(h) == 2 and 'matplotlib.figure' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, env=dict(os.environ))
