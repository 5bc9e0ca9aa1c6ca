"""Every optimizer, with every combination of its options, against ``torch.optim``.

Each case builds the same parameters in both libraries, then for 100 steps assigns the same
gradient (drawn from a seeded NumPy generator) to ``p.grad`` in both and calls ``step()``.
The parameters and every state tensor must then agree.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest
import torch

import tt_autograd  # noqa: F401  (importing it turns gradient tracking on)
import tt_tensor as tt
from tt_nn.parameter import Parameter
from tt_optim.adadelta import Adadelta
from tt_optim.adagrad import Adagrad
from tt_optim.adam import Adam, AdamW
from tt_optim.rmsprop import RMSprop
from tt_optim.sgd import SGD

pytestmark = pytest.mark.parity

SHAPES = [(4, 3), (3,), ()]
STEPS = 100

# (rtol, atol) per dtype.  Both libraries compute the same formulas in the same order, but
# round a few operations differently: torch's ``lerp_`` and ``add_(x, alpha=a)`` may use one
# fused multiply-add where tt rounds the product first, and its vectorised kernels may round
# sqrt/div differently; each is an ulp per step.  float64: measured worst relative difference
# after 100 steps 4e-14, far inside the required 1e-6.  float32 (ulp 6e-8): measured worst
# absolute difference 1.6e-7 over parameters of size ~1, since 100 steps each add up to an ulp
# of the parameter; bound rtol 1e-5 with atol 1e-6 for coordinates that end near 0, where a
# relative bound means nothing.
TOL = {"float64": (1e-6, 1e-12), "float32": (1e-5, 1e-6)}


def product(**options: list[Any]) -> Iterator[dict[str, Any]]:
    """Every combination of the given option values."""
    keys = list(options)
    for values in itertools.product(*(options[k] for k in keys)):
        yield dict(zip(keys, values, strict=True))


def sgd_cases() -> Iterator[dict[str, Any]]:
    for kw in product(
        momentum=[0.0, 0.9],
        dampening=[0.0, 0.3],
        nesterov=[False, True],
        weight_decay=[0.0, 0.1],
        maximize=[False, True],
    ):
        if kw["nesterov"] and (kw["momentum"] == 0 or kw["dampening"] != 0):
            continue  # invalid: both libraries refuse it (tested below)
        yield {"lr": 0.01, **kw}


def adam_cases() -> Iterator[dict[str, Any]]:
    for kw in product(amsgrad=[False, True], weight_decay=[0.0, 0.1], maximize=[False, True]):
        yield {"lr": 0.01, "betas": (0.8, 0.95), **kw}


def rmsprop_cases() -> Iterator[dict[str, Any]]:
    for kw in product(
        momentum=[0.0, 0.8],
        centered=[False, True],
        weight_decay=[0.0, 0.1],
        maximize=[False, True],
    ):
        yield {"lr": 0.01, "alpha": 0.9, **kw}


def adagrad_cases() -> Iterator[dict[str, Any]]:
    for kw in product(
        lr_decay=[0.0, 0.01],
        weight_decay=[0.0, 0.1],
        initial_accumulator_value=[0.0, 0.5],
        maximize=[False, True],
    ):
        yield {"lr": 0.1, **kw}


def adadelta_cases() -> Iterator[dict[str, Any]]:
    for kw in product(weight_decay=[0.0, 0.1], maximize=[False, True], rho=[0.9, 0.5]):
        yield {"lr": 1.0, **kw}


CASES: list[tuple[type[Any], type[Any], dict[str, Any]]] = [
    *((SGD, torch.optim.SGD, kw) for kw in sgd_cases()),
    *((Adam, torch.optim.Adam, kw) for kw in adam_cases()),
    *((AdamW, torch.optim.AdamW, kw) for kw in adam_cases()),
    *((RMSprop, torch.optim.RMSprop, kw) for kw in rmsprop_cases()),
    *((Adagrad, torch.optim.Adagrad, kw) for kw in adagrad_cases()),
    *((Adadelta, torch.optim.Adadelta, kw) for kw in adadelta_cases()),
]


def case_id(case: tuple[type[Any], type[Any], dict[str, Any]]) -> str:
    cls, _, kw = case
    return cls.__name__ + "-" + ",".join(f"{k}={v}" for k, v in kw.items())


def twin_params(dtype: str, seed: int = 0) -> tuple[list[Parameter], list[torch.Tensor]]:
    """The same random parameters as tt Parameters and as torch leaf tensors."""
    rng = np.random.default_rng(seed)
    arrays = [rng.standard_normal(s).astype(dtype) for s in SHAPES]
    tt_ps = [Parameter(tt.from_numpy(a.copy())) for a in arrays]
    th_ps = [torch.from_numpy(a.copy()).requires_grad_() for a in arrays]
    return tt_ps, th_ps


def assign_grads(
    rng: np.random.Generator, tt_ps: list[Parameter], th_ps: list[torch.Tensor], dtype: str
) -> None:
    """Give each parameter pair the same fresh random gradient."""
    for a, b in zip(tt_ps, th_ps, strict=True):
        g = rng.standard_normal(tuple(b.shape)).astype(dtype)
        a.grad = tt.from_numpy(g.copy())
        b.grad = torch.from_numpy(g.copy())


def assert_close(got: Any, want: Any, dtype: str, where: str) -> None:
    rtol, atol = TOL[dtype]
    np.testing.assert_allclose(
        np.asarray(got), want.detach().numpy(), rtol=rtol, atol=atol, err_msg=where
    )


def assert_same_state(opt: Any, ref: torch.optim.Optimizer, dtype: str) -> None:
    """Parameters, and every per-parameter state entry, agree."""
    got, want = opt.state_dict(), ref.state_dict()
    assert sorted(got["state"]) == sorted(want["state"])
    for i, entries in want["state"].items():
        assert sorted(got["state"][i]) == sorted(entries), f"state keys of parameter {i}"
        for key, value in entries.items():
            if key == "step":  # a 0-d float32 count in both
                assert got["state"][i][key].item() == value.item()
            else:
                assert_close(got["state"][i][key].numpy(), value, dtype, f"state {i} {key}")


def run_both(
    make_tt: Callable[[list[Parameter]], Any],
    make_torch: Callable[[list[torch.Tensor]], torch.optim.Optimizer],
    dtype: str,
    steps: int = STEPS,
) -> None:
    tt_ps, th_ps = twin_params(dtype)
    opt, ref = make_tt(tt_ps), make_torch(th_ps)
    rng = np.random.default_rng(42)
    for step in range(steps):
        assign_grads(rng, tt_ps, th_ps, dtype)
        opt.step()
        ref.step()
        for i, (a, b) in enumerate(zip(tt_ps, th_ps, strict=True)):
            assert a.dtype.name == dtype
            assert_close(a.detach().numpy(), b, dtype, f"parameter {i} after step {step + 1}")
    assert_same_state(opt, ref, dtype)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_optimizer_matches_torch_over_100_steps(
    case: tuple[type[Any], type[Any], dict[str, Any]], dtype: str
) -> None:
    cls, torch_cls, kw = case
    run_both(lambda ps: cls(ps, **kw), lambda ps: torch_cls(ps, **kw), dtype)


@pytest.mark.parametrize(
    ("cls", "torch_cls"),
    [
        (SGD, torch.optim.SGD),
        (Adam, torch.optim.Adam),
        (AdamW, torch.optim.AdamW),
        (RMSprop, torch.optim.RMSprop),
        (Adagrad, torch.optim.Adagrad),
        (Adadelta, torch.optim.Adadelta),
    ],
)
def test_default_hyperparameters_match_torch(cls: type[Any], torch_cls: type[Any]) -> None:
    run_both(lambda ps: cls(ps), lambda ps: torch_cls(ps), "float64", steps=20)
    tt_ps, th_ps = twin_params("float64")
    got, want = cls(tt_ps).param_groups[0], torch_cls(th_ps).param_groups[0]
    for key, value in got.items():
        if key != "params":
            assert want[key] == value, key


def test_param_groups_with_their_own_options_match_torch() -> None:
    def groups(ps: list[Any]) -> list[dict[str, Any]]:
        return [
            {"params": ps[:1], "lr": 0.05, "momentum": 0.5},
            {"params": ps[1:], "weight_decay": 0.2, "nesterov": True},
        ]

    kw: dict[str, Any] = {"lr": 0.01, "momentum": 0.9}
    run_both(
        lambda ps: SGD(groups(ps), **kw), lambda ps: torch.optim.SGD(groups(ps), **kw), "float64"
    )


def test_parameters_without_grad_are_skipped_like_torch() -> None:
    tt_ps, th_ps = twin_params("float64")
    opt, ref = Adam(tt_ps, lr=0.1), torch.optim.Adam(th_ps, lr=0.1)
    rng = np.random.default_rng(3)
    for step in range(30):
        assign_grads(rng, tt_ps, th_ps, "float64")
        if step % 3 == 0:  # the first parameter gets no gradient on every third step
            tt_ps[0].grad, th_ps[0].grad = None, None
        opt.step()
        ref.step()
    for a, b in zip(tt_ps, th_ps, strict=True):
        assert_close(a.detach().numpy(), b, "float64", "parameter")
    assert_same_state(opt, ref, "float64")


def test_closure_loss_and_update_match_torch() -> None:
    x = np.random.default_rng(5).standard_normal((8, 3))
    tt_ps, th_ps = twin_params("float64")
    opt, ref = SGD(tt_ps[1:2], lr=0.1), torch.optim.SGD(th_ps[1:2], lr=0.1)

    def closure(m: Any, w: Any, opt: Any) -> Any:
        def run() -> Any:
            opt.zero_grad()
            loss = ((m.from_numpy(x) @ w) ** 2).mean()
            loss.backward()
            return loss

        return run

    for _ in range(5):
        got = opt.step(closure(tt, tt_ps[1], opt))
        want = ref.step(closure(torch, th_ps[1], ref))
        assert got.item() == pytest.approx(want.item(), rel=1e-12)
    assert_close(tt_ps[1].detach().numpy(), th_ps[1], "float64", "parameter")


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda m, ps: m.SGD(ps, lr=-1), "Invalid learning rate: -1"),
        (lambda m, ps: m.SGD(ps, momentum=-0.5), "Invalid momentum value: -0.5"),
        (lambda m, ps: m.SGD(ps, weight_decay=-1e-3), "Invalid weight_decay value: -0.001"),
        (lambda m, ps: m.SGD(ps, nesterov=True), "Nesterov momentum requires"),
        (lambda m, ps: m.SGD(ps, momentum=0.9, nesterov=True, dampening=0.1), "Nesterov"),
        (lambda m, ps: m.Adam(ps, lr=-0.1), "Invalid learning rate: -0.1"),
        (lambda m, ps: m.Adam(ps, eps=-1.0), "Invalid epsilon value: -1.0"),
        (lambda m, ps: m.Adam(ps, betas=(1.0, 0.9)), "Invalid beta parameter at index 0: 1.0"),
        (lambda m, ps: m.Adam(ps, betas=(0.9, -0.1)), "Invalid beta parameter at index 1: -0.1"),
        (lambda m, ps: m.AdamW(ps, weight_decay=-1.0), "Invalid weight_decay value: -1.0"),
        (lambda m, ps: m.RMSprop(ps, alpha=-0.1), "Invalid alpha value: -0.1"),
        (lambda m, ps: m.RMSprop(ps, momentum=-1.0), "Invalid momentum value: -1.0"),
        (lambda m, ps: m.RMSprop(ps, eps=-1.0), "Invalid epsilon value: -1.0"),
        (lambda m, ps: m.Adagrad(ps, lr_decay=-1.0), "Invalid lr_decay value: -1.0"),
        (
            lambda m, ps: m.Adagrad(ps, initial_accumulator_value=-1.0),
            "Invalid initial_accumulator_value value: -1.0",
        ),
        (lambda m, ps: m.Adadelta(ps, rho=1.5), "Invalid rho value: 1.5"),
        (lambda m, ps: m.Adadelta(ps, lr=-1.0), "Invalid learning rate: -1.0"),
        (lambda m, ps: m.Adadelta(ps, weight_decay=-1.0), "Invalid weight_decay value: -1.0"),
        (lambda m, ps: m.SGD([], lr=0.1), "optimizer got an empty parameter list"),
        (
            lambda m, ps: m.SGD([{"params": ps[:2]}, {"params": ps[1:]}], lr=0.1),
            "some parameters appear in more than one parameter group",
        ),
        (
            lambda m, ps: m.SGD([("w", ps[0]), ps[1]], lr=0.1),
            "all optimizer params should be with/without names. Some param names are missing",
        ),
        (
            lambda m, ps: m.SGD([{"params": [("w", ps[0])]}, {"params": ps[1:]}], lr=0.1),
            "cannot add param group without names to the optimizer",
        ),
        (
            lambda m, ps: m.SGD(ps[:1], lr=0.1).add_param_group({"params": [("w", ps[1])]}),
            "cannot add param group with names to the optimizer",
        ),
    ],
)
def test_bad_hyperparameters_raise_value_error_with_torchs_message(
    make: Callable[[Any, list[Any]], Any], message: str
) -> None:
    import tt_optim

    tt_ps, th_ps = twin_params("float64")
    with pytest.raises(ValueError, match=message) as tt_err:
        make(tt_optim, tt_ps)
    with pytest.raises(ValueError, match=message) as torch_err:
        make(torch.optim, th_ps)
    assert str(tt_err.value) == str(torch_err.value)


def test_a_tensor_as_params_raises_type_error_like_torch() -> None:
    with pytest.raises(TypeError, match="iterable of Tensors or dicts"):
        SGD(Parameter(tt.zeros(2)), lr=0.1)
    with pytest.raises(TypeError, match="iterable of Tensors or dicts"):
        torch.optim.SGD(torch.zeros(2, requires_grad=True), lr=0.1)


def test_state_dict_structure_matches_torch() -> None:
    tt_ps, th_ps = twin_params("float64")
    tt_groups: list[dict[str, Any]] = [{"params": tt_ps[:2]}, {"params": tt_ps[2:], "lr": 0.5}]
    th_groups: list[dict[str, Any]] = [{"params": th_ps[:2]}, {"params": th_ps[2:], "lr": 0.5}]
    opt, ref = Adam(tt_groups, lr=0.1), torch.optim.Adam(th_groups, lr=0.1)
    rng = np.random.default_rng(0)
    assign_grads(rng, tt_ps, th_ps, "float64")
    opt.step()
    ref.step()
    got, want = opt.state_dict(), ref.state_dict()
    assert [g["params"] for g in got["param_groups"]] == [[0, 1], [2]]
    assert [g["params"] for g in want["param_groups"]] == [[0, 1], [2]]
    for g, w in zip(got["param_groups"], want["param_groups"], strict=True):
        assert dict(g.items()) == {k: w[k] for k in g}
    assert_same_state(opt, ref, "float64")


@pytest.mark.parametrize(
    ("cls", "torch_cls"),
    [
        (SGD, torch.optim.SGD),
        (Adam, torch.optim.Adam),
        (RMSprop, torch.optim.RMSprop),
        (Adagrad, torch.optim.Adagrad),
        (Adadelta, torch.optim.Adadelta),
    ],
)
def test_a_group_added_with_add_param_group_steps_like_torch(
    cls: type[Any], torch_cls: type[Any]
) -> None:
    def make(opt_cls: type[Any]) -> Callable[[list[Any]], Any]:
        def build(ps: list[Any]) -> Any:
            opt = opt_cls(ps[:1], lr=0.1)
            opt.add_param_group({"params": ps[1:], "lr": 0.05})  # state created on step 1
            return opt

        return build

    run_both(make(cls), make(torch_cls), "float64", steps=20)


def test_adagrad_uses_the_constructors_initial_accumulator_value_for_every_group_like_torch() -> (
    None
):
    def build(opt_cls: type[Any]) -> Callable[[list[Any]], Any]:
        def make(ps: list[Any]) -> Any:
            groups = [{"params": ps[:1]}, {"params": ps[1:2], "initial_accumulator_value": 5.0}]
            opt = opt_cls(groups, lr=0.1, initial_accumulator_value=0.5)
            opt.add_param_group({"params": ps[2:], "initial_accumulator_value": 2.0})
            return opt

        return make

    run_both(build(Adagrad), build(torch.optim.Adagrad), "float64", steps=10)


def _named(ps: list[Any]) -> list[tuple[str, Any]]:
    return [(f"p{i}", p) for i, p in enumerate(ps)]


def test_named_parameters_give_the_same_groups_state_dict_and_updates_as_torch() -> None:
    def build(opt_cls: type[Any]) -> Callable[[list[Any]], Any]:
        def make(ps: list[Any]) -> Any:
            named = _named(ps)
            opt = opt_cls([{"params": named[:2], "lr": 0.05}], lr=0.1, momentum=0.9)
            opt.add_param_group({"params": named[2:]})
            return opt

        return make

    run_both(build(SGD), build(torch.optim.SGD), "float64", steps=5)
    tt_ps, th_ps = twin_params("float64")
    got = build(SGD)(tt_ps).state_dict()
    want = build(torch.optim.SGD)(th_ps).state_dict()
    assert [g["param_names"] for g in got["param_groups"]] == [["p0", "p1"], ["p2"]]
    for g, w in zip(got["param_groups"], want["param_groups"], strict=True):
        assert list(g) == [k for k in w if k in g]  # the same keys in the same order
        assert dict(g.items()) == {k: w[k] for k in g}


def test_load_state_dict_takes_saved_param_names_or_keeps_its_own_like_torch() -> None:
    import tt_optim

    tt_ps, th_ps = twin_params("float64")
    results = []
    for mod, ps in ((tt_optim, tt_ps), (torch.optim, th_ps)):
        unnamed = mod.SGD(ps, lr=0.5)
        unnamed.load_state_dict(mod.SGD(_named(ps), lr=0.1).state_dict())
        named = mod.SGD(_named(ps), lr=0.5)
        named.load_state_dict(mod.SGD(ps, lr=0.2).state_dict())
        renamed = mod.SGD(_named(ps), lr=0.5)
        renamed.load_state_dict(mod.SGD([(n + "!", p) for n, p in _named(ps)]).state_dict())
        groups = (*unnamed.param_groups, *named.param_groups, *renamed.param_groups)
        results.append([(g["param_names"], g["lr"]) for g in groups])
    assert results[0] == results[1]
    assert results[0] == [
        (["p0", "p1", "p2"], 0.1),  # the saved names are taken
        (["p0", "p1", "p2"], 0.2),  # none saved: the optimizer's stay
        (["p0!", "p1!", "p2!"], 0.001),  # saved names replace the optimizer's
    ]
