"""Integration: tt-data feeding tt-optim's Trainer on a tt-nn model, all from the wheels.

The Trainer's own tests resume from a checkpoint with a stand-in loader; here the real
``DataLoader`` shuffles (its order drawn from the global tt generator each epoch) and the model
has dropout, so a bit-identical resume proves that the checkpoint's RNG state restores both
the data order and the dropout masks.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

import tt_nn as nn
import tt_optim
import tt_tensor as tt
from tt_data import DataLoader, Subset, transforms
from tt_data.datasets import TinyDigits
from tt_optim import Trainer


def make_trainer(seed: int, checkpoint_dir: Path | None = None) -> Trainer:
    tt.manual_seed(seed)
    model = nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Dropout(0.2),
        nn.Linear(4 * 8 * 8, 10),
    )
    optimizer = tt_optim.Adam(model.parameters(), lr=3e-3)
    scheduler = tt_optim.lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.5)
    return Trainer(
        model,
        optimizer,
        nn.CrossEntropyLoss(),
        scheduler=scheduler,
        checkpoint_dir=checkpoint_dir,
        progress=False,
    )


def loader() -> DataLoader[object]:
    prepare = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.1,), (0.3,))])
    data = TinyDigits(train=True, transform=prepare)
    return DataLoader(Subset(data, range(512)), batch_size=64, shuffle=True)


def params(trainer: Trainer) -> list[np.ndarray[Any, Any]]:
    return [p.detach().numpy().copy() for p in trainer.model.parameters()]


def test_a_resumed_run_ends_bit_identical_with_the_real_loader(tmp_path: Path) -> None:
    whole = make_trainer(seed=0, checkpoint_dir=tmp_path / "whole")
    whole.fit(loader(), 4)
    first = make_trainer(seed=0, checkpoint_dir=tmp_path / "split")
    first.fit(loader(), 2)
    tt.manual_seed(99)  # whatever happened since: the checkpoint restores the generator
    resumed = make_trainer(seed=7)  # different initial weights, overwritten by the checkpoint
    resumed.fit(loader(), 4, resume_from=tmp_path / "split" / "epoch_0002.safetensors")
    for a, b in zip(params(whole), params(resumed), strict=True):
        np.testing.assert_array_equal(a, b)
    assert whole.history["train_loss"] == resumed.history["train_loss"]  # all 4 epochs
    assert whole.history["lr"] == resumed.history["lr"]


def test_the_stack_learns_tiny_digits(tmp_path: Path) -> None:
    trainer = make_trainer(seed=1)
    trainer.fit(loader(), 5)
    prepare = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.1,), (0.3,))])
    test = DataLoader(TinyDigits(train=False, transform=prepare), batch_size=500)
    # 5 epochs on 512 images: far above chance (10%), not yet the milestone's 98%.
    assert trainer.evaluate(test)["accuracy"] > 0.5
