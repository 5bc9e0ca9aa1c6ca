"""Pooling: gradients (gradcheck in float64), the fused max pool against its composed
definition, tie and NaN rules, argument checks and the pooling modules."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import tt_autograd
import tt_tensor as tt
from tt_nn.functional.pooling import (
    adaptive_avg_pool2d,
    avg_pool2d,
    max_pool2d,
    max_pool2d_reference,
)
from tt_nn.modules.pooling import AdaptiveAvgPool2d, AvgPool2d, MaxPool2d

RNG = np.random.default_rng(0)


def leaf(*shape: int) -> tt.Tensor:
    return tt.from_numpy(RNG.standard_normal(shape)).requires_grad_()


MAX_CASES: list[dict[str, Any]] = [
    {"kernel_size": 2},
    {"kernel_size": 3, "stride": 1},  # overlapping windows
    {"kernel_size": 3, "stride": 2, "padding": 1},
    {"kernel_size": (3, 2), "stride": (2, 1), "padding": (1, 1), "dilation": (2, 1)},
    {"kernel_size": 2, "stride": 2, "ceil_mode": True},
    {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True},
]


@pytest.mark.parametrize("kw", MAX_CASES)
def test_max_pool2d_gradients_match_finite_differences(kw: dict[str, Any]) -> None:
    x = leaf(2, 2, 7, 6)
    assert tt_autograd.gradcheck(lambda x: max_pool2d(x, **kw), [x])


@pytest.mark.parametrize("kw", MAX_CASES)
def test_fused_max_pool2d_equals_its_composed_definition(kw: dict[str, Any]) -> None:
    x = leaf(2, 3, 7, 6)  # continuous values: no ties, so both rules agree
    fused, composed = max_pool2d(x, **kw), max_pool2d_reference(x, **kw)
    np.testing.assert_array_equal(fused.detach().numpy(), composed.detach().numpy())
    g = tt.from_numpy(RNG.standard_normal(tuple(fused.shape)))
    (a,) = tt_autograd.grad(fused, [x], g)
    (b,) = tt_autograd.grad(composed, [x], g)
    assert a is not None
    assert b is not None
    # Where windows overlap an input element collects several gradients; the two versions add
    # them in different orders, so the last bit may differ (float64 rounding, ~1e-16).
    np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-14, atol=1e-15)


def test_max_pool2d_second_derivatives_match_finite_differences() -> None:
    x = leaf(1, 2, 5, 5)
    assert tt_autograd.gradgradcheck(lambda x: max_pool2d(x, 3, 1, 1) ** 2, [x])


def test_max_pool2d_gives_a_tied_window_gradient_to_its_first_maximum() -> None:
    x = tt.tensor([[[[1.0, 3.0], [3.0, 3.0]]]], requires_grad=True)
    max_pool2d(x, 2).sum().backward()
    assert x.grad is not None
    assert x.grad.tolist() == [[[[0.0, 1.0], [0.0, 0.0]]]]


def test_max_pool2d_propagates_nan_and_sends_its_gradient_to_the_last_nan() -> None:
    nan = float("nan")
    x = tt.tensor([[[[nan, 1.0], [nan, 2.0]]]], requires_grad=True)
    out = max_pool2d(x, 2)
    assert np.isnan(out.item())
    out.sum().backward()
    assert x.grad is not None
    assert x.grad.tolist() == [[[[0.0, 0.0], [1.0, 0.0]]]]


def test_max_pool2d_padding_never_wins() -> None:
    x = tt.full((1, 1, 2, 2), -5.0)
    assert max_pool2d(x, 3, 1, 1).tolist() == [[[[-5.0] * 2] * 2]]


def test_max_pool2d_works_on_integer_input() -> None:
    x = tt.arange(16).reshape(1, 4, 4)
    assert max_pool2d(x, 2, padding=1).tolist() == [[[0, 2, 3], [8, 10, 11], [12, 14, 15]]]


AVG_CASES: list[dict[str, Any]] = [
    {"kernel_size": 2},
    {"kernel_size": 3, "stride": 1, "padding": 1},
    {"kernel_size": 3, "stride": 2, "padding": 1, "count_include_pad": False},
    {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True},
    {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True, "count_include_pad": False},
    {"kernel_size": (2, 3), "stride": (1, 2), "divisor_override": 5},
]


@pytest.mark.parametrize("kw", AVG_CASES)
def test_avg_pool2d_gradients_match_finite_differences(kw: dict[str, Any]) -> None:
    x = leaf(2, 2, 7, 6)
    assert tt_autograd.gradcheck(lambda x: avg_pool2d(x, **kw), [x])


def test_avg_pool2d_divisor_rules() -> None:
    x = tt.ones(1, 1, 3, 3)
    # count_include_pad: the corner window covers 4 ones and 5 zeros of padding.
    assert avg_pool2d(x, 3, 1, 1)[0, 0, 0, 0].item() == pytest.approx(4 / 9)
    assert avg_pool2d(x, 3, 1, 1, count_include_pad=False)[0, 0, 0, 0].item() == 1.0
    assert avg_pool2d(x, 3, 1, 1, divisor_override=2)[0, 0, 0, 0].item() == 2.0


@pytest.mark.parametrize("size", [3, (4, None), (2, 4), (5, 3), (1, 1), (9, 8), (12, 11)])
def test_adaptive_avg_pool2d_gradients_match_finite_differences(size: Any) -> None:
    x = leaf(1, 2, 9, 8)
    assert tt_autograd.gradcheck(lambda x: adaptive_avg_pool2d(x, size), [x])


def test_adaptive_avg_pool2d_windows_overlap_when_sizes_do_not_divide() -> None:
    x = tt.tensor([[[0.0, 1.0, 2.0, 3.0, 4.0]]])  # (1, 1, 5) -> windows [0:2], [1:4], [3:5]
    out = adaptive_avg_pool2d(x, (1, 3))
    assert out.tolist() == [[[0.5, 2.0, 3.5]]]


# ----------------------------------------------------------------------- errors
@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: max_pool2d(tt.zeros(3, 3), 2), r"max_pool2d.*3D.*4D.*\[3, 3\]"),
        (lambda: max_pool2d(tt.zeros(1, 1, 9, 9), 3, padding=2), "half of kernel size"),
        (lambda: max_pool2d(tt.zeros(1, 1, 9, 9), 2, stride=0), "stride"),
        (lambda: max_pool2d(tt.zeros(1, 1, 2, 2), 3), "Output size is too small"),
        (lambda: avg_pool2d(tt.zeros(1, 1, 9, 9), 3, padding=2), "half of kernel size"),
        (lambda: avg_pool2d(tt.zeros(1, 1, 4, 4), 2, divisor_override=0), "divisor"),
        (lambda: adaptive_avg_pool2d(tt.zeros(3, 3), 2), r"adaptive_avg_pool2d.*\[3, 3\]"),
        (lambda: adaptive_avg_pool2d(tt.zeros(1, 3, 3), (1, 2, 3)), "output_size must be 2"),
    ],
)
def test_pooling_rejects_bad_input(call: Any, message: str) -> None:
    with pytest.raises(RuntimeError, match=message):
        call()


def test_max_pool2d_return_indices_is_not_implemented() -> None:
    with pytest.raises(NotImplementedError):
        max_pool2d(tt.zeros(1, 1, 4, 4), 2, return_indices=True)
    with pytest.raises(NotImplementedError):
        MaxPool2d(2, return_indices=True)


# ----------------------------------------------------------------------- modules
def test_pooling_modules_repr_matches_torch_format() -> None:
    assert repr(MaxPool2d(2)) == (
        "MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)"
    )
    assert repr(AvgPool2d(3, 1, 1, True, False, 2)) == (
        "AvgPool2d(kernel_size=3, stride=1, padding=1)"
    )
    assert repr(AdaptiveAvgPool2d((2, None))) == "AdaptiveAvgPool2d(output_size=(2, None))"


def test_pooling_modules_forward_through_the_functional_forms() -> None:
    x = leaf(2, 3, 7, 7)
    pairs = [
        (MaxPool2d(3, 2, 1, ceil_mode=True), max_pool2d(x, 3, 2, 1, ceil_mode=True)),
        (AvgPool2d(3, 2, 1, count_include_pad=False), avg_pool2d(x, 3, 2, 1, False, False)),
        (AdaptiveAvgPool2d((3, None)), adaptive_avg_pool2d(x, (3, None))),
    ]
    for module, expected in pairs:
        np.testing.assert_array_equal(module(x).detach().numpy(), expected.detach().numpy())
    assert list(MaxPool2d(2).parameters()) == []


def test_max_pool_inference_path_gives_the_recorded_paths_values() -> None:
    # Without a graph, max_pool2d computes the maxima only (no winner masks).
    x = tt.randn(2, 3, 9, 8, generator=tt.Generator().manual_seed(5))
    x[0, 0, 0, 0] = float("nan")
    recorded = max_pool2d(x.requires_grad_(), 3, 2, 1, ceil_mode=True)
    with tt_autograd.no_grad():
        plain = max_pool2d(x, 3, 2, 1, ceil_mode=True)
    np.testing.assert_array_equal(plain.numpy(), recorded.detach().numpy())
