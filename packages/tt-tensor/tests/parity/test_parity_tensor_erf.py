"""``erf`` against ``torch.erf``: values in float16/32/64 over the whole range (both tails),
dtype promotion of integer and bool inputs, special values and non-contiguous inputs."""

from __future__ import annotations

import numpy as np
import pytest

pytestmark = pytest.mark.parity

FLOATS = ["float16", "float32", "float64"]


@pytest.mark.parametrize("dtype", FLOATS)
def test_erf_values_match_torch(check, rand, dtype):
    check(lambda m, x: m.erf(x), rand(4, 50, dtype=dtype, low=-7.0, high=7.0))


@pytest.mark.parametrize("dtype", FLOATS)
def test_erf_method_matches_torch_near_zero_and_on_range_boundaries(check, dtype):
    x = np.array([0.0, 1e-8, -3e-5, 0.46875, -0.47, 0.5, 3.99, 4.0, 4.01, 5.9, -6.0], dtype)
    check(lambda m, t: t.erf(), x)


@pytest.mark.parametrize("dtype", ["int64", "int32", "int16", "int8", "uint8", "bool"])
def test_erf_of_integer_and_bool_inputs_promotes_like_torch(check, rand, dtype):
    check(lambda m, x: m.erf(x), rand(3, 4, dtype=dtype))


@pytest.mark.parametrize("dtype", FLOATS)
def test_erf_special_values_match_torch(check, dtype):
    x = np.array([np.inf, -np.inf, np.nan, 0.0, -0.0, 30.0, -30.0], dtype)
    # 1 / erf(x) tells -0.0 (-inf) from 0.0 (inf): the sign of zero is preserved in both.
    check(lambda m, t: (m.erf(t), 1 / m.erf(t)), x)


def test_erf_of_a_tiny_float64_keeps_full_precision_like_torch(check):
    x = np.array([1e-300, -2.5e-200, 1e-20, 5e-324])
    check(lambda m, t: m.erf(t), x, rtol=1e-15, atol=0.0)


def test_erf_of_non_contiguous_and_zero_dim_inputs_matches_torch(check, rand):
    x = np.asfortranarray(rand(3, 5, dtype="float64"))
    check(lambda m, t: m.erf(t.t()[1:, ::2]), x)
    check(lambda m, t: m.erf(t), rand(dtype="float32"))
    check(lambda m, t: m.erf(t), rand(0, 3, dtype="float32"))
