"""The benchmarked workloads, each built for one backend inside a worker process.

A workload is a zero-argument ``step`` function: everything it needs (tensors, weights, data) is
built once, then the timer calls ``step`` many times.

tt mirrors PyTorch's API, so tt and torch share ONE source for every step (the functions taking a
:class:`TorchLike`): the very same lines run on both, which guarantees that the two sides do the
same work.  The plain-NumPy MLP is written by hand, the way one would without a framework.

All backends start from the same seeded NumPy arrays, and each workload reports a few ``check``
values (a loss, a gradient sum) computed before timing; the parent compares them across backends,
so a benchmark can never silently compare two different computations.
"""

from __future__ import annotations

import importlib
import itertools
import math
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

Backend = Literal["tt", "torch", "numpy"]

SEED = 0
LAYER_SIZES = (784, 256, 128, 10)
BATCH = 128
LEARNING_RATE = 0.01
CNN_BATCH = 64
LOADER_BATCH = 128


@dataclass(frozen=True)
class Case:
    """A timed benchmark: what it measures and which backends run it."""

    name: str
    description: str
    backends: tuple[Backend, ...]
    # Backends timed inside tt's worker process, their loops alternating with tt's (see
    # bench_timing.measure_interleaved).  Only for backends that use the same libraries and
    # thread pool as tt (plain NumPy): torch never shares a process with tt.
    with_tt: tuple[Backend, ...] = ()

    def __post_init__(self) -> None:
        if "tt" not in self.backends or "tt" in self.with_tt:
            raise ValueError(f"{self.name}: tt must be a backend, and not one of with_tt")
        if not set(self.with_tt) <= set(self.backends):
            raise ValueError(f"{self.name}: with_tt {self.with_tt} not among {self.backends}")


CASES: dict[str, Case] = {
    case.name: case
    for case in (
        Case(
            "overhead_add", "tracked 2x2 add `a + b` (a, b require grad), per op", ("tt", "torch")
        ),
        Case("overhead_backward", "`(a * b).sum().backward()` on 2x2 leaves", ("tt", "torch")),
        Case(
            "mlp_step",
            f"MLP {'-'.join(map(str, LAYER_SIZES))}, batch {BATCH}, float32: "
            "forward + cross-entropy + backward + SGD",
            ("tt", "torch", "numpy"),
            with_tt=("numpy",),
        ),
        Case(
            "nn_mlp_step",
            "the same MLP written with nn.Linear, F.cross_entropy and optim.SGD",
            ("tt", "torch"),
        ),
        Case(
            "cnn_step",
            f"CNN conv3x3(3->32)+ReLU+maxpool2, conv3x3(32->64)+ReLU+maxpool2, Linear(4096->10), "
            f"batch {CNN_BATCH}, input 3x32x32: forward + cross-entropy + backward + SGD",
            ("tt", "torch"),
        ),
        Case("mlp_infer_b1", "the nn MLP, eval mode, no_grad, batch 1", ("tt", "torch")),
        Case("cnn_infer_b1", "the CNN, eval mode, no_grad, batch 1", ("tt", "torch")),
        Case(
            "loader_batch",
            f"one Fashion-MNIST training batch of {LOADER_BATCH}, shuffled, as normalised float32: "
            "tt's FashionMNIST + DataLoader vs torch's DataLoader over a TensorDataset",
            ("tt", "torch"),
        ),
        Case(
            "load_fashion_mnist",
            "FashionMNIST(train=True): read and check the gzipped IDX files (60000 images)",
            ("tt",),
        ),
    )
}


@dataclass(frozen=True)
class Workload:
    """``step`` is what gets timed; ``check`` holds values every backend must agree on."""

    step: Callable[[], object]
    check: list[float]


