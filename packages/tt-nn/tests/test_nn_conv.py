"""Convolution: gradients (gradcheck in float64), the fused im2col against its composed
definition, argument checks and the Conv1d/Conv2d modules."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

import tt_autograd
import tt_tensor as tt
from tt_nn.functional.conv import (
    Col2im,
    Geometry,
    Im2col,
    channels_last_pays,
    conv1d,
    conv2d,
    im2col_reference,
)
from tt_nn.functional.pooling import max_pool2d
from tt_nn.modules.conv import Conv1d, Conv2d

RNG = np.random.default_rng(0)


def leaf(*shape: int, dtype: str = "float64") -> tt.Tensor:
    return tt.from_numpy(RNG.standard_normal(shape).astype(dtype)).requires_grad_()


# ----------------------------------------------------------------------- gradcheck
CONV2D_CASES: list[dict[str, Any]] = [
    {},
    {"stride": 2},
    {"stride": (2, 1), "padding": (1, 2)},
    {"padding": 1, "dilation": 2},
    {"padding": "same"},
    {"padding": "same", "dilation": (1, 2)},
    {"padding": "valid", "stride": 3},
]


@pytest.mark.parametrize("kw", CONV2D_CASES)
def test_conv2d_gradients_match_finite_differences(kw: dict[str, Any]) -> None:
    x, w, b = leaf(2, 3, 6, 5), leaf(4, 3, 3, 2), leaf(4)
    assert tt_autograd.gradcheck(lambda x, w, b: conv2d(x, w, b, **kw), [x, w, b])


def test_conv2d_same_padding_with_even_kernel_has_correct_gradients() -> None:
    x, w = leaf(1, 2, 5, 6), leaf(3, 2, 4, 2)
    out = conv2d(x, w, padding="same")
    assert tuple(out.shape) == (1, 3, 5, 6)
    assert tt_autograd.gradcheck(lambda x, w: conv2d(x, w, padding="same"), [x, w])


def test_conv2d_with_groups_has_correct_gradients() -> None:
    x, w, b = leaf(2, 4, 5, 5), leaf(6, 2, 3, 3), leaf(6)
    assert tt_autograd.gradcheck(lambda x, w, b: conv2d(x, w, b, padding=1, groups=2), [x, w, b])


def test_depthwise_conv2d_has_correct_gradients() -> None:
    x, w = leaf(1, 3, 5, 4), leaf(3, 1, 2, 2)
    assert tt_autograd.gradcheck(lambda x, w: conv2d(x, w, stride=2, groups=3), [x, w])


def test_conv2d_without_bias_has_correct_gradients() -> None:
    x, w = leaf(2, 2, 4, 4), leaf(3, 2, 2, 2)
    assert tt_autograd.gradcheck(lambda x, w: conv2d(x, w, None, padding=1), [x, w])


def test_conv2d_unbatched_input_has_correct_gradients() -> None:
    x, w, b = leaf(2, 5, 4), leaf(3, 2, 3, 3), leaf(3)
    assert tuple(conv2d(x, w, b).shape) == (3, 3, 2)
    assert tt_autograd.gradcheck(lambda x, w, b: conv2d(x, w, b, padding=1), [x, w, b])


@pytest.mark.parametrize(
    "kw", [{}, {"stride": 2, "padding": 2}, {"dilation": 2}, {"padding": "same"}, {"groups": 2}]
)
def test_conv1d_gradients_match_finite_differences(kw: dict[str, Any]) -> None:
    x, w, b = leaf(2, 4, 9), leaf(4, 4 // kw.get("groups", 1), 4), leaf(4)
    assert tt_autograd.gradcheck(lambda x, w, b: conv1d(x, w, b, **kw), [x, w, b])


def test_conv2d_second_derivatives_match_finite_differences() -> None:
    x, w = leaf(1, 2, 4, 4), leaf(2, 2, 2, 2)
    assert tt_autograd.gradgradcheck(lambda x, w: conv2d(x, w, stride=2, padding=1), [x, w])


# ----------------------------------------------------------------------- fused im2col
_CHANNELS_FIRST = [
    Geometry((2, 3, 5, 6), (0, 0, 0, 0), (2, 3), (1, 1), (1, 1), (4, 4)),
    Geometry((1, 2, 6, 5), (1, 2, 0, 1), (3, 2), (2, 1), (2, 1), (3, 5)),
    Geometry((2, 1, 7, 7), (1, 1, 1, 1), (3, 3), (3, 2), (1, 2), (3, 3)),
]
# every geometry again with the column matrix's rows in (i, j, c) order
GEOMETRIES = _CHANNELS_FIRST + [g._replace(channels_last=True) for g in _CHANNELS_FIRST]


@pytest.mark.parametrize("geo", GEOMETRIES)
def test_im2col_equals_its_composed_definition(geo: Geometry) -> None:
    x = leaf(*geo.in_shape)
    fused, composed = Im2col.apply(x, geo), im2col_reference(x, geo)
    np.testing.assert_array_equal(fused.detach().numpy(), composed.detach().numpy())
    g = tt.from_numpy(RNG.standard_normal(tuple(fused.shape)))
    (gx_fused,) = tt_autograd.grad(fused, [x], g)
    (gx_composed,) = tt_autograd.grad(composed, [x], g)
    assert gx_fused is not None
    assert gx_composed is not None
    np.testing.assert_allclose(gx_fused.numpy(), gx_composed.numpy(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("geo", GEOMETRIES)
def test_im2col_and_col2im_have_correct_first_and_second_derivatives(geo: Geometry) -> None:
    x = leaf(*geo.in_shape)
    assert tt_autograd.gradcheck(lambda x: Im2col.apply(x, geo), [x])
    assert tt_autograd.gradgradcheck(lambda x: Im2col.apply(x, geo) ** 2, [x])
    c, (kh, kw), (ho, wo) = geo.in_shape[1], geo.kernel, geo.out
    cols = leaf(c * kh * kw, geo.in_shape[0] * ho * wo)
    assert tt_autograd.gradcheck(lambda c: Col2im.apply(c, geo), [cols])


def test_conv2d_keeps_float32_and_float64() -> None:
    for dtype in ("float32", "float64"):
        x, w, b = leaf(1, 2, 4, 4, dtype=dtype), leaf(3, 2, 3, 3, dtype=dtype), leaf(3, dtype=dtype)
        out = conv2d(x, w, b, padding=1)
        out.sum().backward()
        assert out.dtype.name == dtype
        assert x.grad is not None
        assert w.grad is not None
        assert b.grad is not None
        assert (x.grad.dtype.name, w.grad.dtype.name, b.grad.dtype.name) == (dtype,) * 3


def test_conv2d_of_an_input_without_grad_gives_only_weight_gradients() -> None:
    x = tt.from_numpy(RNG.standard_normal((1, 2, 4, 4)))
    w = leaf(3, 2, 3, 3)
    conv2d(x, w).sum().backward()
    assert x.grad is None
    assert w.grad is not None


# ----------------------------------------------------------------------- errors
def test_conv2d_rejects_wrong_input_rank_naming_the_shape() -> None:
    with pytest.raises(RuntimeError, match=r"conv2d.*4D \(batched\).*\[2, 3\]"):
        conv2d(tt.zeros(2, 3), tt.zeros(4, 3, 3, 3))


def test_conv2d_rejects_wrong_channel_count_naming_both_shapes() -> None:
    with pytest.raises(RuntimeError, match=r"conv2d.*\[4, 3, 3, 3\].*to have 3 channels.*got 4"):
        conv2d(tt.zeros(2, 4, 8, 8), tt.zeros(4, 3, 3, 3))


def test_conv1d_rejects_a_4d_input() -> None:
    with pytest.raises(RuntimeError, match=r"conv1d.*\[2, 3, 8, 8\]"):
        conv1d(tt.zeros(2, 3, 8, 8), tt.zeros(4, 3, 3))


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"stride": 0}, "non-positive stride"),
        ({"padding": -1}, "negative padding"),
        ({"dilation": 0}, "non-positive dilation"),
        ({"groups": 0}, "non-positive groups"),
        ({"padding": "same", "stride": 2}, "strided convolutions"),
        ({"padding": "full"}, "Invalid padding string"),
        ({"stride": (1, 2, 3)}, "stride"),
    ],
)
def test_conv2d_rejects_bad_hyper_parameters(kw: dict[str, Any], message: str) -> None:
    with pytest.raises(RuntimeError, match=message):
        conv2d(tt.zeros(1, 2, 5, 5), tt.zeros(2, 2, 3, 3), **kw)


def test_conv2d_rejects_a_kernel_larger_than_the_padded_input() -> None:
    with pytest.raises(RuntimeError, match="Kernel size can't be greater"):
        conv2d(tt.zeros(1, 1, 2, 2), tt.zeros(1, 1, 3, 3))


def test_conv2d_rejects_mismatched_dtypes_and_bad_bias() -> None:
    with pytest.raises(RuntimeError, match="same dtype"):
        conv2d(tt.zeros(1, 1, 3, 3, dtype=tt.float64), tt.zeros(1, 1, 2, 2))
    with pytest.raises(RuntimeError, match="bias"):
        conv2d(tt.zeros(1, 1, 3, 3), tt.zeros(2, 1, 2, 2), tt.zeros(3))


# ----------------------------------------------------------------------- modules
def test_conv2d_module_stores_torch_attributes_and_parameter_shapes() -> None:
    m = Conv2d(4, 6, (3, 5), stride=2, padding=1, groups=2, bias=False)
    assert m.kernel_size == (3, 5)
    assert m.stride == (2, 2)
    assert m.padding == (1, 1)
    assert m.dilation == (1, 1)
    assert m.groups == 2
    assert m.padding_mode == "zeros"
    assert tuple(m.weight.shape) == (6, 2, 3, 5)
    assert m.bias is None
    assert [name for name, _ in m.named_parameters()] == ["weight"]


def test_conv_init_draws_from_plus_minus_one_over_sqrt_fan_in() -> None:
    tt.manual_seed(0)
    m = Conv2d(8, 16, 3)
    bound = 1 / math.sqrt(8 * 9)
    w = m.weight.detach().numpy()
    assert m.bias is not None
    b = m.bias.detach().numpy()
    assert np.abs(w).max() <= bound
    assert np.abs(w).max() > 0.9 * bound
    assert np.abs(b).max() <= bound
    assert abs(float(w.std()) - bound / math.sqrt(3)) < 0.1 * bound  # U(-a, a): std a/sqrt(3)


def test_conv_modules_forward_through_the_functional_form() -> None:
    m2 = Conv2d(3, 5, 3, padding="same", dtype=tt.float64)
    x = leaf(2, 3, 6, 6)
    np.testing.assert_array_equal(
        m2(x).detach().numpy(),
        conv2d(x, m2.weight, m2.bias, padding="same").detach().numpy(),
    )
    m1 = Conv1d(3, 5, 4, stride=2)
    assert tuple(m1(tt.zeros(2, 3, 10)).shape) == (2, 5, 4)


def test_conv_module_repr_matches_torch_format() -> None:
    assert repr(Conv2d(3, 4, 3)) == "Conv2d(3, 4, kernel_size=(3, 3), stride=(1, 1))"
    assert repr(Conv1d(3, 4, 3, padding="same", bias=False)) == (
        "Conv1d(3, 4, kernel_size=(3,), stride=(1,), padding=same, bias=False)"
    )


@pytest.mark.parametrize(
    ("kw", "error"),
    [
        ({"groups": 2}, ValueError),  # 3 input channels
        ({"padding_mode": "mirror"}, ValueError),
        ({"padding_mode": "reflect"}, NotImplementedError),
        ({"padding": "same", "stride": 2}, ValueError),
        ({"padding": "full"}, ValueError),
    ],
)
def test_conv_module_rejects_bad_arguments(kw: dict[str, Any], error: type[Exception]) -> None:
    with pytest.raises(error):
        Conv2d(3, 4, 3, **kw)


def test_conv2d_module_names_itself_on_a_wrong_channel_count() -> None:
    with pytest.raises(RuntimeError, match=r"expected input.*to have 3 channels"):
        Conv2d(3, 4, 3)(tt.zeros(1, 2, 8, 8))


@pytest.mark.parametrize(
    ("channels", "groups", "stride", "dilation"),
    [
        (4, 1, (2, 1), (1, 2)),  # rows in (c, i, j) order: runs of W_out beat runs of C
        (4, 2, (2, 1), (1, 2)),  # groups keep that order
        (16, 1, (1, 1), (1, 1)),  # rows in (i, j, c) order: runs of kW * C are longer
        (8, 1, (2, 2), (2, 1)),  # (i, j, c) order, strided and dilated
    ],
)
def test_inference_path_gives_the_recorded_paths_values_bit_for_bit(
    channels: int, groups: int, stride: tuple[int, int], dilation: tuple[int, int]
) -> None:
    # Without a graph (no_grad, or nothing requires grad) conv2d computes on the arrays in
    # one go; its values must be those of the recorded path.
    g = tt.Generator().manual_seed(3)
    x = tt.randn(2, channels, 7, 6, generator=g)
    w = tt.randn(6, channels // groups, 3, 2, generator=g).requires_grad_()
    b = tt.randn(6, generator=g).requires_grad_()
    args = {"stride": stride, "padding": (1, 2), "dilation": dilation, "groups": groups}
    recorded = conv2d(x, w, b, **args)
    assert recorded.requires_grad
    with tt_autograd.no_grad():
        plain = conv2d(x, w, b, **args)
    assert not plain.requires_grad
    np.testing.assert_array_equal(plain.numpy(), recorded.detach().numpy())


def test_remembered_settings_never_stand_in_for_bools_floats_or_lists() -> None:
    # (1, 1) is remembered first; True, 1.0 and (1.0, 1) compare and hash equal to it but
    # must still be refused, and an unhashable list is parsed without the memory.
    x, w = tt.randn(1, 2, 5, 5), tt.randn(3, 2, 3, 3)
    expected = conv2d(x, w, stride=(1, 1), padding=1)
    for stride in (1, (1, 1), [1, 1]):
        assert conv2d(x, w, stride=stride, padding=1).tolist() == expected.tolist()
    with pytest.raises(TypeError, match="conv2d: stride must be an int or a tuple of ints, got"):
        conv2d(x, w, stride=True, padding=1)
    for bad in (1.0, (1.0, 1), (True, 1)):
        with pytest.raises((TypeError, RuntimeError), match=r"conv2d: .*stride"):
            conv2d(x, w, stride=bad, padding=1)
    assert tuple(max_pool2d(x, (2, 2)).shape) == (1, 2, 2, 2)
    with pytest.raises(RuntimeError, match="max_pool2d: expected kernel_size"):
        max_pool2d(x, (2.0, 2))


def test_channels_last_rows_are_chosen_where_their_copy_runs_are_longer() -> None:
    def geo(c: int, size: int, stride: int = 1, dilation: int = 1) -> Geometry:
        out = (size + 2 - dilation * 2 - 1) // stride + 1
        return Geometry(
            (1, c, size, size), (1, 1, 1, 1), (3, 3), (stride,) * 2, (dilation,) * 2, (out, out)
        )

    assert not channels_last_pays(3, geo(3, 32))  # runs of 9 against 32: (c, i, j)
    assert channels_last_pays(32, geo(32, 16))  # runs of 96 against 16: (i, j, c)
    assert channels_last_pays(2, geo(2, 32, stride=2))  # strided: runs of 1 in (c, i, j)
    assert not channels_last_pays(8, geo(8, 32, dilation=2))  # dilated: runs of C = 8


def test_conv2d_reports_a_dtype_mismatch_before_a_wrong_bias_shape() -> None:
    # PyTorch's order: the dtypes are compared before the bias's length is checked.
    x = tt.zeros(1, 3, 5, 5, dtype=tt.float64)
    with pytest.raises(RuntimeError, match="conv2d: input, weight and bias must have the same"):
        conv2d(x, tt.zeros(2, 3, 3, 3), tt.zeros(3))
    with pytest.raises(RuntimeError, match="expected bias to be 1-dimensional with 2 elements"):
        conv2d(x, tt.zeros(2, 3, 3, 3, dtype=tt.float64), tt.zeros(3, dtype=tt.float64))
