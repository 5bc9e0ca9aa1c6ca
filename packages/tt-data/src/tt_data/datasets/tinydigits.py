"""TinyDigits: 16x16 digits drawn by a program, no download and no third-party data.

Each digit 0-9 is a few strokes (line segments and elliptic arcs, in a unit box). One image
is made by

1. choosing the digit's optional strokes (the flag and foot of a 1, the bar of a 7, ...),
2. bending the strokes with a smooth random warp and a random affine map (rotation, scale,
   shear, shift), which moves whole strokes, so they stay connected,
3. rasterising with anti-aliasing: each pixel's brightness is
   ``clip(w + 0.5 - d, 0, 1)`` where ``d`` is the pixel centre's distance to the nearest
   segment and ``w`` the random stroke half-width -- a *distance field*, computed for all
   pixels, segments and images of one digit at once with broadcasting,
4. scaling by a random contrast and adding Gaussian noise, then rounding to uint8.

Everything comes from fixed seeds, so every machine and every course gets the same images
(up to last-bit differences of the platform's ``sin``/``cos``, which can move a rare pixel
by one grey level). The sets are generated on first use (~0.5 s for both splits) and kept in memory.

Systems question: the distance field costs ``O(images * pixels * segments)``; why is it
still faster here than drawing segment by segment in Python?
"""

from __future__ import annotations

import itertools
import math
import os
from collections.abc import Callable
from typing import Any, ClassVar

import numpy as np

import tt_tensor as tt

from .vision import VisionDataset

__all__ = ["TinyDigits", "render_digits"]

_Poly = list[tuple[float, float]]
_F64 = np.ndarray[Any, np.dtype[np.float64]]


def _arc(cx: float, cy: float, rx: float, ry: float, t0: float, t1: float, n: int = 10) -> _Poly:
    """Points on an elliptic arc; angles in degrees, 0 = right, 90 = down (y grows downwards)."""
    ts = np.radians(np.linspace(t0, t1, n + 1))
    return [(cx + rx * math.cos(t), cy + ry * math.sin(t)) for t in ts]


# Each digit: a list of (polyline, probability of drawing it). Coordinates in [0, 1]^2.
_STROKES: dict[int, list[tuple[_Poly, float]]] = {
    0: [(_arc(0.5, 0.5, 0.27, 0.4, 0, 360, 20), 1.0)],
    1: [
        ([(0.52, 0.1), (0.5, 0.9)], 1.0),
        ([(0.32, 0.3), (0.52, 0.1)], 0.6),
        ([(0.32, 0.9), (0.7, 0.9)], 0.25),
    ],
    2: [
        ([*_arc(0.5, 0.33, 0.26, 0.23, 190, 380, 12), (0.22, 0.9)], 1.0),
        ([(0.22, 0.9), (0.8, 0.9)], 1.0),
    ],
    3: [
        (_arc(0.49, 0.3, 0.24, 0.2, 200, 450, 12), 1.0),
        (_arc(0.49, 0.7, 0.28, 0.2, 270, 520, 12), 1.0),
    ],
    4: [
        ([(0.62, 0.1), (0.2, 0.65), (0.82, 0.65)], 1.0),
        ([(0.64, 0.3), (0.64, 0.92)], 1.0),
    ],
    5: [
        ([(0.76, 0.1), (0.32, 0.1), (0.29, 0.48)], 1.0),
        (_arc(0.5, 0.66, 0.27, 0.24, 220, 500, 14), 1.0),
    ],
    6: [
        ([(0.72, 0.12), (0.46, 0.26), (0.31, 0.45), (0.25, 0.66)], 1.0),
        (_arc(0.5, 0.68, 0.25, 0.22, 0, 360, 16), 1.0),
    ],
    7: [
        ([(0.2, 0.1), (0.8, 0.1), (0.42, 0.9)], 1.0),
        ([(0.42, 0.5), (0.76, 0.5)], 0.25),
    ],
    8: [
        (_arc(0.5, 0.29, 0.21, 0.19, 0, 360, 14), 1.0),
        (_arc(0.5, 0.7, 0.26, 0.21, 0, 360, 16), 1.0),
    ],
    9: [
        (_arc(0.5, 0.32, 0.24, 0.21, 0, 360, 16), 1.0),
        ([(0.74, 0.32), (0.7, 0.62), (0.6, 0.9)], 1.0),
    ],
}


