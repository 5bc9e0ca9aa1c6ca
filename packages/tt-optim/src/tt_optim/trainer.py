"""``Trainer``: the training loop of PyTorch code, written once, with checkpoints that resume
exactly.

Every PyTorch program repeats the same loop::

    for epoch in range(epochs):
        model.train()
        for inputs, target in train_data:
            loss = loss_fn(model(inputs), target)
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
        scheduler.step()

``Trainer(model, optimizer, loss_fn).fit(train_data, epochs)`` runs that loop over any
iterable of ``(input, target)`` batches (a list, a ``DataLoader``) and adds the parts that are
easy to get subtly wrong:

* **metrics**: the loss and the accuracy of each epoch, averaged over *samples* (each batch
  weighted by its size, so a short last batch counts for what it holds);
* **gradient accumulation** (``accumulate_grad_batches=k``): each loss is divided by ``k`` and
  the optimizer steps every ``k`` batches, so ``k`` batches of ``b`` samples give the update of
  one batch of ``k * b`` (for a loss that averages over the batch).  A remainder of ``r < k``
  batches at the end of an epoch still steps, its gradient rescaled by ``k / r``: the mean
  over the batches it holds;
* **gradient clipping** (by norm or by value, :mod:`tt_optim.clip_grad`) of the accumulated
  gradient, just before each optimizer step;
* **learning-rate scheduling**: ``scheduler.step()`` once per epoch (``"epoch"``) or after
  every optimizer step (``"step"``), always after the optimizer has stepped;
* **validation** with :meth:`Trainer.evaluate` (``model.eval()``, ``no_grad``) after each
  epoch, and **early stopping** on any recorded metric (:class:`EarlyStopping`);
* a **progress bar** (tqdm, on standard error), on by default only when standard error is a
  terminal, so logs and CI output stay clean;
* a :class:`~tt_optim.history.History` of every epoch, which can draw its curves into a PNG;
* **checkpoints**: after each epoch ``checkpoint_dir/epoch_0003.safetensors`` holds the
  model, optimizer and scheduler state, the global random-number generator, the history and
  the early-stopping counters, in the safetensors format of :func:`tt_nn.save` (data only,
  never pickle; written atomically).

**Exact resumption.**  ``fit(train_data, epochs, resume_from=path)`` restores everything that
decides the rest of the run.  The random state matters as much as the weights: dropout masks
and the shuffling of a data loader (which draws each epoch's permutation from the global
generator, as PyTorch's ``RandomSampler`` does) come from it.  A run stopped after epoch ``k``
and resumed from its checkpoint therefore ends with parameters *bit-identical* to a run that
was never interrupted.

**Accuracy** (the default metric, :func:`accuracy`): for integer class-index targets the
prediction is ``output.argmax(dim=1)``; for a floating target of the output's shape (binary
labels in ``[0, 1]`` with ``BCEWithLogitsLoss``) the output is read as logits: the prediction is
``output > 0`` (probability above 0.5) and the truth ``target > 0.5``.  Pass ``metrics={}`` for
regression.

>>> import tt_tensor as tt, tt_autograd, tt_nn as nn
>>> from tt_optim.sgd import SGD
>>> _ = tt.manual_seed(0)
>>> x = tt.randn(64, 2)
>>> y = (x[:, 0] > x[:, 1]).long()              # a linearly separable problem
>>> batches = [(x[i : i + 16], y[i : i + 16]) for i in range(0, 64, 16)]
>>> model = nn.Linear(2, 2)
>>> trainer = Trainer(model, SGD(model.parameters(), lr=0.5), nn.CrossEntropyLoss(),
...                   progress=False)
>>> history = trainer.fit(batches, epochs=5)
>>> len(history), history["train_loss"][-1] < history["train_loss"][0]
(5, True)
>>> sorted(trainer.evaluate(batches))
['accuracy', 'loss']

Systems questions: why must the checkpoint hold the random generator's state for a resumed
run to match, even when the model has no dropout?  Why does dividing each loss by ``k`` (and
not the summed gradient afterwards) keep the memory of accumulation at one set of gradients?
"""

from __future__ import annotations

