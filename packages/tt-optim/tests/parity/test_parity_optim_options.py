"""PyTorch's implementation options (``foreach``, ``fused``, ``capturable``,
``differentiable``) against ``torch.optim``: the same signatures and defaults, the same
``param_groups`` and ``state_dict()["param_groups"]`` keys, ``foreach`` ignored (the updates
still match torch's), and a clear error for the options tt cannot honour."""

from __future__ import annotations

import inspect
import re
from typing import Any

import numpy as np
import pytest
import torch

import tt_autograd  # noqa: F401  (importing it turns gradient tracking on)
import tt_optim
import tt_tensor as tt
from tt_nn.parameter import Parameter

pytestmark = pytest.mark.parity

NAMES = ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta"]
OPTIONS = ("foreach", "fused", "capturable", "differentiable")


def pair(name: str) -> tuple[type[Any], type[Any]]:
    return getattr(tt_optim, name), getattr(torch.optim, name)


def twins(seed: int = 0) -> tuple[list[Parameter], list[torch.Tensor]]:
    rng = np.random.default_rng(seed)
    values = [rng.standard_normal(shape) for shape in [(3, 2), (4,), (2,)]]
    return (
        [Parameter(tt.tensor(v)) for v in values],
        [torch.tensor(v, requires_grad=True) for v in values],
    )


def options_of(torch_cls: type[Any]) -> list[str]:
    """The implementation options that ``torch_cls`` takes."""
    return [o for o in OPTIONS if o in inspect.signature(torch_cls.__init__).parameters]


@pytest.mark.parametrize("name", NAMES)
def test_constructor_signature_matches_torch(name: str) -> None:
    """Same parameter names, order, kinds (positional or keyword-only) and defaults."""
    cls, torch_cls = pair(name)

    def shape(c: type[Any]) -> list[tuple[str, Any, Any]]:
        params = inspect.signature(c.__init__).parameters.values()
        return [(p.name, p.kind, p.default) for p in params]

    assert shape(cls) == shape(torch_cls)


@pytest.mark.parametrize("name", NAMES)
def test_defaults_and_param_group_keys_match_torch(name: str) -> None:
    cls, torch_cls = pair(name)
    tt_ps, th_ps = twins()
    opt = cls([{"params": tt_ps[:2]}, {"params": tt_ps[2:], "lr": 0.5}])
    ref = torch_cls([{"params": th_ps[:2]}, {"params": th_ps[2:], "lr": 0.5}])
    assert list(opt.defaults.items()) == list(ref.defaults.items())  # keys in torch's order
    for got, want in zip(opt.param_groups, ref.param_groups, strict=True):
        assert list(got) == list(want)
        assert {k: v for k, v in got.items() if k != "params"} == {
            k: v for k, v in want.items() if k != "params"
        }
    got_sd, want_sd = opt.state_dict()["param_groups"], ref.state_dict()["param_groups"]
    for g, w in zip(got_sd, want_sd, strict=True):
        assert list(g) == list(w)
        assert g == w


@pytest.mark.parametrize("name", NAMES)
def test_options_given_explicitly_are_recorded_like_torch(name: str) -> None:
    """Every option set to a value both libraries accept (``foreach=True`` included) lands
    in defaults and in each group, as in torch."""
    cls, torch_cls = pair(name)
    kwargs: dict[str, Any] = {"foreach": True}
    kwargs.update({o: False for o in options_of(torch_cls) if o != "foreach"})
    tt_ps, th_ps = twins()
    opt, ref = cls(tt_ps, lr=0.1, **kwargs), torch_cls(th_ps, lr=0.1, **kwargs)
    assert opt.defaults == ref.defaults
    assert [{k: v for k, v in g.items() if k != "params"} for g in opt.param_groups] == [
        {k: v for k, v in g.items() if k != "params"} for g in ref.param_groups
    ]


