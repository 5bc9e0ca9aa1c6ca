"""Generated toy sets: shapes, dtypes, seeding, balance, and the geometry each one promises."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import tt_tensor as tt
from tt_data.datasets.toy import make_blobs, make_circles, make_spirals, make_xor

MAKERS: list[Callable[..., tuple[tt.Tensor, tt.Tensor]]] = [
    make_blobs,
    make_xor,
    make_spirals,
    make_circles,
]


def gen(seed: int) -> tt.Generator:
    return tt.Generator().manual_seed(seed)


def linear_fit_accuracy(x: np.ndarray[Any, Any], y: np.ndarray[Any, Any]) -> float:
    """Accuracy of the best least-squares linear one-vs-rest classifier (with a bias)."""
    a = np.concatenate([x, np.ones((len(x), 1))], axis=1)
    onehot = np.eye(int(y.max()) + 1)[y]
    w, *_ = np.linalg.lstsq(a, onehot, rcond=None)
    return float(((a @ w).argmax(1) == y).mean())


@pytest.mark.parametrize("make", MAKERS, ids=lambda f: f.__name__)
def test_returns_float32_features_and_int64_labels(make: Callable[..., Any]) -> None:
    x, y = make(101, generator=gen(0))
    assert isinstance(x, tt.Tensor)
    assert isinstance(y, tt.Tensor)
    assert x.dtype == tt.float32
    assert y.dtype == tt.int64
    assert tuple(x.shape) == (101, 2)
    assert tuple(y.shape) == (101,)


@pytest.mark.parametrize("make", MAKERS, ids=lambda f: f.__name__)
def test_same_seed_same_data_other_seed_other_data(make: Callable[..., Any]) -> None:
    kw: dict[str, Any] = {"noise": 0.1} if make is make_circles else {}
    x1, y1 = make(64, generator=gen(5), **kw)
    x2, y2 = make(64, generator=gen(5), **kw)
    x3, _ = make(64, generator=gen(6), **kw)
    np.testing.assert_array_equal(x1.numpy(), x2.numpy())
    np.testing.assert_array_equal(y1.numpy(), y2.numpy())
    assert not np.array_equal(x1.numpy(), x3.numpy())


@pytest.mark.parametrize("make", MAKERS, ids=lambda f: f.__name__)
def test_default_generator_is_used_and_reseeded_by_manual_seed(make: Callable[..., Any]) -> None:
    kw: dict[str, Any] = {"noise": 0.1} if make is make_circles else {}
    tt.manual_seed(3)
    x1, _ = make(32, **kw)
    tt.manual_seed(3)
    x2, _ = make(32, **kw)
    np.testing.assert_array_equal(x1.numpy(), x2.numpy())


@pytest.mark.parametrize("make", MAKERS, ids=lambda f: f.__name__)
def test_classes_are_balanced_and_shuffled(make: Callable[..., Any]) -> None:
    _, y = make(200, generator=gen(1))
    counts = np.bincount(y.numpy())
    assert counts.max() - counts.min() <= 1
    assert (np.diff(y.numpy()) != 0).sum() > 20


@pytest.mark.parametrize("make", MAKERS, ids=lambda f: f.__name__)
def test_no_samples_gives_empty_tensors(make: Callable[..., Any]) -> None:
    x, y = make(0, generator=gen(0))
    assert tuple(x.shape) == (0, 2)
    assert tuple(y.shape) == (0,)


def test_blobs_are_linearly_separable_and_xor_spirals_circles_are_not() -> None:
    for make, lo, hi in (
        (make_blobs, 1.0, 1.0),
        (make_xor, 0.0, 0.8),
        (make_spirals, 0.0, 0.8),
        (make_circles, 0.0, 0.8),
    ):
        kw: dict[str, Any] = {"noise": 0.05} if make is make_circles else {}
        x, y = make(400, generator=gen(2), **kw)
        acc = linear_fit_accuracy(x.numpy().astype(np.float64), y.numpy())
        assert lo <= acc <= hi, (make.__name__, acc)


def test_blobs_with_explicit_centers_and_more_features() -> None:
    centers = [[0.0, 0.0, 0.0], [10.0, 0.0, 0.0], [0.0, 10.0, 5.0]]
    x, y = make_blobs(300, n_features=3, centers=centers, cluster_std=0.1, generator=gen(0))
    xs, ys = x.numpy(), y.numpy()
    for k, c in enumerate(centers):
        np.testing.assert_allclose(xs[ys == k].mean(0), c, atol=0.05)
    with pytest.raises(ValueError, match=r"centers must have shape \(n_classes, 2\)"):
        make_blobs(10, centers=centers)


def test_xor_label_is_one_where_the_signs_differ() -> None:
    x, y = make_xor(400, noise=0.1, generator=gen(0))
    xs = x.numpy()
    np.testing.assert_array_equal(y.numpy(), ((xs[:, 0] > 0) != (xs[:, 1] > 0)).astype(np.int64))


def test_circles_without_noise_lie_on_radius_one_and_factor() -> None:
    x, y = make_circles(50, factor=0.3, generator=gen(0))
    r = np.linalg.norm(x.numpy(), axis=1)
    np.testing.assert_allclose(r[y.numpy() == 0], 1.0, rtol=1e-6)
    np.testing.assert_allclose(r[y.numpy() == 1], 0.3, rtol=1e-6)


def test_spirals_have_one_arm_per_class_with_radius_up_to_one() -> None:
    x, y = make_spirals(300, n_classes=3, noise=0.0, shuffle=False, generator=gen(0))
    xs, ys = x.numpy(), y.numpy()
    assert sorted(set(ys.tolist())) == [0, 1, 2]
    r = np.linalg.norm(xs, axis=1)
    assert r.max() == pytest.approx(1.0, abs=1e-6)
    # Noise-free arms of different classes never coincide.
    assert np.abs(xs[ys == 0][:, None] - xs[ys == 1][None]).sum(-1).min() > 1e-3


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: make_xor(10, noise=-1.0), "make_xor: noise must be >= 0"),
        (lambda: make_spirals(10, n_classes=0), "make_spirals: n_classes must be >= 1"),
        (lambda: make_circles(10, factor=1.5), r"make_circles: factor must be in \(0, 1\)"),
        (lambda: make_circles(-1), "make_circles: n_samples must be a non-negative int"),
        (lambda: make_blobs(-3), "make_blobs: n_samples must be a non-negative int"),
        (lambda: make_blobs(10, centers=0), "make_blobs: need centers >= 1"),
    ],
)
def test_bad_arguments_raise_value_error(call: Callable[[], Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()
