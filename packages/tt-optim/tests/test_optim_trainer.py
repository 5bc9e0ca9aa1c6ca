"""Behaviour of tt_optim.trainer.Trainer: training, evaluation, accumulation, clipping,
scheduling, early stopping, the progress bar, checkpoints, and bit-exact resumption."""

from __future__ import annotations

import io
import math
import os
import sys
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

import tt_autograd
import tt_nn as nn
import tt_tensor as tt
from tt_nn.serialization import load
from tt_optim.adam import Adam
from tt_optim.clip_grad import get_total_norm
from tt_optim.early_stopping import EarlyStopping
from tt_optim.lr_scheduler import ReduceLROnPlateau, StepLR
from tt_optim.sgd import SGD
from tt_optim.trainer import Trainer, accuracy

Batch = tuple[tt.Tensor, tt.Tensor]


def _blobs(n: int = 96, seed: int = 0) -> tuple[tt.Tensor, tt.Tensor]:
    """Three Gaussian blobs in 2-d: an easy 3-class problem."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    centers = np.array([[2.0, 0.0], [-2.0, 1.0], [0.0, -2.0]])
    x = centers[y] + 0.5 * rng.standard_normal((n, 2))
    return tt.tensor(x.astype(np.float32)), tt.tensor(y.astype(np.int64))


def _batches(x: tt.Tensor, y: tt.Tensor, size: int) -> list[Batch]:
    return [(x[i : i + size], y[i : i + size]) for i in range(0, x.shape[0], size)]


def _params(model: nn.Module) -> dict[str, np.ndarray[Any, Any]]:
    return {k: v.numpy().copy() for k, v in model.state_dict().items()}


class RecordingSGD(SGD):
    """SGD that records the total gradient norm and largest |gradient| it steps with."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.norms: list[float] = []
        self.max_abs: list[float] = []

    def step(self, closure: Any = None) -> Any:
        grads = [p.grad for g in self.param_groups for p in g["params"] if p.grad is not None]
        self.norms.append(get_total_norm(grads).item())
        self.max_abs.append(max(float(np.abs(g.numpy()).max()) for g in grads))
        return super().step(closure)


class _FakeTTY(io.StringIO):
    def isatty(self) -> bool:
        return True


# ------------------------------------------------------------------------------- training
def test_fit_lowers_the_loss_and_raises_the_accuracy_on_a_seeded_problem() -> None:
    tt.manual_seed(0)
    x, y = _blobs()
    model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 3))
    trainer = Trainer(model, SGD(model.parameters(), lr=0.1), nn.CrossEntropyLoss(), progress=False)
    history = trainer.fit(_batches(x, y, 16), epochs=10, val_data=_batches(x, y, 32))
    losses = history["train_loss"]
    assert len(history) == 10
    assert trainer.epoch == 10
    assert trainer.global_step == 60
    assert losses[-1] < 0.3 * losses[0]
    assert history["val_accuracy"][-1] > 0.95
    assert set(history.epochs[0]) == {
        "epoch",
        "train_loss",
        "train_accuracy",
        "val_loss",
        "val_accuracy",
        "lr",
        "seconds",
    }


def test_evaluate_matches_a_hand_computation_weighted_by_batch_size() -> None:
    tt.manual_seed(1)
    model = nn.Linear(3, 4)
    x = tt.randn(7, 3)
    y = tt.tensor([0, 1, 2, 3, 0, 1, 2])
    trainer = Trainer(model, SGD(model.parameters(), lr=0.1), nn.CrossEntropyLoss())
    result = trainer.evaluate([(x[:5], y[:5]), (x[5:], y[5:])])  # batches of 5 and 2

    params = _params(model)
    w, b = params["weight"].astype(np.float64), params["bias"]
    logits = x.numpy().astype(np.float64) @ w.T + b
    log_probs = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    labels = y.numpy()
    expected_loss = -log_probs[np.arange(7), labels].mean()  # the mean over all 7 samples
    expected_acc = (logits.argmax(axis=1) == labels).mean()
    assert set(result) == {"loss", "accuracy"}
    # float32 forward pass against a float64 reference: agreement to float32 rounding.
    assert result["loss"] == pytest.approx(expected_loss, rel=1e-5)
    assert result["accuracy"] == pytest.approx(expected_acc)


