"""Batch, layer and group normalization: gradients (gradcheck, float64), running statistics,
modes, buffers, initialisation and errors."""

from __future__ import annotations

import numpy as np
import pytest

import tt_autograd as ag
import tt_tensor as tt
from tt_nn.functional.normalization import batch_norm, group_norm, layer_norm
from tt_nn.modules.normalization import BatchNorm1d, BatchNorm2d, GroupNorm, LayerNorm


def present(t: tt.Tensor | None) -> tt.Tensor:
    """``t``, which the test expects to exist (a buffer, parameter or gradient)."""
    assert t is not None
    return t


def leaf(*shape: int, seed: int = 0, scale: float = 1.0, shift: float = 0.0) -> tt.Tensor:
    rng = np.random.default_rng(seed)
    arr = rng.standard_normal(shape) * scale + shift
    return tt.from_numpy(arr).requires_grad_()


# --------------------------------------------------------------------------- gradcheck
@pytest.mark.parametrize("shape", [(5, 3), (4, 3, 2), (2, 3, 2, 2)])
def test_batch_norm_training_gradients_match_finite_differences(shape: tuple[int, ...]) -> None:
    x, w, b = leaf(*shape), leaf(3, seed=1), leaf(3, seed=2)
    assert ag.gradcheck(lambda x, w, b: batch_norm(x, None, None, w, b, training=True), [x, w, b])


def test_batch_norm_training_without_affine_gradients_match_finite_differences() -> None:
    x = leaf(4, 3, 2)
    rm, rv = tt.zeros(3, dtype=tt.float64), tt.ones(3, dtype=tt.float64)
    assert ag.gradcheck(lambda x: batch_norm(x, rm, rv, training=True), [x])


def test_batch_norm_eval_gradients_match_finite_differences() -> None:
    x, w, b = leaf(4, 3, 2), leaf(3, seed=1), leaf(3, seed=2)
    rm = tt.from_numpy(np.array([0.5, -1.0, 2.0]))
    rv = tt.from_numpy(np.array([1.5, 0.25, 4.0]))
    assert ag.gradcheck(lambda x, w, b: batch_norm(x, rm, rv, w, b, training=False), [x, w, b])


@pytest.mark.parametrize("affine", [True, False])
@pytest.mark.parametrize("training", [True, False])
def test_batch_norm_module_gradients_match_finite_differences(affine: bool, training: bool) -> None:
    bn = BatchNorm2d(3, affine=affine).double().train(training)
    with ag.no_grad():
        present(bn.running_mean).copy_(tt.tensor([0.1, -0.2, 0.3], dtype=tt.float64))
        present(bn.running_var).copy_(tt.tensor([0.5, 2.0, 1.5], dtype=tt.float64))
    assert ag.gradcheck(bn, [leaf(2, 3, 2, 2)])


def test_batch_norm_module_parameter_gradients_match_finite_differences() -> None:
    bn = BatchNorm1d(3).double()
    x = leaf(5, 3)

    def f(w: tt.Tensor, b: tt.Tensor) -> tt.Tensor:
        return batch_norm(x, None, None, w, b, training=True) * x  # non-trivial in w, b

    assert ag.gradcheck(f, [bn.weight, bn.bias])


@pytest.mark.parametrize("normalized_shape", [(4,), (3, 4)])
def test_layer_norm_gradients_match_finite_differences(normalized_shape: tuple[int, ...]) -> None:
    x, w, b = leaf(2, 3, 4), leaf(*normalized_shape, seed=1), leaf(*normalized_shape, seed=2)
    assert ag.gradcheck(lambda x, w, b: layer_norm(x, normalized_shape, w, b), [x, w, b])


def test_layer_norm_without_affine_gradients_match_finite_differences() -> None:
    ln = LayerNorm(4, elementwise_affine=False).double()
    assert ag.gradcheck(ln, [leaf(3, 4)])


@pytest.mark.parametrize("groups", [1, 2, 4])
def test_group_norm_gradients_match_finite_differences(groups: int) -> None:
    x, w, b = leaf(2, 4, 3), leaf(4, seed=1), leaf(4, seed=2)
    assert ag.gradcheck(lambda x, w, b: group_norm(x, groups, w, b), [x, w, b])


