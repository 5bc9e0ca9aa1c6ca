"""Parity with PyTorch: BatchNorm1d/2d, LayerNorm, GroupNorm and their functional forms.

The same layer is built in both libraries with identical parameters and buffers; a few
training steps (forward, weighted-sum backward) and evaluation steps are run on the same
inputs, and outputs, input/weight/bias gradients and the running buffers are compared after
every step."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
import torch
from tt_parity import GRADIENTS

import tt_tensor as tt
from tt_nn.functional.normalization import batch_norm, group_norm, layer_norm
from tt_nn.modules.normalization import BatchNorm1d, BatchNorm2d, GroupNorm, LayerNorm

pytestmark = pytest.mark.parity

TT_NN = SimpleNamespace(
    BatchNorm1d=BatchNorm1d,
    BatchNorm2d=BatchNorm2d,
    LayerNorm=LayerNorm,
    GroupNorm=GroupNorm,
    batch_norm=batch_norm,
    layer_norm=layer_norm,
    group_norm=group_norm,
)
TORCH_NN = SimpleNamespace(
    BatchNorm1d=torch.nn.BatchNorm1d,
    BatchNorm2d=torch.nn.BatchNorm2d,
    LayerNorm=torch.nn.LayerNorm,
    GroupNorm=torch.nn.GroupNorm,
    batch_norm=torch.nn.functional.batch_norm,
    layer_norm=torch.nn.functional.layer_norm,
    group_norm=torch.nn.functional.group_norm,
)

# The suite's tolerances, for outputs, gradients and buffers alike.
TOL = GRADIENTS


def nn_of(m: Any) -> Any:
    return TT_NN if m is tt else TORCH_NN


def to_np(t: Any) -> np.ndarray[Any, Any]:
    return np.asarray(t.detach().numpy())


def assert_close(a: Any, b: Any, dtype: str, what: str) -> None:
    assert (a is None) == (b is None), f"{what}: tt {a!r}, torch {b!r}"
    if a is None:
        return
    assert tuple(a.shape) == tuple(b.shape), f"{what}: shape {a.shape} != {b.shape}"
    ga, gb = to_np(a), to_np(b)
    assert ga.dtype == gb.dtype, f"{what}: dtype {ga.dtype} != {gb.dtype}"
    if ga.dtype.kind == "f":
        rtol, atol = TOL[dtype]
        np.testing.assert_allclose(ga, gb, rtol=rtol, atol=atol, err_msg=what)
    else:
        np.testing.assert_array_equal(ga, gb, err_msg=what)


def build_pair(
    name: str, args: tuple[Any, ...], kwargs: dict[str, Any], dtype: str, seed: int = 0
) -> tuple[Any, Any]:
    """The same layer in tt and torch, with the same random parameters and buffers."""
    a = getattr(TT_NN, name)(*args, **kwargs)
    b = getattr(TORCH_NN, name)(*args, **kwargs)
    if dtype == "float64":
        a, b = a.double(), b.double()
    rng = np.random.default_rng(seed)
    sd_b = b.state_dict()
    new: dict[str, Any] = {}
    for key, val in a.state_dict().items():
        if key == "running_var":
            arr = rng.uniform(0.5, 2.0, tuple(val.shape)).astype(dtype)
        elif val.dtype.is_floating_point:
            arr = rng.standard_normal(tuple(val.shape)).astype(dtype)
        else:
            arr = np.asarray(rng.integers(0, 5), dtype=np.int64)
        new[key] = arr
    a.load_state_dict({k: tt.from_numpy(v.copy()) for k, v in new.items()})
    b.load_state_dict({k: torch.from_numpy(v.copy()) for k, v in new.items()})
    assert list(a.state_dict()) == list(sd_b), "state_dict keys differ"
    return a, b


def compare_layers(a: Any, b: Any, dtype: str, what: str) -> None:
    sa, sb = a.state_dict(keep_vars=True), b.state_dict(keep_vars=True)
    for key in sa:
        assert_close(sa[key], sb[key], dtype, f"{what}: {key}")
        if key in dict(a.named_parameters()):
            assert_close(sa[key].grad, sb[key].grad, dtype, f"{what}: {key}.grad")


def run_steps(a: Any, b: Any, shape: tuple[int, ...], dtype: str, steps: int = 3) -> None:
    """``steps`` training steps then ``steps`` evaluation steps on the same inputs."""
    rng = np.random.default_rng(1)
    for mode in ("train", "eval"):
        a.train(mode == "train")
        b.train(mode == "train")
        for step in range(steps):
            x = (rng.standard_normal(shape) * (step + 1) + step).astype(dtype)
            g = rng.standard_normal(shape).astype(dtype)
            xa = tt.from_numpy(x.copy()).requires_grad_()
            xb = torch.from_numpy(x.copy()).requires_grad_()
            ya, yb = a(xa), b(xb)
            what = f"{mode} step {step}"
            assert_close(ya, yb, dtype, f"{what}: output")
            (ya * tt.from_numpy(g)).sum().backward()
            (yb * torch.from_numpy(g)).sum().backward()
            assert_close(xa.grad, xb.grad, dtype, f"{what}: input grad")
            compare_layers(a, b, dtype, what)


DTYPES = ["float32", "float64"]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(6, 3), (4, 3, 5)])
@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"momentum": 0.3},
        {"momentum": None},
        {"affine": False},
        {"bias": False},
        {"track_running_stats": False},
        {"affine": False, "track_running_stats": False},
        {"eps": 1e-3},
    ],
)
def test_batch_norm_1d_matches_torch_over_training_and_eval_steps(
    dtype: str, shape: tuple[int, ...], kwargs: dict[str, Any]
) -> None:
    a, b = build_pair("BatchNorm1d", (3,), kwargs, dtype)
    run_steps(a, b, shape, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kwargs", [{}, {"momentum": None}, {"affine": False}])
def test_batch_norm_2d_matches_torch_over_training_and_eval_steps(
    dtype: str, kwargs: dict[str, Any]
) -> None:
    a, b = build_pair("BatchNorm2d", (3,), kwargs, dtype)
    run_steps(a, b, (4, 3, 3, 2), dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(
    ("args", "kwargs", "shape"),
    [
        ((5,), {}, (2, 3, 5)),
        (((3, 5),), {}, (2, 3, 5)),
        ((5,), {"elementwise_affine": False}, (4, 5)),
        ((5,), {"bias": False, "eps": 1e-3}, (4, 5)),
    ],
)
def test_layer_norm_matches_torch(
    dtype: str, args: tuple[Any, ...], kwargs: dict[str, Any], shape: tuple[int, ...]
) -> None:
    a, b = build_pair("LayerNorm", args, kwargs, dtype)
    run_steps(a, b, shape, dtype, steps=2)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(
    ("args", "kwargs", "shape"),
    [
        ((2, 6), {}, (3, 6, 4)),
        ((3, 6), {"affine": False}, (2, 6, 2, 2)),
        ((1, 4), {"bias": False}, (2, 4)),
        ((4, 4), {"eps": 1e-3}, (2, 4, 3)),
    ],
)
def test_group_norm_matches_torch(
    dtype: str, args: tuple[Any, ...], kwargs: dict[str, Any], shape: tuple[int, ...]
) -> None:
    a, b = build_pair("GroupNorm", args, kwargs, dtype)
    run_steps(a, b, shape, dtype, steps=2)


def test_default_initialisation_matches_torch() -> None:
    for name, args in [("BatchNorm2d", (3,)), ("LayerNorm", ((2, 3),)), ("GroupNorm", (2, 4))]:
        a, b = getattr(TT_NN, name)(*args), getattr(TORCH_NN, name)(*args)
        assert list(a.state_dict()) == list(b.state_dict())
        for key, val in a.state_dict().items():
            np.testing.assert_array_equal(val.numpy(), b.state_dict()[key].numpy(), err_msg=key)
        assert repr(a) == repr(b)


# --------------------------------------------------------------------------- functional forms
def test_functional_batch_norm_training_matches_torch_including_running_stats(
    check: Callable[..., Any], rand: Callable[..., Any]
) -> None:
    def expr(m: Any, x: Any, w: Any, b: Any) -> Any:
        rm, rv = m.zeros(3, dtype=m.float64), m.ones(3, dtype=m.float64)
        out = nn_of(m).batch_norm(x, rm, rv, w, b, training=True, momentum=0.2, eps=1e-4)
        return out, rm, rv

    check(
        expr,
        rand(5, 3, 2, dtype="float64"),
        rand(3, dtype="float64"),
        rand(3, dtype="float64"),
        grad=True,
    )


def test_functional_batch_norm_eval_matches_torch(
    check: Callable[..., Any], rand: Callable[..., Any]
) -> None:
    def expr(m: Any, x: Any, rm: Any, rv: Any, w: Any) -> Any:
        return nn_of(m).batch_norm(x, rm.detach(), rv.detach().abs(), w, None, training=False)

    check(expr, rand(4, 3), rand(3), rand(3), rand(3), grad=True)


def test_functional_layer_and_group_norm_match_torch(
    check: Callable[..., Any], rand: Callable[..., Any]
) -> None:
    check(
        lambda m, x, w, b: nn_of(m).layer_norm(x, [4], w, b),
        rand(3, 4),
        rand(4),
        rand(4),
        grad=True,
    )
    check(
        lambda m, x, w, b: nn_of(m).group_norm(x, 2, w, b, 1e-3),
        rand(2, 4, 3),
        rand(4),
        rand(4),
        grad=True,
    )


# --------------------------------------------------------------------------- errors
@pytest.mark.parametrize(
    ("make", "shape", "words"),
    [
        (lambda n: n.BatchNorm1d(3), (4,), ["BatchNorm1d", "2D or 3D", "1D"]),
        (lambda n: n.BatchNorm1d(3), (2, 3, 2, 2), ["BatchNorm1d", "2D or 3D", "4D"]),
        (lambda n: n.BatchNorm2d(3), (2, 3, 4), ["BatchNorm2d", "4D", "3D"]),
        (lambda n: n.BatchNorm2d(3), (2, 4, 2, 2), ["BatchNorm2d", "3 channels", "got 4"]),
        (lambda n: n.BatchNorm1d(3), (4, 5), ["BatchNorm1d", "3 channels", "got 5"]),
        (lambda n: n.BatchNorm1d(3), (1, 3), ["more than 1 value per channel", "(1, 3)"]),
        (lambda n: n.BatchNorm2d(3), (1, 3, 1, 1), ["more than 1 value per channel"]),
        (lambda n: n.LayerNorm(4), (2, 3), ["LayerNorm", "[*, 4]", "[2, 3]"]),
        (lambda n: n.GroupNorm(2, 4), (2, 6, 3), ["GroupNorm", "4 channels", "got 6"]),
        (lambda n: n.GroupNorm(2, 4), (4,), ["group_norm", "at least 2 dimensions", "1"]),
    ],
)
def test_bad_input_raises_like_torch(
    check_raises: Callable[..., Any],
    rand: Callable[..., Any],
    make: Callable[[Any], Any],
    shape: tuple[int, ...],
    words: list[str],
) -> None:
    e_tt, _ = check_raises(lambda m, x: make(nn_of(m))(x), rand(*shape))
    for w in words:
        assert w in str(e_tt), f"{w!r} not in {e_tt}"


def test_group_norm_with_indivisible_channels_raises_value_error_like_torch(
    check_raises: Callable[..., Any],
) -> None:
    e_tt, _ = check_raises(lambda m: nn_of(m).GroupNorm(4, 6))
    assert "GroupNorm" in str(e_tt)
    assert "(6)" in str(e_tt)
    assert "(4)" in str(e_tt)


@pytest.mark.parametrize(
    "expr",
    [
        lambda m, x: nn_of(m).batch_norm(x, None, None, training=False),
        lambda m, x: nn_of(m).batch_norm(x, None, None, m.ones(4), training=True),
        lambda m, x: nn_of(m).batch_norm(x, m.zeros(2), m.ones(2), training=True),
        lambda m, x: nn_of(m).layer_norm(x, [3], m.ones(4)),
        lambda m, x: nn_of(m).layer_norm(x, [5]),
        lambda m, x: nn_of(m).group_norm(x, 2),
        lambda m, x: nn_of(m).group_norm(x, 3, m.ones(2)),
    ],
)
def test_functional_bad_arguments_raise_like_torch(
    check_raises: Callable[..., Any], rand: Callable[..., Any], expr: Callable[..., Any]
) -> None:
    check_raises(expr, rand(4, 3))


def test_functional_batch_norm_of_integers_raises_like_torch(
    check_raises: Callable[..., Any], rand: Callable[..., Any]
) -> None:
    check_raises(
        lambda m, x: nn_of(m).batch_norm(x, None, None, training=True), rand(4, 3, dtype="int64")
    )


@pytest.mark.parametrize(
    ("make", "shape"),
    [
        (lambda n: n.BatchNorm1d(4), (3, 4)),
        (lambda n: n.BatchNorm1d(4).eval(), (3, 4)),
        (lambda n: n.BatchNorm1d(4, affine=False), (3, 4)),
        (lambda n: n.BatchNorm2d(4), (2, 4, 3, 3)),
        (lambda n: n.LayerNorm(4), (3, 4)),
        (lambda n: n.GroupNorm(2, 4), (3, 4)),
    ],
)
def test_float64_input_into_float32_norm_layers_raises_like_torch(
    check_raises: Callable[..., Any], rand: Callable[..., Any], make: Any, shape: Any
) -> None:
    e_tt, _ = check_raises(lambda m, x: make(nn_of(m))(x), rand(*shape, dtype="float64"))
    assert "mixed dtype" in str(e_tt)
    assert "float32" in str(e_tt)
    assert "float64" in str(e_tt)
    check_raises(lambda m, x: make(nn_of(m)).double()(x), rand(*shape))


@pytest.mark.parametrize(
    "make",
    [
        lambda n: n.BatchNorm1d(4),
        lambda n: n.BatchNorm1d(4).eval(),
        lambda n: n.LayerNorm(4),
        lambda n: n.GroupNorm(2, 4),
    ],
)
def test_float16_input_into_float32_norm_layers_gives_float16_like_torch(
    check: Callable[..., Any], rand: Callable[..., Any], make: Any
) -> None:
    # (float32 parameters and statistics: computed in float32, rounded once to float16)
    check(lambda m, x: make(nn_of(m))(x), rand(3, 4, dtype="float16"))


def test_norm_layers_without_parameters_accept_float64_like_torch(
    check: Callable[..., Any], rand: Callable[..., Any]
) -> None:
    x = rand(3, 4, dtype="float64")
    check(lambda m, t: nn_of(m).BatchNorm1d(4, affine=False, track_running_stats=False)(t), x)
    check(lambda m, t: nn_of(m).LayerNorm(4, elementwise_affine=False)(t), x)


def test_batch_norm_checkpoint_without_num_batches_tracked_loads_like_torch() -> None:
    results = []
    for n in (TT_NN, TORCH_NN):
        bn = n.BatchNorm1d(2)
        bn.num_batches_tracked.fill_(3)
        sd = dict(n.BatchNorm1d(2).state_dict())
        del sd["num_batches_tracked"]
        keys = bn.load_state_dict(sd)
        count = bn.num_batches_tracked.item()
        results.append((list(keys.missing_keys), list(keys.unexpected_keys), count))
    assert results[0] == results[1] == ([], [], 3)


@pytest.mark.parametrize("shape", [(0, 3), (0, 3, 4)])
def test_batch_norm_empty_batch_in_training_matches_torch(
    check: Callable[..., Any], rand: Callable[..., Any], shape: tuple[int, ...]
) -> None:
    mods = {m: nn_of(m).BatchNorm1d(3).double() for m in (tt, torch)}
    check(lambda m, x: mods[m](x), rand(*shape, dtype="float64"), grad=True)
    for key, value in mods[torch].state_dict().items():
        np.testing.assert_array_equal(mods[tt].state_dict()[key].numpy(), value.numpy())


@pytest.mark.parametrize("shape", [(1, 4), (1, 4, 1)])
def test_group_norm_with_one_value_per_statistic_raises_like_torch(
    check_raises: Callable[..., Any], rand: Callable[..., Any], shape: tuple[int, ...]
) -> None:
    e_tt, _ = check_raises(lambda m, x: nn_of(m).group_norm(x, 4), rand(*shape))
    assert "group_norm" in str(e_tt)
    assert "[1, 4" in str(e_tt)
    check_raises(lambda m, x: nn_of(m).GroupNorm(4, 4)(x), rand(*shape))