@pytest.mark.parametrize("training", [True, False])
def test_evaluate_runs_in_eval_mode_without_grad_and_restores_the_mode(training: bool) -> None:
    seen: list[tuple[bool, bool]] = []

    class Probe(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.fc = nn.Linear(2, 2)

        def forward(self, x: tt.Tensor) -> tt.Tensor:
            seen.append((self.training, tt_autograd.is_grad_enabled()))
            out: tt.Tensor = self.fc(x)
            return out

    model = Probe().train(training)
    trainer = Trainer(model, SGD(model.parameters(), lr=0.1), nn.CrossEntropyLoss())
    trainer.evaluate([(tt.randn(4, 2), tt.tensor([0, 1, 1, 0]))])
    assert seen == [(False, False)]
    assert model.training is training
    assert all(p.grad is None for p in model.parameters())


def test_accuracy_uses_argmax_for_class_indices_and_logit_sign_for_binary_targets() -> None:
    scores = tt.tensor([[0.1, 0.7, 0.2], [0.9, 0.0, 0.1], [0.2, 0.3, 0.5], [0.0, 1.0, 0.0]])
    assert accuracy(scores, tt.tensor([1, 0, 0, 2])) == 0.5
    # (N, C, L) scores with (N, L) targets: argmax over dim 1.
    seq = tt.tensor([[[1.0, 0.0], [0.0, 1.0]]])  # predictions [0, 1]
    assert accuracy(seq, tt.tensor([[0, 0]])) == 0.5
    logits = tt.tensor([2.0, -1.0, 0.5, -3.0])
    assert accuracy(logits, tt.tensor([1.0, 0.0, 0.0, 0.0])) == 0.75
    with pytest.raises(ValueError, match="accuracy"):
        accuracy(scores, tt.tensor([1, 0]))
    with pytest.raises(ValueError, match="accuracy"):
        accuracy(logits, tt.tensor([[1.0, 0.0, 0.0, 0.0]]))


# ------------------------------------------------------------------------------- accumulation
def _linear64(seed: int) -> nn.Module:
    tt.manual_seed(seed)
    return nn.Linear(3, 2).double()


def test_accumulating_k_batches_of_b_matches_one_batch_of_k_times_b_for_sgd() -> None:
    rng = np.random.default_rng(3)
    x = tt.tensor(rng.standard_normal((32, 3)))
    y = tt.tensor(rng.standard_normal((32, 2)))
    small, big = _linear64(0), _linear64(0)
    accumulate = Trainer(
        small,
        SGD(small.parameters(), lr=0.1, momentum=0.9),
        nn.MSELoss(),
        accumulate_grad_batches=4,
        metrics={},
        progress=False,
    )
    plain = Trainer(
        big, SGD(big.parameters(), lr=0.1, momentum=0.9), nn.MSELoss(), metrics={}, progress=False
    )
    accumulate.fit(_batches(x, y, 2), epochs=3)  # 16 batches of 2 -> 4 steps per epoch
    plain.fit(_batches(x, y, 8), epochs=3)  # 4 batches of 8
    assert accumulate.global_step == plain.global_step == 12
    # The gradients are the same sums taken in another order (means of 2 divided by 4 vs one
    # mean of 8), so float64 results differ by a few ulps per step, nothing more.
    for key, value in _params(small).items():
        np.testing.assert_allclose(value, _params(big)[key], rtol=1e-12, atol=1e-14)
    # Reported losses are per-sample means either way.
    assert accumulate.history["train_loss"] == pytest.approx(plain.history["train_loss"])


def test_an_epoch_end_remainder_steps_with_the_mean_gradient_of_its_batches() -> None:
    rng = np.random.default_rng(4)
    x = tt.tensor(rng.standard_normal((12, 3)))
    y = tt.tensor(rng.standard_normal((12, 2)))
    a, b = _linear64(0), _linear64(0)
    accumulate = Trainer(
        a, SGD(a.parameters(), lr=0.1), nn.MSELoss(), accumulate_grad_batches=2, metrics={}
    )
    plain = Trainer(b, SGD(b.parameters(), lr=0.1), nn.MSELoss(), metrics={})
    accumulate.fit(_batches(x, y, 4), epochs=2)  # batches 1+2 step, batch 3 is a remainder
    plain.fit([(x[:8], y[:8]), (x[8:], y[8:])], epochs=2)
    assert accumulate.global_step == plain.global_step == 4
    # Same sums in another order, float64: a few ulps.
    for key, value in _params(a).items():
        np.testing.assert_allclose(value, _params(b)[key], rtol=1e-12, atol=1e-14)


# ------------------------------------------------------------------------------- clipping
def _clip_run(**kwargs: Any) -> RecordingSGD:
    tt.manual_seed(0)
    x, y = _blobs(48)
    model = nn.Linear(2, 3)
    opt = RecordingSGD(model.parameters(), lr=0.5)
    Trainer(model, opt, nn.CrossEntropyLoss(), **kwargs).fit(_batches(x * 10, y, 16), epochs=2)
    return opt


def test_clip_grad_norm_bounds_the_norm_of_the_gradient_the_optimizer_steps_with() -> None:
    assert max(_clip_run().norms) > 1.0  # without clipping the gradients are large
    norms = _clip_run(clip_grad_norm=0.25).norms
    assert len(norms) == 6
    # clip_grad_norm_ scales by max_norm / (norm + 1e-6): the result is just below 0.25.
    assert all(n <= 0.25 * (1 + 1e-5) for n in norms)
    assert max(norms) == pytest.approx(0.25, rel=1e-5)


def test_clip_grad_value_bounds_every_gradient_entry() -> None:
    assert max(_clip_run().max_abs) > 0.5
    assert max(_clip_run(clip_grad_value=0.05).max_abs) == pytest.approx(0.05)


# ------------------------------------------------------------------------------- schedulers
def _scheduled(interval: str, accumulate: int = 1) -> tuple[Trainer, StepLR]:
    tt.manual_seed(0)
    model = nn.Linear(2, 3)
    opt = SGD(model.parameters(), lr=0.1)
    sched = StepLR(opt, step_size=1, gamma=0.5)
    trainer = Trainer(
        model,
        opt,
        nn.CrossEntropyLoss(),
        scheduler=sched,
        scheduler_interval=interval,
        accumulate_grad_batches=accumulate,
    )
    return trainer, sched


def test_an_epoch_scheduler_steps_once_per_epoch() -> None:
    trainer, sched = _scheduled("epoch")
    x, y = _blobs(40)
    history = trainer.fit(_batches(x, y, 8), epochs=3)  # 5 batches per epoch
    assert sched.last_epoch == 3
    assert trainer.global_step == 15
    assert history["lr"] == pytest.approx([0.1, 0.05, 0.025])  # the lr each epoch used
    assert sched.get_last_lr() == pytest.approx([0.0125])


def test_a_step_scheduler_steps_after_every_optimizer_step() -> None:
    trainer, sched = _scheduled("step", accumulate=2)
    x, y = _blobs(40)
    trainer.fit(_batches(x, y, 8), epochs=2)  # 5 batches: steps after 2, 4 and 5 -> 3 per epoch
    assert trainer.global_step == 6
    assert sched.last_epoch == 6
    assert trainer.history["lr"] == pytest.approx([0.1, 0.1 * 0.5**3])


def test_reduce_lr_on_plateau_is_refused_because_its_step_needs_a_metric() -> None:
    model = nn.Linear(2, 3)
    opt = SGD(model.parameters(), lr=0.1)
    with pytest.raises(TypeError, match="ReduceLROnPlateau needs a metric"):
        Trainer(model, opt, nn.CrossEntropyLoss(), scheduler=ReduceLROnPlateau(opt))


# ------------------------------------------------------------------------------- early stopping
def test_early_stopping_stops_after_patience_epochs_without_improvement() -> None:
    tt.manual_seed(0)
    x, y = _blobs(32)
    model = nn.Linear(2, 3)
    stopper = EarlyStopping(monitor="train_loss", patience=2)
    trainer = Trainer(  # lr 0: the loss never changes, so only epoch 1 improves
        model, SGD(model.parameters(), lr=0.0), nn.CrossEntropyLoss(), early_stopping=stopper
    )
    history = trainer.fit(_batches(x, y, 8), epochs=10)
    assert len(history) == 3
    assert trainer.epoch == 3
    assert stopper.stopped_epoch == 3


def test_early_stopping_on_a_validation_metric_needs_val_data() -> None:
    model = nn.Linear(2, 3)
    trainer = Trainer(
        model,
        SGD(model.parameters(), lr=0.1),
        nn.CrossEntropyLoss(),
        early_stopping=EarlyStopping(),
    )
    with pytest.raises(KeyError, match="val_loss"):
        trainer.fit([(tt.randn(4, 2), tt.tensor([0, 1, 2, 0]))], epochs=2)


# ------------------------------------------------------------------------------- progress bar
def _fit_quietly(progress: bool | None) -> None:
    model = nn.Linear(2, 3)
    x, y = _blobs(16)
    trainer = Trainer(
        model, SGD(model.parameters(), lr=0.1), nn.CrossEntropyLoss(), progress=progress
    )
    trainer.fit(_batches(x, y, 8), epochs=2)


def test_progress_bar_is_off_by_default_when_stderr_is_not_a_terminal(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _fit_quietly(None)
    assert capsys.readouterr().err == ""


def test_progress_bar_is_off_when_asked_even_on_a_terminal(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake = _FakeTTY()
    monkeypatch.setattr(sys, "stderr", fake)
    _fit_quietly(False)
    assert fake.getvalue() == ""


@pytest.mark.parametrize("progress", [None, True])
def test_progress_bar_is_drawn_on_a_terminal_by_default_or_when_asked(
    monkeypatch: pytest.MonkeyPatch, progress: bool | None
) -> None:
    fake = _FakeTTY()
    monkeypatch.setattr(sys, "stderr", fake)
    _fit_quietly(progress)
    assert "epoch 1/2" in fake.getvalue()
    assert "epoch 2/2" in fake.getvalue()


def test_progress_true_draws_the_bar_even_when_stderr_is_not_a_terminal(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _fit_quietly(True)
    assert "epoch 2/2" in capsys.readouterr().err


# ------------------------------------------------------------------------------- checkpoints
def test_a_checkpoint_is_written_every_epoch_and_loads_into_a_fresh_trainer(tmp_path: Any) -> None:
    tt.manual_seed(0)
    x, y = _blobs(32)
    model = nn.Linear(2, 3)
    opt = Adam(model.parameters(), lr=0.01)
    sched = StepLR(opt, step_size=1, gamma=0.5)
    directory = tmp_path / "ckpt"
    trainer = Trainer(model, opt, nn.CrossEntropyLoss(), scheduler=sched, checkpoint_dir=directory)
    trainer.fit(_batches(x, y, 8), epochs=3)
    assert sorted(os.listdir(directory)) == [f"epoch_000{i}.safetensors" for i in (1, 2, 3)]
    ckpt = load(directory / "epoch_0002.safetensors")
    assert set(ckpt) == {
        "epoch",
        "global_step",
        "model",
        "optimizer",
        "scheduler",
        "rng",
        "history",
        "early_stopping",
    }
    assert ckpt["epoch"] == 2
    assert ckpt["global_step"] == 8
    assert ckpt["scheduler"]["last_epoch"] == 2
    assert ckpt["optimizer"]["param_groups"][0]["betas"] == (0.9, 0.999)
    assert sorted(ckpt["optimizer"]["state"]) == [0, 1]
    assert len(ckpt["history"]["epochs"]) == 2
    assert ckpt["early_stopping"] is None

    tt.manual_seed(7)
    fresh_model = nn.Linear(2, 3)
    fresh_opt = Adam(fresh_model.parameters(), lr=0.01)
    fresh = Trainer(
        fresh_model, fresh_opt, nn.CrossEntropyLoss(), scheduler=StepLR(fresh_opt, 1, 0.5)
    )
    fresh.load_checkpoint(directory / "epoch_0003.safetensors")
    for key, value in _params(model).items():
        assert np.array_equal(value, _params(fresh_model)[key])
    assert fresh.epoch == 3
    assert fresh.global_step == 12
    assert len(fresh.history) == 3
    assert fresh_opt.param_groups[0]["lr"] == opt.param_groups[0]["lr"]


def test_loading_a_checkpoint_with_a_scheduler_into_a_trainer_without_one_raises(
    tmp_path: Any,
) -> None:
    model = nn.Linear(2, 3)
    opt = SGD(model.parameters(), lr=0.1)
    path = tmp_path / "c.safetensors"
    Trainer(model, opt, nn.CrossEntropyLoss(), scheduler=StepLR(opt, 1)).save_checkpoint(path)
    other = nn.Linear(2, 3)
    bare = Trainer(other, SGD(other.parameters(), lr=0.1), nn.CrossEntropyLoss())
    with pytest.raises(ValueError, match="scheduler"):
        bare.load_checkpoint(path)


class ShuffledBatches:
    """A tiny shuffling loader: each pass draws its order from the global generator, the way
    tt-data's loaders (and torch's RandomSampler) do."""

    def __init__(self, x: tt.Tensor, y: tt.Tensor, batch_size: int) -> None:
        self.x, self.y, self.batch_size = x, y, batch_size

    def __iter__(self) -> Iterator[Batch]:
        order = tt.randperm(self.x.shape[0])
        for i in range(0, self.x.shape[0], self.batch_size):
            idx = order[i : i + self.batch_size]
            yield self.x[idx], self.y[idx]


def _resumable(seed: int, checkpoint_dir: Any = None) -> Trainer:
    tt.manual_seed(seed)
    model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Dropout(0.3), nn.Linear(16, 3))
    opt = Adam(model.parameters(), lr=0.05)
    return Trainer(
        model,
        opt,
        nn.CrossEntropyLoss(),
        scheduler=StepLR(opt, step_size=3, gamma=0.5),  # the lr changes after the resume
        accumulate_grad_batches=2,
        early_stopping=EarlyStopping(monitor="val_loss", patience=10),
        checkpoint_dir=checkpoint_dir,
    )


def _assert_same_run(a: Trainer, b: Trainer) -> None:
    pa, pb = _params(a.model), _params(b.model)
    assert pa.keys() == pb.keys()
    for key in pa:
        assert np.array_equal(pa[key], pb[key]), key
    sa, sb = a.optimizer.state_dict(), b.optimizer.state_dict()
    assert sa["param_groups"] == sb["param_groups"]
    assert sa["state"].keys() == sb["state"].keys()
    for index, state in sa["state"].items():
        assert state.keys() == sb["state"][index].keys()
        for name, value in state.items():
            assert np.array_equal(value.numpy(), sb["state"][index][name].numpy()), (index, name)
    assert a.scheduler is not None
    assert b.scheduler is not None
    assert a.scheduler.state_dict() == b.scheduler.state_dict()
    assert a.early_stopping is not None
    assert b.early_stopping is not None
    assert a.early_stopping.state_dict() == b.early_stopping.state_dict()
    assert (a.epoch, a.global_step) == (b.epoch, b.global_step)
    for key in ("train_loss", "train_accuracy", "val_loss", "val_accuracy", "lr"):
        assert a.history[key] == b.history[key], key
    assert tt.get_rng_state() is not None


def test_a_run_resumed_from_its_epoch_2_checkpoint_ends_bit_identical_to_an_uninterrupted_run(
    tmp_path: Any,
) -> None:
    x, y = _blobs(60, seed=5)
    train = ShuffledBatches(x, y, batch_size=8)  # 8 batches, the last of 4: a remainder step
    val = _batches(x[:24], y[:24], 12)

    uninterrupted = _resumable(seed=0)
    uninterrupted.fit(train, epochs=4, val_data=val)
    rng_after_a = tt.get_rng_state()

    first_half = _resumable(seed=0, checkpoint_dir=tmp_path)
    first_half.fit(train, epochs=2, val_data=val)
    assert first_half.epoch == 2
    tt.manual_seed(12345)  # whatever happens between the runs must not matter

    resumed = _resumable(seed=99, checkpoint_dir=tmp_path)  # a fresh model, other weights
    assert not np.array_equal(
        _params(resumed.model)["0.weight"], _params(first_half.model)["0.weight"]
    )
    resumed.fit(train, epochs=4, val_data=val, resume_from=tmp_path / "epoch_0002.safetensors")

    _assert_same_run(uninterrupted, resumed)
    assert tt.get_rng_state() == rng_after_a
    assert len(resumed.history) == 4
    assert resumed.history["lr"] == pytest.approx([0.05, 0.05, 0.05, 0.025])

    # The random state is what makes this work: resume the weights but not the generator,
    # and dropout masks and batch order differ, and so do the final parameters.
    no_rng = _resumable(seed=99)
    no_rng.load_checkpoint(tmp_path / "epoch_0002.safetensors")
    tt.manual_seed(12345)
    no_rng.fit(train, epochs=4, val_data=val)
    assert not np.array_equal(
        _params(no_rng.model)["0.weight"], _params(uninterrupted.model)["0.weight"]
    )


def _diverging(checkpoint_dir: Any = None) -> Trainer:
    """A run that early stopping ends: SGD with a learning rate far too large, so the training
    loss stops improving after a few epochs (the auditor's case)."""
    tt.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Dropout(0.3), nn.Linear(16, 3))
    return Trainer(
        model,
        SGD(model.parameters(), lr=5.0, momentum=0.9),
        nn.CrossEntropyLoss(),
        scheduler=None,
        early_stopping=EarlyStopping(monitor="train_loss", patience=2),
        checkpoint_dir=checkpoint_dir,
    )


def _assert_same_stopped_run(a: Trainer, b: Trainer) -> None:
    pa, pb = _params(a.model), _params(b.model)
    for key in pa:
        assert np.array_equal(pa[key], pb[key]), key
    assert a.optimizer.state_dict()["param_groups"] == b.optimizer.state_dict()["param_groups"]
    for index, state in a.optimizer.state_dict()["state"].items():
        other = b.optimizer.state_dict()["state"][index]
        for name, value in state.items():
            assert np.array_equal(value.numpy(), other[name].numpy()), (index, name)
    assert a.early_stopping is not None
    assert b.early_stopping is not None
    assert a.early_stopping.state_dict() == b.early_stopping.state_dict()
    assert (a.epoch, a.global_step) == (b.epoch, b.global_step)
    for key in ("train_loss", "train_accuracy", "lr"):
        assert a.history[key] == b.history[key], key


def test_a_run_resumed_from_the_checkpoint_where_early_stopping_fired_trains_no_more(
    tmp_path: Any,
) -> None:
    x, y = _blobs(60, seed=5)
    train = ShuffledBatches(x, y, batch_size=10)

    uninterrupted = _diverging(checkpoint_dir=tmp_path)
    uninterrupted.fit(train, epochs=30)
    stopped = uninterrupted.epoch
    assert 2 < stopped < 30  # early stopping ended the run
    assert uninterrupted.early_stopping is not None
    assert uninterrupted.early_stopping.stopped_epoch == stopped
    assert uninterrupted.early_stopping.should_stop
    rng_after = tt.get_rng_state()
    files = sorted(os.listdir(tmp_path))
    assert files[-1] == f"epoch_{stopped:04d}.safetensors"

    # From the checkpoint of the stopping epoch: nothing left to train, no new checkpoint.
    tt.manual_seed(12345)
    resumed = _diverging(checkpoint_dir=tmp_path)
    resumed.fit(train, epochs=30, resume_from=tmp_path / files[-1])
    _assert_same_stopped_run(uninterrupted, resumed)
    assert len(resumed.history) == stopped
    assert tt.get_rng_state() == rng_after  # no epoch drew from the generator
    assert sorted(os.listdir(tmp_path)) == files

    # From an earlier checkpoint: the resumed run stops at the same epoch, bit-identical.
    earlier = _diverging()
    earlier.fit(train, epochs=30, resume_from=tmp_path / "epoch_0002.safetensors")
    _assert_same_stopped_run(uninterrupted, earlier)
    assert tt.get_rng_state() == rng_after

    # A stopped run stays stopped when fit is called again, until it gets a new stopper.
    uninterrupted.fit(train, epochs=30)
    assert uninterrupted.epoch == stopped
    uninterrupted.early_stopping = EarlyStopping(monitor="train_loss", patience=2)
    uninterrupted.fit(train, epochs=stopped + 1)
    assert uninterrupted.epoch == stopped + 1


# ------------------------------------------------------------------------------- bad input
def _args() -> tuple[nn.Module, SGD]:
    model = nn.Linear(2, 3)
    return model, SGD(model.parameters(), lr=0.1)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (
            {"scheduler_interval": "batch"},
            "scheduler_interval must be 'epoch' or 'step', got 'batch'",
        ),
        ({"accumulate_grad_batches": 0}, "accumulate_grad_batches must be an int >= 1, got 0"),
        ({"accumulate_grad_batches": 1.5}, "accumulate_grad_batches"),
        ({"clip_grad_norm": -1.0}, "clip_grad_norm must be None or a finite number > 0"),
        ({"clip_grad_value": math.inf}, "clip_grad_value must be None"),
        ({"clip_grad_norm": 1.0, "clip_grad_value": 1.0}, "give at most one of"),
        ({"progress": "yes"}, "progress must be None, True or False"),
        ({"metrics": {"loss": accuracy}}, "metrics must map names"),
    ],
)
def test_trainer_rejects_bad_arguments_with_a_message_naming_them(
    kwargs: dict[str, Any], match: str
) -> None:
    model, opt = _args()
    with pytest.raises(ValueError, match=f"^Trainer: {match}"):
        Trainer(model, opt, nn.CrossEntropyLoss(), **kwargs)


