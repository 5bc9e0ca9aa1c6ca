"""Parity with PyTorch: conv1d/conv2d outputs and input/weight/bias gradients (float32 and
float64), the Conv1d/Conv2d modules with copied weights, and errors on bad input."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch

import tt_tensor as tt
from tt_nn.functional.conv import conv1d, conv2d
from tt_nn.modules.conv import Conv1d, Conv2d

pytestmark = [
    pytest.mark.parity,
    # torch warns that it copies the input for 'same' padding with an even kernel (so do we).
    pytest.mark.filterwarnings("ignore:Using padding='same':UserWarning"),
]

# float32: weight and bias gradients are sums over N * H_out * W_out products of N(0, 1)
# values (|sum| up to ~10 here); the two libraries add them in different orders, and each
# order's rounding error is up to ~(number of terms) * 6e-8 * |largest partial sum|, i.e.
# ~1e-5 absolute.  Results near zero (cancellation) therefore need an absolute tolerance
# above the default 1e-6; float64 keeps the default.
ATOL = {"float32": 1e-5, "float64": None}


def fn(m: Any, name: str) -> Callable[..., Any]:
    """``torch.nn.functional.<name>`` for torch, tt's function for tt."""
    if m is torch:
        return getattr(torch.nn.functional, name)  # type: ignore[no-any-return]
    return {"conv1d": conv1d, "conv2d": conv2d}[name]


