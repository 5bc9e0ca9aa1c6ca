"""Milestone 01 (1957): Rosenblatt's perceptron, and the same problem solved by gradient descent.

Frank Rosenblatt's perceptron (1957, Cornell Aeronautical Laboratory) was the first machine
that *learned* its weights from examples.  Its rule: predict ``sign(w . x + b)``; when a
prediction is wrong, add ``label * x`` to ``w`` (and ``label`` to ``b``).  Novikoff (1962)
proved that on linearly separable data it stops making mistakes after finitely many updates.

Here, on generated linearly separable data in 2-D (two Gaussian blobs pushed apart along a
random direction, with a margin), we train:

(a) the perceptron with Rosenblatt's rule, written with tt-tensor ops only;
(b) a ``tt_nn.Linear(2, 1)`` followed by a sigmoid, trained with the binary cross-entropy
    and ``tt_optim.SGD``: the modern reading of the same model (logistic regression).

Gate: each reaches at least 99% accuracy on held-out data.

Run: ``python milestones/01_1957_perceptron/run.py`` (exit status 0 when every gate passes).
Needs tt-tensor, tt-autograd, tt-nn and tt-optim.
"""

from __future__ import annotations

import math
import sys
import time
from pathlib import Path

import tt_nn as nn
import tt_optim
import tt_tensor as tt
from tt_tensor import Tensor

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "_shared"))
from milestone import Gate, finish, parse_args

SEED = 1957
GATE = 0.99


def separable_blobs(n: int, generator: tt.Generator) -> tuple[Tensor, Tensor]:
    """``n`` points in 2-D, labels in {0, 1}: two unit Gaussians 6 apart along a random unit
    direction; points within 1 of the midline are dropped, so a margin of 2 separates them."""
    angle = float(tt.rand(1, generator=generator).item()) * 2 * math.pi
    direction = tt.tensor([math.cos(angle), math.sin(angle)])
    xs: list[Tensor] = []
    ys: list[Tensor] = []
    count = 0
    while count < n:
        labels = tt.randint(0, 2, (n,), generator=generator)
        centers = (labels.float() * 2 - 1).unsqueeze(1) * direction * 3.0
        points = centers + tt.randn(n, 2, generator=generator)
        keep = (points @ direction).abs() > 1.0
        xs.append(points[keep])
        ys.append(labels[keep])
        count += int(keep.sum().item())
    return tt.cat(xs)[:n], tt.cat(ys)[:n]


def perceptron(x: Tensor, y: Tensor, epochs: int) -> tuple[Tensor, Tensor, int]:
    """Rosenblatt's rule with labels in {-1, +1} and a margin; returns (w, b, updates)."""
    w = tt.zeros(2)
    b = tt.zeros(())
    signs = y.float() * 2 - 1
    updates = 0
    for _ in range(epochs):
        mistakes = 0
        for i in range(len(x)):
            # wrong, or right by less than a margin of 1 (the margin variant of the rule: it
            # keeps updating until every point is clearly on its side, not barely)
            if float((signs[i] * (x[i] @ w + b)).item()) <= 1.0:
                w = w + signs[i] * x[i]
                b = b + signs[i]
                mistakes += 1
        updates += mistakes
        if mistakes == 0:  # a full pass without a mistake: converged (Novikoff)
            break
    return w, b, updates


def accuracy(pred: Tensor, y: Tensor) -> float:
    return float((pred == y).float().mean().item())


def main() -> int:
    args = parse_args(__doc__ or "")
    data = "separable blobs, 1000 + 1000 points"
    generator = tt.Generator().manual_seed(SEED)
    tt.manual_seed(SEED)
    x_train, y_train = separable_blobs(1000, generator)
    x_test, y_test = separable_blobs(1000, generator)
    gates: list[Gate] = []

    start = time.perf_counter()
    w, b, updates = perceptron(x_train, y_train, epochs=50)
    acc = accuracy(((x_test @ w + b) > 0).long(), y_test)
    seconds = time.perf_counter() - start
    name = f"perceptron rule ({updates} updates)"
    gates.append(Gate(name, data, acc, GATE, ">=", seconds, SEED))

    start = time.perf_counter()
    model = nn.Sequential(nn.Linear(2, 1), nn.Sigmoid())
    optimizer = tt_optim.SGD(model.parameters(), lr=0.5)
    loss_fn = nn.BCELoss()  # -(t log p + (1 - t) log(1 - p)), averaged
    for _ in range(200):
        optimizer.zero_grad()
        loss = loss_fn(model(x_train).squeeze(1), y_train.float())
        loss.backward()
        optimizer.step()
    model.eval()
    acc = accuracy((model(x_test).squeeze(1) > 0.5).long(), y_test)
    seconds = time.perf_counter() - start
    gates.append(Gate("Linear + sigmoid, BCE, SGD", data, acc, GATE, ">=", seconds, SEED))
    return finish("01_1957_perceptron: held-out accuracy", gates, args.json)


if __name__ == "__main__":
    sys.exit(main())
