"""Behaviour of gradient clipping."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import tt_tensor as tt
from tt_optim.clip_grad import (
    clip_grad_norm_,
    clip_grad_value_,
    clip_grads_with_norm_,
    get_total_norm,
)


def leaf(t: tt.Tensor) -> tt.Tensor:
    """A parameter: a leaf tensor that requires grad (what ``tt_nn.Parameter`` gives; tt-nn is
    not a dependency of tt-optim, so these tests use plain leaves, as PyTorch allows)."""
    return t.detach().requires_grad_()


def with_grads(*grads: list[float]) -> list[tt.Tensor]:
    ps = []
    for g in grads:
        p = leaf(tt.zeros(len(g), dtype=tt.float64))
        p.grad = tt.from_numpy(np.array(g, dtype=np.float64))
        ps.append(p)
    return ps


def test_clip_grad_norm_scales_all_gradients_by_one_factor_in_place() -> None:
    ps = with_grads([3.0, 0.0], [0.0, 4.0])
    grads = [p.grad for p in ps]
    total = clip_grad_norm_(ps, max_norm=1.0)
    assert total.item() == 5.0
    assert [p.grad for p in ps] == grads  # the same tensors, scaled in place
    np.testing.assert_allclose(ps[0].grad.numpy(), [0.6, 0.0], rtol=1e-5)  # type: ignore[union-attr]
    np.testing.assert_allclose(ps[1].grad.numpy(), [0.0, 0.8], rtol=1e-5)  # type: ignore[union-attr]


def test_clip_grad_norm_leaves_small_gradients_unchanged() -> None:
    ps = with_grads([0.3, 0.4])
    assert clip_grad_norm_(ps, max_norm=1.0).item() == pytest.approx(0.5)
    np.testing.assert_array_equal(ps[0].grad.numpy(), [0.3, 0.4])  # type: ignore[union-attr]


def test_clip_grad_norm_with_inf_uses_the_largest_entry() -> None:
    ps = with_grads([1.0, -6.0], [2.0])
    assert clip_grad_norm_(ps, max_norm=3.0, norm_type=math.inf).item() == 6.0
    np.testing.assert_allclose(ps[0].grad.numpy(), [0.5, -3.0], rtol=1e-6)  # type: ignore[union-attr]


def test_non_finite_norm_error_leaves_gradients_untouched() -> None:
    ps = with_grads([math.nan, 1.0])
    with pytest.raises(RuntimeError, match="non-finite"):
        clip_grad_norm_(ps, 1.0, error_if_nonfinite=True)
    assert ps[0].grad.numpy()[1] == 1.0  # type: ignore[union-attr]


def test_an_empty_generator_warns_that_nothing_is_clipped() -> None:
    with pytest.warns(UserWarning, match="empty generator"):
        total = clip_grad_norm_((p for p in list[tt.Tensor]()), 1.0)
    assert total.item() == 0.0


def test_clip_grad_value_clamps_each_entry_and_skips_missing_grads() -> None:
    ps = [*with_grads([-3.0, 0.2, 9.0]), leaf(tt.zeros(1))]
    clip_grad_value_(ps, 1.0)
    np.testing.assert_array_equal(ps[0].grad.numpy(), [-1.0, 0.2, 1.0])  # type: ignore[union-attr]
    assert ps[1].grad is None


def test_an_infinite_gradient_gives_nan_and_zero_without_numpy_warnings() -> None:
    p = leaf(tt.zeros(2))
    p.grad = tt.tensor([math.inf, 1.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        total = clip_grad_norm_([p], 1.0)
    assert total.item() == math.inf
    got = p.grad.numpy()
    assert math.isnan(got[0])  # factor 1 / inf = 0, and 0 * inf = nan (IEEE)
    assert got[1] == 0.0


def test_a_norm_that_overflows_gives_inf_and_zero_gradients_without_numpy_warnings() -> None:
    ps = with_grads([1e200, 1.0])  # float64: 1e200 squared overflows
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert get_total_norm([ps[0].grad], 3.0).item() == math.inf  # type: ignore[list-item]
        total = clip_grad_norm_(ps, 1.0)
    assert total.item() == math.inf
    np.testing.assert_array_equal(ps[0].grad.numpy(), [0.0, 0.0])  # type: ignore[union-attr]


def test_foreach_is_accepted_and_ignored() -> None:
    for foreach in (None, True, False):
        ps = with_grads([3.0, 4.0])
        total = get_total_norm([ps[0].grad], foreach=foreach)  # type: ignore[list-item]
        assert total.item() == 5.0
        clip_grads_with_norm_(ps, 2.5, total, foreach=foreach)
        np.testing.assert_allclose(ps[0].grad.numpy(), [1.5, 2.0], rtol=1e-6)  # type: ignore[union-attr]
        assert clip_grad_norm_(ps, 1.0, foreach=foreach).item() == pytest.approx(2.5)
        np.testing.assert_allclose(ps[0].grad.numpy(), [0.6, 0.8], rtol=1e-6)  # type: ignore[union-attr]
        clip_grad_value_(ps, 0.7, foreach=foreach)
        np.testing.assert_allclose(ps[0].grad.numpy(), [0.6, 0.7], rtol=1e-6)  # type: ignore[union-attr]