CONV2D_CASES: list[tuple[tuple[int, ...], tuple[int, ...], dict[str, Any]]] = [
    ((2, 3, 8, 7), (4, 3, 3, 3), {}),
    ((2, 3, 8, 7), (4, 3, 3, 3), {"stride": 2, "padding": 1}),
    ((2, 3, 8, 7), (4, 3, 2, 3), {"stride": (2, 1), "padding": (2, 1), "dilation": (1, 2)}),
    ((2, 3, 8, 7), (4, 3, 4, 2), {"padding": "same"}),
    ((2, 3, 8, 7), (4, 3, 3, 2), {"padding": "same", "dilation": 2}),
    ((2, 3, 8, 7), (4, 3, 3, 3), {"padding": "valid", "stride": 3}),
    ((2, 4, 6, 6), (6, 2, 3, 3), {"groups": 2, "padding": 1}),
    ((2, 4, 6, 6), (4, 1, 3, 3), {"groups": 4, "stride": 2}),
    ((3, 7, 6), (2, 3, 3, 3), {"padding": 1}),  # unbatched
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize(("xs", "ws", "kw"), CONV2D_CASES)
@pytest.mark.parametrize("with_bias", [True, False])
def test_conv2d_matches_torch_with_gradients(
    check: Any,
    rand: Any,
    dtype: str,
    xs: tuple[int, ...],
    ws: tuple[int, ...],
    kw: dict[str, Any],
    with_bias: bool,
) -> None:
    x, w, b = rand(*xs, dtype=dtype), rand(*ws, dtype=dtype), rand(ws[0], dtype=dtype)
    if with_bias:
        expr = lambda m, x, w, b: fn(m, "conv2d")(x, w, b, **kw)  # noqa: E731
        check(expr, x, w, b, grad=True, atol=ATOL[dtype])
    else:
        expr = lambda m, x, w: fn(m, "conv2d")(x, w, None, **kw)  # noqa: E731
        check(expr, x, w, grad=True, atol=ATOL[dtype])


CONV1D_CASES: list[tuple[tuple[int, ...], tuple[int, ...], dict[str, Any]]] = [
    ((2, 3, 10), (5, 3, 3), {}),
    ((2, 3, 10), (5, 3, 4), {"stride": 2, "padding": 2, "dilation": 2}),
    ((2, 3, 10), (5, 3, 4), {"padding": "same"}),
    ((2, 4, 9), (6, 2, 3), {"groups": 2}),
    ((3, 10), (5, 3, 3), {"padding": 1}),  # unbatched
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize(("xs", "ws", "kw"), CONV1D_CASES)
def test_conv1d_matches_torch_with_gradients(
    check: Any, rand: Any, dtype: str, xs: tuple[int, ...], ws: tuple[int, ...], kw: dict[str, Any]
) -> None:
    x, w, b = rand(*xs, dtype=dtype), rand(*ws, dtype=dtype), rand(ws[0], dtype=dtype)
    expr = lambda m, x, w, b: fn(m, "conv1d")(x, w, b, **kw)  # noqa: E731
    check(expr, x, w, b, grad=True, atol=ATOL[dtype])


BAD_CALLS: list[tuple[str, tuple[int, ...], tuple[int, ...], dict[str, Any]]] = [
    ("conv2d", (2, 3), (4, 3, 3, 3), {}),  # input rank
    ("conv2d", (2, 4, 8, 8), (4, 3, 3, 3), {}),  # channels
    ("conv2d", (1, 3, 2, 2), (4, 3, 3, 3), {}),  # kernel larger than input
    ("conv2d", (2, 3, 8, 8), (4, 3, 3, 3), {"stride": 2, "padding": "same"}),
    ("conv2d", (2, 3, 8, 8), (4, 3, 3, 3), {"padding": "full"}),
    ("conv2d", (2, 3, 8, 8), (4, 3, 3, 3), {"groups": 2}),
    ("conv2d", (2, 3, 8, 8), (4, 3, 3, 3), {"stride": 0}),
    ("conv2d", (2, 3, 8, 8), (4, 3, 3, 3), {"padding": -1}),
    ("conv2d", (2, 3, 8, 8), (4, 3, 3, 3), {"dilation": 0}),
    ("conv1d", (2, 3, 8, 8), (4, 3, 3), {}),
    ("conv1d", (2, 5, 8), (4, 3, 3), {}),
]


@pytest.mark.parametrize(("name", "xs", "ws", "kw"), BAD_CALLS)
def test_conv_raises_like_torch(
    check_raises: Any,
    rand: Any,
    name: str,
    xs: tuple[int, ...],
    ws: tuple[int, ...],
    kw: dict[str, Any],
) -> None:
    check_raises(lambda m, x, w: fn(m, name)(x, w, **kw), rand(*xs), rand(*ws))


def test_conv2d_rejects_a_bias_of_the_wrong_size_like_torch(check_raises: Any, rand: Any) -> None:
    check_raises(
        lambda m, x, w, b: fn(m, "conv2d")(x, w, b), rand(1, 3, 5, 5), rand(4, 3, 3, 3), rand(3)
    )


def test_conv2d_rejects_mixed_dtypes_like_torch(check_raises: Any, rand: Any) -> None:
    x, w = rand(1, 3, 5, 5, dtype="float64"), rand(4, 3, 3, 3)
    check_raises(lambda m, x, w: fn(m, "conv2d")(x, w), x, w)


# ----------------------------------------------------------------------- modules
def compare_modules(
    tt_mod: Any, th_mod: torch.nn.Module, x: np.ndarray[Any, Any], rtol: float, atol: float
) -> None:
    """Copy torch's parameters into tt's module, run both on ``x``, compare the output and,
    after backpropagating a weighted sum, the input and parameter gradients."""
    for name, p in th_mod.named_parameters():
        getattr(tt_mod, name).detach().copy_(tt.from_numpy(p.detach().numpy().copy()))
    xt = tt.from_numpy(x.copy()).requires_grad_()
    xh = torch.from_numpy(x.copy()).requires_grad_()
    out_t, out_h = tt_mod(xt), th_mod(xh)
    np.testing.assert_allclose(out_t.detach().numpy(), out_h.detach().numpy(), rtol, atol)
    w = np.random.default_rng(1).standard_normal(tuple(out_h.shape)).astype(x.dtype)
    (out_t * tt.from_numpy(w)).sum().backward()
    (out_h * torch.from_numpy(w)).sum().backward()
    assert xt.grad is not None
    assert xh.grad is not None
    np.testing.assert_allclose(xt.grad.numpy(), xh.grad.numpy(), rtol, atol)
    for name, p in th_mod.named_parameters():
        g = getattr(tt_mod, name).grad
        assert g is not None, name
        assert p.grad is not None, name
        np.testing.assert_allclose(g.numpy(), p.grad.numpy(), rtol, atol, err_msg=name)


@pytest.mark.parametrize(
    "kw",
    [
        {},
        {"stride": 2, "padding": 1, "bias": False},
        {"padding": "same", "dilation": 2, "groups": 2},
    ],
)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_conv_modules_match_torch_with_copied_weights(
    rand: Any, kw: dict[str, Any], dtype: str
) -> None:
    torch_dtype = getattr(torch, dtype)
    rtol, atol = (1e-5, 1e-5) if dtype == "float32" else (1e-11, 1e-13)  # see ATOL
    tdt = getattr(tt, dtype)
    compare_modules(
        Conv2d(4, 6, 3, dtype=tdt, **kw),
        torch.nn.Conv2d(4, 6, 3, dtype=torch_dtype, **kw),
        rand(2, 4, 9, 8, dtype=dtype),
        rtol,
        atol,
    )
    compare_modules(
        Conv1d(4, 6, 3, dtype=tdt, **kw),
        torch.nn.Conv1d(4, 6, 3, dtype=torch_dtype, **kw),
        rand(2, 4, 11, dtype=dtype),
        rtol,
        atol,
    )


@pytest.mark.parametrize(
    "kw",
    [
        {},
        {"stride": 2, "padding": 1, "dilation": 2, "groups": 2, "bias": False},
        {"padding": "same"},
        {"padding": "valid", "padding_mode": "zeros"},
    ],
)
def test_conv_module_repr_and_attributes_match_torch(kw: dict[str, Any]) -> None:
    for tt_cls, th_cls in ((Conv2d, torch.nn.Conv2d), (Conv1d, torch.nn.Conv1d)):
        a, b = tt_cls(4, 6, 3, **kw), th_cls(4, 6, 3, **kw)
        assert repr(a) == repr(b)
        for attr in ("kernel_size", "stride", "padding", "dilation", "groups", "padding_mode"):
            assert getattr(a, attr) == getattr(b, attr), attr
        assert [(n, tuple(p.shape)) for n, p in a.named_parameters()] == [
            (n, tuple(p.shape)) for n, p in b.named_parameters()
        ]


@pytest.mark.parametrize(
    "kw",
    [
        {"groups": 4},
        {"padding_mode": "mirror"},
        {"padding": "same", "stride": 2},
        {"padding": "full"},
    ],
)
def test_conv_module_rejects_bad_arguments_like_torch(kw: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match=r"."):  # torch raises ValueError for all of these
        torch.nn.Conv2d(3, 6, 3, **kw)
    with pytest.raises(ValueError, match=r"."):
        Conv2d(3, 6, 3, **kw)