def test_trainer_rejects_objects_of_the_wrong_type() -> None:
    model, opt = _args()
    with pytest.raises(TypeError, match=r"Trainer: optimizer must be a tt_optim\.Optimizer"):
        Trainer(model, "sgd", nn.CrossEntropyLoss())  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="Trainer: model"):
        Trainer(lambda x: x, opt, nn.CrossEntropyLoss())  # type: ignore[arg-type]
    _other, other_opt = _args()
    with pytest.raises(ValueError, match="scheduler must schedule the trainer's optimizer"):
        Trainer(model, opt, nn.CrossEntropyLoss(), scheduler=StepLR(other_opt, 1))


def test_fit_rejects_a_one_shot_iterator_for_several_epochs_and_empty_or_malformed_data() -> None:
    model, opt = _args()
    trainer = Trainer(model, opt, nn.CrossEntropyLoss())
    batch = (tt.randn(4, 2), tt.tensor([0, 1, 2, 0]))
    with pytest.raises(ValueError, match="train_data is an iterator"):
        trainer.fit(iter([batch]), epochs=2)
    trainer.fit(iter([batch]), epochs=1)  # one pass is fine
    with pytest.raises(ValueError, match="epochs must be an int >= 0, got -1"):
        trainer.fit([batch], epochs=-1)
    with pytest.raises(ValueError, match="no samples"):
        trainer.fit([], epochs=2)
    with pytest.raises(ValueError, match="each batch must be a pair"):
        trainer.fit([(batch[0],)], epochs=2)
    with pytest.raises(ValueError, match="epochs=0, but 1 epochs are already done"):
        trainer.fit([batch], epochs=0)  # the 1 epoch done by fit(iter(...), 1)
    with pytest.raises(ValueError, match="evaluate: data yielded no samples"):
        trainer.evaluate([])
