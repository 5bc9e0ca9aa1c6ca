"""``clip_grad_norm_``, ``clip_grad_value_`` and ``get_total_norm`` against
``torch.nn.utils``: the same random gradients in both libraries, then the returned norm and
every clipped gradient must agree."""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pytest
import torch

import tt_autograd  # noqa: F401  (importing it turns gradient tracking on)
import tt_tensor as tt
from tt_nn.parameter import Parameter
from tt_optim.clip_grad import (
    clip_grad_norm_,
    clip_grad_value_,
    clip_grads_with_norm_,
    get_total_norm,
)

pytestmark = pytest.mark.parity

SHAPES = [(5, 4), (4,), (), (2, 3, 2)]

# float64: both sum the same squares, in a different order (NumPy's pairwise sum, torch's
# vectorised reduction): a few ulps (1e-16).  float32: torch accumulates a float32 norm in
# float64 (its CPU accumulation type) while NumPy's pairwise float32 sum rounds each partial
# sum: relative differences of a few float32 ulps (6e-8), bound 1e-6.
TOL = {"float64": 1e-12, "float32": 1e-6}


def twin(dtype: str, seed: int, scale: float = 1.0) -> tuple[list[Parameter], list[torch.Tensor]]:
    """Parameters with the same random gradients in tt and torch (the last has no grad)."""
    rng = np.random.default_rng(seed)
    tt_ps, th_ps = [], []
    for i, shape in enumerate([*SHAPES, (3,)]):
        a = Parameter(tt.zeros(shape, dtype=getattr(tt, dtype)))
        b = torch.zeros(shape, dtype=getattr(torch, dtype), requires_grad=True)
        if i < len(SHAPES):
            g = np.asarray(rng.standard_normal(shape) * scale, dtype=dtype)
            a.grad, b.grad = tt.from_numpy(g.copy()), torch.from_numpy(g.copy())
        tt_ps.append(a)
        th_ps.append(b)
    return tt_ps, th_ps


def assert_grads_close(tt_ps: list[Parameter], th_ps: list[torch.Tensor], rtol: float) -> None:
    for a, b in zip(tt_ps, th_ps, strict=True):
        assert (a.grad is None) == (b.grad is None)
        if a.grad is not None:
            assert b.grad is not None
            assert a.grad.dtype.name == str(b.grad.dtype).removeprefix("torch.")
            np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=rtol, atol=1e-30)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("norm_type", [2.0, 1.0, math.inf, 3.5, 0.5, 0.0, -math.inf])
@pytest.mark.parametrize("max_norm", [0.5, 1e3])
def test_clip_grad_norm_matches_torch(dtype: str, norm_type: float, max_norm: float) -> None:
    tt_ps, th_ps = twin(dtype, seed=1)
    got = clip_grad_norm_(tt_ps, max_norm, norm_type=norm_type)
    want = torch.nn.utils.clip_grad_norm_(th_ps, max_norm, norm_type=norm_type)
    assert got.dtype.name == dtype
    assert tuple(got.shape) == ()
    np.testing.assert_allclose(got.item(), want.item(), rtol=TOL[dtype])
    assert_grads_close(tt_ps, th_ps, TOL[dtype])


def test_clip_grad_norm_of_a_single_tensor_matches_torch() -> None:
    tt_ps, th_ps = twin("float64", seed=2, scale=10.0)
    got = clip_grad_norm_(tt_ps[0], 1.0)
    want = torch.nn.utils.clip_grad_norm_(th_ps[0], 1.0)
    assert got.item() == pytest.approx(want.item(), rel=1e-12)
    assert_grads_close(tt_ps, th_ps, 1e-12)


def test_clip_grad_norm_with_no_gradients_returns_zero_like_torch() -> None:
    got = clip_grad_norm_([Parameter(tt.zeros(2))], 1.0)
    want = torch.nn.utils.clip_grad_norm_([torch.zeros(2, requires_grad=True)], 1.0)
    assert got.item() == want.item() == 0.0
    assert got.dtype.name == str(want.dtype).removeprefix("torch.")


