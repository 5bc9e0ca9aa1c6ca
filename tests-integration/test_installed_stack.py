"""Integration tests: every tier's wheel installed together, used the way later tiers will.

These run in the nox ``integration`` session against the built wheels (not the source trees),
so they also prove that what is shipped works: metadata, versions, typing markers, and the
plug-in points (dispatch observers, the gradient engine) that later tiers build on.
"""

from __future__ import annotations

import importlib
import importlib.metadata as md
import importlib.resources
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import tomllib
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

import tt_autograd as ag
import tt_tensor as tt

ROOT = Path(__file__).resolve().parents[1]
TIERS: list[str] = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["tt"]["tiers"]
INSTALLED = [t for t in TIERS if (ROOT / "packages" / t).is_dir()]


def _module(dist: str) -> Any:
    return importlib.import_module(dist.replace("-", "_"))


@pytest.mark.parametrize("dist", INSTALLED)
def test_installed_version_matches_the_package_about_file(dist: str) -> None:
    assert md.version(dist) == _module(dist).__version__


@pytest.mark.parametrize("dist", INSTALLED)
def test_installed_package_is_not_the_source_tree(dist: str) -> None:
    # The integration session must test the wheels; a source checkout on sys.path would hide
    # packaging mistakes (a module left out of the wheel, a missing py.typed).
    origin = Path(_module(dist).__file__).resolve()
    assert ROOT / "packages" not in origin.parents


@pytest.mark.parametrize("dist", INSTALLED)
def test_installed_wheel_ships_the_typing_marker(dist: str) -> None:
    files = importlib.resources.files(dist.replace("-", "_"))
    assert files.joinpath("py.typed").is_file()


@pytest.mark.parametrize("dist", INSTALLED)
def test_installed_metadata_requires_only_earlier_tiers(dist: str) -> None:
    tier = TIERS.index(dist)
    for line in md.requires(dist) or []:
        req = Requirement(line)
        name = canonicalize_name(req.name)
        if name in TIERS:
            assert TIERS.index(name) < tier, f"{dist} requires {line}"
            assert req.specifier, f"{dist} requires {line} without a version range"


def test_the_stack_trains_a_two_layer_network_on_xor() -> None:
    tt.manual_seed(0)
    x = tt.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = tt.tensor([0, 1, 1, 0])
    w1 = (tt.randn(2, 8) * 1.0).requires_grad_()
    b1 = tt.zeros(8, requires_grad=True)
    w2 = (tt.randn(8, 2) * 0.5).requires_grad_()
    b2 = tt.zeros(2, requires_grad=True)
    params = [w1, b1, w2, b2]
    for _ in range(500):
        logits = (x @ w1 + b1).tanh() @ w2 + b2
        loss = -logits.log_softmax(1).gather(1, y.unsqueeze(1)).mean()
        for p in params:
            p.grad = None
        loss.backward()
        with ag.no_grad():
            for p in params:
                p -= 0.5 * p.grad  # type: ignore[operator]
    assert loss.item() < 0.05
    assert (logits.argmax(1) == y).all().item()


def test_a_profiler_style_observer_sees_forward_and_backward_primitives() -> None:
    # tt-profile (a later tier) will time ops exactly like this: through the dispatch hook.
    seen: list[str] = []
    a = tt.randn(3, 4, requires_grad=True)
    with tt.dispatch.add_observer(lambda op, inputs, arrays, params, out: seen.append(op.name)):
        loss = (a.exp() * 2.0).sum()
        forward = list(seen)
        loss.backward()
    assert forward == ["exp", "mul", "sum"]
    backward = seen[len(forward) :]
    assert "mul" in backward  # exp's and mul's formulas are tensor ops, dispatched like any op
    assert a.grad is not None
    np.testing.assert_allclose(a.grad.numpy(), 2.0 * np.exp(a.detach().numpy()), rtol=1e-6)


def test_the_autograd_tier_can_be_swapped_out_and_back() -> None:
    # A course replaces tt-autograd with a student's own: ours must unplug cleanly.
    ag.uninstall()
    try:
        with pytest.raises(RuntimeError, match="no gradient engine is registered"):
            tt.ones(2).requires_grad_()
        assert (tt.ones(2) * 3).grad_fn is None
    finally:
        ag.install()
    x = tt.ones(2, requires_grad=True)
    (x * 3).sum().backward()
    assert x.grad is not None
    assert x.grad.tolist() == [3.0, 3.0]


def test_checkpoint_style_state_round_trips_without_pickle() -> None:
    # Later tiers save RNG state in checkpoints as JSON: it must survive a text round trip.
    import json

    tt.manual_seed(123)
    state = json.loads(json.dumps(tt.get_rng_state()))
    first = tt.rand(5)
    tt.set_rng_state(state)
    assert tt.rand(5).equal(first)