import math
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from tqdm import tqdm

import tt_autograd
import tt_tensor as tt
from tt_nn.module import Module
from tt_nn.serialization import load, save
from tt_tensor import Tensor

from .clip_grad import clip_grad_norm_, clip_grad_value_
from .early_stopping import EarlyStopping
from .history import History
from .lr_scheduler import LRScheduler, ReduceLROnPlateau
from .optimizer import Optimizer

__all__ = ["MetricFn", "Trainer", "accuracy"]

#: A metric: ``fn(output, target)`` -> the batch's value, a mean over its samples.
MetricFn = Callable[[Tensor, Tensor], float]

#: The keys of a checkpoint written by :meth:`Trainer.save_checkpoint`.
CHECKPOINT_KEYS = (
    "epoch",
    "global_step",
    "model",
    "optimizer",
    "scheduler",
    "rng",
    "history",
    "early_stopping",
)


def accuracy(output: Tensor, target: Tensor) -> float:
    """The fraction of a batch's samples predicted correctly.

    * integer ``target`` of class indices, shape ``(N, d1, ...)``, and ``output`` scores of
      shape ``(N, C, d1, ...)``: the prediction is ``output.argmax(dim=1)``;
    * floating ``target`` of the same shape as ``output`` (binary labels): ``output`` holds
      logits, the prediction is ``output > 0`` and the truth ``target > 0.5``.

    Raises ``ValueError`` for other shapes.  **Cost**: one pass over ``output``.

    >>> import tt_tensor as tt
    >>> accuracy(tt.tensor([[2.0, 1.0], [0.0, 3.0], [1.0, 0.0]]), tt.tensor([0, 1, 1]))
    0.6666666865348816
    >>> accuracy(tt.tensor([1.5, -0.5]), tt.tensor([1.0, 1.0]))
    0.5
    """
    out_shape, target_shape = tuple(output.shape), tuple(target.shape)
    if not target.is_floating_point():
        if output.dim() < 2 or out_shape[:1] + out_shape[2:] != target_shape:
            raise ValueError(
                f"accuracy: class-index target of shape {target_shape} needs output of shape "
                f"(N, C, ...) with N, ... equal to it, got output of shape {out_shape}"
            )
        correct = output.argmax(dim=1) == target
    elif out_shape == target_shape:
        correct = (output > 0) == (target > 0.5)
    else:
        raise ValueError(
            f"accuracy: a floating target (binary labels) must have the output's shape "
            f"{out_shape}, got {target_shape}"
        )
    return float(correct.float().mean().item())


class _Averages:
    """Running means over samples: each batch's values weighted by its size."""

    def __init__(self) -> None:
        self.sums: dict[str, float] = {}
        self.count = 0

    def add(self, values: Mapping[str, float], n: int) -> None:
        for key, value in values.items():
            self.sums[key] = self.sums.get(key, 0.0) + value * n
        self.count += n

    def means(self) -> dict[str, float]:
        return {key: total / self.count for key, total in self.sums.items()}


