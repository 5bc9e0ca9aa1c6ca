"""CIFAR-10 with a small VGG-style CNN, data augmentation and a one-cycle schedule (aim: 75%).

Not part of ``nox -s milestones``: the data (the binary version, ``cifar-10-binary.tar.gz``,
170 MB) cannot be downloaded on the build machines, and a full run takes long on 2 cores.

    python milestones/04_1998_cnn/cifar10.py              # train; needs the CIFAR-10 files
    python milestones/04_1998_cnn/cifar10.py --download   # fetch them first (SHA-256 checked)
    python milestones/04_1998_cnn/cifar10.py --measure    # time training steps, no data needed

``--measure`` times the training step on random batches of CIFAR-10's shape (augmentation,
forward, loss, backward, optimizer) and prints the projected time per epoch: the figure the
README states.  Files are found like every tt-data dataset: ``--root``, ``$TT_DATA_ROOT``,
the user cache, then system folders.

Model: three stages of conv3x3 + BatchNorm + ReLU (32, 64, 128 channels; two convolutions in
the first two), max pooling after each, dropout and one Linear.  Training: RandomCrop(32,
padding=4) and RandomHorizontalFlip on each batch, Adam with OneCycleLR, 20 epochs.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

import tt_nn as nn
import tt_nn.functional as F
import tt_optim
import tt_tensor as tt
from tt_data import transforms
from tt_data.datasets import CIFAR10

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "_shared"))
from milestone import finish
from training import Run, train_and_test

SEED = 2009  # the year CIFAR-10 was published
EPOCHS = 20
BATCH = 64
TRAIN_IMAGES = 50_000


def block(c_in: int, c_out: int) -> list[nn.Module]:
    return [nn.Conv2d(c_in, c_out, 3, padding=1, bias=False), nn.BatchNorm2d(c_out), nn.ReLU()]


def vgg_small(shape: tuple[int, ...]) -> nn.Module:
    """The CNN for ``(3, 32, 32)`` images: 32-32-pool, 64-64-pool, 128-pool, Linear."""
    c, h, w = shape
    return nn.Sequential(
        *block(c, 32),
        *block(32, 32),
        nn.MaxPool2d(2),
        *block(32, 64),
        *block(64, 64),
        nn.MaxPool2d(2),
        *block(64, 128),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Dropout(0.3),
        nn.Linear(128 * (h // 8) * (w // 8), 10),
    )


def augmentation() -> list[transforms.RandomCrop | transforms.RandomHorizontalFlip]:
    return [transforms.RandomCrop(32, padding=4), transforms.RandomHorizontalFlip()]


def measure(steps: int) -> int:
    """Time ``steps`` training steps on random CIFAR-shaped batches; print the epoch time."""
    tt.manual_seed(SEED)
    rng = np.random.default_rng(SEED)
    model = vgg_small((3, 32, 32))
    optimizer = tt_optim.Adam(model.parameters(), lr=1e-3)
    prepare = transforms.Compose([transforms.ToTensor(), *augmentation()])
    images = rng.integers(0, 256, (BATCH, 32, 32, 3), dtype=np.uint8)
    labels = tt.from_numpy(rng.integers(0, 10, BATCH))
    times = []
    for i in range(steps + 2):  # the first two warm up
        start = time.perf_counter()
        x = prepare(images)
        optimizer.zero_grad()
        F.cross_entropy(model(x), labels).backward()
        optimizer.step()
        if i >= 2:
            times.append(time.perf_counter() - start)
    step = statistics.median(times)
    per_epoch = step * -(-TRAIN_IMAGES // BATCH)
    print(f"training step, batch {BATCH}: median {step * 1e3:.1f} ms over {steps} steps")
    print(f"one epoch ({TRAIN_IMAGES} images): {per_epoch:.0f} s; {EPOCHS} epochs: "
          f"{per_epoch * EPOCHS / 60:.0f} min")  # fmt: skip
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--measure", action="store_true", help="time steps; no data needed")
    parser.add_argument("--steps", type=int, default=20, help="steps timed by --measure")
    parser.add_argument("--download", action="store_true", help="fetch the files first")
    parser.add_argument("--root", help="where the CIFAR-10 files are (or go)")
    parser.add_argument("--json", type=Path, help="also write the gates as JSON")
    args = parser.parse_args()
    if args.measure:
        return measure(args.steps)

    def cifar(train: bool) -> CIFAR10:
        return CIFAR10(root=args.root, train=train, download=args.download)

    cifar.__name__ = "CIFAR10"
    run = Run("VGG-style CNN, augmented", cifar, EPOCHS, 0.75, 4 * 3600, augment=augmentation())
    return finish("04_1998_cnn: CIFAR-10", train_and_test(run, vgg_small, SEED), args.json)


if __name__ == "__main__":
    sys.exit(main())
