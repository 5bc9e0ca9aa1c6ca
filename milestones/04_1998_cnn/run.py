"""Milestone 04 (1998): a convolutional network in the style of LeNet reads images.

LeCun, Bottou, Bengio and Haffner ("Gradient-based learning applied to document
recognition", Proc. IEEE, 1998) trained LeNet-5 end to end by backpropagation: convolutions
share one small set of weights across the image, pooling makes the features tolerant of small
shifts, and a few fully connected layers classify.  It read a large share of the cheques in
the United States.  Here the same design, with ReLU and max pooling as it is built today:

    conv3x3(C -> 32) ReLU maxpool2, conv3x3(32 -> 64) ReLU maxpool2, Linear(-> 128) ReLU
    Dropout(0.25), Linear(128 -> 10)

Runs (each seeded; a table and an exit status like every milestone):

* TinyDigits (16x16 digits drawn by tt-data, no download): at least 98% test accuracy.
* Fashion-MNIST (when its files are found, e.g. Debian's dataset-fashion-mnist): the default
  run trains one epoch with a lower gate (the CI budget); ``--full`` trains against the full
  gate, at least 91% test accuracy in under 15 minutes.

CIFAR-10 has its own script, ``cifar10.py`` (see the README).

Run: ``python milestones/04_1998_cnn/run.py [--full]``.  Needs every tier up to tt-data.
"""

from __future__ import annotations

import sys
from pathlib import Path

import tt_nn as nn
from tt_data.datasets import FashionMNIST, TinyDigits

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "_shared"))
from milestone import Gate, finish, parse_args
from training import Run, found, train_and_test

SEED = 1998


def lenet(shape: tuple[int, ...]) -> nn.Module:
    """The CNN for images of ``shape`` ``(C, H, W)``, H and W divisible by 4."""
    c, h, w = shape
    return nn.Sequential(
        nn.Conv2d(c, 32, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(64 * (h // 4) * (w // 4), 128),
        nn.ReLU(),
        nn.Dropout(0.25),
        nn.Linear(128, 10),
    )


def main() -> int:
    args = parse_args(__doc__ or "")
    runs = [Run("LeNet-style CNN", TinyDigits, epochs=10, gate=0.98, seconds=120)]
    if found(FashionMNIST):
        if args.full:
            runs.append(Run("LeNet-style CNN", FashionMNIST, epochs=12, gate=0.91, seconds=900))
        else:  # the CI budget: one epoch, a lower gate
            runs.append(Run("LeNet-style CNN (short run)", FashionMNIST, 1, 0.85, 300))
    gates: list[Gate] = []
    for run in runs:
        gates += train_and_test(run, lenet, SEED)
    return finish("04_1998_cnn", gates, args.json)


if __name__ == "__main__":
    sys.exit(main())