class Trainer:
    """Train ``model`` with ``optimizer`` on ``loss_fn(model(input), target)``.

    ``Trainer(model, optimizer, loss_fn, *, scheduler=None, scheduler_interval="epoch",
    accumulate_grad_batches=1, clip_grad_norm=None, clip_grad_value=None,
    early_stopping=None, checkpoint_dir=None, progress=None, metrics=None)``

    * ``scheduler``: an :class:`~tt_optim.lr_scheduler.LRScheduler` of ``optimizer``, stepped
      once per epoch (``scheduler_interval="epoch"``) or after every optimizer step
      (``"step"``); not a ``ReduceLROnPlateau``, whose ``step`` needs a metric
      (``TypeError``);
    * ``accumulate_grad_batches``: optimizer steps every this many batches (see the module
      docstring);
    * ``clip_grad_norm`` / ``clip_grad_value``: clip the gradients before each step with
      :func:`~tt_optim.clip_grad.clip_grad_norm_` (max norm) or
      :func:`~tt_optim.clip_grad.clip_grad_value_`; at most one of the two;
    * ``early_stopping``: an :class:`EarlyStopping`, asked after every epoch;
    * ``checkpoint_dir``: if given, a checkpoint ``epoch_<NNNN>.safetensors`` after every epoch;
    * ``progress``: ``None`` shows a progress bar only when ``sys.stderr`` is a terminal,
      ``False`` never, ``True`` always;
    * ``metrics``: ``{name: fn(output, target) -> float}``, computed on every batch besides
      the loss; default ``{"accuracy": accuracy}``, ``{}`` for none.

    Attributes: ``epoch`` (epochs completed), ``global_step`` (optimizer steps taken),
    ``history`` (a :class:`~tt_optim.history.History`).

    **Memory**: the model's gradients (accumulation adds into them: no extra copy) and the
    autograd graph of one batch at a time.
    """

    def __init__(
        self,
        model: Module,
        optimizer: Optimizer,
        loss_fn: Callable[[Any, Any], Tensor],
        *,
        scheduler: LRScheduler | None = None,
        scheduler_interval: str = "epoch",
        accumulate_grad_batches: int = 1,
        clip_grad_norm: float | None = None,
        clip_grad_value: float | None = None,
        early_stopping: EarlyStopping | None = None,
        checkpoint_dir: str | os.PathLike[str] | None = None,
        progress: bool | None = None,
        metrics: Mapping[str, MetricFn] | None = None,
    ) -> None:
        _check_type("model", model, Module, "a tt_nn.Module")
        _check_type("optimizer", optimizer, Optimizer, "a tt_optim.Optimizer")
        if not callable(loss_fn):
            raise TypeError(f"Trainer: loss_fn must be callable, got {type(loss_fn).__name__}")
        if scheduler is not None:
            _check_type("scheduler", scheduler, LRScheduler, "an LRScheduler or None")
            if isinstance(scheduler, ReduceLROnPlateau):
                raise TypeError(
                    "Trainer: ReduceLROnPlateau needs a metric at every step(metric), and the "
                    "trainer steps its scheduler without one; step it yourself between fit "
                    "calls, or use an epoch-based scheduler"
                )
            if scheduler.optimizer is not optimizer:
                raise ValueError(
                    "Trainer: scheduler must schedule the trainer's optimizer, but it was built "
                    "for another optimizer"
                )
        if scheduler_interval not in ("epoch", "step"):
            raise ValueError(
                f"Trainer: scheduler_interval must be 'epoch' or 'step', got {scheduler_interval!r}"
            )
        if (
            isinstance(accumulate_grad_batches, bool)
            or not isinstance(accumulate_grad_batches, int)
            or accumulate_grad_batches < 1
        ):
            raise ValueError(
                "Trainer: accumulate_grad_batches must be an int >= 1, got "
                f"{accumulate_grad_batches!r}"
            )
        for name, value in (
            ("clip_grad_norm", clip_grad_norm),
            ("clip_grad_value", clip_grad_value),
        ):
            if value is not None and not (
                isinstance(value, int | float)
                and not isinstance(value, bool)
                and math.isfinite(value)
                and value > 0
            ):
                raise ValueError(
                    f"Trainer: {name} must be None or a finite number > 0, got {value!r}"
                )
        if clip_grad_norm is not None and clip_grad_value is not None:
            raise ValueError(
                "Trainer: give at most one of clip_grad_norm and clip_grad_value, got "
                f"clip_grad_norm={clip_grad_norm!r} and clip_grad_value={clip_grad_value!r}"
            )
        if early_stopping is not None:
            _check_type("early_stopping", early_stopping, EarlyStopping, "an EarlyStopping")
        if checkpoint_dir is not None and not isinstance(checkpoint_dir, str | os.PathLike):
            raise TypeError(
                "Trainer: checkpoint_dir must be None or a path (str or os.PathLike), got "
                f"{type(checkpoint_dir).__name__}"
            )
        if progress is not None and not isinstance(progress, bool):
            raise ValueError(f"Trainer: progress must be None, True or False, got {progress!r}")
        metrics = {"accuracy": accuracy} if metrics is None else dict(metrics)
        for key, fn in metrics.items():
            if not isinstance(key, str) or key == "loss" or not callable(fn):
                raise ValueError(
                    "Trainer: metrics must map names (str, not 'loss', which is always "
                    f"measured) to callables fn(output, target), got {key!r}: {fn!r}"
                )
        self.model = model
        self.optimizer = optimizer
        self.loss_fn = loss_fn
        self.scheduler = scheduler
        self.scheduler_interval = scheduler_interval
        self.accumulate_grad_batches = accumulate_grad_batches
        self.clip_grad_norm = clip_grad_norm
        self.clip_grad_value = clip_grad_value
        self.early_stopping = early_stopping
        self.checkpoint_dir = None if checkpoint_dir is None else os.fspath(checkpoint_dir)
        self.progress = progress
        self.metrics: dict[str, MetricFn] = metrics
        self.history = History()
        self.epoch = 0
        self.global_step = 0

    # ------------------------------------------------------------------ training
    def fit(
        self,
        train_data: Iterable[Any],
        epochs: int,
        *,
        val_data: Iterable[Any] | None = None,
        resume_from: str | os.PathLike[str] | None = None,
    ) -> History:
        """Train until ``epochs`` epochs are done in total, validating on ``val_data`` after
        each; return the :attr:`history`.

        ``epochs`` counts the epochs already done: those of an earlier ``fit`` and those of
        the checkpoint ``resume_from`` (loaded first, see :meth:`load_checkpoint`).  So
        ``fit(data, 4, resume_from="epoch_0002.safetensors")`` trains epochs 3 and 4.
        Training stops early when :class:`EarlyStopping` says so, and a stopped run stays
        stopped: ``fit`` trains no epoch when the early stopping already says stop (its
        :attr:`~EarlyStopping.should_stop`), whether restored from the checkpoint of the epoch
        that stopped the run or left by an earlier ``fit``; so a run resumed from any of its
        checkpoints ends where the uninterrupted run ended.  (Give the trainer a new
        :class:`EarlyStopping` to train on.)  ``train_data`` and
        ``val_data`` are iterated once per epoch: they must be re-iterable (a list, a
        ``DataLoader``), not one-shot iterators, when more than one epoch runs."""
        if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 0:
            raise ValueError(f"Trainer.fit: epochs must be an int >= 0, got {epochs!r}")
        _check_data("fit", "train_data", train_data, epochs)
        if val_data is not None:
            _check_data("fit", "val_data", val_data, epochs)
        if resume_from is not None:
            self.load_checkpoint(resume_from)
        if self.epoch > epochs:
            raise ValueError(
                f"Trainer.fit: epochs={epochs}, but {self.epoch} epochs are already done "
                "(epochs counts them: ask for more than that to train on)"
            )
        if self.checkpoint_dir is not None:
            os.makedirs(self.checkpoint_dir, exist_ok=True)
        self.optimizer.zero_grad()
        stop = self.early_stopping is not None and self.early_stopping.should_stop
        while self.epoch < epochs and not stop:
            start = time.perf_counter()
            lr = float(self.optimizer.param_groups[0]["lr"])
            train = self._train_epoch(train_data, epochs)
            if self.scheduler is not None and self.scheduler_interval == "epoch":
                self.scheduler.step()
            self.epoch += 1
            record: dict[str, float] = {"epoch": self.epoch}
            record.update({f"train_{k}": v for k, v in train.items()})
            if val_data is not None:
                record.update({f"val_{k}": v for k, v in self.evaluate(val_data).items()})
            record["lr"] = lr
            record["seconds"] = time.perf_counter() - start
            self.history.append(record)
            stop = self.early_stopping is not None and self.early_stopping.step(record)
            if self.checkpoint_dir is not None:
                name = f"epoch_{self.epoch:04d}.safetensors"
                self.save_checkpoint(os.path.join(self.checkpoint_dir, name))
        return self.history

    def _train_epoch(self, data: Iterable[Any], epochs: int) -> dict[str, float]:
        """One pass over ``data`` in training mode; the epoch's mean loss and metrics."""
        self.model.train()
        k = self.accumulate_grad_batches
        averages = _Averages()
        pending = 0  # batches whose gradients are accumulated but not yet stepped
        description = f"epoch {self.epoch + 1}/{epochs}"
        with tqdm(
            data, desc=description, unit="batch", file=sys.stderr, disable=not self._show_bar()
        ) as bar:
            for batch in bar:
                inputs, target = _unpack(batch, "fit")
                output = self.model(inputs)
                loss = self.loss_fn(output, target)
                (loss / k).backward()
                pending += 1
                averages.add(self._measure(loss, output, target), _batch_size(target))
                if pending == k:
                    self._optimizer_step(pending)
                    pending = 0
                bar.set_postfix(loss=f"{averages.means()['loss']:.4f}", refresh=False)
        if pending:
            self._optimizer_step(pending)
        if averages.count == 0:
            raise ValueError("Trainer.fit: train_data yielded no samples in this epoch")
        return averages.means()

    def _optimizer_step(self, batches: int) -> None:
        """Clip the accumulated gradients of ``batches`` batches, step, zero them, and step
        a per-step scheduler."""
        params = [p for group in self.optimizer.param_groups for p in group["params"]]
        k = self.accumulate_grad_batches
        if batches != k:  # an epoch-end remainder: each loss was divided by k, not by batches
            with tt_autograd.no_grad():
                for p in params:
                    if p.grad is not None:
                        p.grad.mul_(k / batches)
        if self.clip_grad_norm is not None:
            clip_grad_norm_(params, self.clip_grad_norm)
        if self.clip_grad_value is not None:
            clip_grad_value_(params, self.clip_grad_value)
        self.optimizer.step()
        self.optimizer.zero_grad()
        self.global_step += 1
        if self.scheduler is not None and self.scheduler_interval == "step":
            self.scheduler.step()

    def _measure(self, loss: Tensor, output: Any, target: Tensor) -> dict[str, float]:
        """The batch's loss and metrics as Python floats."""
        values = {"loss": float(loss.item())}
        with tt_autograd.no_grad():
            scores = output.detach() if isinstance(output, Tensor) else output
            for name, fn in self.metrics.items():
                values[name] = float(fn(scores, target))
        return values

    def _show_bar(self) -> bool:
        if self.progress is None:
            stream = sys.stderr
            return stream is not None and stream.isatty()
        return self.progress

    # ------------------------------------------------------------------ evaluation
    def evaluate(self, data: Iterable[Any]) -> dict[str, float]:
        """The mean loss and metrics of the model over ``data`` (``{"loss": ...,
        "accuracy": ...}``), each batch weighted by its size.

        Runs in evaluation mode (``model.eval()``: no dropout, batch norm uses its running
        statistics) under ``no_grad``, then restores the mode the model was in.

        **Cost**: one forward pass per batch; no graph is recorded."""
        if not isinstance(data, Iterable):
            raise TypeError(f"Trainer.evaluate: data must be iterable, got {type(data).__name__}")
        was_training = self.model.training
        self.model.eval()
        averages = _Averages()
        try:
            with tt_autograd.no_grad():
                for batch in data:
                    inputs, target = _unpack(batch, "evaluate")
                    output = self.model(inputs)
                    loss = self.loss_fn(output, target)
                    averages.add(self._measure(loss, output, target), _batch_size(target))
        finally:
            self.model.train(was_training)
        if averages.count == 0:
            raise ValueError("Trainer.evaluate: data yielded no samples")
        return averages.means()

    # ------------------------------------------------------------------ checkpoints
    def state_dict(self) -> dict[str, Any]:
        """Everything a resumed run needs: ``{"epoch", "global_step", "model", "optimizer",
        "scheduler", "rng", "history", "early_stopping"}`` (``None`` for an absent
        scheduler or early stopping).  Tensors are shared with the model and optimizer, as
        in their own ``state_dict``: save it before training on."""
        return {
            "epoch": self.epoch,
            "global_step": self.global_step,
            "model": self.model.state_dict(),
            "optimizer": self.optimizer.state_dict(),
            "scheduler": None if self.scheduler is None else self.scheduler.state_dict(),
            "rng": tt.get_rng_state(),
            "history": self.history.state_dict(),
            "early_stopping": (
                None if self.early_stopping is None else self.early_stopping.state_dict()
            ),
        }

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """Restore a :meth:`state_dict`: model, optimizer, scheduler, history, early-stopping
        counters, the epoch and step counts, and the global random generator.

        Raises ``KeyError`` for a missing entry and ``ValueError`` when the checkpoint has a
        scheduler state and the trainer no scheduler, or the reverse.  An early-stopping
        state is loaded when the trainer has an :class:`EarlyStopping` (and ignored
        otherwise)."""
        missing = [key for key in CHECKPOINT_KEYS if key not in state_dict]
        if missing:
            raise KeyError(f"Trainer.load_state_dict: the checkpoint has no entries {missing}")
        saved_scheduler = state_dict["scheduler"]
        if (saved_scheduler is None) != (self.scheduler is None):
            raise ValueError(
                "Trainer.load_state_dict: the checkpoint "
                f"{'has no' if saved_scheduler is None else 'has a'} scheduler state, the "
                f"trainer {'has a' if self.scheduler is not None else 'has no'} scheduler"
            )
        self.model.load_state_dict(state_dict["model"])
        self.optimizer.load_state_dict(state_dict["optimizer"])
        if self.scheduler is not None:
            self.scheduler.load_state_dict(saved_scheduler)
        if self.early_stopping is not None and state_dict["early_stopping"] is not None:
            self.early_stopping.load_state_dict(state_dict["early_stopping"])
        self.history.load_state_dict(state_dict["history"])
        self.epoch = int(state_dict["epoch"])
        self.global_step = int(state_dict["global_step"])
        tt.set_rng_state(state_dict["rng"])

    def save_checkpoint(self, path: str | os.PathLike[str]) -> None:
        """Write :meth:`state_dict` to ``path`` with :func:`tt_nn.save` (safetensors layout,
        atomic: a reader sees the old file or the complete new one)."""
        save(self.state_dict(), path)

    def load_checkpoint(self, path: str | os.PathLike[str]) -> None:
        """Read a checkpoint written by :meth:`save_checkpoint` and :meth:`load_state_dict`
        it."""
        checkpoint = load(path)
        if not isinstance(checkpoint, dict) or "model" not in checkpoint:
            raise ValueError(
                f"Trainer.load_checkpoint: {os.fspath(path)!r} holds a plain state dict, not a "
                "Trainer checkpoint (written by Trainer.save_checkpoint)"
            )
        self.load_state_dict(checkpoint)