def test_group_norm_without_affine_gradients_match_finite_differences() -> None:
    gn = GroupNorm(2, 4, affine=False).double()
    assert ag.gradcheck(gn, [leaf(2, 4, 2, 2)])


# --------------------------------------------------------------------------- values
def test_batch_norm_training_output_has_zero_mean_and_unit_biased_variance_per_channel() -> None:
    x = leaf(8, 3, 5, scale=3.0, shift=2.0)
    y = BatchNorm1d(3).double()(x).detach().numpy()
    np.testing.assert_allclose(y.mean(axis=(0, 2)), 0.0, atol=1e-12)
    np.testing.assert_allclose(y.var(axis=(0, 2)), 1.0, rtol=1e-4)  # eps = 1e-5 shrinks it


def test_layer_norm_normalizes_each_example_over_trailing_dims() -> None:
    x = leaf(3, 2, 4, scale=5.0, shift=-1.0)
    y = LayerNorm((2, 4), eps=0.0).double()(x).detach().numpy()
    np.testing.assert_allclose(y.mean(axis=(1, 2)), 0.0, atol=1e-12)
    np.testing.assert_allclose(y.var(axis=(1, 2)), 1.0, rtol=1e-12)


def test_group_norm_normalizes_each_group_of_each_example() -> None:
    x = leaf(2, 6, 3, scale=4.0, shift=3.0)
    y = GroupNorm(3, 6, eps=0.0).double()(x).detach().numpy().reshape(2, 3, 6)
    np.testing.assert_allclose(y.mean(axis=2), 0.0, atol=1e-12)
    np.testing.assert_allclose(y.var(axis=2), 1.0, rtol=1e-12)


def test_group_norm_with_one_group_per_channel_is_instance_norm() -> None:
    x = leaf(2, 3, 4)
    got = group_norm(x, 3).detach().numpy()
    a = x.detach().numpy()
    want = (a - a.mean(2, keepdims=True)) / np.sqrt(a.var(2, keepdims=True) + 1e-5)
    np.testing.assert_allclose(got, want, rtol=1e-12)


# --------------------------------------------------------------------------- running statistics
def test_running_stats_after_several_steps_follow_the_momentum_formula() -> None:
    bn = BatchNorm2d(3, momentum=0.3).double()
    mean, var = np.zeros(3), np.ones(3)
    for step in range(4):
        x = leaf(4, 3, 2, 2, seed=step, scale=step + 1.0, shift=step)
        bn(x)
        a = x.detach().numpy()
        mean = 0.7 * mean + 0.3 * a.mean(axis=(0, 2, 3))
        var = 0.7 * var + 0.3 * a.var(axis=(0, 2, 3), ddof=1)  # unbiased
    np.testing.assert_allclose(present(bn.running_mean).numpy(), mean, rtol=1e-12)
    np.testing.assert_allclose(present(bn.running_var).numpy(), var, rtol=1e-12)
    assert present(bn.num_batches_tracked).item() == 4
    assert present(bn.num_batches_tracked).dtype == tt.int64


def test_momentum_none_gives_the_cumulative_average_of_batch_statistics() -> None:
    bn = BatchNorm1d(2, momentum=None).double()
    xs = [leaf(5, 2, seed=s, shift=s) for s in range(3)]
    for x in xs:
        bn(x)
    arrs = [x.detach().numpy() for x in xs]
    np.testing.assert_allclose(
        present(bn.running_mean).numpy(), np.mean([a.mean(0) for a in arrs], 0)
    )
    np.testing.assert_allclose(
        present(bn.running_var).numpy(), np.mean([a.var(0, ddof=1) for a in arrs], 0)
    )


def test_running_stats_are_updated_in_place_outside_the_graph() -> None:
    bn = BatchNorm1d(3).double()
    rm = bn.running_mean
    bn(leaf(4, 3))
    assert bn.running_mean is rm
    assert not rm.requires_grad
    assert rm.grad_fn is None
    assert not present(bn.running_var).requires_grad
    assert present(bn.running_var).grad_fn is None