def build(case: str, backend: Backend) -> Workload:
    """The workload of ``case`` for ``backend`` (imports that backend, and only that one)."""
    if backend == "numpy":
        if case != "mlp_step":
            raise ValueError(f"no plain-NumPy version of {case!r}")
        return mlp_numpy(mlp_data())
    if case == "loader_batch":
        return loader_batch(backend)
    if case == "load_fashion_mnist":
        return load_fashion_mnist()
    fw = torch_like(backend)
    if case == "overhead_add":
        return overhead_add(fw)
    if case == "overhead_backward":
        return overhead_backward(fw)
    if case == "mlp_step":
        return mlp_torch_like(fw, mlp_data())
    if case in ("nn_mlp_step", "mlp_infer_b1"):
        model, x, y = nn_mlp(fw, mlp_data())
    elif case in ("cnn_step", "cnn_infer_b1"):
        model, x, y = nn_cnn(fw)
    else:
        raise ValueError(f"unknown case {case!r}; known: {', '.join(CASES)}")
    if case.endswith("_step"):
        return nn_train_step(fw, model, x, y)
    return nn_inference(fw, model, x[:1])


# --------------------------------------------------------------------------- tt and torch


@dataclass(frozen=True)
class TorchLike:
    """The entry points the shared step code needs from ``tt`` or ``torch``; everything else
    is a tensor or module method, identical in both."""

    from_numpy: Callable[[NDArray[Any]], Any]
    no_grad: Callable[[], AbstractContextManager[object]]
    nn: Any  # torch.nn or tt_nn
    F: Any  # torch.nn.functional or tt_nn.functional
    optim: Any  # torch.optim or tt_optim


def torch_like(backend: Backend) -> TorchLike:
    names = {
        "tt": ("tt_tensor", "tt_autograd", "tt_nn", "tt_nn.functional", "tt_optim"),
        "torch": ("torch", "torch", "torch.nn", "torch.nn.functional", "torch.optim"),
    }[backend]
    # Imported by name: torch is not installed where mypy runs (the nox types session), and
    # the shared step code handles both libraries' objects as Any anyway.  Importing
    # tt_autograd turns tt's gradient tracking on.
    tensor, autograd, nn, functional, optim = map(importlib.import_module, names)
    return TorchLike(tensor.from_numpy, autograd.no_grad, nn, functional, optim)


def _leaf_pair(fw: TorchLike) -> tuple[Any, Any]:
    """Two 2x2 float32 leaves that require grad, the same values on every backend."""
    rng = np.random.default_rng(SEED)
    return (
        fw.from_numpy(rng.standard_normal((2, 2), dtype=np.float32)).requires_grad_(),
        fw.from_numpy(rng.standard_normal((2, 2), dtype=np.float32)).requires_grad_(),
    )


def overhead_add(fw: TorchLike) -> Workload:
    """The fixed cost of one recorded op: the arithmetic on 4 numbers is negligible."""
    a, b = _leaf_pair(fw)

    def step() -> object:
        return a + b

    return Workload(step, [float((a + b).sum().item())])


def overhead_backward(fw: TorchLike) -> Workload:
    """The fixed cost of a tiny graph: record two ops, then run backward through them."""
    a, b = _leaf_pair(fw)

    def step() -> None:
        (a * b).sum().backward()  # .grad accumulates across calls, in tt as in torch

    step()
    return Workload(step, [float(a.grad.sum().item())])


@dataclass(frozen=True)
class MlpData:
    """Seeded inputs, labels and initial parameters; weights are (fan_in, fan_out)."""

    x: NDArray[np.float32]
    y: NDArray[np.int64]
    params: list[NDArray[np.float32]]  # W1, b1, W2, b2, W3, b3


def mlp_data(seed: int = SEED) -> MlpData:
    """Random data and Kaiming-uniform-like parameters: U(-1/sqrt(fan_in), 1/sqrt(fan_in)),
    the bound ``torch.nn.Linear`` uses (``kaiming_uniform_(a=sqrt(5))``) for weight and bias."""
    rng = np.random.default_rng(seed)
    params: list[NDArray[np.float32]] = []
    for fan_in, fan_out in itertools.pairwise(LAYER_SIZES):
        bound = 1 / math.sqrt(fan_in)
        params.append(rng.uniform(-bound, bound, (fan_in, fan_out)).astype(np.float32))
        params.append(rng.uniform(-bound, bound, fan_out).astype(np.float32))
    x = rng.standard_normal((BATCH, LAYER_SIZES[0]), dtype=np.float32)
    y = rng.integers(0, LAYER_SIZES[-1], BATCH, dtype=np.int64)
    return MlpData(x, y, params)


