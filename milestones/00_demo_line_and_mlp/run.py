"""Milestone 00: fit a line, a sine and a spiral with tt-tensor + tt-autograd only.

Three small learning problems, each solved by full-batch gradient descent on a loss that
autograd differentiates for us:

(a) **line**: least squares (Legendre 1805, Gauss 1809) solved iteratively by gradient
    descent (Cauchy 1847).  ``y = 3x - 2 + noise``; we must recover slope and intercept,
    reach the closed-form least-squares answer, and leave only the noise unexplained.
(b) **sine**: a 2-layer network ``tanh(x W1 + b1) W2 + b2`` (1-32-1) fitted to ``sin(x)``
    on ``[-3, 3]``; a sum of 32 shifted, scaled tanh "steps" can bend into a sine.
(c) **spiral**: two interleaved spirals (Lang and Witbrock 1988), which no straight line
    separates; a 2-layer ReLU network (2-64-2) trained with the cross-entropy loss
    ``-log softmax(logits)[label]`` must classify held-out points.

There is no tt-nn yet: every model is a handful of tensors that require grad, every layer
is a ``matmul`` plus a broadcast bias, every update is written out by hand.

Run: ``python milestones/00_demo_line_and_mlp/run.py`` (exit status 0 when every gate
passes, 1 otherwise), or ``nox -s milestones`` for all milestones on the built wheels.
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import tt_autograd as ag
import tt_tensor as tt
from tt_tensor import Tensor

SEED = 0  # every task reseeds with this, so each one is reproducible on its own

Activation = Callable[[Tensor], Tensor]


# --------------------------------------------------------------------------- bookkeeping


@dataclass(frozen=True)
class Check:
    """One measured number and the gate it must pass."""

    metric: str
    value: float
    gate: str
    passed: bool
    fmt: str = ".4g"  # how to print the value


@dataclass(frozen=True)
class Row:
    """A check, labelled with its task and the task's wall time."""

    task: str
    check: Check
    seconds: float


def scalar(t: Tensor) -> float:
    """A one-element tensor as a Python float."""
    return float(t.item())


# --------------------------------------------------------------------------- the tools


def gradient_descent_step(params: Sequence[Tensor], lr: float) -> None:
    """One step of gradient descent: ``p <- p - lr * dL/dp`` for every parameter.

    The gradient points uphill, so a small step against it lowers the loss (Cauchy 1847).
    The update runs under ``no_grad``: it is not part of the model, so it must not be
    recorded in the graph (and an in-place write to a leaf that requires grad is refused
    while recording).  ``backward`` *adds* into ``.grad``, so each gradient is zeroed
    after use, ready for the next step.
    """
    with ag.no_grad():
        for p in params:
            grad = p.grad
            if grad is None:
                raise RuntimeError("a parameter received no gradient: is it used by the loss?")
            p.sub_(grad, alpha=lr)
            grad.zero_()


def parameter(*shape: int, std: float) -> Tensor:
    """A leaf tensor drawn from N(0, std^2) that autograd will differentiate with respect to."""
    return (tt.randn(*shape) * std).requires_grad_()


@dataclass
class TwoLayerNet:
    """``x -> act(x @ w1 + b1) @ w2 + b2``: one hidden layer, then a linear read-out.

    With ``x`` of shape (N, n_in): ``x @ w1`` is (N, hidden) and the bias (hidden,) is
    broadcast over the N rows; autograd sums the bias gradient back over those rows.
    """

    w1: Tensor
    b1: Tensor
    w2: Tensor
    b2: Tensor
    act: Activation

    @classmethod
    def create(
        cls, n_in: int, n_hidden: int, n_out: int, act: Activation, w1_std: float, b1_std: float
    ) -> TwoLayerNet:
        # The output layer is scaled by 1/sqrt(fan_in) so the initial outputs are O(1)
        # whatever the width (LeCun's rule); the first layer's scale sets how sharply the
        # hidden units bend across the input range.
        return cls(
            w1=parameter(n_in, n_hidden, std=w1_std),
            b1=parameter(n_hidden, std=b1_std),
            w2=parameter(n_hidden, n_out, std=1 / math.sqrt(n_hidden)),
            b2=tt.zeros(n_out, requires_grad=True),
            act=act,
        )

    def __call__(self, x: Tensor) -> Tensor:
        hidden = self.act(x @ self.w1 + self.b1)
        return hidden @ self.w2 + self.b2

    def parameters(self) -> list[Tensor]:
        return [self.w1, self.b1, self.w2, self.b2]


