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


@pytest.mark.parametrize(
    ("expr", "shape"),
    [
        (lambda m, x: nn(m).init.eye_(x), (3, 5)),
        (lambda m, x: nn(m).init.eye_(x), (5, 3)),
        (lambda m, x: nn(m).init.eye_(x.double()), (4, 4)),
        (lambda m, x: nn(m).init.eye_(x.long()), (2, 3)),
        (lambda m, x: nn(m).init.eye_(x), (0, 3)),
        (lambda m, x: nn(m).init.dirac_(x), (6, 4, 3)),
        (lambda m, x: nn(m).init.dirac_(x), (3, 5, 2)),
        (lambda m, x: nn(m).init.dirac_(x, 2), (6, 4, 3, 3)),
        (lambda m, x: nn(m).init.dirac_(x, 3), (6, 1, 2, 4)),
        (lambda m, x: nn(m).init.dirac_(x.long(), 2), (4, 8, 2, 3, 5)),
        (lambda m, x: nn(m).init.dirac_(x), (0, 2, 3)),
    ],
)
def test_eye_and_dirac_give_torchs_exact_values(
    check: Any, rand: Any, expr: Any, shape: Any
) -> None:
    check(expr, rand(*shape))


def test_structured_init_errors_raise_like_torch(check_raises: Any, rand: Any) -> None:
    init = lambda m: nn(m).init  # noqa: E731
    check_raises(lambda m, x: init(m).eye_(x), rand(2, 2, 2))
    check_raises(lambda m, x: init(m).eye_(x), rand(3))
    check_raises(lambda m, x: init(m).dirac_(x), rand(2, 2))
    check_raises(lambda m, x: init(m).dirac_(x), rand(2, 2, 2, 2, 2, 2))
    check_raises(lambda m, x: init(m).dirac_(x, 2), rand(3, 2, 3))
    check_raises(lambda m, x: init(m).dirac_(x, 0), rand(4, 2, 3))
    check_raises(lambda m, x: init(m).dirac_(x), rand(4, 2, 0))
    check_raises(lambda m, x: init(m).orthogonal_(x), rand(3))
    check_raises(lambda m, x: init(m).orthogonal_(x.long()), rand(3, 3))
    check_raises(lambda m, x: init(m).orthogonal_(x.half()), rand(3, 3))
    check_raises(lambda m, x: init(m).sparse_(x, 0.5), rand(2, 2, 2))
    check_raises(lambda m, x: init(m).sparse_(x, 0.5), rand(4))
    check_raises(lambda m, x: init(m).sparse_(x, 0.5, -1.0), rand(4, 2))
    check_raises(lambda m, x: init(m).sparse_(x.long(), 0.5), rand(4, 2))
    check_raises(lambda m, x: init(m).sparse_(x, float("nan")), rand(4, 2))
    check_raises(lambda m, x: init(m).trunc_normal_(x, std=0.0), rand(4))
    check_raises(lambda m, x: init(m).trunc_normal_(x, a=2.0, b=-2.0), rand(4))
    check_raises(lambda m, x: init(m).trunc_normal_(x.long()), rand(4))


def test_empty_tensors_pass_through_structured_inits_like_torch() -> None:
    for shape in [(0, 3), (3, 0)]:
        for m in (tt, torch):
            assert tuple(nn(m).init.orthogonal_(m.empty(*shape)).shape) == shape
            assert tuple(nn(m).init.sparse_(m.empty(*shape), 0.5).shape) == shape
    for m in (tt, torch):
        assert tuple(nn(m).init.trunc_normal_(m.empty(0)).shape) == (0,)


@pytest.mark.filterwarnings("ignore:mean is more than 2 std")  # std < 0 warns in both
@pytest.mark.parametrize(
    ("mean", "std", "a", "b"),
    [(0.0, 1.0, -2.0, 2.0), (1.0, 2.0, -1.0, 0.5), (0.3, 1.0, 0.5, 0.6), (0.0, -1.0, -1.0, 1.0)],
)
def test_trunc_normal_has_torchs_bounds_and_moments(
    mean: float, std: float, a: float, b: float
) -> None:
    tt.manual_seed(0)
    torch.manual_seed(0)
    x = tt_nn.init.trunc_normal_(tt.empty(200_000), mean, std, a, b).numpy()
    y = torch.nn.init.trunc_normal_(torch.empty(200_000), mean, std, a, b).numpy()
    assert x.min() >= np.float32(a)
    assert x.max() <= np.float32(b)
    assert abs(x.mean() - y.mean()) < 0.01 * (b - a)
    assert abs(x.std() - y.std()) < 0.01 * y.std()


