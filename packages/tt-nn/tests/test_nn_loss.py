"""The losses: float64 gradchecks for every option that changes the math, stability for huge
logits, and the behaviour PyTorch documents (ignored targets, weighted means, smoothing,
clamping, module state, errors)."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest

import tt_autograd as ag
import tt_tensor as tt
from tt_nn.functional.loss import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    huber_loss,
    l1_loss,
    mse_loss,
    nll_loss,
)
from tt_nn.modules.loss import (
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    HuberLoss,
    L1Loss,
    MSELoss,
    NLLLoss,
)
from tt_tensor.dispatch import add_observer

REDUCTIONS = ["none", "mean", "sum"]


def leaf(a: Any) -> tt.Tensor:
    """A float64 leaf that requires grad."""
    return tt.from_numpy(np.asarray(a, np.float64).copy()).requires_grad_()


def const(a: Any) -> tt.Tensor:
    return tt.from_numpy(np.asarray(a).copy())


def rng() -> np.random.Generator:
    return np.random.default_rng(11)


# ----------------------------------------------------------------------------- gradchecks
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("fn", [mse_loss, l1_loss, huber_loss])
def test_regression_losses_pass_gradcheck(reduction: str, weighted: bool, fn: Any) -> None:
    r = rng()
    x, t = leaf(r.standard_normal((3, 4))), leaf(r.standard_normal((3, 4)))
    w = const(r.uniform(0.2, 2, (3, 4))) if weighted else None
    assert ag.gradcheck(lambda a, b: fn(a, b, reduction=reduction, weight=w), [x, t])


@pytest.mark.parametrize("delta", [0.4, 1.0, 3.0])
def test_huber_loss_passes_gradcheck_on_both_branches(delta: float) -> None:
    x = leaf([-5.0, -1.7, -0.9, -0.1, 0.2, 0.6, 1.3, 2.2, 4.0])
    t = leaf(np.zeros(9))
    assert ag.gradcheck(lambda a, b: huber_loss(a, b, delta=delta, reduction="sum"), [x, t])


def test_mse_loss_passes_gradcheck_when_target_broadcasts() -> None:
    r = rng()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        assert ag.gradcheck(mse_loss, [leaf(r.standard_normal((3, 1))), leaf(r.standard_normal(4))])


CLASS_SHAPES = [((5, 4), (5,)), ((4,), ()), ((3, 4, 2), (3, 2)), ((2, 3, 2, 2), (2, 2, 2))]


def class_case(shapes: Any, weighted: bool, ignore: bool) -> tuple[Any, Any, Any, int]:
    r = rng()
    xshape, tshape = shapes
    c = xshape[0] if len(xshape) == 1 else xshape[1]
    x = leaf(r.standard_normal(xshape))
    y = r.integers(0, c, tshape)
    ii = -100
    if ignore:
        if tshape:
            y.reshape(-1)[::3] = ii
        else:
            ii = int(y)  # an unbatched target ignored through its own class
    w = const(r.uniform(0.2, 2.0, c)) if weighted else None
    return x, const(y.astype(np.int64)), w, ii


# (shapes, ignore, reduction), leaving out the unbatched input whose one target is ignored
# under 'mean': that loss is NaN (0 / 0) by definition, tested on its own below.
CLASS_CASES = [
    pytest.param(shapes, ignore, red, id=f"{name}-{'ignore' if ignore else 'all'}-{red}")
    for shapes, name in zip(CLASS_SHAPES, ["NC", "C", "NCd", "NCHW"], strict=True)
    for ignore in (False, True)
    for red in REDUCTIONS
    if not (name == "C" and ignore and red == "mean")
]


@pytest.mark.parametrize(("shapes", "ignore", "reduction"), CLASS_CASES)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("smoothing", [0.0, 0.25])
def test_cross_entropy_with_class_indices_passes_gradcheck(
    reduction: str, shapes: Any, weighted: bool, ignore: bool, smoothing: float
) -> None:
    x, y, w, ii = class_case(shapes, weighted, ignore)
    assert ag.gradcheck(
        lambda a: cross_entropy(
            a, y, w, ignore_index=ii, reduction=reduction, label_smoothing=smoothing
        ),
        [x],
    )


@pytest.mark.parametrize(("shapes", "ignore", "reduction"), CLASS_CASES)
@pytest.mark.parametrize("weighted", [False, True])
def test_nll_loss_passes_gradcheck(
    reduction: str, shapes: Any, weighted: bool, ignore: bool
) -> None:
    x, y, w, ii = class_case(shapes, weighted, ignore)
    assert ag.gradcheck(lambda a: nll_loss(a, y, w, ignore_index=ii, reduction=reduction), [x])


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", [(4, 3), (3,), (2, 3, 2)])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("smoothing", [0.0, 0.3])
def test_cross_entropy_with_probabilities_passes_gradcheck_in_logits_and_targets(
    reduction: str, shape: Any, weighted: bool, smoothing: float
) -> None:
    r = rng()
    cd = 0 if len(shape) == 1 else 1
    p = r.uniform(0.1, 1.0, shape)
    x, t = leaf(r.standard_normal(shape)), leaf(p / p.sum(axis=cd, keepdims=True))
    w = const(r.uniform(0.2, 2.0, shape[cd])) if weighted else None
    assert ag.gradcheck(
        lambda a, b: cross_entropy(a, b, w, reduction=reduction, label_smoothing=smoothing),
        [x, t],
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weight_shape", [None, (3, 4), (4,)])
def test_binary_cross_entropy_passes_gradcheck(reduction: str, weight_shape: Any) -> None:
    r = rng()
    x, t = leaf(r.uniform(0.05, 0.95, (3, 4))), leaf(r.uniform(0, 1, (3, 4)))
    w = None if weight_shape is None else const(r.uniform(0.2, 2.0, weight_shape))
    assert ag.gradcheck(lambda a, b: binary_cross_entropy(a, b, w, reduction=reduction), [x, t])


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("pos_weight_shape", [None, (4,), (3, 4)])
def test_bce_with_logits_passes_gradcheck_in_every_input(
    reduction: str, weighted: bool, pos_weight_shape: Any
) -> None:
    r = rng()
    x = r.standard_normal((3, 4)) * 3
    x[0, 0] = 0.0
    inputs = [leaf(x), leaf(r.uniform(0, 1, (3, 4)))]
    if weighted:
        inputs.append(leaf(r.uniform(0.2, 2.0, (4,))))
    if pos_weight_shape is not None:
        inputs.append(leaf(r.uniform(0.2, 3.0, pos_weight_shape)))

    def fn(a: tt.Tensor, b: tt.Tensor, *rest: tt.Tensor) -> tt.Tensor:
        w = rest[0] if weighted else None
        pw = rest[-1] if pos_weight_shape is not None else None
        return binary_cross_entropy_with_logits(a, b, w, reduction=reduction, pos_weight=pw)

    assert ag.gradcheck(fn, inputs)


def test_losses_pass_gradgradcheck() -> None:
    r = rng()
    x, y = leaf(r.standard_normal((3, 4))), const(np.array([0, 3, 1]))
    assert ag.gradgradcheck(lambda a: cross_entropy(a, y, label_smoothing=0.1), [x])
    assert ag.gradgradcheck(lambda a: binary_cross_entropy_with_logits(a, a.detach() * 0), [x])
    assert ag.gradgradcheck(lambda a: mse_loss(a, a.detach() * 0 + 1), [x])


# ------------------------------------------------------------------------------ stability
def test_cross_entropy_is_finite_and_exact_for_logits_of_magnitude_1e4() -> None:
    x = leaf([[1e4, 0.0, -1e4], [-1e4, 1e4, 1e4]])
    loss = cross_entropy(x, const(np.array([1, 0])), reduction="none")
    # Row 0: logsumexp = 1e4, so -logp[1] = 1e4; row 1: logsumexp = 1e4 + log 2.
    np.testing.assert_allclose(loss.detach().numpy(), [1e4, 2e4 + np.log(2)], rtol=1e-15)
    loss.sum().backward()
    assert x.grad is not None
    expected = np.array([[1.0, -1.0, 0.0], [-1.0, 0.5, 0.5]])  # softmax - onehot
    np.testing.assert_allclose(x.grad.numpy(), expected, atol=1e-15)


def test_cross_entropy_with_smoothing_and_probabilities_is_finite_for_1e4_logits() -> None:
    x = tt.tensor([[1e4, -1e4, 0.0]], requires_grad=True)
    p = tt.tensor([[0.0, 1.0, 0.0]])
    for loss in (cross_entropy(x, p), cross_entropy(x, tt.tensor([1]), label_smoothing=0.2)):
        x.grad = None
        loss.backward()
        assert bool(loss.isfinite())
        assert x.grad is not None
        assert bool(x.grad.isfinite().all())


def test_bce_with_logits_is_finite_and_exact_for_logits_of_magnitude_1e4() -> None:
    x = leaf([1e4, -1e4, 1e4, -1e4, 0.0])
    t = const(np.array([1.0, 0.0, 0.0, 1.0, 1.0]))
    loss = binary_cross_entropy_with_logits(x, t, reduction="none")
    np.testing.assert_allclose(loss.detach().numpy(), [0.0, 0.0, 1e4, 1e4, np.log(2)])
    loss.sum().backward()
    assert x.grad is not None
    np.testing.assert_allclose(x.grad.numpy(), [0.0, 0.0, 1.0, -1.0, -0.5])  # sigmoid(x) - t


def test_binary_cross_entropy_costs_at_most_100_and_has_finite_gradients_when_saturated() -> None:
    x = tt.tensor([0.0, 1.0, 0.0, 1.0], requires_grad=True)
    t = tt.tensor([1.0, 0.0, 0.0, 1.0])
    loss = binary_cross_entropy(x, t, reduction="none")
    assert loss.tolist() == [100.0, 100.0, 0.0, 0.0]
    loss.sum().backward()
    assert x.grad is not None
    assert bool(x.grad.isfinite().all())


# ------------------------------------------------------------------------------ behaviour
def test_ignored_targets_are_excluded_from_the_mean() -> None:
    r = rng()
    x = tt.from_numpy(r.standard_normal((6, 4)))
    y = np.array([0, -100, 3, 2, -100, 1])
    keep = y != -100
    full = cross_entropy(x, const(y))
    kept = cross_entropy(tt.from_numpy(x.numpy()[keep]), const(y[keep]))
    assert full.item() == pytest.approx(kept.item(), rel=1e-14)
    per = cross_entropy(x, const(y), reduction="none")
    assert per.numpy()[~keep].tolist() == [0.0, 0.0]
    other = cross_entropy(x, const(np.where(keep, y, 2)), ignore_index=2)
    assert other.item() != pytest.approx(full.item())  # ignore_index is honoured, not -100


def test_weighted_mean_divides_by_the_weights_of_the_non_ignored_targets() -> None:
    r = rng()
    xa = r.standard_normal((5, 3))
    y = np.array([0, 2, 1, 2, 0])
    w = np.array([0.5, 2.0, 3.0])
    got = cross_entropy(tt.from_numpy(xa), const(y), const(w), ignore_index=1).item()
    logp = xa - np.log(np.exp(xa).sum(1, keepdims=True))
    keep = y != 1
    terms = -w[y] * logp[np.arange(5), y]
    assert got == pytest.approx(terms[keep].sum() / w[y][keep].sum(), rel=1e-13)


def test_label_smoothing_matches_the_smoothed_distribution_and_torch_formula() -> None:
    r = rng()
    xa, y, e = r.standard_normal((4, 5)), np.array([1, 0, 4, 4]), 0.2
    x = tt.from_numpy(xa)
    onehot = np.eye(5)[y]
    smoothed = tt.from_numpy(onehot * (1 - e) + e / 5)
    assert cross_entropy(x, const(y), label_smoothing=e).item() == pytest.approx(
        cross_entropy(x, smoothed).item(), rel=1e-13
    )
    # With weights PyTorch mixes (1 - e) * weighted nll + (e / C) * weighted smooth term,
    # both divided by the sum of the targets' weights.
    w = np.array([1.0, 2.0, 0.5, 1.5, 3.0])
    logp = xa - np.log(np.exp(xa).sum(1, keepdims=True))
    nll = (-w[y] * logp[np.arange(4), y]).sum() / w[y].sum()
    smooth = (-(logp * w).sum(1)).sum() / w[y].sum()
    got = cross_entropy(x, const(y), const(w), label_smoothing=e).item()
    assert got == pytest.approx((1 - e) * nll + e / 5 * smooth, rel=1e-13)


@pytest.mark.parametrize("shape", [(3, 4), (4,)])
@pytest.mark.parametrize("weighted", [False, True])
def test_every_target_ignored_gives_nan_mean_with_zero_gradient_and_zero_sum(
    shape: Any, weighted: bool
) -> None:
    x = tt.randn(*shape, requires_grad=True)
    y = const(np.full(shape[:-1], 2))
    w = tt.rand(4) if weighted else None
    for loss in (
        cross_entropy(x, y, w, ignore_index=2),
        cross_entropy(x, y, w, ignore_index=2, label_smoothing=0.1),
        nll_loss(x, y, w, ignore_index=2),
    ):
        assert bool(loss.isnan())
        x.grad = None
        loss.backward()
        assert x.grad is not None
        assert x.grad.tolist() == tt.zeros(*shape).tolist()  # PyTorch's gradient, not 0 / 0
    assert cross_entropy(x, y, w, ignore_index=2, reduction="sum").item() == 0.0


def test_cross_entropy_is_nll_of_log_softmax_and_keeps_shapes_and_dtype() -> None:
    x = tt.randn(2, 3, 4, 5)
    y = tt.randint(0, 3, (2, 4, 5))
    a = cross_entropy(x, y, reduction="none")
    b = nll_loss(x.log_softmax(1), y, reduction="none")
    assert a.shape == (2, 4, 5)
    assert a.dtype == tt.float32
    np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-6)
    assert cross_entropy(tt.randn(4), tt.tensor(2), reduction="none").shape == ()
    assert cross_entropy(x.double(), y).dtype == tt.float64


def test_probability_targets_mean_divides_by_the_number_of_samples() -> None:
    x, p = tt.randn(2, 3, 4).double(), tt.rand(2, 3, 4).double()
    per = cross_entropy(x, p, reduction="none")
    assert per.shape == (2, 4)
    assert cross_entropy(x, p).item() == pytest.approx(per.sum().item() / 8, rel=1e-14)


def test_bce_with_logits_equals_bce_of_sigmoid_and_pos_weight_scales_positives() -> None:
    r = rng()
    x, t = tt.from_numpy(r.standard_normal(6)), tt.from_numpy(r.uniform(0, 1, 6))
    a = binary_cross_entropy_with_logits(x, t, reduction="none")
    b = binary_cross_entropy(x.sigmoid(), t, reduction="none")
    np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-12)
    ones = tt.ones(6).double()
    pos = binary_cross_entropy_with_logits(x, ones, pos_weight=tt.tensor([3.0]).double())
    assert pos.item() == pytest.approx(3 * binary_cross_entropy_with_logits(x, ones).item())


def test_huber_is_quadratic_inside_delta_and_linear_outside() -> None:
    d = tt.tensor([0.5, -0.5, 3.0, -3.0, 2.0])
    got = huber_loss(d, tt.zeros(5), reduction="none", delta=2.0).tolist()
    assert got == [0.125, 0.125, 4.0, 4.0, 2.0]  # 0.5 d^2 | 2 (|d| - 1), equal at |d| = 2


def test_weighted_regression_means_follow_torch_definitions() -> None:
    x, t, w = tt.tensor([1.0, 3.0]), tt.zeros(2), tt.tensor([1.0, 3.0])
    assert mse_loss(x, t, weight=w).item() == (1 + 27) / 4  # sum(w e) / sum(w)
    assert l1_loss(x, t, weight=w).item() == (1 + 9) / 4
    assert huber_loss(x, t, weight=w).item() == (0.5 + 7.5) / 2  # plain mean of w e


def test_plain_cross_entropy_is_one_fused_node_with_the_composed_values() -> None:
    # Class indices, no weight, no smoothing, no ignored target, mean or sum: one node
    # (CrossEntropyFunction), no primitive recorded; the same values and gradients as the
    # composed form (log_softmax, gather, reduction), to rounding.
    r = rng()
    x = tt.from_numpy(r.standard_normal((16, 10)) * 30).requires_grad_()
    y = const(r.integers(0, 10, 16))
    recorded: list[str] = []

    def after(op: Any, inputs: Any, arrays: Any, params: Any, out: Any) -> None:
        if any(isinstance(i, tt.Tensor) and i.requires_grad for i in inputs):
            recorded.append(op.name)

    for reduction in ("mean", "sum"):
        with add_observer(after=after):
            loss = cross_entropy(x, y, reduction=reduction)
        assert recorded == []
        assert type(loss.grad_fn).__name__ == "FunctionCtx"
        logp = x.log_softmax(1).gather(1, y.unsqueeze(1)).neg()
        composed = logp.mean() if reduction == "mean" else logp.sum()
        (g_fused,) = ag.grad(loss, [x])
        (g_composed,) = ag.grad(composed, [x])
        np.testing.assert_allclose(loss.item(), composed.item(), rtol=1e-13)
        np.testing.assert_allclose(g_fused.numpy(), g_composed.numpy(), rtol=1e-12, atol=1e-15)


def test_fused_cross_entropy_passes_gradcheck_and_gradgradcheck() -> None:
    r = rng()
    x = tt.from_numpy(r.standard_normal((5, 4))).requires_grad_()
    y = const(np.array([0, 3, 1, 1, 2]))
    for reduction in ("mean", "sum"):
        assert ag.gradcheck(lambda t, r=reduction: cross_entropy(t, y, reduction=r), (x,))
        assert ag.gradgradcheck(lambda t, r=reduction: cross_entropy(t, y, reduction=r), (x,))


# ---------------------------------------------------------------------------------- modules
def test_modules_store_options_and_match_the_functional_forms() -> None:
    r = rng()
    x = tt.from_numpy(r.standard_normal((4, 3)))
    y = const(np.array([0, 2, 1, 1]))
    w = tt.from_numpy(r.uniform(0.5, 2, 3))
    m = CrossEntropyLoss(weight=w, ignore_index=1, reduction="sum", label_smoothing=0.1)
    assert (m.ignore_index, m.reduction, m.label_smoothing) == (1, "sum", 0.1)
    want = cross_entropy(x, y, w, ignore_index=1, reduction="sum", label_smoothing=0.1)
    assert m(x, y).item() == want.item()
    assert NLLLoss(w)(x, y).item() == nll_loss(x, y, w).item()
    p = x.sigmoid()
    assert BCELoss()(p, p).item() == binary_cross_entropy(p, p).item()
    bl = BCEWithLogitsLoss(pos_weight=w)
    assert bl(x, p).item() == binary_cross_entropy_with_logits(x, p, pos_weight=w).item()
    assert MSELoss(reduction="sum")(x, p).item() == mse_loss(x, p, reduction="sum").item()
    assert L1Loss()(x, p).item() == l1_loss(x, p).item()
    assert HuberLoss(delta=0.3)(x, p).item() == huber_loss(x, p, delta=0.3).item()


def test_loss_weights_are_buffers_that_follow_dtype_conversion() -> None:
    m = CrossEntropyLoss(weight=tt.ones(3))
    assert list(m.state_dict()) == ["weight"]
    m.double()
    assert m.weight is not None
    assert m.weight.dtype == tt.float64
    assert list(m.parameters()) == []
    b = BCEWithLogitsLoss(pos_weight=tt.ones(3))
    assert list(b.state_dict()) == ["pos_weight"]
    assert list(MSELoss().state_dict()) == []


def test_legacy_size_average_and_reduce_set_reduction_with_a_warning() -> None:
    with pytest.warns(UserWarning, match="reduction='sum'"):
        assert MSELoss(size_average=False).reduction == "sum"
    with pytest.warns(UserWarning, match="reduction='none'"):
        assert NLLLoss(reduce=False).reduction == "none"
    x = tt.tensor([1.0, 2.0])
    with pytest.warns(UserWarning, match="size_average and reduce"):
        assert mse_loss(x, tt.zeros(2), size_average=False).item() == 5.0


# ----------------------------------------------------------------------------------- errors
def test_invalid_reduction_is_a_value_error_naming_the_loss() -> None:
    with pytest.raises(ValueError, match=r"mse_loss: 'avg' is not a valid value for reduction"):
        mse_loss(tt.ones(2), tt.ones(2), reduction="avg")
    with pytest.raises(ValueError, match="cross_entropy"):
        CrossEntropyLoss(reduction="batchmean")(tt.ones(2, 3), tt.tensor([0, 1]))


def test_bad_class_targets_raise_with_the_loss_and_shapes_in_the_message() -> None:
    x = tt.randn(3, 4)
    with pytest.raises(ValueError, match=r"cross_entropy: .*batch_size \(3\).*\(2\)"):
        cross_entropy(x, tt.tensor([0, 1]))
    with pytest.raises(IndexError, match=r"cross_entropy: Target 4 is out of bounds.*\[0, 4\)"):
        cross_entropy(x, tt.tensor([0, 1, 4]))
    with pytest.raises(IndexError, match="nll_loss: Target -1"):
        nll_loss(x, tt.tensor([0, -1, 1]))
    with pytest.raises(RuntimeError, match=r"cross_entropy: expected target dtype.*int32"):
        cross_entropy(x, tt.tensor([0, 1, 2], dtype=tt.int32))
    with pytest.raises(RuntimeError, match=r"nll_loss: expected a target of shape \(3, 2\)"):
        nll_loss(tt.randn(3, 4, 2), tt.zeros(3, 5, dtype=tt.int64))
    with pytest.raises(RuntimeError, match=r"all 4 classes.*\(3,\)"):
        cross_entropy(x, tt.tensor([0, 1, 2]), weight=tt.ones(3))
    with pytest.raises(RuntimeError, match="must be floating point, got int64"):
        cross_entropy(x, tt.zeros(3, 4, dtype=tt.int64))
    with pytest.raises(RuntimeError, match=r"label_smoothing must be between 0\.0 and 1\.0"):
        cross_entropy(x, tt.tensor([0, 1, 2]), label_smoothing=1.5)


def test_bad_binary_and_regression_inputs_raise_with_the_loss_in_the_message() -> None:
    p = tt.rand(3, 2)
    with pytest.raises(ValueError, match=r"binary_cross_entropy: .*\(3, 1\).*\(3, 2\)"):
        binary_cross_entropy(p, p[:, :1])
    with pytest.raises(RuntimeError, match="between 0 and 1"):
        binary_cross_entropy(p * 3, p)
    with pytest.raises(RuntimeError, match=r"pos_weight of shape \(3,\)"):
        binary_cross_entropy_with_logits(p, p, pos_weight=tt.ones(3))
    with (
        pytest.raises(RuntimeError, match=r"mse_loss: input of shape \(3, 2\) and target of sh"),
        pytest.warns(UserWarning, match="different to the input size"),
    ):
        mse_loss(p, tt.ones(3))
    with pytest.raises(RuntimeError, match=r"huber_loss: .*delta=0"):
        huber_loss(p, p, delta=0)
    with pytest.raises(TypeError, match="cross_entropy: argument 'target' must be a Tensor"):
        cross_entropy(p, [0, 1, 1])  # type: ignore[arg-type]


# ------------------------------------------------------------------ BCE as a fused primitive
def test_binary_cross_entropy_gradients_are_torchs_at_and_near_the_ends() -> None:
    # PyTorch: d/dx = (x - t) / max(x (1 - x), 1e-12), d/dt = log(1 - x) - log(x).
    x = leaf([0.0, 1.0, 0.0, 1.0, 0.0, 1e-30, 0.5])
    t = leaf([1.0, 0.0, 0.0, 1.0, 0.3, 1.0, 0.2])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no NumPy warning leaks (log 0, 0 * inf)
        loss = binary_cross_entropy(x, t, reduction="none")
        np.testing.assert_allclose(
            loss.detach().numpy(), [100, 100, 0, 0, 30, -np.log(1e-30), np.log(2)], rtol=1e-12
        )
        loss.sum().backward()
    assert x.grad is not None
    assert t.grad is not None
    inv = 1 / float(np.float32(1e-12))  # PyTorch's epsilon is a C++ float
    np.testing.assert_allclose(
        x.grad.numpy(), [-inv, inv, 0.0, 0.0, -0.3 * inv, -inv, 0.3 / 0.25], rtol=1e-12
    )
    np.testing.assert_allclose(
        t.grad.numpy(), [np.inf, -np.inf, np.inf, -np.inf, np.inf, -np.log(1e-30), 0.0]
    )


def test_binary_cross_entropy_is_one_node_with_a_differentiable_backward() -> None:
    r = rng()
    x, t = leaf(r.uniform(0.05, 0.95, (3, 4))), leaf(r.uniform(0, 1, (3, 4)))
    w = const(r.uniform(0.2, 2.0, (4,)))
    loss = binary_cross_entropy(x, t, reduction="none")
    assert type(loss.grad_fn).__name__ == "FunctionCtx"
    assert ag.gradgradcheck(lambda a, b: binary_cross_entropy(a, b, w), [x, t])
    # d2L/dx2 = (x^2 - 2 x t + t) / (x (1 - x))^2 at an interior point
    a, b = leaf([0.5]), const([0.2])
    (g,) = ag.grad(binary_cross_entropy(a, b), [a], create_graph=True)
    (gg,) = ag.grad(g.sum(), [a])
    assert gg.tolist() == pytest.approx([(0.25 - 0.2 + 0.2) / 0.0625])


def test_binary_cross_entropy_keeps_small_float32_probabilities() -> None:
    # log1p(-x): 1 - 1e-8 rounds to 1 in float32, but the loss is 1e-8, not 0.
    x = tt.tensor([1e-8], requires_grad=True)
    loss = binary_cross_entropy(x, tt.tensor([0.0]), reduction="sum")
    assert loss.item() == pytest.approx(1e-8, rel=1e-6)


# ------------------------------------------------------------------ CE ignore_index >= C
def test_cross_entropy_ignores_an_ignore_index_that_is_not_a_class() -> None:
    r = rng()
    x = r.standard_normal((4, 3))
    y = np.array([0, 3, 2, 1])
    keep = y != 3
    for reduction in ("mean", "sum"):
        full = CrossEntropyLoss(ignore_index=3, reduction=reduction)(const(x), const(y))
        kept = cross_entropy(const(x[keep]), const(y[keep]), reduction=reduction)
        assert full.item() == pytest.approx(kept.item(), rel=1e-14)
    neg = cross_entropy(const(x), const(np.array([0, -1, 2, 1])), ignore_index=-1)
    assert neg.item() == pytest.approx(kept.item() / 3, rel=1e-14)
    with pytest.raises(IndexError, match="Target 3 is out of bounds"):
        cross_entropy(const(x), const(y), ignore_index=4)


@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")  # the NaNs
def test_zero_weight_sum_gives_nan_and_pytorchs_gradients() -> None:
    # Non-ignored targets of weight 0 divide their gradient by the zero total (NaN), ignored
    # targets get 0, and when every target is ignored every gradient is 0.
    logp = leaf(np.log(np.full((4, 3), 1 / 3)))
    w = const([0.0, 0.0, 1.0])
    loss = nll_loss(logp, const([0, 1, -100, 0]), weight=w)
    assert np.isnan(loss.item())
    loss.backward()
    g = logp.grad.numpy()
    assert np.isnan(g[[0, 1, 3], [0, 1, 0]]).all()
    assert np.count_nonzero(np.isnan(g)) == 3  # the ignored row and the other classes: 0
    assert not g[2].any()
    x = leaf(np.ones((3, 4)))
    loss = cross_entropy(x, const([-100, -100, -100]), weight=const(np.ones(4)))
    loss.backward()
    assert np.isnan(loss.item())
    assert not x.grad.numpy().any()


def test_nll_loss_of_integer_input_raises_not_implemented() -> None:
    with pytest.raises(NotImplementedError, match="nll_loss: expected a floating point input"):
        nll_loss(const([[-1, -2]]), const([0]))


def test_empty_batch_cross_entropy_backward_emits_no_warning() -> None:
    x = leaf(np.zeros((0, 4)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss = cross_entropy(x, const(np.zeros(0, np.int64)))
        loss.backward()
    assert np.isnan(loss.item())
    assert x.grad.shape == (0, 4)
