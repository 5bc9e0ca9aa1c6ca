"""Milestone 02 (1969): XOR, the problem a single layer cannot solve, and the MLP that can.

Minsky and Papert's *Perceptrons* (1969) proved that a single-layer perceptron cannot compute
XOR: no straight line puts (0, 0) and (1, 1) on one side and (0, 1) and (1, 0) on the other.
The book is often blamed for the first "AI winter".  The way out, a hidden layer trained by
backpropagation, became practical with Rumelhart, Hinton and Williams (1986).

Data: tt-data's ``make_xor``, the four corners (+-1, +-1) with Gaussian noise (so there is a
held-out set drawn the same way).  We train:

(a) a single layer, ``Linear(2, 2)``, with cross-entropy and SGD: it cannot pass 75%
    (at best three of the four corners are right), whatever the seed;
(b) a two-layer MLP, ``Linear(2, 8) -> Tanh -> Linear(8, 2)``: it reaches 100% held-out
    accuracy on each of 10 seeds.

Gates: (a) held-out accuracy <= 75% on every seed; (b) 100% on 10 of 10 seeds.

Run: ``python milestones/02_1969_xor/run.py`` (exit status 0 when every gate passes).
Needs tt-tensor, tt-autograd, tt-nn, tt-optim and tt-data.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import tt_nn as nn
import tt_nn.functional as F
import tt_optim
import tt_tensor as tt
from tt_data.datasets import make_xor
from tt_tensor import Tensor

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "_shared"))
from milestone import Gate, finish, parse_args

SEEDS = range(10)


def train(model: nn.Module, x: Tensor, y: Tensor, steps: int, lr: float) -> None:
    optimizer = tt_optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    for _ in range(steps):
        optimizer.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()


def accuracy(model: nn.Module, x: Tensor, y: Tensor) -> float:
    return float((model(x).argmax(1) == y).float().mean().item())


def main() -> int:
    args = parse_args(__doc__ or "")
    single: list[float] = []
    mlp: list[float] = []
    start = time.perf_counter()
    for seed in SEEDS:
        tt.manual_seed(seed)
        generator = tt.Generator().manual_seed(1000 + seed)
        x_train, y_train = make_xor(100, noise=0.2, generator=generator)
        x_test, y_test = make_xor(100, noise=0.2, generator=generator)
        linear = nn.Linear(2, 2)
        train(linear, x_train, y_train, steps=300, lr=0.1)
        single.append(accuracy(linear, x_test, y_test))
        hidden = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 2))
        train(hidden, x_train, y_train, steps=300, lr=0.1)
        mlp.append(accuracy(hidden, x_test, y_test))
    seconds = time.perf_counter() - start

    print(f"{'seed':>4} {'single layer':>13} {'two-layer MLP':>14}")
    for seed, a, b in zip(SEEDS, single, mlp, strict=True):
        print(f"{seed:>4} {a:>13.0%} {b:>14.0%}")
    data = "make_xor: corners (+-1, +-1) + N(0, 0.2^2) noise, 100 + 100 points"
    gates = [
        Gate("single layer: best held-out accuracy", data, max(single), 0.75, "<=", seconds, 0),
        Gate("two-layer MLP: seeds at 100%", data, sum(a == 1.0 for a in mlp), len(SEEDS), ">=",
             seconds, 0, unit=f" of {len(SEEDS)}"),
    ]  # fmt: skip
    return finish("02_1969_xor: seeds 0-9", gates, args.json)


if __name__ == "__main__":
    sys.exit(main())
