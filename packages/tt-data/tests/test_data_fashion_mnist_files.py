"""The real Fashion-MNIST files, where the machine has them (Debian's dataset-fashion-mnist).

CI installs them (.ci/run), so under CI (``CI=true``) a missing file fails these tests
loudly; on other machines they are skipped with the way to get the files."""

from __future__ import annotations

import os

import numpy as np
import pytest

from tt_data.datasets import DatasetNotFoundError, FashionMNIST

HOW_TO_GET = (
    "Fashion-MNIST not found. Get it with `apt-get install dataset-fashion-mnist` (Debian, "
    "files in /usr/share/datasets/fashion-mnist) or FashionMNIST(root, download=True)."
)


@pytest.fixture(scope="module")
def splits() -> tuple[FashionMNIST, FashionMNIST]:
    try:
        return FashionMNIST(train=True), FashionMNIST(train=False)
    except DatasetNotFoundError as e:
        if os.environ.get("CI") == "true":
            raise AssertionError(f"CI must have Fashion-MNIST (.ci/run installs it): {e}") from e
        pytest.skip(HOW_TO_GET)


def test_real_fashion_mnist_has_the_published_sizes(
    splits: tuple[FashionMNIST, FashionMNIST],
) -> None:
    train, test = splits
    assert train.data.shape == (60000, 28, 28)
    assert train.data.dtype == np.uint8
    assert test.data.shape == (10000, 28, 28)
    assert test.data.dtype == np.uint8
    assert len(train) == 60000
    assert len(test) == 10000


def test_real_fashion_mnist_classes_are_balanced(
    splits: tuple[FashionMNIST, FashionMNIST],
) -> None:
    train, test = splits
    assert np.bincount(np.asarray(train.targets), minlength=10).tolist() == [6000] * 10
    assert np.bincount(np.asarray(test.targets), minlength=10).tolist() == [1000] * 10


def test_real_fashion_mnist_images_use_the_whole_grey_range(
    splits: tuple[FashionMNIST, FashionMNIST],
) -> None:
    train, _ = splits
    assert train.data.min() == 0
    assert train.data.max() == 255
    assert 0.25 < train.data.mean() / 255 < 0.32  # the published mean is 0.2860