def mse(prediction: Tensor, target: Tensor) -> Tensor:
    """Mean squared error ``mean((prediction - target)^2)``."""
    return ((prediction - target) ** 2).mean()


def cross_entropy(logits: Tensor, labels: Tensor) -> Tensor:
    """Mean negative log-likelihood of the labels under ``softmax(logits)``.

    ``log_softmax`` turns each row of logits (N, C) into log-probabilities (stably:
    ``z - logsumexp(z)``); ``gather`` picks, in row i, the column ``labels[i]``: the
    log-probability the model gives the right class.  Minimising its negative mean is
    maximum likelihood.
    """
    log_probs = logits.log_softmax(dim=1)  # (N, C)
    picked = log_probs.gather(1, labels.unsqueeze(1))  # (N, 1)
    return -picked.mean()


def accuracy(logits: Tensor, labels: Tensor) -> float:
    """The fraction of rows whose largest logit is at the label."""
    return scalar(logits.argmax(dim=1).eq(labels).float().mean())


# --------------------------------------------------------------------------- (a) a line


def fit_line() -> list[Check]:
    """Recover y = 3x - 2 from 200 noisy samples by gradient descent on the MSE."""
    tt.manual_seed(SEED)
    n, slope, intercept, noise_std = 200, 3.0, -2.0, 0.5
    x = tt.rand(n) * 4 - 2  # uniform on [-2, 2)
    y = slope * x + intercept + noise_std * tt.randn(n)

    w = tt.zeros(1, requires_grad=True)
    b = tt.zeros(1, requires_grad=True)
    # The MSE is a convex quadratic in (w, b); its curvature is about 2 var(x) = 8/3 along
    # w and 2 along b, so any lr below 2 / (8/3) = 0.75 converges.  With 0.1 the error
    # shrinks by at least a factor 0.8 per step: 200 steps are plenty.
    for _ in range(200):
        loss = mse(w * x + b, y)
        loss.backward()  # fills w.grad = dL/dw and b.grad = dL/db
        gradient_descent_step([w, b], lr=0.1)

    with ag.no_grad():
        final_mse = scalar(mse(w * x + b, y))
        # Gauss's closed form for one input: slope = cov(x, y) / var(x), and the line
        # passes through the point of means.
        dx, dy = x - x.mean(), y - y.mean()
        ls_slope = (dx * dy).sum() / (dx * dx).sum()
        ls_intercept = y.mean() - ls_slope * x.mean()
    w_fit, b_fit = scalar(w), scalar(b)
    gap = abs(w_fit - scalar(ls_slope)) + abs(b_fit - scalar(ls_intercept))
    # A perfect fit leaves exactly the noise: the MSE estimates noise_std^2 (= 0.25), with
    # a relative sampling error of about sqrt(2 / n) = 0.1.  The standard errors of the
    # slope and intercept are about 0.03 and 0.035, so 0.1 is a 3-sigma tolerance.
    ratio = final_mse / noise_std**2
    return [
        Check("slope w", w_fit, "|w - 3| < 0.1", abs(w_fit - slope) < 0.1),
        Check("intercept b", b_fit, "|b + 2| < 0.1", abs(b_fit - intercept) < 0.1),
        Check("MSE / noise variance", ratio, "0.7 .. 1.3", 0.7 <= ratio <= 1.3),
        Check("distance to least squares", gap, "< 1e-3", gap < 1e-3),
    ]


# --------------------------------------------------------------------------- (b) a sine


def fit_sine() -> list[Check]:
    """Fit sin(x) on [-3, 3] with a 1-32-1 tanh network, full batch."""
    tt.manual_seed(SEED)
    x = tt.linspace(-3, 3, 200).unsqueeze(1)  # (200, 1): one sample per row
    y = x.sin()
    net = TwoLayerNet.create(1, 32, 1, tt.tanh, w1_std=1.0, b1_std=1.0)

    # Gradient descent is stable while lr < 2 / (largest curvature of the loss).  Along w2
    # the curvature is 2 * the top eigenvalue of hidden^T hidden / N, which grows with the
    # width: lr = 0.1 diverges for some seeds, 0.05 converges for every seed we tried.
    first = 0.0
    for step in range(3000):
        loss = mse(net(x), y)
        if step == 0:
            first = scalar(loss)
        loss.backward()  # backpropagation: one reverse sweep gives all four gradients
        gradient_descent_step(net.parameters(), lr=0.05)

    with ag.no_grad():
        final = scalar(mse(net(x), y))
    return [
        Check("initial MSE", first, "> 0.1", first > 0.1),  # the task is not trivial
        Check("final MSE", final, "< 0.01", final < 0.01),
    ]


