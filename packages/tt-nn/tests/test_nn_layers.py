"""Linear, activations, dropout, flatten and init: gradients (float64 gradcheck) and behaviour."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import tt_autograd as ag
import tt_nn as nn
import tt_nn.functional as F
import tt_tensor as tt


def leaf(*shape: int, seed: int = 0, low: float = -2.0, high: float = 2.0) -> tt.Tensor:
    rng = np.random.default_rng(seed)
    return tt.from_numpy(rng.uniform(low, high, shape)).requires_grad_()


def test_linear_gradcheck_for_input_weight_and_bias() -> None:
    x, w, b = leaf(4, 3), leaf(2, 3, seed=1), leaf(2, seed=2)
    assert ag.gradcheck(F.linear, [x, w, b])
    assert ag.gradcheck(lambda x, w: F.linear(x, w), [x, w])


def test_fused_linear_passes_gradgradcheck_and_matches_the_composed_form() -> None:
    # 2-D input: one LinearFunction node; its values and gradients equal x @ W.T + b.
    x, w, b = leaf(4, 3), leaf(2, 3, seed=1), leaf(2, seed=2)
    assert ag.gradgradcheck(F.linear, [x, w, b])
    y = F.linear(x, w, b)
    assert type(y.grad_fn).__name__ == "FunctionCtx"
    composed = x @ w.t() + b
    np.testing.assert_allclose(y.detach().numpy(), composed.detach().numpy(), rtol=1e-15)
    g = tt.from_numpy(np.random.default_rng(3).standard_normal((4, 2)))
    got = ag.grad(y, [x, w, b], g)
    want = ag.grad(composed, [x, w, b], g)
    for a, e in zip(got, want, strict=True):
        np.testing.assert_allclose(a.numpy(), e.numpy(), rtol=1e-14)


def test_linear_inference_path_gives_the_fused_nodes_values() -> None:
    x, w, b = leaf(4, 3), leaf(2, 3, seed=1), leaf(2, seed=2)
    recorded = F.linear(x, w, b)
    with ag.no_grad():
        plain = F.linear(x, w, b)
    assert recorded.requires_grad
    assert not plain.requires_grad
    np.testing.assert_array_equal(plain.numpy(), recorded.detach().numpy())


def test_fused_linear_computes_only_the_gradients_asked_for() -> None:
    x = leaf(4, 3).detach()  # data: no gradient wanted
    w, b = leaf(2, 3, seed=1), leaf(2, seed=2)
    F.linear(x, w, b).sum().backward()
    assert x.grad is None
    np.testing.assert_allclose(w.grad.numpy(), np.tile(x.numpy().sum(0), (2, 1)), rtol=1e-14)
    np.testing.assert_array_equal(b.grad.numpy(), [4.0, 4.0])


def test_linear_on_batched_3d_input_folds_leading_dims() -> None:
    x, w, b = leaf(2, 5, 3), leaf(4, 3, seed=1), leaf(4, seed=2)
    assert ag.gradcheck(F.linear, [x, w, b])
    want = x.detach().numpy() @ w.detach().numpy().T + b.detach().numpy()
    np.testing.assert_allclose(F.linear(x, w, b).detach().numpy(), want, rtol=1e-12)


# Inputs stay away from the kinks at 0 (finite differences straddling a kink are wrong there).
ACTIVATIONS: list[tuple[str, Callable[[tt.Tensor], tt.Tensor]]] = [
    ("relu", F.relu),
    ("leaky_relu", lambda x: F.leaky_relu(x, 0.2)),
    ("elu", lambda x: F.elu(x, 1.5)),
    ("silu", F.silu),
    ("sigmoid", F.sigmoid),
    ("tanh", F.tanh),
    ("softmax", lambda x: F.softmax(x, 1)),
    ("log_softmax", lambda x: F.log_softmax(x, -1)),
]


@pytest.mark.parametrize(("name", "fn"), ACTIVATIONS, ids=[a[0] for a in ACTIVATIONS])
def test_activation_gradcheck(name: str, fn: Callable[[tt.Tensor], tt.Tensor]) -> None:
    x = tt.from_numpy(np.array([[-1.7, -0.4, 0.3], [0.9, -2.2, 1.4]])).requires_grad_()
    assert ag.gradcheck(fn, [x])


def test_elu_has_finite_gradients_for_huge_positive_inputs() -> None:
    x = tt.tensor([1e4, -1e4, 0.5], dtype=tt.float32).requires_grad_()
    F.elu(x).sum().backward()
    assert x.grad is not None
    np.testing.assert_allclose(x.grad.numpy(), [1.0, 0.0, 1.0])


def test_softmax_without_dim_follows_the_legacy_rule() -> None:
    x = tt.randn(2, 3)
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmax"):
        np.testing.assert_allclose(F.softmax(x).numpy(), F.softmax(x, 1).numpy())
    v = tt.randn(3)
    with pytest.warns(UserWarning, match="Implicit dimension choice for log_softmax"):
        np.testing.assert_allclose(F.log_softmax(v).numpy(), F.log_softmax(v, 0).numpy())


@pytest.mark.parametrize("alpha", [1.0, 0.5, -1.0])
def test_elu_gradcheck_out_of_place_and_in_place(alpha: float) -> None:
    # elu saves only the mask and exp(min(x, 0)), so in place on a non-leaf differentiates
    x = leaf(3, 4)
    assert ag.gradcheck(lambda t: F.elu(t, alpha), [x])
    assert ag.gradcheck(lambda t: F.elu(t * 1.0, alpha, inplace=True), [x])
    assert ag.gradcheck(lambda t: nn.ELU(alpha, inplace=True)(t * 1.0), [x])
    z = tt.zeros(2, dtype=tt.float64).requires_grad_()  # the kink: slope alpha (PyTorch's)
    F.elu(z * 1.0, alpha, inplace=True).sum().backward()
    assert z.grad is not None
    assert z.grad.tolist() == [alpha, alpha]


def test_silu_in_place_on_a_non_leaf_gradcheck() -> None:
    x = leaf(3, 4)
    assert ag.gradcheck(lambda t: F.silu(t * 1.0, inplace=True), [x])
    assert ag.gradcheck(lambda t: nn.SiLU(inplace=True)(t * 1.0), [x])


def test_in_place_activations_give_the_out_of_place_values_and_gradients() -> None:
    for name, kwargs in (("elu", {"alpha": 0.7}), ("silu", {}), ("leaky_relu", {})):
        fn = getattr(F, name)
        x, y = leaf(2, 5, seed=3), leaf(2, 5, seed=3)
        a = fn(x * 2.0, **kwargs)
        h = y * 2.0
        b = fn(h, inplace=True, **kwargs)
        assert b is h
        np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())
        a.sum().backward()
        b.sum().backward()
        assert x.grad is not None
        assert y.grad is not None
        np.testing.assert_array_equal(x.grad.numpy(), y.grad.numpy())


def test_functional_in_place_aliases_write_into_their_input() -> None:
    for fn, kwargs, want in (
        (F.relu_, {}, [0.0, 2.0]),
        (F.leaky_relu_, {"negative_slope": 0.5}, [-0.5, 2.0]),
        (F.elu_, {"alpha": 2.0}, [2.0 * (math.exp(-1.0) - 1.0), 2.0]),
    ):
        x = tt.tensor([-1.0, 2.0], dtype=tt.float64)
        out = fn(x, **kwargs)
        assert out is x
        np.testing.assert_allclose(x.tolist(), want)


@pytest.mark.parametrize("name", ["elu", "silu", "leaky_relu"])
def test_activations_of_integers_raise_not_implemented(name: str) -> None:
    with pytest.raises(NotImplementedError, match=f"{name}: not implemented for int64"):
        getattr(F, name)(tt.tensor([1, -2]))


def test_inplace_activation_writes_into_its_input() -> None:
    x = tt.tensor([-1.0, 2.0])
    out = nn.ReLU(inplace=True)(x)
    assert out is x
    assert x.tolist() == [0.0, 2.0]


def test_dropout_zeroes_about_p_and_keeps_the_expected_value() -> None:
    g = tt.Generator().manual_seed(0)
    out = F.dropout(tt.ones(100_000), 0.3, generator=g)
    kept = out.numpy() != 0
    assert abs(kept.mean() - 0.7) < 0.01
    np.testing.assert_allclose(out.numpy()[kept], 1 / 0.7, rtol=1e-6)
    assert abs(out.numpy().mean() - 1.0) < 0.02


def test_dropout_gradient_is_the_same_mask_and_scale() -> None:
    g = tt.Generator().manual_seed(1)
    x = tt.ones(1000, dtype=tt.float64).requires_grad_()
    out = F.dropout(x, 0.5, generator=g)
    out.sum().backward()
    assert x.grad is not None
    np.testing.assert_array_equal(x.grad.numpy(), out.detach().numpy())


def test_dropout_is_the_identity_in_eval_mode_and_rejects_bad_p() -> None:
    x = tt.randn(5)
    assert nn.Dropout(0.9).eval()(x) is x
    assert F.dropout(x, 1.0).abs().sum().item() == 0
    with pytest.raises(ValueError, match=r"between 0 and 1, but got 1\.5"):
        nn.Dropout(1.5)


def test_flatten_and_unflatten_are_inverse() -> None:
    x = tt.randn(2, 3, 4, 5)
    flat = nn.Flatten()(x)
    assert flat.shape == (2, 60)
    assert nn.Unflatten(1, (3, 4, 5))(flat).shape == (2, 3, 4, 5)
    assert nn.Flatten(0, 1)(x).shape == (6, 4, 5)


def test_linear_rejects_a_wrong_feature_count_naming_expected_and_received() -> None:
    with pytest.raises(RuntimeError, match=r"Linear: expected input of shape \(\*, 3\).*\(2, 4\)"):
        nn.Linear(3, 1)(tt.zeros(2, 4))


def test_linear_without_bias_has_no_bias_parameter() -> None:
    layer = nn.Linear(3, 2, bias=False)
    assert layer.bias is None
    assert [n for n, _ in layer.named_parameters()] == ["weight"]


# ----------------------------------------------------------------------- init
def test_linear_default_init_is_uniform_within_one_over_sqrt_fan_in() -> None:
    tt.manual_seed(0)
    layer = nn.Linear(400, 300)
    bound = 1 / math.sqrt(400)
    w, b = layer.weight.detach().numpy(), layer.bias.detach().numpy()  # type: ignore[union-attr]
    assert w.max() <= bound
    assert w.min() >= -bound
    assert abs(w.std() - bound / math.sqrt(3)) < 0.01 * bound
    assert b.max() <= bound
    assert b.min() >= -bound


def test_init_is_reproducible_through_the_seed() -> None:
    tt.manual_seed(7)
    a = nn.Linear(5, 5).weight.detach().numpy().copy()
    tt.manual_seed(7)
    b = nn.Linear(5, 5).weight.detach().numpy()
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(
    ("fn", "std"),
    [
        (lambda w, g: nn.init.xavier_normal_(w, generator=g), math.sqrt(2 / (200 + 300))),
        (lambda w, g: nn.init.xavier_uniform_(w, 2.0, g), 2 * math.sqrt(2 / 500)),
        (lambda w, g: nn.init.kaiming_normal_(w, nonlinearity="relu", generator=g), 0.1),
        (lambda w, g: nn.init.kaiming_uniform_(w, mode="fan_out", generator=g),
         math.sqrt(2 / 1.0001) / math.sqrt(300)),
        (lambda w, g: nn.init.normal_(w, 1.0, 0.5, g), 0.5),
        (lambda w, g: nn.init.uniform_(w, -1.0, 1.0, g), 1 / math.sqrt(3)),
    ],
)  # fmt: skip
def test_init_schemes_give_their_documented_standard_deviation(fn: Any, std: float) -> None:
    w = tt.empty(300, 200)
    fn(w, tt.Generator().manual_seed(3))
    assert abs(w.numpy().std() - std) < 0.02 * std


def test_calculate_gain_table_and_errors() -> None:
    assert nn.init.calculate_gain("relu") == math.sqrt(2)
    assert nn.init.calculate_gain("tanh") == 5 / 3
    assert nn.init.calculate_gain("conv2d") == 1.0
    with pytest.raises(ValueError, match="Unsupported nonlinearity"):
        nn.init.calculate_gain("swish")
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        nn.init.xavier_uniform_(tt.empty(3))


def test_constant_zeros_ones_fill_without_recording_a_graph() -> None:
    p = nn.Parameter(tt.empty(2, 2))
    nn.init.constant_(p, 3.0)
    assert p.grad_fn is None
    assert p.is_leaf
    assert p.sum().item() == 12.0
    nn.init.zeros_(p)
    nn.init.ones_(p)
    assert p.sum().item() == 4.0


@pytest.mark.parametrize(
    ("mean", "std", "a", "b"),
    [(0.0, 1.0, -2.0, 2.0), (0.5, 0.2, 0.0, 2.0), (0.0, 1.0, 0.5, 0.6), (0.0, 1.0, 1.0, 1.0)],
)
@pytest.mark.parametrize("dtype", [tt.float32, tt.float64])
def test_trunc_normal_stays_in_bounds_with_the_truncated_moments(
    mean: float, std: float, a: float, b: float, dtype: Any
) -> None:
    w = nn.init.trunc_normal_(
        tt.empty(400, 500, dtype=dtype), mean, std, a, b, tt.Generator().manual_seed(2)
    )
    x = w.numpy().astype(np.float64)
    assert w.dtype == dtype
    assert x.min() >= a
    assert x.max() <= b
    # The moments of N(mean, std^2) truncated to [a, b].
    al, be = (a - mean) / std, (b - mean) / std
    pdf = lambda z: math.exp(-z * z / 2) / math.sqrt(2 * math.pi)  # noqa: E731
    cdf = lambda z: (1 + math.erf(z / math.sqrt(2))) / 2  # noqa: E731
    z = cdf(be) - cdf(al)
    if z == 0:
        np.testing.assert_array_equal(x, a)
        return
    want_mean = mean + std * (pdf(al) - pdf(be)) / z
    var = std**2 * (1 + (al * pdf(al) - be * pdf(be)) / z - ((pdf(al) - pdf(be)) / z) ** 2)
    assert abs(x.mean() - want_mean) < 0.01 * math.sqrt(var)
    assert abs(x.std() - math.sqrt(var)) < 0.01 * math.sqrt(var)


def test_trunc_normal_float16_keeps_its_bounds_and_warns_like_torch_far_from_them() -> None:
    x = nn.init.trunc_normal_(tt.empty(100_000, dtype=tt.float16), a=-1.0, b=1.5).numpy()
    assert x.dtype == np.float16
    assert x.min() >= -1.0
    assert x.max() <= 1.5
    with pytest.warns(UserWarning, match="mean is more than 2 std from"):
        x = nn.init.trunc_normal_(tt.empty(1000), mean=10.0).numpy()
    assert x.min() >= -2.0
    assert x.max() <= 2.0


@pytest.mark.parametrize("shape", [(3, 5), (5, 3), (4, 4), (4, 2, 3), (6, 2, 1, 2)])
@pytest.mark.parametrize("gain", [1.0, 0.5, math.sqrt(2)])
def test_orthogonal_gives_gain_squared_identity_gram_matrices(
    shape: tuple[int, ...], gain: float
) -> None:
    w = nn.init.orthogonal_(tt.empty(*shape, dtype=tt.float64), gain, tt.Generator())
    a = w.numpy().reshape(shape[0], -1)
    gram = a @ a.T if a.shape[0] <= a.shape[1] else a.T @ a
    np.testing.assert_allclose(gram, gain**2 * np.eye(len(gram)), atol=1e-12)
    w32 = nn.init.orthogonal_(tt.empty(*shape), gain).numpy().reshape(shape[0], -1)
    assert w32.dtype == np.float32
    gram32 = w32 @ w32.T if a.shape[0] <= a.shape[1] else w32.T @ w32
    np.testing.assert_allclose(gram32, gain**2 * np.eye(len(gram32)), atol=1e-5)


def test_orthogonal_is_haar_distributed_not_biased_by_qr_signs() -> None:
    g = tt.Generator().manual_seed(0)
    firsts = np.array([nn.init.orthogonal_(tt.empty(3, 3), generator=g).numpy()[0, 0]
                       for _ in range(4000)])  # fmt: skip
    # A Haar-random rotation's entry is symmetric about 0 with E[x^2] = 1/3.
    assert abs(firsts.mean()) < 0.03
    assert abs((firsts**2).mean() - 1 / 3) < 0.02


@pytest.mark.parametrize(("sparsity", "zeros"), [(0.0, 0), (0.1, 2), (0.25, 5), (0.5, 10),
                                                  (1.0, 20), (1.5, 20)])  # fmt: skip
def test_sparse_zeroes_ceil_sparsity_rows_in_every_column(sparsity: float, zeros: int) -> None:
    w = nn.init.sparse_(tt.empty(20, 3000), sparsity, 0.5, tt.Generator().manual_seed(1))
    x = w.numpy()
    assert ((x == 0).sum(0) == zeros).all()
    if zeros < 20:
        assert abs(x[x != 0].std() - 0.5) < 0.01
        # The zeroed rows are uniform: every row is zeroed in about zeros/20 of the columns.
        np.testing.assert_allclose((x == 0).mean(1), zeros / 20, atol=0.05)


@pytest.mark.parametrize(
    "fn",
    [
        lambda w, g: nn.init.trunc_normal_(w, 0.1, 2.0, -1.0, 3.0, g),
        lambda w, g: nn.init.trunc_normal_(w, 0.0, 1.0, 2.0, 2.5, g),
        lambda w, g: nn.init.orthogonal_(w, 2.0, g),
        lambda w, g: nn.init.sparse_(w, 0.3, 0.1, g),
    ],
)
def test_structured_random_inits_are_reproducible_through_seed_or_generator(fn: Any) -> None:
    tt.manual_seed(11)
    a = fn(tt.empty(6, 8), None).numpy().copy()
    tt.manual_seed(11)
    b = fn(tt.empty(6, 8), None).numpy()
    np.testing.assert_array_equal(a, b)
    c = fn(tt.empty(6, 8), tt.Generator().manual_seed(5)).numpy().copy()
    d = fn(tt.empty(6, 8), tt.Generator().manual_seed(5)).numpy()
    np.testing.assert_array_equal(c, d)
    assert not np.array_equal(a, c)


def test_structured_inits_write_in_place_without_recording_a_graph() -> None:
    calls = [
        lambda p: nn.init.trunc_normal_(p),
        lambda p: nn.init.orthogonal_(p),
        lambda p: nn.init.sparse_(p, 0.5),
        nn.init.eye_,
    ]
    for call in calls:
        p = nn.Parameter(tt.empty(4, 6))
        assert call(p) is p
        assert p.grad_fn is None
        assert p.is_leaf
        assert p.requires_grad
    p = nn.Parameter(tt.empty(4, 2, 3))
    assert nn.init.dirac_(p) is p
    assert p.grad_fn is None


def test_eye_and_dirac_fill_identities_in_any_dtype() -> None:
    np.testing.assert_array_equal(nn.init.eye_(tt.empty(2, 4)).numpy(), np.eye(2, 4))
    assert nn.init.eye_(tt.empty(3, 2, dtype=tt.int64)).tolist() == [[1, 0], [0, 1], [0, 0]]
    w = nn.init.dirac_(tt.full((4, 2, 3, 3), 7.0), groups=2).numpy()
    want = np.zeros((4, 2, 3, 3))
    want[0, 0, 1, 1] = want[1, 1, 1, 1] = want[2, 0, 1, 1] = want[3, 1, 1, 1] = 1
    np.testing.assert_array_equal(w, want)
    w = nn.init.dirac_(tt.empty(3, 5, 2, 2, 4, dtype=tt.int32)).numpy()
    assert w.dtype == np.int32
    assert w.sum() == 3
    assert all(w[d, d, 1, 1, 2] == 1 for d in range(3))


def test_structured_inits_reject_bad_arguments_naming_function_expected_and_received() -> None:
    with pytest.raises(ValueError, match=r"eye_: Only tensors with 2 dimensions .*\(2, 2, 2\)"):
        nn.init.eye_(tt.empty(2, 2, 2))
    with pytest.raises(ValueError, match=r"dirac_: Only tensors with 3, 4, or 5 .*got 2 dim"):
        nn.init.dirac_(tt.empty(2, 2))
    with pytest.raises(ValueError, match=r"dirac_: dim 0 must be divisible by groups .*size 3"):
        nn.init.dirac_(tt.empty(3, 2, 3), 2)
    with pytest.raises(ZeroDivisionError, match="dirac_: groups must be positive, got 0"):
        nn.init.dirac_(tt.empty(4, 2, 3), 0)
    with pytest.raises(ValueError, match="dirac_: groups must be positive, got -2"):
        nn.init.dirac_(tt.empty(4, 2, 3), -2)
    with pytest.raises(ValueError, match=r"orthogonal_: Only tensors with 2 or more .*\(3,\)"):
        nn.init.orthogonal_(tt.empty(3))
    with pytest.raises(NotImplementedError, match="orthogonal_: QR is not implemented for flo"):
        nn.init.orthogonal_(tt.empty(3, 3, dtype=tt.float16))
    with pytest.raises(NotImplementedError, match="orthogonal_: expected a floating point tens"):
        nn.init.orthogonal_(tt.empty(3, 3, dtype=tt.int64))
    with pytest.raises(ValueError, match=r"sparse_: Only tensors with 2 dimensions .*got 3"):
        nn.init.sparse_(tt.empty(2, 2, 2), 0.5)
    with pytest.raises(ValueError, match=r"sparse_: sparsity must be >= 0 .*got -0\.5"):
        nn.init.sparse_(tt.empty(4, 2), -0.5)
    with pytest.raises(RuntimeError, match=r"sparse_: expects std >= 0\.0, but found std -1"):
        nn.init.sparse_(tt.empty(4, 2), 0.5, -1.0)
    with pytest.raises(ZeroDivisionError, match="trunc_normal_: std must be nonzero"):
        nn.init.trunc_normal_(tt.empty(4), std=0.0)
    with pytest.raises(RuntimeError, match=r"trunc_normal_: expects a <= b, but found a=2.0 >"):
        nn.init.trunc_normal_(tt.empty(4), a=2.0, b=-2.0)
    with pytest.raises(NotImplementedError, match="trunc_normal_: expected a floating point"):
        nn.init.trunc_normal_(tt.empty(4, dtype=tt.int64))


def test_linear_rejects_an_input_of_another_dtype_naming_both() -> None:
    lin = nn.Linear(3, 2)
    with pytest.raises(RuntimeError, match=r"linear: .*expected input of dtype float32.*float64"):
        lin(tt.zeros(2, 3, dtype=tt.float64))
    with pytest.raises(RuntimeError, match=r"expected input of dtype float32.*got int64"):
        lin(tt.zeros(2, 3, dtype=tt.int64))
    with pytest.raises(RuntimeError, match=r"expected input of dtype float64.*got float32"):
        nn.Linear(3, 2).double()(tt.zeros(4, 2, 3))
    assert lin.double()(tt.zeros(2, 3, dtype=tt.float64)).dtype == tt.float64


def test_leaky_relu_and_dropout_reject_integer_inputs() -> None:
    ints = tt.ones(3, dtype=tt.int64)
    with pytest.raises(NotImplementedError, match="leaky_relu: not implemented for int64"):
        nn.LeakyReLU()(ints)
    with pytest.raises(RuntimeError, match=r"dropout: expected a floating point input.*int64"):
        nn.Dropout()(ints)
    assert nn.Dropout().eval()(ints).tolist() == [1, 1, 1]  # the identity needs no cast
    assert F.dropout(ints, 0.0).tolist() == [1, 1, 1]


def test_unflatten_keeps_its_size_as_given_and_calculate_gain_linear_is_an_int() -> None:
    assert repr(nn.Unflatten(1, [2, 3])) == "Unflatten(dim=1, unflattened_size=[2, 3])"
    assert nn.Unflatten(1, [2, 3])(tt.zeros(4, 6)).shape == (4, 2, 3)
    with pytest.raises(TypeError, match="unflattened_size must be a tuple of ints"):
        nn.Unflatten(1, (n for n in (2, 3)))  # a one-shot iterator (PyTorch refuses it too)
    with pytest.raises(TypeError, match="found element of type float at pos 0"):
        nn.Unflatten(1, (2.0, 3))
    gain = nn.init.calculate_gain("linear")
    assert gain == 1
    assert isinstance(gain, int)
