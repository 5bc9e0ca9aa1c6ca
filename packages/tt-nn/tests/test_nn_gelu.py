"""gelu, exact and tanh-approximated: float64 gradcheck (and grad of grad), values against the
formulas evaluated with Python's ``math``, dtypes and errors."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import tt_autograd as ag
import tt_tensor as tt
from tt_nn.functional.gelu import gelu

MODES = ["none", "tanh"]


def leaf(*shape: int, seed: int = 0, low: float = -4.0, high: float = 4.0) -> tt.Tensor:
    rng = np.random.default_rng(seed)
    return tt.from_numpy(rng.uniform(low, high, shape)).requires_grad_()


def _exact(v: float) -> float:
    return v * 0.5 * (1.0 + math.erf(v / math.sqrt(2.0)))


def _tanh(v: float) -> float:
    return 0.5 * v * (1.0 + math.tanh(math.sqrt(2.0 / math.pi) * (v + 0.044715 * v**3)))


@pytest.mark.parametrize("approximate", MODES)
def test_gelu_gradcheck_float64(approximate: str) -> None:
    x = leaf(3, 4)
    assert ag.gradcheck(lambda t: gelu(t, approximate=approximate), [x])


@pytest.mark.parametrize("approximate", MODES)
def test_gelu_gradgradcheck_float64(approximate: str) -> None:
    x = leaf(2, 3, seed=1)
    assert ag.gradgradcheck(lambda t: gelu(t, approximate=approximate), [x])


@pytest.mark.parametrize("approximate", MODES)
def test_gelu_gradcheck_on_0d_and_empty_inputs(approximate: str) -> None:
    for x in (leaf(seed=2), leaf(0, 3)):
        assert ag.gradcheck(lambda t: gelu(t, approximate=approximate), [x])


def test_gelu_exact_gradient_is_phi_plus_x_times_density() -> None:
    # d/dx x Phi(x) = Phi(x) + x phi(x), phi the standard normal density.
    x = leaf(50, seed=3)
    gelu(x).sum().backward()
    assert x.grad is not None
    v = x.detach().numpy()
    want = [
        0.5 * (1 + math.erf(a / math.sqrt(2))) + a * math.exp(-a * a / 2) / math.sqrt(2 * math.pi)
        for a in v.tolist()
    ]
    np.testing.assert_allclose(x.grad.numpy(), want, rtol=1e-14, atol=1e-15)


@pytest.mark.parametrize(("approximate", "formula"), [("none", _exact), ("tanh", _tanh)])
def test_gelu_values_match_the_formula_in_float64(approximate: str, formula: object) -> None:
    v = np.concatenate([np.linspace(-10.0, 10.0, 401), [0.0, -0.0, 1e-300, -40.0, 40.0]])
    got = gelu(tt.from_numpy(v), approximate=approximate).numpy()
    want = np.array([formula(a) for a in v.tolist()])  # type: ignore[operator]
    # For x < 0, 1 + erf(x / sqrt(2)) (or 1 + tanh) cancels: the formula itself, here, in the
    # reference and in PyTorch alike, is only good to about |x| * eps / 2 absolutely (<= 1.2e-15
    # for |x| <= 10; beyond, the factor is exactly 0).
    np.testing.assert_allclose(got, want, rtol=1e-14, atol=2e-15)


def test_gelu_tanh_approximation_is_close_to_the_exact_form() -> None:
    x = tt.linspace(-6.0, 6.0, 241, dtype=tt.float64)
    diff = (gelu(x) - gelu(x, approximate="tanh")).abs().max().item()
    assert 1e-5 < diff < 1e-3  # the approximation's known error is about 4.7e-4


@pytest.mark.parametrize("approximate", MODES)
def test_gelu_saturates_to_identity_and_zero_far_from_the_origin(approximate: str) -> None:
    x = tt.tensor([-30.0, 30.0], requires_grad=True)
    out = gelu(x, approximate=approximate)
    assert out.tolist() == [0.0, 30.0]
    out.sum().backward()
    assert x.grad is not None
    assert x.grad.tolist() == [0.0, 1.0]


def test_exact_gelu_has_finite_values_and_gradients_for_huge_inputs() -> None:
    # x^2 inside erf's derivative would overflow float32 here; torch gives (0, 1e30), (0, 1).
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        x = tt.tensor([-1e30, 1e30], requires_grad=True)
        out = gelu(x)
        out.sum().backward()
    np.testing.assert_array_equal(out.detach().numpy(), np.array([0.0, 1e30], np.float32))
    assert x.grad is not None
    assert x.grad.tolist() == [0.0, 1.0]


@pytest.mark.parametrize("approximate", MODES)
@pytest.mark.parametrize("dtype", [tt.float16, tt.float32, tt.float64])
def test_gelu_keeps_dtype_and_shape(approximate: str, dtype: tt.DType) -> None:
    x = tt.linspace(-3, 3, 12, dtype=dtype).reshape(3, 4)
    out = gelu(x, approximate)
    assert out.dtype == dtype
    assert tuple(out.shape) == (3, 4)


def test_gelu_float16_is_computed_in_float32_and_rounded_once() -> None:
    x16 = tt.linspace(-8, 8, 257, dtype=tt.float16)
    for mode in MODES:
        want = gelu(x16.float(), mode).to(tt.float16).numpy()
        np.testing.assert_array_equal(gelu(x16, mode).numpy(), want)


def test_gelu_rejects_an_unknown_approximation() -> None:
    with pytest.raises(RuntimeError, match="approximate argument must be either none or tanh"):
        gelu(tt.ones(2), approximate="erf")
    with pytest.raises(TypeError, match="'approximate' must be str"):
        gelu(tt.ones(2), approximate=None)  # type: ignore[arg-type]


@pytest.mark.parametrize("dtype", [tt.int64, tt.int32, tt.bool_])
def test_gelu_rejects_integer_and_bool_inputs(dtype: tt.DType) -> None:
    with pytest.raises(NotImplementedError, match="gelu: expected a floating-point input"):
        gelu(tt.zeros(3, dtype=dtype))


def test_gelu_rejects_a_non_tensor_input() -> None:
    with pytest.raises(TypeError, match="'input' must be Tensor, not list"):
        gelu([1.0, 2.0])  # type: ignore[arg-type]
