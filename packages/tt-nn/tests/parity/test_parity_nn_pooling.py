"""Parity with PyTorch: max_pool2d, avg_pool2d and adaptive_avg_pool2d outputs and input
gradients (float32 and float64), the pooling modules, and errors on bad input."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch

import tt_tensor as tt
from tt_nn.functional.pooling import adaptive_avg_pool2d, avg_pool2d, max_pool2d
from tt_nn.modules.pooling import AdaptiveAvgPool2d, AvgPool2d, MaxPool2d

pytestmark = pytest.mark.parity

OURS: dict[str, Callable[..., Any]] = {
    "max_pool2d": max_pool2d,
    "avg_pool2d": avg_pool2d,
    "adaptive_avg_pool2d": adaptive_avg_pool2d,
}


def fn(m: Any, name: str) -> Callable[..., Any]:
    """``torch.nn.functional.<name>`` for torch, tt's function for tt."""
    return getattr(torch.nn.functional, name) if m is torch else OURS[name]  # type: ignore[no-any-return]


MAX_CASES: list[dict[str, Any]] = [
    {"kernel_size": 2},
    {"kernel_size": 3, "stride": 1},
    {"kernel_size": 3, "stride": 2, "padding": 1},
    {"kernel_size": (3, 2), "stride": (2, 1), "padding": (1, 1), "dilation": (2, 1)},
    {"kernel_size": 2, "stride": 2, "ceil_mode": True},
    {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True},
    {"kernel_size": (2, 3), "stride": (3, 2), "dilation": 2, "ceil_mode": True},
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("kw", MAX_CASES)
@pytest.mark.parametrize("shape", [(2, 3, 9, 8), (3, 7, 7)])
def test_max_pool2d_matches_torch_with_gradients(
    check: Any, rand: Any, dtype: str, kw: dict[str, Any], shape: tuple[int, ...]
) -> None:
    check(lambda m, x: fn(m, "max_pool2d")(x, **kw), rand(*shape, dtype=dtype), grad=True)


def test_max_pool2d_with_ties_routes_the_gradient_like_torch(check: Any) -> None:
    # After a ReLU many windows hold several zeros: the gradient goes to the first one.
    x = np.maximum(np.random.default_rng(3).standard_normal((2, 3, 8, 8)), 0).astype("float32")
    x[0, 0, :2, :2] = 1.0
    check(lambda m, x: fn(m, "max_pool2d")(x, 2), x, grad=True)
    check(lambda m, x: fn(m, "max_pool2d")(x, 3, 1, 1), x, grad=True)


def test_max_pool2d_propagates_nan_like_torch(check: Any) -> None:
    x = np.arange(32, dtype="float64").reshape(1, 2, 4, 4)
    x[0, 0, 1, 1] = x[0, 1, 0, 0] = x[0, 1, 1, 1] = np.nan
    check(lambda m, x: fn(m, "max_pool2d")(x, 2), x, grad=True)


AVG_CASES: list[dict[str, Any]] = [
    {"kernel_size": 2},
    {"kernel_size": 3, "stride": 1, "padding": 1},
    {"kernel_size": 3, "stride": 2, "padding": 1, "count_include_pad": False},
    {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True},
    {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True, "count_include_pad": False},
    {"kernel_size": (2, 3), "stride": (1, 2), "divisor_override": 5},
    {"kernel_size": 4, "stride": 3, "padding": 2, "ceil_mode": True, "divisor_override": 3},
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("kw", AVG_CASES)
@pytest.mark.parametrize("shape", [(2, 3, 9, 8), (3, 7, 7)])
def test_avg_pool2d_matches_torch_with_gradients(
    check: Any, rand: Any, dtype: str, kw: dict[str, Any], shape: tuple[int, ...]
) -> None:
    check(lambda m, x: fn(m, "avg_pool2d")(x, **kw), rand(*shape, dtype=dtype), grad=True)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("size", [3, (4, None), (None, 3), (2, 4), (5, 3), 1, (9, 8), (12, 11), 0])
@pytest.mark.parametrize("shape", [(2, 3, 9, 8), (3, 9, 8)])
def test_adaptive_avg_pool2d_matches_torch_with_gradients(
    check: Any, rand: Any, dtype: str, size: Any, shape: tuple[int, ...]
) -> None:
    x = rand(*shape, dtype=dtype)
    if size == 0:  # an empty output: no gradient flows, compare the shape only
        check(lambda m, x: fn(m, "adaptive_avg_pool2d")(x, size), x)
    else:
        check(lambda m, x: fn(m, "adaptive_avg_pool2d")(x, size), x, grad=True)


BAD_CALLS: list[tuple[str, tuple[int, ...], tuple[Any, ...], dict[str, Any]]] = [
    ("max_pool2d", (3, 3), (2,), {}),
    ("max_pool2d", (1, 1, 9, 9), (3,), {"padding": 2}),
    ("max_pool2d", (1, 1, 9, 9), (3,), {"padding": 2, "dilation": 2}),
    ("max_pool2d", (1, 1, 9, 9), (2,), {"stride": 0}),
    ("max_pool2d", (1, 1, 2, 2), (3,), {}),
    ("avg_pool2d", (1, 1, 9, 9), (3,), {"padding": 2}),
    ("avg_pool2d", (1, 1, 4, 4), (2,), {"divisor_override": 0}),
    ("avg_pool2d", (1, 1, 2, 2), (3,), {}),
    ("adaptive_avg_pool2d", (3, 3), (2,), {}),
    ("adaptive_avg_pool2d", (1, 1, 3, 3), ((1, 2, 3),), {}),
]


@pytest.mark.parametrize(("name", "shape", "args", "kw"), BAD_CALLS)
def test_pooling_raises_like_torch(
    check_raises: Any,
    rand: Any,
    name: str,
    shape: tuple[int, ...],
    args: tuple[Any, ...],
    kw: dict[str, Any],
) -> None:
    check_raises(lambda m, x: fn(m, name)(x, *args, **kw), rand(*shape))


def test_avg_pool2d_of_a_2d_input_raises(check_raises: Any, rand: Any) -> None:
    check_raises(
        lambda m, x: fn(m, "avg_pool2d")(x, 2),
        rand(3, 3),
        types=(RuntimeError, IndexError),
        why="torch fails indexing dim -3 of a 2-D tensor; tt checks the rank and raises "
        "RuntimeError like max_pool2d and the convolutions",
    )


# ----------------------------------------------------------------------- modules
MODULES: list[tuple[Any, Any]] = [
    (MaxPool2d(2), torch.nn.MaxPool2d(2)),
    (
        MaxPool2d((3, 2), 1, 1, 2, ceil_mode=True),
        torch.nn.MaxPool2d((3, 2), 1, 1, 2, ceil_mode=True),
    ),
    (AvgPool2d(2), torch.nn.AvgPool2d(2)),
    (AvgPool2d(3, 2, 1, True, False, None), torch.nn.AvgPool2d(3, 2, 1, True, False, None)),
    (AvgPool2d(3, 1, 1, divisor_override=2), torch.nn.AvgPool2d(3, 1, 1, divisor_override=2)),
    (AdaptiveAvgPool2d(3), torch.nn.AdaptiveAvgPool2d(3)),
    (AdaptiveAvgPool2d((2, None)), torch.nn.AdaptiveAvgPool2d((2, None))),
]


@pytest.mark.parametrize(("ours", "theirs"), MODULES)
def test_pooling_modules_match_torch(check: Any, rand: Any, ours: Any, theirs: Any) -> None:
    assert repr(ours) == repr(theirs)
    x = rand(2, 3, 9, 8, dtype="float64")
    check(lambda m, x: (theirs if m is torch else ours)(x), x, grad=True)


def test_pooling_module_keeps_float32(rand: Any) -> None:
    out = MaxPool2d(2)(tt.from_numpy(rand(1, 2, 4, 4)))
    assert out.dtype is tt.float32
