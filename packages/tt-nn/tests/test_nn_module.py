"""Module behaviour: registration, traversal, modes, hooks, conversion, state dicts."""

from __future__ import annotations

import numpy as np
import pytest

import tt_autograd  # noqa: F401  (gradient tracking on)
import tt_nn as nn
import tt_tensor as tt


class Net(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.body = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
        self.scale = nn.Parameter(tt.ones(2))
        self.register_buffer("steps", tt.zeros((), dtype=tt.int64))
        self.register_buffer("scratch", tt.zeros(2), persistent=False)

    def forward(self, x: tt.Tensor) -> tt.Tensor:
        return self.body(x) * self.scale


def test_assignment_registers_parameters_buffers_and_children_in_order() -> None:
    net = Net()
    assert [n for n, _ in net.named_parameters()] == [
        "scale",
        "body.0.weight",
        "body.0.bias",
        "body.2.weight",
        "body.2.bias",
    ]
    assert [n for n, _ in net.named_buffers()] == ["steps", "scratch"]
    assert [n for n, _ in net.named_children()] == ["body"]
    assert [n for n, _ in net.named_modules()] == ["", "body", "body.0", "body.1", "body.2"]


def test_state_dict_has_torch_style_keys_and_skips_non_persistent_buffers() -> None:
    assert list(Net().state_dict()) == [
        "scale",
        "steps",
        "body.0.weight",
        "body.0.bias",
        "body.2.weight",
        "body.2.bias",
    ]


def test_state_dict_values_are_detached_and_share_memory() -> None:
    net = Net()
    sd = net.state_dict()
    assert not sd["scale"].requires_grad
    assert np.shares_memory(sd["scale"].numpy(), net.scale.detach().numpy())


def test_load_state_dict_round_trips_into_a_fresh_model() -> None:
    a, b = Net(), Net()
    result = b.load_state_dict(a.state_dict())
    assert result.missing_keys == []
    assert result.unexpected_keys == []
    for (_, p), (_, q) in zip(a.named_parameters(), b.named_parameters(), strict=True):
        np.testing.assert_array_equal(p.detach().numpy(), q.detach().numpy())


def test_strict_load_lists_missing_unexpected_and_wrong_shapes_and_changes_nothing() -> None:
    net = Net()
    before = {k: v.numpy().copy() for k, v in net.state_dict().items()}
    sd = dict(net.state_dict())
    del sd["steps"]
    sd["extra"] = tt.zeros(1)
    sd["scale"] = tt.zeros(3)
    sd["body.0.weight"] = tt.full((4, 3), 7.0)  # valid, but must not be copied
    with pytest.raises(RuntimeError) as err:
        net.load_state_dict(sd)
    msg = str(err.value)
    assert 'Missing key(s) in state_dict: "steps"' in msg
    assert 'Unexpected key(s) in state_dict: "extra"' in msg
    assert "size mismatch for scale" in msg
    assert "(3,)" in msg
    assert "(2,)" in msg
    for k, v in net.state_dict().items():
        np.testing.assert_array_equal(v.numpy(), before[k])


def test_non_strict_load_reports_keys_but_still_refuses_wrong_shapes() -> None:
    net = Net()
    result = net.load_state_dict({"scale": tt.full((2,), 3.0), "junk": tt.zeros(1)}, strict=False)
    assert "steps" in result.missing_keys
    assert result.unexpected_keys == ["junk"]
    assert net.scale.tolist() == [3.0, 3.0]
    with pytest.raises(RuntimeError, match="size mismatch for scale"):
        net.load_state_dict({"scale": tt.zeros(5)}, strict=False)


def test_train_and_eval_set_the_mode_on_the_whole_tree() -> None:
    net = Net()
    net.eval()
    assert not any(m.training for m in net.modules())
    net.train()
    assert all(m.training for m in net.modules())


def test_zero_grad_sets_gradients_to_none_or_zeros() -> None:
    net = Net()
    net(tt.ones(1, 3)).sum().backward()
    net.zero_grad(set_to_none=False)
    assert all(p.grad is not None and p.grad.abs().sum().item() == 0 for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())


def test_requires_grad_false_freezes_every_parameter() -> None:
    net = Net().requires_grad_(False)
    assert not any(p.requires_grad for p in net.parameters())


def test_apply_visits_children_before_the_parent() -> None:
    seen: list[str] = []
    Net().apply(lambda m: seen.append(type(m).__name__))
    assert seen == ["Linear", "ReLU", "Linear", "Sequential", "Net"]


def test_forward_hooks_see_and_may_replace_inputs_and_outputs() -> None:
    lin = nn.Linear(2, 2)
    pre = lin.register_forward_pre_hook(lambda m, args: (args[0] * 0.0,))
    post = lin.register_forward_hook(lambda m, args, out: out + 1.0)
    out = lin(tt.ones(1, 2))
    np.testing.assert_allclose(out.detach().numpy(), lin.bias.detach().numpy()[None] + 1.0)
    pre.remove()
    post.remove()
    assert not lin._forward_hooks
    assert not lin._forward_pre_hooks


def test_to_float64_converts_floating_parameters_and_keeps_int_buffers() -> None:
    net = Net().to(tt.float64)
    assert all(p.dtype == tt.float64 for p in net.parameters())
    assert all(isinstance(p, nn.Parameter) and p.requires_grad for p in net.parameters())
    assert net.steps.dtype == tt.int64
    assert net.to("cpu") is net
    assert net(tt.ones(1, 3, dtype=tt.float64)).dtype == tt.float64
    with pytest.raises(TypeError, match="floating point"):
        net.to(tt.int32)


def test_repr_prints_the_tree_with_extra_repr() -> None:
    assert repr(nn.Sequential(nn.Linear(2, 3), nn.ReLU())) == (
        "Sequential(\n  (0): Linear(in_features=2, out_features=3, bias=True)\n  (1): ReLU()\n)"
    )


def test_assigning_before_init_and_wrong_types_raise_clear_errors() -> None:
    class Bad(nn.Module):
        def __init__(self) -> None:
            self.w = nn.Parameter(tt.ones(1))

    with pytest.raises(AttributeError, match=r"before Module\.__init__"):
        Bad()
    net = Net()
    with pytest.raises(TypeError, match="cannot assign 'Tensor' as parameter 'scale'"):
        net.scale = tt.ones(2)  # type: ignore[assignment]
    with pytest.raises(KeyError, match="buffer name can"):
        net.register_buffer("a.b", tt.ones(1))


def test_a_shared_parameter_is_listed_once() -> None:
    a = nn.Linear(2, 2)
    seq = nn.Sequential(a, a)
    assert len(list(seq.parameters())) == 2


def test_parameter_shares_memory_and_requires_grad() -> None:
    t = tt.zeros(3)
    p = nn.Parameter(t)
    assert p.requires_grad
    assert p.is_leaf
    assert np.shares_memory(p.detach().numpy(), t.numpy())
    assert repr(p).startswith("Parameter containing:")
    with pytest.raises(TypeError, match="expected a Tensor"):
        nn.Parameter(np.zeros(3))  # type: ignore[arg-type]


def test_containers_index_slice_append_and_register() -> None:
    seq = nn.Sequential(nn.Linear(2, 2), nn.ReLU())
    assert isinstance(seq[-1], nn.ReLU)
    assert len(seq[:1]) == 1
    seq.append(nn.Tanh())
    assert len(seq) == 3
    with pytest.raises(IndexError):
        seq[3]
    ml = nn.ModuleList([nn.Linear(1, 1)])
    ml.append(nn.Linear(1, 1))
    ml.insert(0, nn.ReLU())
    assert [type(m).__name__ for m in ml] == ["ReLU", "Linear", "Linear"]
    assert len(list(ml.parameters())) == 4
    md = nn.ModuleDict({"a": nn.Linear(1, 1)})
    md["b"] = nn.ReLU()
    assert list(md) == ["a", "b"]
    assert "a" in md
    assert list(md.state_dict()) == ["a.weight", "a.bias"]
    del seq[0]
    assert list(seq._modules) == ["0", "1"]
