"""Generated 2-D toy problems for the first milestones: blobs, XOR, spirals, circles.

Each function returns ``(X, y)``: ``X`` a float32 tensor ``(n_samples, n_features)`` and
``y`` an int64 tensor ``(n_samples,)`` of class labels, drawn from a
:class:`tt_tensor.Generator` (the default one when ``generator`` is None, so
``tt.manual_seed`` makes them reproducible). The names and most arguments follow
scikit-learn's ``sklearn.datasets.make_*`` (PyTorch has no such functions); randomness comes
from ``generator=`` instead of ``random_state=``.

Each tells a story: blobs are separable by a line (a linear model suffices), XOR needs one
hidden layer, circles need a non-linear boundary, and spirals need depth or width.

**Memory**: ``n_samples * (n_features * 4 + 8)`` bytes (plus float64 scratch while drawing).

Systems question: why are the samples drawn in float64 and only then cast to float32?
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

import tt_tensor as tt

__all__ = ["make_blobs", "make_circles", "make_spirals", "make_xor"]

_Array = np.ndarray[Any, Any]


def _rng(generator: tt.Generator | None) -> np.random.Generator:
    return (generator if generator is not None else tt.default_generator).numpy


def _counts(n_samples: int, n_classes: int, op: str) -> list[int]:
    """Split ``n_samples`` as evenly as possible over the classes (first ones get the extra)."""
    if not isinstance(n_samples, int) or n_samples < 0:
        raise ValueError(f"{op}: n_samples must be a non-negative int, got {n_samples!r}")
    return [n_samples // n_classes + (k < n_samples % n_classes) for k in range(n_classes)]


def _check_noise(noise: float, op: str) -> float:
    if not noise >= 0:
        raise ValueError(f"{op}: noise must be >= 0, got {noise}")
    return float(noise)


def _finish(
    x: _Array, y: _Array, shuffle: bool, rng: np.random.Generator
) -> tuple[tt.Tensor, tt.Tensor]:
    if shuffle:
        order = rng.permutation(len(y))
        x, y = x[order], y[order]
    return (
        tt.from_numpy(np.ascontiguousarray(x, dtype=np.float32)),
        tt.from_numpy(np.ascontiguousarray(y, dtype=np.int64)),
    )


def make_blobs(
    n_samples: int = 100,
    n_features: int = 2,
    centers: int | Any = 2,
    cluster_std: float = 0.5,
    *,
    shuffle: bool = True,
    generator: tt.Generator | None = None,
) -> tuple[tt.Tensor, tt.Tensor]:
    """Gaussian blobs, one per class: linearly separable with the defaults.

    ``centers`` is a number of classes or an array ``(n_classes, n_features)`` of centres.
    A number places the centres evenly on a circle of radius 3 in the first two features
    (unlike scikit-learn, which draws them at random): with ``cluster_std=0.5`` neighbouring
    blobs are many standard deviations apart, so the classes are separable in practice.

    **Shape**: ``X (n_samples, n_features)`` float32, ``y (n_samples,)`` int64.

    >>> import tt_tensor as tt
    >>> X, y = make_blobs(6, generator=tt.Generator().manual_seed(0))
    >>> tuple(X.shape), X.dtype, sorted(y.tolist())
    ((6, 2), tt_tensor.float32, [0, 0, 0, 1, 1, 1])
    """
    op = "make_blobs"
    if isinstance(centers, int):
        if centers < 1 or n_features < 1:
            raise ValueError(
                f"{op}: need centers >= 1 and n_features >= 1, got {centers}, {n_features}"
            )
        c = np.zeros((centers, n_features))
        angle = 2 * math.pi * np.arange(centers) / centers
        c[:, 0] = 3 * np.cos(angle)
        if n_features > 1:
            c[:, 1] = 3 * np.sin(angle)
    else:
        c = np.asarray(centers, dtype=np.float64)
        if c.ndim != 2 or c.shape[1] != n_features:
            raise ValueError(
                f"{op}: centers must have shape (n_classes, {n_features}), got {c.shape}"
            )
    _check_noise(cluster_std, op)
    rng = _rng(generator)
    counts = _counts(n_samples, len(c), op)
    y = np.repeat(np.arange(len(c)), counts)
    x = c[y] + cluster_std * rng.standard_normal((n_samples, n_features))
    return _finish(x, y, shuffle, rng)


def make_xor(
    n_samples: int = 200,
    noise: float = 0.2,
    *,
    shuffle: bool = True,
    generator: tt.Generator | None = None,
) -> tuple[tt.Tensor, tt.Tensor]:
    """The XOR problem: four Gaussian clusters at ``(+-1, +-1)``; label 1 where the signs differ.

    No line separates the classes; one hidden layer of two units does.

    **Shape**: ``X (n_samples, 2)`` float32, ``y (n_samples,)`` int64.

    >>> import tt_tensor as tt
    >>> X, y = make_xor(8, noise=0.0, shuffle=False, generator=tt.Generator().manual_seed(0))
    >>> X[:4].tolist(), y[:4].tolist()
    ([[-1.0, -1.0], [-1.0, -1.0], [-1.0, 1.0], [-1.0, 1.0]], [0, 0, 1, 1])
    """
    noise = _check_noise(noise, "make_xor")
    rng = _rng(generator)
    corners = np.array([[-1.0, -1.0], [-1.0, 1.0], [1.0, -1.0], [1.0, 1.0]])
    which = np.repeat(np.arange(4), _counts(n_samples, 4, "make_xor"))
    x = corners[which] + noise * rng.standard_normal((n_samples, 2))
    y = np.array([0, 1, 1, 0])[which]
    return _finish(x, y, shuffle, rng)


def make_spirals(
    n_samples: int = 200,
    n_classes: int = 2,
    noise: float = 0.1,
    *,
    turns: float = 1.0,
    shuffle: bool = True,
    generator: tt.Generator | None = None,
) -> tuple[tt.Tensor, tt.Tensor]:
    """Interleaved spiral arms, one per class (the CS231n toy problem).

    Arm ``k`` is ``r * (cos t, sin t)`` with radius ``r`` from 0 to 1 and angle
    ``t = 2 pi (k / n_classes + turns * r)`` plus Gaussian angle noise of ``noise`` radians
    times ``2 pi / n_classes``.

    **Shape**: ``X (n_samples, 2)`` float32, ``y (n_samples,)`` int64.

    >>> import tt_tensor as tt
    >>> X, y = make_spirals(9, n_classes=3, generator=tt.Generator().manual_seed(0))
    >>> tuple(X.shape), sorted(y.tolist())
    ((9, 2), [0, 0, 0, 1, 1, 1, 2, 2, 2])
    """
    if n_classes < 1:
        raise ValueError(f"make_spirals: n_classes must be >= 1, got {n_classes}")
    noise = _check_noise(noise, "make_spirals")
    rng = _rng(generator)
    xs, ys = [], []
    for k, m in enumerate(_counts(n_samples, n_classes, "make_spirals")):
        r = np.linspace(0.0, 1.0, m + 1)[1:] if m else np.zeros(0)
        t = 2 * math.pi * (k / n_classes + turns * r)
        t = t + noise * (2 * math.pi / n_classes) * rng.standard_normal(m)
        xs.append(np.stack([r * np.cos(t), r * np.sin(t)], axis=1))
        ys.append(np.full(m, k))
    return _finish(np.concatenate(xs), np.concatenate(ys), shuffle, rng)


def make_circles(
    n_samples: int = 100,
    *,
    shuffle: bool = True,
    noise: float = 0.0,
    factor: float = 0.5,
    generator: tt.Generator | None = None,
) -> tuple[tt.Tensor, tt.Tensor]:
    """Two concentric circles (scikit-learn's ``make_circles``): outer label 0, inner label 1.

    The inner circle has radius ``factor`` (0 < factor < 1); points are evenly spaced in
    angle, then moved by Gaussian noise of standard deviation ``noise``.

    **Shape**: ``X (n_samples, 2)`` float32, ``y (n_samples,)`` int64.

    >>> import tt_tensor as tt
    >>> X, y = make_circles(8, shuffle=False, generator=tt.Generator().manual_seed(0))
    >>> [round(float((X[i] ** 2).sum()), 3) for i in (0, 7)], y.tolist()
    ([1.0, 0.25], [0, 0, 0, 0, 1, 1, 1, 1])
    """
    if not 0 < factor < 1:
        raise ValueError(f"make_circles: factor must be in (0, 1), got {factor}")
    noise = _check_noise(noise, "make_circles")
    if not isinstance(n_samples, int) or n_samples < 0:
        raise ValueError(f"make_circles: n_samples must be a non-negative int, got {n_samples!r}")
    rng = _rng(generator)
    n_out, n_in = n_samples - n_samples // 2, n_samples // 2
    t_out = np.linspace(0, 2 * math.pi, n_out, endpoint=False)
    t_in = np.linspace(0, 2 * math.pi, n_in, endpoint=False)
    x = np.concatenate(
        [
            np.stack([np.cos(t_out), np.sin(t_out)], 1),
            factor * np.stack([np.cos(t_in), np.sin(t_in)], 1),
        ]
    )
    y = np.concatenate([np.zeros(n_out, np.int64), np.ones(n_in, np.int64)])
    if noise:
        x = x + noise * rng.standard_normal(x.shape)
    return _finish(x, y, shuffle, rng)