def test_eval_mode_uses_running_stats_and_does_not_update_them() -> None:
    bn = BatchNorm1d(2).double()
    with ag.no_grad():
        present(bn.running_mean).copy_(tt.tensor([1.0, -2.0], dtype=tt.float64))
        present(bn.running_var).copy_(tt.tensor([4.0, 0.25], dtype=tt.float64))
        present(bn.weight).copy_(tt.tensor([2.0, 3.0], dtype=tt.float64))
        present(bn.bias).copy_(tt.tensor([0.5, -0.5], dtype=tt.float64))
    bn.eval()
    x = leaf(3, 2)
    y = bn(x).detach().numpy()
    a = x.detach().numpy()
    want = (a - [1.0, -2.0]) / np.sqrt(np.array([4.0, 0.25]) + 1e-5) * [2.0, 3.0] + [0.5, -0.5]
    np.testing.assert_allclose(y, want, rtol=1e-12)
    assert present(bn.running_mean).tolist() == [1.0, -2.0]
    assert present(bn.num_batches_tracked).item() == 0


def test_eval_mode_accepts_a_single_value_per_channel() -> None:
    assert BatchNorm1d(3).eval()(tt.randn(1, 3)).shape == (1, 3)


def test_without_running_stats_batch_statistics_are_used_in_eval_mode_too() -> None:
    bn = BatchNorm1d(3, track_running_stats=False).double().eval()
    x = leaf(6, 3, scale=2.0, shift=1.0)
    y = bn(x).detach().numpy()
    np.testing.assert_allclose(y.mean(0), 0.0, atol=1e-12)
    assert bn.running_mean is None
    assert bn.num_batches_tracked is None


def test_functional_batch_norm_updates_given_running_stats_in_training() -> None:
    x = leaf(4, 2)
    rm, rv = tt.zeros(2, dtype=tt.float64), tt.ones(2, dtype=tt.float64)
    batch_norm(x, rm, rv, training=True, momentum=0.5)
    a = x.detach().numpy()
    np.testing.assert_allclose(rm.numpy(), 0.5 * a.mean(0), rtol=1e-12)
    np.testing.assert_allclose(rv.numpy(), 0.5 + 0.5 * a.var(0, ddof=1), rtol=1e-12)


def test_float32_running_stats_stay_float32() -> None:
    bn = BatchNorm1d(3)
    bn(tt.randn(4, 3))
    assert present(bn.running_mean).dtype == tt.float32
    assert present(bn.running_var).dtype == tt.float32


# --------------------------------------------------------------------------- state and init
def test_state_dict_holds_parameters_and_buffers_with_torch_names() -> None:
    assert list(BatchNorm2d(3).state_dict()) == [
        "weight",
        "bias",
        "running_mean",
        "running_var",
        "num_batches_tracked",
    ]
    assert list(BatchNorm1d(3, affine=False).state_dict()) == [
        "running_mean",
        "running_var",
        "num_batches_tracked",
    ]
    assert list(BatchNorm1d(3, track_running_stats=False).state_dict()) == ["weight", "bias"]
    assert list(LayerNorm(3, bias=False).state_dict()) == ["weight"]
    assert list(GroupNorm(1, 3).state_dict()) == ["weight", "bias"]


def test_state_dict_round_trip_restores_running_stats() -> None:
    a, b = BatchNorm1d(2), BatchNorm1d(2)
    for _ in range(3):
        a(tt.randn(4, 2))
    b.load_state_dict(a.state_dict())
    assert present(b.running_mean).tolist() == present(a.running_mean).tolist()
    assert present(b.running_var).tolist() == present(a.running_var).tolist()
    assert present(b.num_batches_tracked).item() == 3


def test_reset_parameters_sets_weight_one_bias_zero_and_resets_running_stats() -> None:
    bn = BatchNorm1d(3)
    with ag.no_grad():
        present(bn.weight).fill_(5.0)
        present(bn.bias).fill_(5.0)
    bn(tt.randn(4, 3))
    bn.reset_parameters()
    assert present(bn.weight).tolist() == [1.0] * 3
    assert present(bn.bias).tolist() == [0.0] * 3
    assert present(bn.running_mean).tolist() == [0.0] * 3
    assert present(bn.running_var).tolist() == [1.0] * 3
    assert present(bn.num_batches_tracked).item() == 0