@pytest.mark.parametrize("bad", [math.nan, math.inf])
def test_non_finite_norm_raises_only_when_asked_like_torch(bad: float) -> None:
    tt_ps, th_ps = twin("float64", seed=3)
    tt_ps[0].grad[0, 0] = bad  # type: ignore[index]
    assert th_ps[0].grad is not None
    th_ps[0].grad[0, 0] = bad
    with pytest.raises(RuntimeError, match="non-finite") as e_tt:
        clip_grad_norm_(tt_ps, 1.0, error_if_nonfinite=True)
    with pytest.raises(RuntimeError, match="non-finite") as e_torch:
        torch.nn.utils.clip_grad_norm_(th_ps, 1.0, error_if_nonfinite=True)
    assert str(e_tt.value) == str(e_torch.value)
    assert_grads_close(tt_ps, th_ps, 0.0)  # nothing was scaled before the error
    # Without the check, both scale by max_norm / inf = 0, and inf * 0 gives NaN, silently in
    # both (no NumPy RuntimeWarning leaks from tt).
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = clip_grad_norm_(tt_ps, 1.0)
    want = torch.nn.utils.clip_grad_norm_(th_ps, 1.0)
    assert math.isnan(got.item()) == math.isnan(want.item())
    np.testing.assert_array_equal(
        np.isnan(tt_ps[1].grad.numpy()),  # type: ignore[union-attr]
        np.isnan(th_ps[1].grad.numpy()),  # type: ignore[union-attr]
    )


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("norm_type", [2.0, math.inf, 1.0])
def test_get_total_norm_matches_torch(dtype: str, norm_type: float) -> None:
    tt_ps, th_ps = twin(dtype, seed=4)
    got = get_total_norm([p.grad for p in tt_ps if p.grad is not None], norm_type)
    want = torch.nn.utils.get_total_norm([p.grad for p in th_ps if p.grad is not None], norm_type)
    np.testing.assert_allclose(got.item(), want.item(), rtol=TOL[dtype])


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("clip_value", [0.1, 1.0, 10.0])
def test_clip_grad_value_matches_torch(dtype: str, clip_value: float) -> None:
    tt_ps, th_ps = twin(dtype, seed=5)
    clip_grad_value_(tt_ps, clip_value)
    torch.nn.utils.clip_grad_value_(th_ps, clip_value)
    assert_grads_close(tt_ps, th_ps, 0.0)  # clamping is exact


@pytest.mark.parametrize(
    ("grad", "dtype"),
    [
        ([math.inf, 1.0], "float32"),
        ([-math.inf, 0.0], "float32"),
        ([math.nan, 1.0], "float32"),
        ([1e30, 1e30], "float32"),  # squares overflow float32
        ([1e200, 1.0], "float64"),  # squares overflow float64
    ],
)
@pytest.mark.parametrize("norm_type", [2.0, 1.0, math.inf, 3.0, 0.5, 0.0, -math.inf])
def test_non_finite_and_huge_gradients_clip_like_torch_without_warnings(
    grad: list[float], dtype: str, norm_type: float
) -> None:
    a = Parameter(tt.zeros(2, dtype=getattr(tt, dtype)))
    b = torch.zeros(2, dtype=getattr(torch, dtype), requires_grad=True)
    g = np.array(grad, dtype=dtype)
    a.grad, b.grad = tt.from_numpy(g.copy()), torch.from_numpy(g.copy())
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a NumPy RuntimeWarning would fail here
        total = get_total_norm([a.grad], norm_type)
        got = clip_grad_norm_([a], 1.0, norm_type=norm_type)
    want = torch.nn.utils.clip_grad_norm_([b], 1.0, norm_type=norm_type)
    np.testing.assert_allclose(got.item(), want.item(), rtol=TOL[dtype])
    np.testing.assert_allclose(total.item(), want.item(), rtol=TOL[dtype])
    assert_grads_close([a], [b], TOL[dtype])  # NaN where torch has NaN, equal elsewhere


@pytest.mark.parametrize("foreach", [None, True, False])
def test_every_clip_function_accepts_foreach_like_torch(foreach: Any) -> None:
    tt_ps, th_ps = twin("float64", seed=6, scale=3.0)
    tt_grads = [p.grad for p in tt_ps if p.grad is not None]
    th_grads = [p.grad for p in th_ps if p.grad is not None]
    got = get_total_norm(tt_grads, 2.0, False, foreach)  # positional, as torch allows
    want = torch.nn.utils.get_total_norm(th_grads, 2.0, False, foreach)
    np.testing.assert_allclose(got.item(), want.item(), rtol=1e-12)
    clip_grads_with_norm_(tt_ps, 5.0, got, foreach=foreach)
    torch.nn.utils.clip_grads_with_norm_(th_ps, 5.0, want, foreach=foreach)
    assert_grads_close(tt_ps, th_ps, 1e-12)
    got = clip_grad_norm_(tt_ps, 1.0, foreach=foreach)
    want = torch.nn.utils.clip_grad_norm_(th_ps, 1.0, foreach=foreach)
    np.testing.assert_allclose(got.item(), want.item(), rtol=1e-12)
    assert_grads_close(tt_ps, th_ps, 1e-12)
    clip_grad_value_(tt_ps, 0.05, foreach=foreach)
    torch.nn.utils.clip_grad_value_(th_ps, 0.05, foreach=foreach)
    assert_grads_close(tt_ps, th_ps, 1e-12)