def _segments(digit: int) -> tuple[_F64, _F64, np.ndarray[Any, np.dtype[np.int64]], _F64]:
    """The digit's segments: starts (S, 2), ends (S, 2), stroke id (S,), stroke probabilities."""
    a, b, sid, prob = [], [], [], []
    for k, (poly, p) in enumerate(_STROKES[digit]):
        prob.append(p)
        for p0, p1 in itertools.pairwise(poly):
            a.append(p0)
            b.append(p1)
            sid.append(k)
    return np.array(a), np.array(b), np.array(sid, dtype=np.int64), np.array(prob)


def render_digits(
    digit: int, n: int, rng: np.random.Generator, size: int = 16
) -> np.ndarray[Any, Any]:
    """Draw ``n`` random images of ``digit`` as a uint8 array ``(n, size, size)``.

    **Cost**: ``O(n * size^2 * S)`` for ``S`` segments (S is 20-35), all vectorised.
    **Memory**: a few float64 arrays of ``n * size^2 * S`` elements (about 7 MB each for
    ``n = 100``); callers draw in chunks.

    >>> import numpy as np
    >>> imgs = render_digits(7, 3, np.random.default_rng(0))
    >>> imgs.shape, imgs.dtype
    ((3, 16, 16), dtype('uint8'))
    """
    a0, b0, sid, prob = _segments(digit)
    keep = rng.random((n, len(prob))) < prob  # (n, K) which strokes are drawn
    seg_on = keep[:, sid]  # (n, S)

    def warp(p: _F64, c: _F64) -> _F64:
        # Smooth bend: each coordinate shifted by a low-frequency sine of the other.
        x, y = p[..., 0], p[..., 1]
        dx = c[:, None, 0] * np.sin(math.pi * y + c[:, None, 1])
        dy = c[:, None, 2] * np.sin(math.pi * x + c[:, None, 3])
        return np.stack([x + dx, y + dy], axis=-1)

    c = np.stack(
        [
            rng.normal(0, 0.05, n),
            rng.uniform(0, 2 * math.pi, n),
            rng.normal(0, 0.04, n),
            rng.uniform(0, 2 * math.pi, n),
        ],
        axis=1,
    )
    a = warp(np.broadcast_to(a0, (n, *a0.shape)), c) - 0.5  # centred, (n, S, 2)
    b = warp(np.broadcast_to(b0, (n, *b0.shape)), c) - 0.5

    # Random affine map into pixel coordinates: rotate, shear, scale, shift.
    theta = np.radians(rng.normal(0, 8, n))
    shear = rng.normal(0, 0.12, n)
    scale = rng.uniform(0.72, 0.92, n) * size
    aspect = np.exp(rng.normal(0, 0.08, n))
    cos, sin = np.cos(theta), np.sin(theta)
    m = np.empty((n, 2, 2))
    m[:, 0, 0] = scale * aspect * cos
    m[:, 0, 1] = scale * (shear * cos - sin)
    m[:, 1, 0] = scale * aspect * sin
    m[:, 1, 1] = scale * (shear * sin + cos)
    shift = size / 2 + rng.normal(0, 0.7, (n, 1, 2))
    a = np.einsum("nij,nsj->nsi", m, a) + shift
    b = np.einsum("nij,nsj->nsi", m, b) + shift

    # Strokes left out are moved far away, so they never are the nearest segment.
    far = np.where(seg_on[..., None], 0.0, 1e4)
    a, b = a + far, b + far

    # Distance from every pixel centre to every segment, (n, P, S) in float32, with the
    # x and y parts kept as separate arrays (no size-2 axis to reduce over: much faster).
    coords = np.arange(size, dtype=np.float32) + np.float32(0.5)
    px = np.tile(coords, size)[None, :, None]  # (1, P, 1), row-major pixel order
    py = np.repeat(coords, size)[None, :, None]
    ax, ay = (a[..., k].astype(np.float32)[:, None, :] for k in (0, 1))  # (n, 1, S)
    abx, aby = ((b - a)[..., k].astype(np.float32)[:, None, :] for k in (0, 1))
    inv_len2 = 1 / np.maximum(abx * abx + aby * aby, np.float32(1e-12))
    apx, apy = px - ax, py - ay  # (n, P, S)
    t = np.clip((apx * abx + apy * aby) * inv_len2, 0, 1)
    apx -= t * abx
    apy -= t * aby
    d = np.sqrt((apx * apx + apy * apy).min(axis=2)).astype(np.float64)  # (n, P)

    width = rng.uniform(0.55, 1.25, (n, 1))  # stroke half-width in pixels
    ink = np.clip(width + 0.5 - d, 0.0, 1.0) * rng.uniform(0.7, 1.0, (n, 1))
    ink = ink + rng.normal(0, rng.uniform(0.0, 0.08, (n, 1)), ink.shape)
    img: np.ndarray[Any, Any] = np.rint(np.clip(ink, 0.0, 1.0) * 255).astype(np.uint8)
    return img.reshape(n, size, size)