def test_orthogonal_and_sparse_have_torchs_structure() -> None:
    for shape in [(3, 5), (5, 3), (4, 2, 3)]:
        pair = [
            nn(m).init.orthogonal_(m.empty(*shape, dtype=m.float64), 1.5).reshape(shape[0], -1)
            for m in (tt, torch)
        ]
        for w in pair:
            a = w.numpy()
            gram = a @ a.T if a.shape[0] <= a.shape[1] else a.T @ a
            np.testing.assert_allclose(gram, 2.25 * np.eye(len(gram)), atol=1e-12)
    tt.manual_seed(0)
    torch.manual_seed(0)
    x = tt_nn.init.sparse_(tt.empty(10, 300), 0.25, 0.5).numpy()
    y = torch.nn.init.sparse_(torch.empty(10, 300), 0.25, 0.5).numpy()
    np.testing.assert_array_equal((x == 0).sum(0), (y == 0).sum(0))
    assert abs(x[x != 0].std() - y[y != 0].std()) < 0.05 * 0.5


def test_replacing_registered_values_keeps_torchs_order() -> None:
    def build(m: Any) -> Any:
        n = nn(m)
        s = n.Sequential(n.Identity(), n.Linear(2, 2), n.Linear(2, 1))
        s[0] = n.ReLU()
        s[1].weight = n.Parameter(s[1].weight.detach().clone())
        s[2].register_buffer("extra", m.zeros(1))
        s[2].extra = m.ones(1)
        s[2].bias = n.Parameter(m.zeros(1))
        return s

    mine, th = build(tt), build(torch)
    assert list(mine.state_dict()) == list(th.state_dict())
    assert [n for n, _ in mine.named_parameters()] == [n for n, _ in th.named_parameters()]
    assert repr(mine) == repr(th)


def test_aliased_submodules_and_remove_duplicate_match_torch() -> None:
    def build(m: Any) -> Any:
        root = nn(m).Module()
        root.add_module("a", nn(m).Linear(1, 1))
        root.add_module("b", root.a)
        return root

    mine, th = build(tt), build(torch)
    assert list(mine.state_dict()) == list(th.state_dict())
    for dup in (True, False):
        for what in ("named_parameters", "named_modules"):
            got = [n for n, _ in getattr(mine, what)(remove_duplicate=dup)]
            assert got == [n for n, _ in getattr(th, what)(remove_duplicate=dup)], (what, dup)
    sd = {k: tt.from_numpy(v.detach().numpy().copy()) for k, v in th.state_dict().items()}
    assert mine.load_state_dict(sd) == ([], [])
    assert mine.a.weight.item() == pytest.approx(th.a.weight.item())
    assert list(mine.state_dict(prefix="x")) == list(th.state_dict(prefix="x"))


def test_container_operations_match_torch() -> None:
    def build(m: Any) -> Any:
        n = nn(m)
        s = n.Sequential(n.ReLU(), n.Tanh())
        s.insert(1, n.Sigmoid()).extend([n.ReLU()])
        s.pop(0)
        s = (s + n.Sequential(n.ELU())) * 2
        ml = n.ModuleList([n.ReLU(), n.ReLU(), n.Tanh(), n.ReLU()])
        ml.pop(2)
        d = n.ModuleDict({"a": n.ReLU()})
        d.update(n.ModuleDict({"b": n.Tanh(), "a": n.Sigmoid()}))
        return s, ml + [n.Tanh()], d  # noqa: RUF005 (tests ModuleList.__add__)

    for a, b in zip(build(tt), build(torch), strict=True):
        assert repr(a) == repr(b)
        assert list(a._modules) == list(b._modules)
    assert repr(tt_nn.Unflatten(1, [2, 3])) == repr(torch.nn.Unflatten(1, [2, 3]))
    got, want = tt_nn.init.calculate_gain("linear"), torch.nn.init.calculate_gain("linear")
    assert got == want
    assert type(got) is type(want)