@pytest.mark.parametrize("foreach", [None, False, True])
@pytest.mark.parametrize("name", NAMES)
def test_foreach_is_ignored_and_updates_still_match_torch(name: str, foreach: Any) -> None:
    cls, torch_cls = pair(name)
    tt_ps, th_ps = twins()
    kw: dict[str, Any] = {"lr": 0.05, "foreach": foreach}
    if name in ("SGD", "RMSprop"):
        kw["momentum"] = 0.9
    opt, ref = cls(tt_ps, **kw), torch_cls(th_ps, **kw)
    rng = np.random.default_rng(1)
    for _ in range(10):
        for a, b in zip(tt_ps, th_ps, strict=True):
            g = rng.standard_normal(tuple(b.shape))
            a.grad = tt.tensor(g)
            b.grad = torch.tensor(g)
        opt.step()
        ref.step()
    for a, b in zip(tt_ps, th_ps, strict=True):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-12)


@pytest.mark.parametrize("name", NAMES)
def test_options_that_torch_does_not_take_are_a_type_error_like_torch(name: str) -> None:
    cls, torch_cls = pair(name)
    for option in OPTIONS:
        if option in options_of(torch_cls):
            continue
        for m_cls, p in ((cls, Parameter(tt.zeros(2))), (torch_cls, torch.zeros(2))):
            with pytest.raises(TypeError, match=option):
                m_cls([p], **{option: False})


def unsupported_cases() -> list[tuple[str, str]]:
    return [
        (name, option)
        for name in NAMES
        for option in ("capturable", "differentiable")
        if option in options_of(getattr(torch.optim, name))
    ]


@pytest.mark.parametrize(("name", "option"), unsupported_cases())
def test_options_tt_cannot_honour_raise_a_runtime_error_naming_them(name: str, option: str) -> None:
    """tt refuses at construction with ``NotImplementedError``, a ``RuntimeError``: the type
    torch raises for a differentiable step it cannot run (it refuses ``capturable`` on the CPU
    at the first step, see below)."""
    cls, _ = pair(name)
    with pytest.raises(RuntimeError, match=rf"^{name}: {option}=True is not supported: ") as e:
        cls([Parameter(tt.zeros(2))], **{option: True})
    assert isinstance(e.value, NotImplementedError)


def test_torch_refuses_capturable_and_differentiable_on_the_cpu_too() -> None:
    """What tt matches: on the CPU, torch's step fails for these options (capturable with an
    AssertionError, a differentiable in-place update of leaves with a RuntimeError)."""
    p = torch.zeros(2, requires_grad=True)
    opt = torch.optim.Adam([p], capturable=True)
    p.grad = torch.ones(2)
    with pytest.raises(AssertionError, match="capturable=True"):
        opt.step()
    opt = torch.optim.SGD([p], lr=0.1, differentiable=True)
    with pytest.raises(RuntimeError, match="leaf Variable"):
        opt.step()


FUSED = [name for name in NAMES if "fused" in options_of(getattr(torch.optim, name))]


@pytest.mark.parametrize("name", FUSED)
def test_fused_runs_like_torch_on_the_cpu(name: str) -> None:
    """torch runs ``fused=True`` on the CPU; tt accepts it (one implementation) and its steps
    match torch's; the combinations torch refuses raise the same error in both."""
    cls, torch_cls = pair(name)
    p, tp = Parameter(tt.ones(3)), torch.nn.Parameter(torch.ones(3))
    opt, topt = cls([p], lr=0.1, fused=True), torch_cls([tp], lr=0.1, fused=True)
    for step in range(3):
        p.grad = tt.full((3,), 0.5 + step)
        tp.grad = torch.full((3,), 0.5 + step)
        opt.step()
        topt.step()
    np.testing.assert_allclose(p.detach().numpy(), tp.detach().numpy(), rtol=1e-6)
    for extra in ({"foreach": True}, {"differentiable": True}):
        with pytest.raises(RuntimeError) as want:
            torch_cls([torch.nn.Parameter(torch.ones(3))], lr=0.1, fused=True, **extra)
        with pytest.raises(RuntimeError, match=re.escape(str(want.value))):
            cls([Parameter(tt.ones(3))], lr=0.1, fused=True, **extra)