_CACHE: dict[bool, tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]] = {}


def _generate(train: bool) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """Make (or fetch from the per-process cache) one split: balanced, shuffled, read-only."""
    if train not in _CACHE:
        per_class = TinyDigits.train_per_class if train else TinyDigits.test_per_class
        seed = TinyDigits.train_seed if train else TinyDigits.test_seed
        rng = tt.Generator().manual_seed(seed).numpy
        chunks: list[np.ndarray[Any, Any]] = []
        for digit in range(10):
            for start in range(0, per_class, 128):
                chunks.append(render_digits(digit, min(128, per_class - start), rng))
        data = np.concatenate(chunks)
        targets = np.repeat(np.arange(10, dtype=np.int64), per_class)
        order = rng.permutation(len(targets))
        data, targets = data[order], targets[order]
        data.flags.writeable = False
        targets.flags.writeable = False
        _CACHE[train] = (data, targets)
    return _CACHE[train]


class TinyDigits(VisionDataset):
    """Program-drawn 16x16 grayscale digits: 5,000 training and 1,000 test images, no download.

    The embedded default dataset of tt: generated deterministically from fixed seeds in well
    under a second (see the module docstring for how), identical on every machine, balanced
    (500 / 100 images per class), kept in memory once per process. Learnable but not
    trivial: strokes vary in shape, slant, width, position and contrast, with pixel noise.

    Items are ``(image, label)``: without a transform ``image`` is the uint8 array
    ``(16, 16)`` and ``label`` an ``int``; ``ToTensor`` gives a float tensor ``(1, 16, 16)``.
    Batches: :meth:`__getitems__` (4-D NHWC, see :class:`~tt_data.datasets.vision.VisionDataset`).
    ``root`` and ``download`` are accepted for symmetry with :class:`MNIST` and ignored.

    **Shape**: ``data`` ``(N, 16, 16)`` uint8; ``targets`` ``(N,)`` int64.
    **Memory**: training split 1,280,000 bytes of images + 40,000 bytes of labels;
    test split 256,000 + 8,000 bytes. ``data`` is shared (read-only) by all instances.
    **Cost**: first use ~0.4 s (training split) per process; later instances are free.

    >>> ds = TinyDigits(train=False)
    >>> len(ds), ds.data.shape, ds.data.dtype
    (1000, (1000, 16, 16), dtype('uint8'))
    >>> img, label = ds[0]
    >>> img.shape, type(label)
    ((16, 16), <class 'int'>)
    """

    classes: ClassVar[list[str]] = [str(d) for d in range(10)]
    train_per_class: ClassVar[int] = 500
    test_per_class: ClassVar[int] = 100
    train_seed: ClassVar[int] = 20240601
    test_seed: ClassVar[int] = 20240602

    def __init__(
        self,
        root: str | os.PathLike[str] | None = None,
        train: bool = True,
        transform: Callable[[Any], Any] | None = None,
        target_transform: Callable[[Any], Any] | None = None,
        download: bool = False,
    ) -> None:
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.train = train
        self.data, self.targets = _generate(bool(train))

    def extra_repr(self) -> str:
        return f"Split: {'Train' if self.train else 'Test'}"