def test_registering_over_another_kind_raises_like_torch() -> None:
    for m in (tt, torch):
        root = nn(m).Module()
        root.register_buffer("b", m.zeros(1))
        root.c = nn(m).ReLU()
        with pytest.raises(KeyError, match="attribute 'b' already exists"):
            root.register_parameter("b", nn(m).Parameter(m.zeros(1)))
        with pytest.raises(KeyError, match="attribute 'b' already exists"):
            root.add_module("b", nn(m).ReLU())
        with pytest.raises(KeyError, match="attribute 'c' already exists"):
            root.register_buffer("c", m.zeros(1))


def _frozen_norm(n: Any) -> Any:
    """A module whose ``train`` keeps its batch norm in eval mode, in library ``n``."""

    class Frozen(n.Module):  # type: ignore[misc,name-defined]
        def __init__(self) -> None:
            super().__init__()
            self.bn = n.BatchNorm1d(2)

        def train(self, mode: bool = True) -> Any:
            super().train(mode)
            self.bn.eval()
            return self

    return Frozen()


def test_train_mode_conversion_and_zero_grad_match_torch() -> None:
    results = []
    for m in (tt, torch):
        n = nn(m)
        outer = n.Sequential(_frozen_norm(n), n.Linear(2, 1)).train()
        lin = outer[1]
        lin(m.ones(1, 2)).sum().backward()
        w, g = lin.weight, lin.weight.grad
        outer.double()
        same = (lin.weight is w, lin.weight.grad is g, str(w.dtype).split(".")[-1])
        lin.zero_grad(set_to_none=False)
        results.append((outer[0].bn.training, *same, lin.weight.grad is g, g.tolist()))
    assert results[0] == results[1]


def test_bad_dtypes_raise_like_torch(check_raises: Any, rand: Any) -> None:
    check_raises(lambda m, x: nn(m).Linear(3, 2)(x), rand(2, 3, dtype="float64"))
    check_raises(lambda m, x: nn(m).Linear(3, 2).double()(x), rand(2, 3))
    check_raises(lambda m, x: nn(m).Linear(3, 2)(x.long()), rand(2, 3))
    check_raises(lambda m, x: nn(m).LeakyReLU()(x.long()), rand(3))
    check_raises(lambda m, x: nn(m).Dropout()(x.long()), rand(3))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize(
    "expr",
    [
        lambda m, x: nn(m).ELU(inplace=True)(x * 1.0),
        lambda m, x: nn(m).ELU(0.4, inplace=True)(x * 1.0),
        lambda m, x: nn(m).SiLU(inplace=True)(x * 1.0),
        lambda m, x: nn(m).LeakyReLU(0.2, inplace=True)(x * 1.0),
        lambda m, x: nn(m).ReLU(inplace=True)(x * 1.0),
        lambda m, x: F(m).elu_(x * 1.0, 0.3),
        lambda m, x: F(m).leaky_relu_(x * 1.0, 0.3),
        lambda m, x: F(m).relu_(x * 1.0),
    ],
)
def test_in_place_activations_on_non_leaves_match_torch_with_gradients(
    check: Any, rand: Any, expr: Any, dtype: str
) -> None:
    x = rand(3, 4, dtype=dtype)
    x[0, :2] = 0.0  # the kinks
    check(expr, x, grad=True)


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
@pytest.mark.parametrize("shape", [(5,), (3, 4), (2, 3, 4), (2, 3, 4, 5)])
def test_softmax_without_dim_warns_and_picks_torchs_dim(
    check: Any, rand: Any, name: str, shape: tuple[int, ...]
) -> None:
    for m in (tt, torch):
        with pytest.warns(UserWarning, match=f"Implicit dimension choice for {name} has"):
            getattr(F(m), name)(m.zeros(*shape))
    with pytest.warns(UserWarning, match="Implicit dimension choice"):
        check(lambda m, x: getattr(F(m), name)(x), rand(*shape, dtype="float64"), grad=True)


@pytest.mark.parametrize("name", ["elu", "silu", "leaky_relu"])
def test_activations_of_integers_raise_like_torch(check_raises: Any, name: str) -> None:
    e_tt, _ = check_raises(lambda m, x: getattr(F(m), name)(x), np.array([1, -2]))
    assert name in str(e_tt)
    assert "int64" in str(e_tt)
