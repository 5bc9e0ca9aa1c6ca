"""The training recipe the image milestones share: normalise, shuffle, Adam with a one-cycle
schedule, the tt-optim Trainer, then the test accuracy as a :class:`~milestone.Gate`.

Everything a PyTorch user would write, with tt's imports: ``tt_data`` for torchvision's
datasets and transforms and ``torch.utils.data``'s loader, ``tt_nn`` for ``torch.nn``,
``tt_optim`` for ``torch.optim`` plus the ``Trainer``.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from milestone import Gate

import tt_nn as nn
import tt_optim
import tt_tensor as tt
from tt_data import DataLoader, transforms
from tt_data.datasets import DatasetNotFoundError
from tt_optim import Trainer


@dataclass(frozen=True)
class Run:
    """One training run: a dataset class, a schedule and the gate on test accuracy."""

    name: str
    dataset: Any  # a tt_data.datasets class: dataset(train=...) -> a VisionDataset
    epochs: int
    gate: float
    seconds: float  # the time limit of the run, a gate too
    batch_size: int = 64
    lr: float = 2e-3
    augment: Sequence[Callable[[Any], Any]] = ()  # train-only transforms after ToTensor


def found(dataset: Any, *, required_on_ci: bool = True) -> bool:
    """Whether ``dataset``'s files are found.  Under CI (``CI=true``) a missing dataset is an
    error unless ``required_on_ci`` is false; otherwise the reason (every place looked, how
    to get the files) is printed."""
    try:
        dataset(train=False)
    except DatasetNotFoundError as e:
        if required_on_ci and os.environ.get("CI") == "true":
            raise
        print(f"{dataset.__name__} not found; its runs are left out.\n{e}\n")
        return False
    return True


def train_and_test(
    run: Run, make_model: Callable[[tuple[int, ...]], nn.Module], seed: int
) -> list[Gate]:
    """Train ``make_model(image_shape)`` on ``run``'s training set from ``seed``; return the
    gates: test accuracy and wall time (loading included)."""
    tt.manual_seed(seed)
    start = time.perf_counter()
    train_set, test_set = run.dataset(train=True), run.dataset(train=False)
    pixels = train_set.data.reshape(len(train_set), -1)
    channels = 1 if train_set.data.ndim == 3 else train_set.data.shape[-1]
    mean = tuple(float(m) / 255 for m in pixels.reshape(-1, channels).mean(0))
    std = tuple(float(s) / 255 for s in pixels.reshape(-1, channels).std(0))
    to_tensor, normalize = transforms.ToTensor(), transforms.Normalize(mean, std)
    train_set.transform = transforms.Compose([to_tensor, *run.augment, normalize])
    test_set.transform = transforms.Compose([to_tensor, normalize])
    shape = (channels, *train_set.data.shape[1:3])
    model = make_model(shape)
    optimizer = tt_optim.Adam(model.parameters(), lr=run.lr)
    loader = DataLoader(train_set, batch_size=run.batch_size, shuffle=True)
    scheduler = tt_optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=run.lr, total_steps=run.epochs * len(loader)
    )
    trainer = Trainer(
        model, optimizer, nn.CrossEntropyLoss(), scheduler=scheduler, scheduler_interval="step"
    )
    trainer.fit(loader, run.epochs)
    accuracy = trainer.evaluate(DataLoader(test_set, batch_size=1000))["accuracy"]
    seconds = time.perf_counter() - start
    data = f"{run.dataset.__name__}: {len(train_set)} train, {len(test_set)} test"
    what = f"{run.name}, {run.epochs} epoch{'s' if run.epochs != 1 else ''}"
    return [
        Gate(f"{what}: test accuracy", data, accuracy, run.gate, ">=", seconds, seed),
        Gate(f"{what}: wall time", data, seconds, run.seconds, "<=", seconds, seed, unit=" s"),
    ]
