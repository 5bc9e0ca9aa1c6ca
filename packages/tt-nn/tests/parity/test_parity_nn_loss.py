"""The losses against PyTorch: values, dtypes and input gradients (float32 and float64) for
every loss and option, functional and module forms, and the same exception types on bad
inputs."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest
import torch

import tt_tensor as tt
from tt_nn.functional import loss as tt_F
from tt_nn.modules import loss as tt_M

pytestmark = pytest.mark.parity

DTYPES = ["float32", "float64"]


def F(m: Any) -> Any:
    """The functional namespace of library ``m``."""
    return torch.nn.functional if m is torch else tt_F


def nn(m: Any) -> Any:
    """The module namespace of library ``m``."""
    return torch.nn if m is torch else tt_M


def const(m: Any, a: np.ndarray[Any, Any] | None) -> Any:
    """A tensor of library ``m`` that does not require grad (weights, class indices)."""
    return None if a is None else m.from_numpy(a.copy())


def labels(rng: np.random.Generator, c: int, *shape: int, ignore: int | None = None) -> Any:
    t = rng.integers(0, c, shape)
    if ignore is not None:
        t.reshape(-1)[::3] = ignore  # every third target ignored
    return t.astype(np.int64)


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(7)


# ------------------------------------------------------------------------------- regression
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("name", ["mse_loss", "l1_loss", "huber_loss"])
@pytest.mark.parametrize("weighted", [False, True])
def test_regression_losses_match_torch(
    check: Any, rand: Any, rng: Any, dtype: str, reduction: str, name: str, weighted: bool
) -> None:
    x, t = rand(3, 4, dtype=dtype), rand(3, 4, dtype=dtype)
    t[0, :2] = x[0, :2]  # ties: L1's subgradient at 0
    w = rng.uniform(0.1, 2.0, (3, 4)).astype(dtype) if weighted else None
    check(
        lambda m, a, b: getattr(F(m), name)(a, b, reduction=reduction, weight=const(m, w)),
        x,
        t,
        grad=True,
    )


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("delta", [0.3, 1.0, 2.5])
def test_huber_delta_matches_torch(check: Any, rand: Any, dtype: str, delta: float) -> None:
    x = rand(4, 5, dtype=dtype) * 3
    check(lambda m, a, b: F(m).huber_loss(a, b, delta=delta), x, rand(4, 5, dtype=dtype), grad=True)
    check(
        lambda m, a, b: nn(m).HuberLoss("sum", delta)(a, b), x, rand(4, 5, dtype=dtype), grad=True
    )


def test_regression_broadcast_and_mixed_dtypes_match_torch(check: Any, rand: Any) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # both warn about the differing sizes
        for name in ("mse_loss", "l1_loss", "huber_loss"):
            check(lambda m, a, b, n=name: getattr(F(m), n)(a, b), rand(3, 1), rand(4), grad=True)
    # Mixed float32/float64: values and dtypes only (torch's own mse/l1 backward raises "Found
    # dtype Double but expected Float" on such a pair).
    t64 = rand(3, dtype="float64")
    for name in ("mse_loss", "l1_loss", "huber_loss"):
        check(lambda m, a, n=name: getattr(F(m), n)(a, const(m, t64)), rand(3))
        check(lambda m, a, n=name: getattr(F(m), n)(const(m, t64), a), rand(3))
        check(lambda m, a, n=name: getattr(F(m), n)(a, const(m, np.arange(3))), rand(3))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(
    "make",
    [
        lambda m: nn(m).MSELoss(),
        lambda m: nn(m).MSELoss(reduction="sum"),
        lambda m: nn(m).L1Loss(reduction="none"),
        lambda m: nn(m).L1Loss(),
        lambda m: nn(m).HuberLoss(),
        lambda m: nn(m).HuberLoss(reduction="none", delta=0.5),
    ],
)
def test_regression_modules_match_torch(check: Any, rand: Any, make: Any, dtype: str) -> None:
    check(
        lambda m, a, b: make(m)(a, b), rand(2, 3, dtype=dtype), rand(2, 3, dtype=dtype), grad=True
    )


def test_legacy_size_average_and_reduce_flags_match_torch(check: Any, rand: Any) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        for kw in ({"size_average": False}, {"reduce": False}, {"size_average": True}):
            check(lambda m, a, b, kw=kw: F(m).mse_loss(a, b, **kw), rand(3), rand(3), grad=True)
            check(lambda m, a, b, kw=kw: nn(m).L1Loss(**kw)(a, b), rand(3), rand(3), grad=True)


# ----------------------------------------------------------------------- NLL / cross-entropy
CLASS_SHAPES = [((5, 4), (5,)), ((4,), ()), ((3, 4, 2), (3, 2)), ((2, 3, 2, 2), (2, 2, 2))]
CLASS_IDS = ["NC", "C-unbatched", "NCd", "NCHW"]


def _class_case(
    rng: np.random.Generator, shapes: Any, dtype: str, weighted: bool, ignore: bool
) -> tuple[Any, Any, Any, int]:
    xshape, tshape = shapes
    c = xshape[0] if len(xshape) == 1 else xshape[1]
    x = rng.standard_normal(xshape).astype(dtype)
    y = labels(rng, c, *tshape, ignore=-100 if ignore and tshape else None)
    ii = int(y) if ignore and not tshape else -100  # an unbatched target ignored by its class
    w = rng.uniform(0.2, 2.0, c).astype(dtype) if weighted else None
    return x, y, w, ii


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("shapes", CLASS_SHAPES, ids=CLASS_IDS)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("ignore", [False, True])
@pytest.mark.parametrize("smoothing", [0.0, 0.2])
def test_cross_entropy_with_class_indices_matches_torch(
    check: Any,
    rng: Any,
    dtype: str,
    reduction: str,
    shapes: Any,
    weighted: bool,
    ignore: bool,
    smoothing: float,
) -> None:
    x, y, w, ii = _class_case(rng, shapes, dtype, weighted, ignore)
    check(
        lambda m, a: F(m).cross_entropy(
            a,
            const(m, y),
            weight=const(m, w),
            ignore_index=ii,
            reduction=reduction,
            label_smoothing=smoothing,
        ),
        x,
        grad=True,
    )
    check(
        lambda m, a: nn(m).CrossEntropyLoss(
            weight=const(m, w), ignore_index=ii, reduction=reduction, label_smoothing=smoothing
        )(a, const(m, y)),
        x,
        grad=True,
    )


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("shapes", CLASS_SHAPES, ids=CLASS_IDS)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("ignore", [False, True])
def test_nll_loss_matches_torch(
    check: Any, rng: Any, dtype: str, reduction: str, shapes: Any, weighted: bool, ignore: bool
) -> None:
    x, y, w, ii = _class_case(rng, shapes, dtype, weighted, ignore)
    check(
        lambda m, a: F(m).nll_loss(
            a, const(m, y), weight=const(m, w), ignore_index=ii, reduction=reduction
        ),
        x,
        grad=True,
    )
    check(
        lambda m, a: nn(m).NLLLoss(weight=const(m, w), ignore_index=ii, reduction=reduction)(
            a, const(m, y)
        ),
        x,
        grad=True,
    )


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("shapes", [(5, 4), (4,), (3, 4, 2)], ids=["NC", "C", "NCd"])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("smoothing", [0.0, 0.3])
def test_cross_entropy_with_probabilities_matches_torch(
    check: Any,
    rng: Any,
    dtype: str,
    reduction: str,
    shapes: Any,
    weighted: bool,
    smoothing: float,
) -> None:
    cd = 0 if len(shapes) == 1 else 1
    x = rng.standard_normal(shapes).astype(dtype)
    p = rng.uniform(0.0, 1.0, shapes)
    p = (p / p.sum(axis=cd, keepdims=True)).astype(dtype)
    w = rng.uniform(0.2, 2.0, shapes[cd]).astype(dtype) if weighted else None
    # Both the logits and the probabilities are differentiable inputs here.
    check(
        lambda m, a, b: F(m).cross_entropy(
            a, b, weight=const(m, w), reduction=reduction, label_smoothing=smoothing
        ),
        x,
        p,
        grad=True,
    )
    check(
        lambda m, a, b: nn(m).CrossEntropyLoss(
            weight=const(m, w), reduction=reduction, label_smoothing=smoothing
        )(a, b),
        x,
        p,
        grad=True,
    )


def test_cross_entropy_edge_cases_match_torch(check: Any, rng: Any) -> None:
    x = rng.standard_normal((3, 4)).astype(np.float32)
    # uint8 class indices, a 1-element target of an unbatched input, negative smoothing (a no-op).
    check(lambda m, a: F(m).cross_entropy(a, const(m, np.array([0, 3, 1], np.uint8))), x, grad=True)
    check(lambda m, a: F(m).nll_loss(a, const(m, np.array([0, 3, 1], np.uint8))), x, grad=True)
    # (values only: torch's own backward rejects this input/target pair, "size mismatch")
    check(lambda m, a: F(m).cross_entropy(a[0], const(m, np.array([2]))), x)
    check(lambda m, a: F(m).cross_entropy(a[0], const(m, np.array(2))), x, grad=True)
    check(
        lambda m, a: F(m).cross_entropy(a, const(m, np.array([0, 3, 1])), label_smoothing=-0.5),
        x,
        grad=True,
    )
    # Every target ignored: mean is 0 / 0 = nan in both, sum is 0.
    every = np.full(3, -100)
    check(lambda m, a: F(m).cross_entropy(a, const(m, every), reduction="sum"), x, grad=True)
    # (the mean's gradient is 0 in both, not 0 / 0)
    check(lambda m, a: F(m).cross_entropy(a, const(m, every)), x, grad=True)
    check(lambda m, a: F(m).cross_entropy(a, const(m, every), label_smoothing=0.1), x, grad=True)
    w = np.array([1.0, 2.0, 3.0, 4.0], np.float32)
    check(lambda m, a: F(m).nll_loss(a, const(m, every), const(m, w)), x, grad=True)
    # Empty batches: nan means.
    check(lambda m, a: F(m).cross_entropy(a, const(m, np.zeros(0, np.int64))), x[:0])
    check(lambda m, a, b: F(m).cross_entropy(a, b), x[:0], x[:0])
    # float32 logits and float64 probabilities promote; a float64 weight too.
    p = np.full((3, 4), 0.25)
    # (the float64 result is built on a float32 log_softmax: equal to a float32 ulp, 6e-8)
    check(lambda m, a, b: F(m).cross_entropy(a, b), x, p, grad=True, rtol=1e-6)
    check(
        lambda m, a, b: F(m).cross_entropy(a, b, weight=const(m, np.ones(4))),
        x,
        p.astype("f4"),
        rtol=1e-6,
    )
    # Non-contiguous logits.
    check(
        lambda m, a: F(m).cross_entropy(a.T, const(m, np.array([0, 2, 1, 2]))),
        np.asfortranarray(rng.standard_normal((3, 4))),
        grad=True,
    )


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("smoothing", [0.0, 0.1])
def test_cross_entropy_is_finite_and_equal_for_logits_of_magnitude_1e4(
    check: Any, dtype: str, smoothing: float
) -> None:
    x = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 5e3], [0.0, 0.0, -1e4]], dtype)
    y = np.array([1, 1, 2])
    tt_x = check(
        lambda m, a: F(m).cross_entropy(a, const(m, y), label_smoothing=smoothing), x, grad=True
    )[0]
    assert np.isfinite(tt_x.grad.numpy()).all()
    p = np.array([[0.5, 0.5, 0.0], [0.0, 1.0, 0.0], [0.2, 0.2, 0.6]], dtype)
    check(lambda m, a, b: F(m).cross_entropy(a, b, label_smoothing=smoothing), x, p, grad=True)


# ----------------------------------------------------------------------------------- binary
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("weight_shape", [None, (3, 4), (4,)])
def test_binary_cross_entropy_matches_torch(
    check: Any, rng: Any, dtype: str, reduction: str, weight_shape: Any
) -> None:
    x = rng.uniform(0.02, 0.98, (3, 4)).astype(dtype)
    t = rng.uniform(0.0, 1.0, (3, 4)).astype(dtype)
    w = None if weight_shape is None else rng.uniform(0.2, 2, weight_shape).astype(dtype)
    check(
        lambda m, a, b: F(m).binary_cross_entropy(a, b, weight=const(m, w), reduction=reduction),
        x,
        t,
        grad=True,
    )
    check(
        lambda m, a, b: nn(m).BCELoss(weight=const(m, w), reduction=reduction)(a, b),
        x,
        t,
        grad=True,
    )


def test_binary_cross_entropy_clamps_log_at_minus_100_like_torch(check: Any) -> None:
    # Saturated probabilities: the loss is 100 per wrong element, not inf.
    x = np.array([0.0, 1.0, 0.0, 1.0, 0.5], np.float32)
    t = np.array([0.0, 1.0, 1.0, 0.0, 1.0], np.float32)
    check(lambda m, a, b: F(m).binary_cross_entropy(a, b, reduction="none"), x, t)
    # float64 weight on a float32 input: cast to the input's dtype.
    w = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    check(lambda m, a, b: F(m).binary_cross_entropy(a, b, weight=const(m, w)), x, t)
    # Gradients agree close to the ends too (and at them: see the test below).
    near = np.array([1e-6, 1 - 1e-6, 1e-6, 1 - 1e-6, 0.5])
    check(lambda m, a: F(m).binary_cross_entropy(a, const(m, t.astype("f8"))), near, grad=True)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("weight_shape", [None, (3, 4), (4,)])
@pytest.mark.parametrize("pos_weight_shape", [None, (4,), (3, 4)])
def test_binary_cross_entropy_with_logits_matches_torch(
    check: Any,
    rng: Any,
    dtype: str,
    reduction: str,
    weight_shape: Any,
    pos_weight_shape: Any,
) -> None:
    x = (rng.standard_normal((3, 4)) * 3).astype(dtype)
    x[0, 0] = 0.0  # the log-sigmoid's kink-free point: gradient sigmoid(0) - t
    t = rng.uniform(0.0, 1.0, (3, 4)).astype(dtype)
    w = None if weight_shape is None else rng.uniform(0.2, 2, weight_shape).astype(dtype)
    pw = None if pos_weight_shape is None else rng.uniform(0.2, 3, pos_weight_shape).astype(dtype)
    check(
        lambda m, a, b: F(m).binary_cross_entropy_with_logits(
            a, b, weight=const(m, w), reduction=reduction, pos_weight=const(m, pw)
        ),
        x,
        t,
        grad=True,
    )
    check(
        lambda m, a, b: nn(m).BCEWithLogitsLoss(
            weight=const(m, w), reduction=reduction, pos_weight=const(m, pw)
        )(a, b),
        x,
        t,
        grad=True,
    )


@pytest.mark.parametrize("dtype", DTYPES)
def test_bce_with_logits_is_finite_and_equal_for_logits_of_magnitude_1e4(
    check: Any, dtype: str
) -> None:
    x = np.array([1e4, -1e4, 1e4, -1e4, 0.0, 30.0, -30.0], dtype)
    t = np.array([1.0, 0.0, 0.0, 1.0, 1.0, 0.0, 1.0], dtype)
    pw = np.array([2.0], dtype)
    for red in ("none", "mean"):
        tt_x = check(
            lambda m, a, b, r=red: F(m).binary_cross_entropy_with_logits(
                a, b, reduction=r, pos_weight=const(m, pw)
            ),
            x,
            t,
            grad=True,
        )[0]
        assert np.isfinite(tt_x.grad.numpy()).all()


def test_bce_with_logits_mixed_dtypes_match_torch(check: Any, rand: Any) -> None:
    x, t = rand(3, dtype="float32"), rand(3, dtype="float64", low=0.0, high=1.0)
    # The float64 result is computed from PyTorch's float32 log-sigmoid (its kernel runs in
    # the input's dtype) and ours: they may differ by a float32 ulp (6e-8 relative).
    check(lambda m, a, b: F(m).binary_cross_entropy_with_logits(a, b), x, t, grad=True, rtol=1e-6)
    w = np.array([1.0, 2.0, 3.0])
    check(
        lambda m, a, b: F(m).binary_cross_entropy_with_logits(
            a, b, weight=const(m, w), pos_weight=const(m, w)
        ),
        x,
        t.astype("float32"),
        grad=True,
    )


# ---------------------------------------------------------------------------- module state
def test_loss_modules_keep_weights_as_buffers_with_torch_keys() -> None:
    w = np.array([1.0, 2.0, 3.0], np.float32)
    for name, kw in [
        ("CrossEntropyLoss", {"weight"}),
        ("NLLLoss", {"weight"}),
        ("BCELoss", {"weight"}),
        ("BCEWithLogitsLoss", {"weight", "pos_weight"}),
    ]:
        mods = [getattr(nn(m), name)(**{k: const(m, w) for k in kw}) for m in (tt, torch)]
        assert list(mods[0].state_dict()) == list(mods[1].state_dict())
        assert repr(mods[0]) == repr(mods[1])
    for name in ("MSELoss", "L1Loss", "HuberLoss", "CrossEntropyLoss"):
        mods = [getattr(nn(m), name)() for m in (tt, torch)]
        assert repr(mods[0]) == repr(mods[1])
        assert mods[0].reduction == mods[1].reduction == "mean"
    a, b = tt_M.CrossEntropyLoss(), torch.nn.CrossEntropyLoss()
    assert (a.ignore_index, a.label_smoothing) == (b.ignore_index, b.label_smoothing)
    assert tt_M.HuberLoss().delta == torch.nn.HuberLoss().delta


# ----------------------------------------------------------------------------------- errors
X = np.random.default_rng(3).standard_normal((3, 4)).astype(np.float32)
P = np.random.default_rng(4).uniform(0.1, 0.9, (3, 2)).astype(np.float32)


@pytest.mark.parametrize(
    "expr",
    [
        # reductions
        lambda m, x: F(m).mse_loss(x, x, reduction="avg"),
        lambda m, x: F(m).l1_loss(x, x, reduction="elementwise"),
        lambda m, x: F(m).huber_loss(x, x, reduction="x"),
        lambda m, x: F(m).cross_entropy(x, const(m, np.array([0, 1, 2])), reduction="x"),
        lambda m, x: F(m).nll_loss(x, const(m, np.array([0, 1, 2])), reduction="x"),
        lambda m, x: F(m).binary_cross_entropy(x.sigmoid(), x.sigmoid(), reduction="x"),
        lambda m, x: F(m).binary_cross_entropy_with_logits(x, x, reduction="x"),
        lambda m, x: nn(m).MSELoss(reduction="x")(x, x),
        # class-index targets: dtype, shape, range, batch size
        lambda m, x: F(m).cross_entropy(x, const(m, np.array([0, 1, 2], np.int32))),
        lambda m, x: F(m).cross_entropy(x, const(m, np.array([0, 1, 2], np.int16))),
        lambda m, x: F(m).cross_entropy(x, const(m, np.array([True, False, True]))),
        lambda m, x: F(m).cross_entropy(x, const(m, np.zeros(3, np.float32))),
        lambda m, x: F(m).cross_entropy(x, const(m, np.zeros((3, 5), np.float32))),
        lambda m, x: F(m).cross_entropy(x, const(m, np.array([0, 1, 4]))),
        lambda m, x: F(m).cross_entropy(x, const(m, np.array([0, -1, 2]))),
        lambda m, x: F(m).cross_entropy(x, const(m, np.array([0, 1]))),
        lambda m, x: F(m).cross_entropy(x, const(m, np.array([[0, 1, 1]]))),
        lambda m, x: F(m).cross_entropy(x, const(m, np.array(1))),
        lambda m, x: F(m).cross_entropy(x.reshape(3, 2, 2), const(m, np.zeros((3, 3), np.int64))),
        lambda m, x: F(m).cross_entropy(x.reshape(1, 3, 2, 2), const(m, np.zeros((1, 2), int))),
        lambda m, x: F(m).cross_entropy(
            x.reshape(1, 3, 2, 2), const(m, np.full((1, 2, 2), 3, np.int64))
        ),
        lambda m, x: F(m).cross_entropy(x[0], const(m, np.array([1, 2]))),
        lambda m, x: F(m).cross_entropy(x[0, 0], const(m, np.array(0))),
        lambda m, x: F(m).cross_entropy(x[0, 0], const(m, np.array([0]))),
        lambda m, x: F(m).cross_entropy(x[0, 0], x[0, 1]),
        lambda m, x: F(m).cross_entropy(const(m, np.ones((3, 4), int)), const(m, np.arange(3))),
        lambda m, x: F(m).nll_loss(x, const(m, np.array([0, 1, 4]))),
        lambda m, x: F(m).nll_loss(x, const(m, np.array([0, 1]))),
        lambda m, x: F(m).nll_loss(x, const(m, np.array([0, 1, 2], np.int32))),
        lambda m, x: F(m).nll_loss(x[0, 0], const(m, np.array(0))),
        lambda m, x: F(m).nll_loss(x, x),
        lambda m, x: nn(m).NLLLoss()(x, const(m, np.array([0, 9, 1]))),
        lambda m, x: nn(m).CrossEntropyLoss()(x, const(m, np.array([0, 1]))),
        # weights and options
        lambda m, x: F(m).cross_entropy(
            x, const(m, np.array([0, 1, 2])), weight=const(m, np.ones(3, np.float32))
        ),
        lambda m, x: F(m).cross_entropy(
            x, const(m, np.array([0, 1, 2])), weight=const(m, np.ones((4, 1), np.float32))
        ),
        lambda m, x: F(m).cross_entropy(
            x, const(m, np.array([0, 1, 2])), weight=const(m, np.ones(4))
        ),
        lambda m, x: F(m).cross_entropy(x, x.softmax(1), weight=const(m, np.ones(3, "f4"))),
        lambda m, x: F(m).nll_loss(
            x, const(m, np.array([0, 1, 2])), weight=const(m, np.ones(5, np.float32))
        ),
        lambda m, x: F(m).cross_entropy(x, const(m, np.array([0, 1, 2])), label_smoothing=1.1),
        lambda m, x: F(m).cross_entropy(x, x.softmax(1), label_smoothing=1.5),
        lambda m, x: F(m).cross_entropy(x, x.softmax(1), ignore_index=0),
        lambda m, x: F(m).cross_entropy(x, const(m, np.ones((3, 4), np.int64))),
        # regression
        lambda m, x: F(m).mse_loss(x, x[:2]),
        lambda m, x: F(m).l1_loss(x, x[:, :3]),
        lambda m, x: F(m).huber_loss(x, x[:1, :3]),
        lambda m, x: F(m).mse_loss(const(m, np.ones(3, int)), const(m, np.ones(3, int))),
        lambda m, x: F(m).l1_loss(const(m, np.ones(3, int)), const(m, np.ones(3, int))),
        lambda m, x: F(m).huber_loss(const(m, np.ones(3, int)), const(m, np.ones(3, int))),
        lambda m, x: F(m).huber_loss(x, x, delta=0.0),
        lambda m, x: F(m).huber_loss(x, x, delta=-1.0),
        lambda m, x: nn(m).HuberLoss(delta=-1.0)(x, x),
        lambda m, x: F(m).mse_loss(x, x, weight=const(m, np.ones(4, np.float32))),
        lambda m, x: F(m).l1_loss(x, x, weight=const(m, np.ones((3, 1), np.float32))),
        lambda m, x: F(m).huber_loss(x, x, weight=const(m, np.ones(4, np.float32))),
    ],
)
def test_bad_inputs_raise_like_torch(check_raises: Any, expr: Any) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        check_raises(expr, X)


@pytest.mark.parametrize(
    "expr",
    [
        lambda m, p: F(m).binary_cross_entropy(p, p[:, :1]),
        lambda m, p: F(m).binary_cross_entropy(p, p.reshape(2, 3)),
        lambda m, p: F(m).binary_cross_entropy(p * 2, p),
        lambda m, p: F(m).binary_cross_entropy(p - 1, p),
        lambda m, p: F(m).binary_cross_entropy(p * float("nan"), p),
        lambda m, p: F(m).binary_cross_entropy(p, p.double()),
        lambda m, p: F(m).binary_cross_entropy(p, const(m, np.ones((3, 2), np.int64))),
        lambda m, p: F(m).binary_cross_entropy(
            const(m, np.ones((3, 2), np.int64)), const(m, np.ones((3, 2), np.int64))
        ),
        lambda m, p: F(m).binary_cross_entropy(p, p, weight=const(m, np.ones(3, np.float32))),
        lambda m, p: F(m).binary_cross_entropy(
            p, p, weight=const(m, np.ones((4, 3, 2), np.float32))
        ),
        lambda m, p: nn(m).BCELoss()(p, p[0]),
        lambda m, p: F(m).binary_cross_entropy_with_logits(p, p[:, :1]),
        lambda m, p: F(m).binary_cross_entropy_with_logits(p, const(m, np.ones((3, 2), int))),
        lambda m, p: F(m).binary_cross_entropy_with_logits(const(m, np.ones((3, 2), np.int64)), p),
        lambda m, p: F(m).binary_cross_entropy_with_logits(
            p, p, pos_weight=const(m, np.ones(3, np.float32))
        ),
        lambda m, p: F(m).binary_cross_entropy_with_logits(
            p, p, weight=const(m, np.ones(3, np.float32))
        ),
        lambda m, p: F(m).binary_cross_entropy_with_logits(
            p, p, weight=const(m, np.ones((4, 3, 2), np.float32))
        ),
        lambda m, p: nn(m).BCEWithLogitsLoss(pos_weight=const(m, np.ones(5, np.float32)))(p, p),
    ],
)
def test_bad_binary_inputs_raise_like_torch(check_raises: Any, expr: Any) -> None:
    check_raises(expr, P)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_binary_cross_entropy_gradients_at_the_ends_match_torch(
    check: Any, dtype: str, reduction: str
) -> None:
    # Saturated and nearly saturated probabilities: PyTorch's gradient formulas (input
    # +-1e12 through the clamped denominator, target +-inf), in both inputs.
    x = np.array([0.0, 1.0, 0.0, 1.0, 0.0, 1e-30, 0.5, 1e-7, 1 - 1e-7], dtype)
    t = np.array([1.0, 0.0, 0.0, 1.0, 0.3, 1.0, 0.2, 1.0, 0.0], dtype)
    w = np.linspace(0.5, 2.0, 9).astype(dtype)
    check(lambda m, a, b: F(m).binary_cross_entropy(a, b, reduction=reduction), x, t, grad=True)
    check(
        lambda m, a, b: nn(m).BCELoss(weight=const(m, w), reduction=reduction)(a, b),
        x,
        t,
        grad=True,
    )


@pytest.mark.parametrize("ignore_index", [3, 7, -1])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_with_an_ignore_index_outside_the_classes_matches_torch(
    check: Any, rand: Any, ignore_index: int, reduction: str
) -> None:
    y = np.array([0, ignore_index, 2, 1, ignore_index])
    check(
        lambda m, x, t: nn(m).CrossEntropyLoss(ignore_index=ignore_index, reduction=reduction)(
            x, t
        ),
        rand(5, 3),
        y,
        grad=True,
    )


@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")  # the NaNs
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("smoothing", [0.0, 0.2])
@pytest.mark.parametrize(
    ("w", "t"),
    [
        ([0.0, 0.0, 0.0, 0.0], [0, 1, -100, 0, 1]),  # zero weight sum, some ignored
        ([0.0, 0.0, 1.0, 1.0], [0, 1, 0, 1, 0]),  # zero weight sum, none ignored
        ([1.0, -1.0, 0.0, 0.0], [0, 1, -100, 2, 3]),  # weights cancel: +-inf gradients
        ([1.0, 2.0, 3.0, 4.0], [-100, -100, -100, -100, -100]),  # every target ignored
    ],
)
def test_zero_total_weight_matches_torch_values_and_gradients(
    check: Any, rand: Any, reduction: str, smoothing: float, w: Any, t: Any
) -> None:
    weight, target = np.array(w), np.array(t, np.int64)
    check(
        lambda m, x: F(m).cross_entropy(
            x,
            const(m, target),
            weight=const(m, weight),
            reduction=reduction,
            label_smoothing=smoothing,
        ),
        rand(5, 4, dtype="float64"),
        grad=True,
    )
    k_target = np.stack([target, target[::-1]], 1)
    check(
        lambda m, x: F(m).cross_entropy(
            x,
            const(m, k_target),
            weight=const(m, weight),
            reduction=reduction,
            label_smoothing=smoothing,
        ),
        rand(5, 4, 2, dtype="float64"),
        grad=True,
    )
    check(
        lambda m, x: F(m).nll_loss(
            x, const(m, target), weight=const(m, weight), reduction=reduction
        ),
        rand(5, 4, dtype="float64"),
        grad=True,
    )


def test_nll_loss_of_integers_raises_like_torch(check_raises: Any) -> None:
    e_tt, _ = check_raises(lambda m, x, t: F(m).nll_loss(x, t), np.array([[-1, -2]]), np.array([0]))
    assert "nll_loss" in str(e_tt)
    assert "int64" in str(e_tt)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_empty_batch_cross_entropy_matches_torch_without_warnings(
    check: Any, rand: Any, reduction: str
) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check(
            lambda m, x: F(m).cross_entropy(
                x, const(m, np.zeros(0, np.int64)), reduction=reduction
            ),
            rand(0, 4, dtype="float64"),
            grad=True,
        )