def mlp_torch_like(fw: TorchLike, data: MlpData) -> Workload:
    """One training step in PyTorch style: autograd for the gradients, hand-written SGD."""
    params = [fw.from_numpy(p.copy()).requires_grad_() for p in data.params]
    w1, b1, w2, b2, w3, b3 = params
    x = fw.from_numpy(data.x)
    y = fw.from_numpy(data.y.reshape(-1, 1))  # gather's index has the output's shape

    def step() -> object:
        h1 = (x @ w1 + b1).relu()
        h2 = (h1 @ w2 + b2).relu()
        logits = h2 @ w3 + b3
        loss = -logits.log_softmax(dim=1).gather(1, y).mean()
        loss.backward()
        with fw.no_grad():
            for p in params:
                p -= LEARNING_RATE * p.grad
                p.grad = None
        return loss

    return Workload(step, _first_losses(step))


def _load(fw: TorchLike, model: Any, arrays: list[NDArray[np.float32]]) -> Any:
    """``model`` with its parameters, in registration order, set to ``arrays``."""
    names = [name for name, _ in model.named_parameters()]
    model.load_state_dict({n: fw.from_numpy(a.copy()) for n, a in zip(names, arrays, strict=True)})
    return model


def nn_mlp(fw: TorchLike, data: MlpData) -> tuple[Any, Any, Any]:
    """The MLP of ``mlp_step`` as ``nn.Sequential`` (Linear stores weights as (out, in))."""
    sizes = LAYER_SIZES
    layers: list[Any] = []
    for fan_in, fan_out in itertools.pairwise(sizes):
        layers += [fw.nn.Linear(fan_in, fan_out), fw.nn.ReLU()]
    model = fw.nn.Sequential(*layers[:-1])
    arrays = [p.T if p.ndim == 2 else p for p in data.params]
    return _load(fw, model, arrays), fw.from_numpy(data.x), fw.from_numpy(data.y)