def _check_type(name: str, value: Any, cls: type, expected: str) -> None:
    if not isinstance(value, cls):
        raise TypeError(f"Trainer: {name} must be {expected}, got {type(value).__name__}")


def _check_data(op: str, name: str, data: Any, epochs: int) -> None:
    """``data`` must be iterable, and re-iterable (not a one-shot iterator) for several
    epochs.  (``iter(data)`` is not called: it may draw from the random generator.)"""
    if not isinstance(data, Iterable):
        raise TypeError(
            f"Trainer.{op}: {name} must be an iterable of (input, target) batches, got "
            f"{type(data).__name__}"
        )
    if isinstance(data, Iterator) and epochs > 1:
        raise ValueError(
            f"Trainer.{op}: {name} is an iterator ({type(data).__name__}), exhausted after one "
            f"epoch, but epochs={epochs}: pass a re-iterable such as a list or a DataLoader"
        )


def _unpack(batch: Any, op: str) -> tuple[Any, Tensor]:
    """Split a batch into ``(input, target)``."""
    if not (isinstance(batch, tuple | list) and len(batch) == 2):
        got = type(batch).__name__
        if hasattr(batch, "__len__"):
            got += f" of length {len(batch)}"
        raise ValueError(f"Trainer.{op}: each batch must be a pair (input, target), got {got}")
    inputs, target = batch
    if not isinstance(target, Tensor):
        raise TypeError(f"Trainer.{op}: the target must be a Tensor, got {type(target).__name__}")
    return inputs, target


def _batch_size(target: Tensor) -> int:
    """The number of samples of a batch: the target's first dimension."""
    return int(target.shape[0]) if target.dim() > 0 else 1
