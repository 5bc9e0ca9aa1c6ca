"""TinyDigits: deterministic, balanced, in range, learnable, and shaped like MNIST."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

import tt_tensor as tt
from tt_data.collate import default_collate
from tt_data.datasets import tinydigits
from tt_data.datasets.tinydigits import TinyDigits, render_digits
from tt_data.transforms import ToTensor


def digest(ds: TinyDigits) -> str:
    return hashlib.sha256(ds.data.tobytes() + ds.targets.tobytes()).hexdigest()


@pytest.mark.parametrize("train", [True, False])
def test_generation_is_deterministic_across_fresh_generations(
    monkeypatch: pytest.MonkeyPatch, train: bool
) -> None:
    first = digest(TinyDigits(train=train))
    monkeypatch.setattr(tinydigits, "_CACHE", {})  # force a second, fresh generation
    again = TinyDigits(train=train)
    assert digest(again) == first


def test_instances_share_the_cached_read_only_arrays() -> None:
    a, b = TinyDigits(), TinyDigits()
    assert a.data is b.data
    assert not a.data.flags.writeable
    with pytest.raises(ValueError, match="read-only"):
        a.data[0, 0, 0] = 1


@pytest.mark.parametrize(("train", "n"), [(True, 5000), (False, 1000)])
def test_sizes_dtypes_and_class_balance(train: bool, n: int) -> None:
    ds = TinyDigits(train=train)
    assert len(ds) == n
    assert ds.data.shape == (n, 16, 16)
    assert ds.data.dtype == np.uint8
    assert ds.targets.dtype == np.int64
    np.testing.assert_array_equal(np.bincount(ds.targets, minlength=10), [n // 10] * 10)
    assert ds.data.nbytes + ds.targets.nbytes == n * 256 + n * 8


def test_memory_figures_in_the_docstring_match_the_arrays() -> None:
    doc = TinyDigits.__doc__ or ""
    tr, te = TinyDigits(), TinyDigits(train=False)
    assert f"{tr.data.nbytes:,} bytes of images + {tr.targets.nbytes:,} bytes" in doc
    assert f"{te.data.nbytes:,} + {te.targets.nbytes:,} bytes" in doc


def test_labels_are_shuffled_not_sorted() -> None:
    t = TinyDigits().targets
    assert (np.diff(t) != 0).mean() > 0.8


def test_pixels_use_the_full_range_with_dark_background_and_bright_strokes() -> None:
    x = TinyDigits().data
    assert x.min() == 0
    assert x.max() == 255
    # Every image has ink (a faint thin digit may peak near half brightness) ...
    assert x.reshape(len(x), -1).max(1).min() >= 100
    assert ((x > 64).reshape(len(x), -1).mean(1) > 0.03).all()
    # ... drawn as strokes, not filled blobs.
    assert (x > 128).reshape(len(x), -1).mean(1).max() < 0.6
    assert np.median(x) < 40  # background mostly dark


def test_train_and_test_sets_are_different_images() -> None:
    tr, te = TinyDigits().data, TinyDigits(train=False).data
    train_rows = {row.tobytes() for row in tr}
    assert not any(row.tobytes() in train_rows for row in te)


def test_images_of_one_digit_vary() -> None:
    ds = TinyDigits()
    sevens = ds.data[ds.targets == 7].astype(np.float64)
    assert len({row.tobytes() for row in ds.data}) == len(ds)
    assert sevens.std(axis=0).mean() > 30


def test_classes_are_distinguishable_by_a_nearest_centroid_rule() -> None:
    tr, te = TinyDigits(), TinyDigits(train=False)
    x = tr.data.reshape(len(tr), -1).astype(np.float64)
    centroids = np.stack([x[tr.targets == k].mean(0) for k in range(10)])
    gaps = np.linalg.norm(centroids[:, None] - centroids[None], axis=-1)
    assert gaps[~np.eye(10, dtype=bool)].min() > 100  # every pair of class means differs
    xt = te.data.reshape(len(te), -1).astype(np.float64)
    pred = np.linalg.norm(xt[:, None] - centroids[None], axis=-1).argmin(1)
    accuracy = (pred == te.targets).mean()
    # A nearest-centroid rule is far above chance (0.1) but far from perfect: real variation.
    assert 0.5 < accuracy < 0.97


def test_item_and_batch_follow_the_mnist_convention() -> None:
    ds = TinyDigits(train=False, transform=ToTensor())
    img, label = ds[3]
    assert tuple(img.shape) == (1, 16, 16)
    assert type(label) is int
    images, labels = default_collate(ds.__getitems__([3, 4]))
    assert tuple(images.shape) == (2, 1, 16, 16)
    assert images.dtype == tt.float32
    np.testing.assert_array_equal(images.numpy()[0], img.numpy())
    assert labels.tolist() == [int(ds.targets[3]), int(ds.targets[4])]


def test_root_and_download_are_accepted_and_ignored() -> None:
    ds = TinyDigits(root="/nonexistent", train=False, download=True)
    assert digest(ds) == digest(TinyDigits(train=False))
    assert "Split: Test" in repr(ds)


@pytest.mark.parametrize("digit", range(10))
def test_render_digits_is_reproducible_from_a_seed(digit: int) -> None:
    a = render_digits(digit, 5, np.random.default_rng(digit))
    b = render_digits(digit, 5, np.random.default_rng(digit))
    np.testing.assert_array_equal(a, b)
    assert a.shape == (5, 16, 16)
    assert a.dtype == np.uint8