def nn_cnn(fw: TorchLike) -> tuple[Any, Any, Any]:
    """The CNN of the issue: two conv3x3+ReLU+maxpool2 stages, then Linear(4096 -> 10)."""
    nn = fw.nn
    model = nn.Sequential(
        nn.Conv2d(3, 32, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(4096, 10),
    )
    rng = np.random.default_rng(SEED)
    arrays = []
    for _, p in model.named_parameters():
        fan_in = math.prod(p.shape[1:]) if p.ndim > 1 else 1
        bound = 1 / math.sqrt(fan_in) if p.ndim > 1 else 0.1
        arrays.append(rng.uniform(-bound, bound, tuple(p.shape)).astype(np.float32))
    x = rng.standard_normal((CNN_BATCH, 3, 32, 32), dtype=np.float32)
    y = rng.integers(0, 10, CNN_BATCH, dtype=np.int64)
    return _load(fw, model, arrays), fw.from_numpy(x), fw.from_numpy(y)


def nn_train_step(fw: TorchLike, model: Any, x: Any, y: Any) -> Workload:
    """One training step the way a torch.nn program writes it."""
    optimizer = fw.optim.SGD(model.parameters(), lr=LEARNING_RATE)

    def step() -> object:
        optimizer.zero_grad()
        loss = fw.F.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
        return loss

    return Workload(step, _first_losses(step))


def nn_inference(fw: TorchLike, model: Any, x: Any) -> Workload:
    """Batch-1 inference: eval mode, no graph recorded."""
    model.eval()

    def step() -> object:
        with fw.no_grad():
            return model(x)

    out: Any = step()
    return Workload(step, [float(out.sum().item()), float(out.abs().sum().item())])


# --------------------------------------------------------------------------- data loading


def _fashion_mnist_train() -> Any:
    """tt-data's FashionMNIST training split (the files must be on this machine)."""
    from tt_data.datasets import FashionMNIST

    return FashionMNIST(train=True)


def load_fashion_mnist() -> Workload:
    """Reading the training set from its gzipped IDX files, checks included."""
    data = _fashion_mnist_train()

    def step() -> object:
        return _fashion_mnist_train()

    return Workload(step, [float(len(data)), float(data.data[0].sum())])


def loader_batch(backend: Backend) -> Workload:
    """The next shuffled, normalised batch; a new epoch (a new shuffle) when one runs out.

    tt: the FashionMNIST dataset with ``Compose([ToTensor(), Normalize])`` as its transform,
    in a ``DataLoader``.  torch (no torchvision here): ``DataLoader(TensorDataset(images,
    labels))`` over the same uint8 arrays, then the same normalisation on each batch, the
    way a torch program without torchvision writes it."""
    train = _fashion_mnist_train()
    mean, std = float(train.data.mean()) / 255, float(train.data.std()) / 255
    if backend == "tt":
        from tt_data import DataLoader, transforms

        train.transform = transforms.Compose(
            [transforms.ToTensor(), transforms.Normalize((mean,), (std,))]
        )
        loader: Any = DataLoader(train, batch_size=LOADER_BATCH, shuffle=True)

        def prepare(batch: Any) -> Any:
            return batch
    else:
        torch = importlib.import_module("torch")
        data = importlib.import_module("torch.utils.data")
        images = torch.from_numpy(train.data).unsqueeze(1)  # (N, 1, 28, 28) uint8
        labels = torch.from_numpy(np.asarray(train.targets))
        dataset = data.TensorDataset(images, labels)
        loader = data.DataLoader(dataset, batch_size=LOADER_BATCH, shuffle=True)

        def prepare(batch: Any) -> Any:
            x, y = batch
            return (x.float() / 255 - mean) / std, y

    epoch = iter(loader)

    def step() -> object:
        nonlocal epoch
        try:
            batch = next(epoch)
        except StopIteration:
            epoch = iter(loader)
            batch = next(epoch)
        return prepare(batch)

    first: Any = step()
    x = first[0]
    return Workload(step, [float(x.shape[0]), float(x[0].numel()), float(len(loader))])


# --------------------------------------------------------------------------- plain NumPy


def mlp_numpy(data: MlpData) -> Workload:
    """The same training step with the gradients derived by hand."""
    params = [p.copy() for p in data.params]
    w1, b1, w2, b2, w3, b3 = params
    x, y = data.x, data.y
    rows = np.arange(len(y))

    def step() -> object:
        # forward
        z1 = x @ w1 + b1
        h1 = np.maximum(z1, 0)
        z2 = h1 @ w2 + b2
        h2 = np.maximum(z2, 0)
        logits = h2 @ w3 + b3
        shifted = logits - logits.max(axis=1, keepdims=True)
        exp = np.exp(shifted)
        total = exp.sum(axis=1, keepdims=True)
        loss = -(shifted[rows, y] - np.log(total[:, 0])).mean()
        # backward: d(mean cross-entropy)/d(logits) = (softmax - onehot) / batch
        dlogits = exp / total
        dlogits[rows, y] -= 1
        dlogits /= len(y)
        dw3, db3 = h2.T @ dlogits, dlogits.sum(axis=0)
        dz2 = (dlogits @ w3.T) * (z2 > 0)
        dw2, db2 = h1.T @ dz2, dz2.sum(axis=0)
        dz1 = (dz2 @ w2.T) * (z1 > 0)
        dw1, db1 = x.T @ dz1, dz1.sum(axis=0)
        # SGD
        for p, g in zip(params, (dw1, db1, dw2, db2, dw3, db3), strict=True):
            p -= LEARNING_RATE * g
        return loss

    return Workload(step, _first_losses(step))


def _first_losses(step: Callable[[], Any]) -> list[float]:
    """The losses of the first two steps: the first checks the forward pass, the second that
    the gradients and the SGD update agree too."""
    return [float(step().item()) for _ in range(2)]
