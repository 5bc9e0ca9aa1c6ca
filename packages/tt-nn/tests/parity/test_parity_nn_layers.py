"""Linear, activations, flatten and containers against PyTorch: values, dtypes, gradients,
state-dict keys, printed trees and errors."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import torch

import tt_nn
import tt_nn.functional as tt_F
import tt_tensor as tt

pytestmark = pytest.mark.parity


def F(m: Any) -> Any:
    """The functional namespace of library ``m``."""
    return torch.nn.functional if m is torch else tt_F


def nn(m: Any) -> Any:
    return torch.nn if m is torch else tt_nn


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize(
    "expr",
    [
        lambda m, x: F(m).relu(x),
        lambda m, x: F(m).leaky_relu(x),
        lambda m, x: F(m).leaky_relu(x, 0.3),
        lambda m, x: F(m).elu(x),
        lambda m, x: F(m).elu(x, 0.7),
        lambda m, x: F(m).silu(x),
        lambda m, x: F(m).sigmoid(x),
        lambda m, x: F(m).tanh(x),
        lambda m, x: F(m).softmax(x, 1),
        lambda m, x: F(m).log_softmax(x, 0),
        lambda m, x: nn(m).Softmax(dim=-1)(x),
        lambda m, x: nn(m).LogSoftmax(dim=1)(x),
        lambda m, x: nn(m).Flatten()(x),
        lambda m, x: nn(m).Flatten(0, 1)(x),
        lambda m, x: nn(m).Unflatten(1, (2, 2))(x),
        lambda m, x: nn(m).Identity(3, foo=1)(x),
    ],
)
def test_activation_and_shape_modules_match_torch(
    check: Any, rand: Any, expr: Any, dtype: str
) -> None:
    check(expr, rand(3, 4, dtype=dtype), grad=True)


def test_activations_are_finite_and_equal_for_huge_inputs(check: Any) -> None:
    x = np.array([[-1e4, -30.0, 0.0, 30.0, 1e4]], np.float32)
    for name in ("relu", "leaky_relu", "elu", "silu", "sigmoid", "tanh"):
        check(lambda m, t, name=name: getattr(F(m), name)(t), x, grad=True)
    for name in ("softmax", "log_softmax"):
        check(lambda m, t, name=name: getattr(F(m), name)(t, 1), x, grad=True)


def _pair(build: Any) -> tuple[Any, Any]:
    """The same module built in tt and torch, with torch's weights copied into tt."""
    torch.manual_seed(0)
    th = build(torch)
    mine = build(tt)
    mine.load_state_dict(
        {k: tt.from_numpy(v.detach().numpy().copy()) for k, v in th.state_dict().items()}
    )
    return mine, th


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("shape", [(5, 3), (2, 4, 3), (3,)])
def test_linear_matches_torch_with_copied_weights(bias: bool, shape: tuple[int, ...]) -> None:
    mine, th = _pair(lambda m: nn(m).Linear(3, 2, bias=bias))
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    xt, xm = torch.from_numpy(x).requires_grad_(), tt.from_numpy(x.copy()).requires_grad_()
    out_t, out_m = th(xt), mine(xm)
    np.testing.assert_allclose(out_m.detach().numpy(), out_t.detach().numpy(), rtol=1e-6, atol=1e-6)
    out_t.square().sum().backward()
    (out_m * out_m).sum().backward()
    np.testing.assert_allclose(xm.grad.numpy(), xt.grad.numpy(), rtol=1e-5, atol=1e-6)
    for (name, p), (_, q) in zip(mine.named_parameters(), th.named_parameters(), strict=True):
        np.testing.assert_allclose(
            p.grad.numpy(), q.grad.numpy(), rtol=1e-5, atol=1e-6, err_msg=name
        )


def test_sequential_model_has_the_same_keys_shapes_and_printout_as_torch() -> None:
    def build(m: Any) -> Any:
        n = nn(m)
        return n.Sequential(
            n.Linear(4, 8),
            n.ReLU(),
            n.Dropout(0.2),
            n.Linear(8, 3, bias=False),
            n.LogSoftmax(dim=1),
        )

    mine, th = build(tt), build(torch)
    assert list(mine.state_dict()) == list(th.state_dict())
    for k, v in th.state_dict().items():
        assert tuple(mine.state_dict()[k].shape) == tuple(v.shape)
    assert repr(mine) == repr(th)
    for build_one in [
        lambda n: n.LeakyReLU(0.2, True),
        lambda n: n.ELU(),
        lambda n: n.ReLU(True),
        lambda n: n.Flatten(),
        lambda n: n.Unflatten(1, (2, 3)),
        lambda n: n.GELU(approximate="tanh"),
    ]:
        assert repr(build_one(tt_nn)) == repr(build_one(torch.nn))


def test_default_linear_init_has_torchs_bounds_and_spread() -> None:
    tt.manual_seed(0)
    torch.manual_seed(0)
    mine, th = tt_nn.Linear(500, 400), torch.nn.Linear(500, 400)
    for a, b in [(mine.weight, th.weight), (mine.bias, th.bias)]:
        x, y = a.detach().numpy(), b.detach().numpy()
        assert abs(x.max() - y.max()) < 1e-3
        assert abs(x.min() - y.min()) < 1e-3
        assert abs(x.std() - y.std()) < 0.03 * y.std()


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("calculate_gain", ("leaky_relu", 0.2)),
        ("calculate_gain", ("selu",)),
        ("calculate_gain", ("conv_transpose2d",)),
    ],
)
def test_calculate_gain_matches_torch(name: str, args: tuple[Any, ...]) -> None:
    assert getattr(tt_nn.init, name)(*args) == getattr(torch.nn.init, name)(*args)


def test_bad_inputs_raise_like_torch(check_raises: Any, rand: Any) -> None:
    check_raises(lambda m, x: nn(m).Linear(3, 2)(x), rand(2, 4))
    check_raises(lambda m, x: F(m).dropout(x, 1.5), rand(2))
    check_raises(lambda m, x: nn(m).Dropout(-0.1), rand(1))
    check_raises(lambda m, x: nn(m).init.xavier_uniform_(x), rand(3))
    check_raises(lambda m, x: nn(m).init.calculate_gain("nope"), rand(1))