# --------------------------------------------------------------------------- (c) a spiral


def two_spirals(n_per_class: int, noise: float) -> tuple[Tensor, Tensor]:
    """Points (N, 2) on two interleaved one-turn spirals and their labels (N,) in {0, 1}.

    Class k follows ``r = t + 0.1, angle = 2 pi t + k pi`` for t uniform in [0, 1): the
    second spiral is the first one rotated by half a turn.
    """
    points, labels = [], []
    for k in range(2):
        t = tt.rand(n_per_class)
        radius = t + 0.1
        angle = t * (2 * math.pi) + k * math.pi
        xy = tt.stack([radius * angle.cos(), radius * angle.sin()], dim=1)
        points.append(xy + noise * tt.randn(n_per_class, 2))
        labels.append(tt.full((n_per_class,), k))  # int64, as class indices must be
    order = tt.randperm(2 * n_per_class)  # shuffle, so a split takes both classes
    return tt.cat(points)[order], tt.cat(labels)[order]


def classify_spirals() -> list[Check]:
    """Tell two spirals apart with a 2-64-2 ReLU network; measure on held-out points."""
    tt.manual_seed(SEED)
    x, y = two_spirals(300, noise=0.05)
    x_train, y_train = x[:400], y[:400]
    x_test, y_test = x[400:], y[400:]  # 200 points the network never trains on
    # Each hidden ReLU unit is "on" on one side of a line w.x + b = 0.  The points lie
    # within radius ~1.1, so a first-layer scale of 3 puts those lines across the data.
    net = TwoLayerNet.create(2, 64, 2, tt.relu, w1_std=3.0, b1_std=1.5)

    for _ in range(1500):
        loss = cross_entropy(net(x_train), y_train)
        loss.backward()
        gradient_descent_step(net.parameters(), lr=0.5)

    with ag.no_grad():  # evaluation: nothing to differentiate, so record nothing
        final_loss = scalar(cross_entropy(net(x_train), y_train))
        test_acc = accuracy(net(x_test), y_test)
    return [
        Check("train cross-entropy", final_loss, "< 0.1", final_loss < 0.1),
        Check("held-out accuracy", test_acc, ">= 95%", test_acc >= 0.95, fmt=".1%"),
    ]


# --------------------------------------------------------------------------- main


TASKS: list[tuple[str, Callable[[], list[Check]]]] = [
    ("(a) line, GD", fit_line),
    ("(b) sine, 1-32-1 tanh", fit_sine),
    ("(c) spirals, 2-64-2 relu", classify_spirals),
]


def print_table(rows: Sequence[Row]) -> None:
    header = ("task", "metric", "value", "gate", "result", "seconds")
    cells = [
        (
            r.task,
            r.check.metric,
            format(r.check.value, r.check.fmt),
            r.check.gate,
            "pass" if r.check.passed else "FAIL",
            f"{r.seconds:.2f}",
        )
        for r in rows
    ]
    widths = [max(len(c[i]) for c in [header, *cells]) for i in range(len(header))]
    right = {2, 5}  # numbers align right

    def line(cols: Sequence[str]) -> str:
        return "  ".join(
            c.rjust(widths[i]) if i in right else c.ljust(widths[i]) for i, c in enumerate(cols)
        ).rstrip()

    print(line(header))
    print(line(["-" * w for w in widths]))
    for c in cells:
        print(line(c))


def main() -> int:
    print(
        f"milestone 00: a line, a sine and two spirals with tt-tensor {tt.__version__}"
        f" and tt-autograd {ag.__version__} (seed {SEED})\n"
    )
    rows: list[Row] = []
    start = time.perf_counter()
    for task, run in TASKS:
        t0 = time.perf_counter()
        checks = run()
        seconds = time.perf_counter() - t0
        rows.extend(Row(task, c, seconds) for c in checks)
    print_table(rows)
    failed = [r for r in rows if not r.check.passed]
    total = time.perf_counter() - start
    print(f"\n{len(rows) - len(failed)} of {len(rows)} gates passed in {total:.1f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