def test_reset_running_stats_keeps_the_parameters() -> None:
    bn = BatchNorm1d(2)
    with ag.no_grad():
        present(bn.weight).fill_(3.0)
    bn(tt.randn(4, 2))
    bn.reset_running_stats()
    assert present(bn.weight).tolist() == [3.0, 3.0]
    assert present(bn.running_mean).tolist() == [0.0, 0.0]
    assert present(bn.num_batches_tracked).item() == 0


def test_layer_and_group_norm_start_as_identity_affine_maps() -> None:
    ln, gn = LayerNorm((2, 3)), GroupNorm(2, 4)
    assert present(ln.weight).tolist() == [[1.0] * 3] * 2
    assert present(ln.bias).tolist() == [[0.0] * 3] * 2
    assert present(gn.weight).tolist() == [1.0] * 4
    assert present(gn.bias).tolist() == [0.0] * 4
    assert ln.normalized_shape == (2, 3)


def test_parameters_require_grad_and_buffers_do_not() -> None:
    bn = BatchNorm1d(3)
    assert [n for n, _ in bn.named_parameters()] == ["weight", "bias"]
    assert all(p.requires_grad for p in bn.parameters())
    assert not any(b.requires_grad for b in bn.buffers())


def test_repr_shows_the_settings_like_torch() -> None:
    assert repr(BatchNorm1d(3)) == (
        "BatchNorm1d(3, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)"
    )
    assert repr(LayerNorm(3)) == "LayerNorm((3,), eps=1e-05, elementwise_affine=True, bias=True)"
    assert repr(GroupNorm(2, 4)) == "GroupNorm(2, 4, eps=1e-05, affine=True, bias=True)"


# --------------------------------------------------------------------------- errors
def test_batch_norm_training_with_one_value_per_channel_raises_before_counting() -> None:
    bn = BatchNorm1d(3)
    with pytest.raises(ValueError, match="Expected more than 1 value per channel when training"):
        bn(tt.randn(1, 3))
    assert present(bn.num_batches_tracked).item() == 0


@pytest.mark.parametrize(
    ("layer", "shape"), [(BatchNorm1d, (4,)), (BatchNorm1d, (2, 3, 2, 2)), (BatchNorm2d, (2, 3, 4))]
)
def test_batch_norm_wrong_rank_raises_value_error_naming_layer(
    layer: type[BatchNorm1d], shape: tuple[int, ...]
) -> None:
    with pytest.raises(ValueError, match=f"{layer.__name__}: expected .* got {len(shape)}D"):
        layer(3)(tt.randn(*shape))


def test_batch_norm_wrong_channels_raises_runtime_error_naming_layer() -> None:
    with pytest.raises(RuntimeError, match=r"BatchNorm2d: expected input with 3 channels .* got 4"):
        BatchNorm2d(3)(tt.randn(2, 4, 2, 2))


def test_functional_batch_norm_eval_without_running_stats_raises() -> None:
    with pytest.raises(RuntimeError, match="running_mean must be defined in evaluation mode"):
        batch_norm(tt.randn(4, 3), None, None, training=False)


def test_layer_norm_shape_mismatch_raises_runtime_error() -> None:
    with pytest.raises(RuntimeError, match=r"LayerNorm: expected input with shape \[\*, 4\]"):
        LayerNorm(4)(tt.randn(2, 3))
    with pytest.raises(RuntimeError, match=r"layer_norm: given normalized_shape=\[4\]"):
        layer_norm(tt.randn(2, 3), (4,))


def test_group_norm_indivisible_channels_raise_value_error_in_the_module() -> None:
    with pytest.raises(
        ValueError, match=r"num_channels \(6\) must be divisible by num_groups \(4\)"
    ):
        GroupNorm(4, 6)
    with pytest.raises(RuntimeError, match="divisible by num_groups"):
        group_norm(tt.randn(2, 6, 3), 4)


def test_integer_input_is_rejected() -> None:
    with pytest.raises(NotImplementedError, match="batch_norm: not implemented for int64"):
        batch_norm(tt.ones(4, 3, dtype=tt.int64), None, None, training=True)


