"""Milestone 03 (1986): a multi-layer perceptron trained by backpropagation reads images.

Rumelhart, Hinton and Williams ("Learning representations by back-propagating errors",
Nature, 1986) showed that gradient descent through hidden layers learns useful internal
features: the answer to the single-layer limits of milestone 02.  Here a two-hidden-layer
MLP classifies images pixel by pixel, with no idea that they are images.

Runs (each seeded; a table and an exit status like every milestone):

* TinyDigits (16x16 digits drawn by tt-data, no download): at least 95% test accuracy, in
  under a minute.
* Fashion-MNIST (when its files are found, e.g. Debian's dataset-fashion-mnist): the default
  run trains on the full training set for a few epochs with a lower gate (the CI budget);
  ``--full`` trains longer against the full gate, at least 88% test accuracy in under 5
  minutes.
* MNIST with ``--full`` when its files are found (``root``, ``$TT_DATA_ROOT`` or the cache;
  ``MNIST(download=True)`` fetches them): at least 98% test accuracy.

Under CI (``CI=true``) missing Fashion-MNIST files fail the run; elsewhere the run says how
to get them and goes on without that gate.

Run: ``python milestones/03_1986_mlp/run.py [--full]``.  Needs every tier up to tt-data.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable
from pathlib import Path

import tt_nn as nn
from tt_data.datasets import MNIST, FashionMNIST, TinyDigits

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "_shared"))
from milestone import Gate, finish, parse_args
from training import Run, found, train_and_test

SEED = 1986


def mlp(hidden: tuple[int, int]) -> Callable[[tuple[int, ...]], nn.Module]:
    """``make_model`` for :func:`train_and_test`: flatten, two hidden ReLU layers (dropout
    after the first), ten logits."""

    def make(shape: tuple[int, ...]) -> nn.Module:
        h1, h2 = hidden
        return nn.Sequential(
            nn.Flatten(),
            nn.Linear(math.prod(shape), h1),
            nn.ReLU(),
            nn.Dropout(0.1),
            nn.Linear(h1, h2),
            nn.ReLU(),
            nn.Linear(h2, 10),
        )

    return make


def main() -> int:
    args = parse_args(__doc__ or "")
    small, large = (256, 128), (512, 256)
    runs = [(Run("MLP 256-128", TinyDigits, epochs=15, gate=0.95, seconds=60), small)]
    if found(FashionMNIST):
        if args.full:
            run = Run("MLP 512-256", FashionMNIST, 15, 0.88, 300, batch_size=128)
            runs.append((run, large))
        else:  # the CI budget: 2 epochs, a lower gate
            run = Run("MLP 256-128 (short run)", FashionMNIST, 2, 0.84, 120, batch_size=128)
            runs.append((run, small))
    if args.full and found(MNIST, required_on_ci=False):
        runs.append((Run("MLP 512-256", MNIST, 15, 0.98, 300, batch_size=128), large))
    gates: list[Gate] = []
    for run, hidden in runs:
        gates += train_and_test(run, mlp(hidden), SEED)
    return finish("03_1986_mlp", gates, args.json)


if __name__ == "__main__":
    sys.exit(main())