@pytest.mark.parametrize(
    "make",
    [
        lambda: BatchNorm1d(4),
        lambda: BatchNorm1d(4).eval(),
        lambda: BatchNorm1d(4, affine=False),
        lambda: LayerNorm(4),
        lambda: GroupNorm(2, 4),
    ],
)
def test_norm_layers_reject_an_input_of_another_dtype(make: object) -> None:
    layer = make()  # type: ignore[operator]
    with pytest.raises(RuntimeError, match=r"mixed dtype: expected .* dtype float64, got float32"):
        layer(tt.zeros(3, 4, dtype=tt.float64))
    assert layer.double()(tt.ones(3, 4, dtype=tt.float64)).dtype == tt.float64


def test_norm_without_parameters_or_statistics_accepts_any_float_dtype() -> None:
    x = tt.ones(3, 4, dtype=tt.float64)
    assert BatchNorm1d(4, affine=False, track_running_stats=False)(x).dtype == tt.float64
    assert LayerNorm(4, elementwise_affine=False)(x).dtype == tt.float64


@pytest.mark.parametrize("shape", [(0, 3), (0, 3, 4)])
def test_empty_batch_in_training_gives_an_empty_output_and_keeps_the_statistics(
    shape: tuple[int, ...],
) -> None:
    bn = BatchNorm1d(3).double()
    x = tt.zeros(*shape, dtype=tt.float64).requires_grad_()
    y = bn(x)
    assert y.shape == shape
    y.sum().backward()
    assert present(x.grad).shape == shape
    assert present(bn.running_mean).tolist() == [0.0, 0.0, 0.0]
    assert present(bn.running_var).tolist() == [1.0, 1.0, 1.0]
    assert int(present(bn.num_batches_tracked)) == 1  # the batch is counted, as in PyTorch
    rm, rv = tt.zeros(3, dtype=tt.float64), tt.ones(3, dtype=tt.float64)
    batch_norm(tt.zeros(*shape, dtype=tt.float64), rm, rv, training=True)
    assert (rm.tolist(), rv.tolist()) == ([0.0] * 3, [1.0] * 3)


def test_group_norm_with_one_value_per_statistic_raises_value_error() -> None:
    # PyTorch's check: N * C / G * spatial == 1 (here N = 1 and one channel per group)
    with pytest.raises(ValueError, match="group_norm: Expected more than 1 value per channel"):
        group_norm(tt.randn(1, 4), 4)
    with pytest.raises(ValueError, match=r"input of shape \[1, 4, 1\] in 4 groups"):
        GroupNorm(4, 4)(tt.randn(1, 4, 1))
    assert group_norm(tt.randn(2, 4), 4).shape == (2, 4)  # N * C / G = 2: allowed
    # checked before the divisibility of C by G, as in PyTorch
    with pytest.raises(ValueError, match="group_norm: Expected more than 1 value per channel"):
        group_norm(tt.randn(1, 3), 2)
    assert group_norm(tt.randn(1, 4, 2), 4).shape == (1, 4, 2)


def test_group_norm_of_an_empty_batch_is_empty() -> None:
    # PyTorch returns an empty output (the reshape must not infer a size from 0 elements)
    x = tt.zeros(0, 4, 3, requires_grad=True)
    out = GroupNorm(2, 4)(x)
    assert out.shape == (0, 4, 3)
    out.sum().backward()
    assert present(x.grad).shape == (0, 4, 3)


def test_a_batch_norm_call_that_fails_in_batch_norm_leaves_the_count() -> None:
    # the count is taken after batch_norm's own checks (here: a float64 input, float32 buffers)
    bn = BatchNorm1d(3)
    with pytest.raises(RuntimeError):
        bn(tt.randn(4, 3, dtype=tt.float64))
    assert present(bn.num_batches_tracked).item() == 0
    bn = BatchNorm1d(3, momentum=None)  # cumulative average: this batch weighs 1 / count
    x = tt.randn(4, 3)
    bn(x)
    bn(x * 3)
    assert present(bn.num_batches_tracked).item() == 2
    want = (x.mean(0) + (x * 3).mean(0)) / 2
    np.testing.assert_allclose(present(bn.running_mean).numpy(), want.numpy(), rtol=1e-5)
