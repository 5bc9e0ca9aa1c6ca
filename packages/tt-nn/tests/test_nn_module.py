"""Module behaviour: registration, traversal, modes, hooks, conversion, state dicts."""

from __future__ import annotations

import numpy as np
import pytest

import tt_autograd
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


# ------------------------------------------------------------------ replacing keeps the order
def test_replacing_a_sequential_layer_keeps_its_place_in_the_forward_order() -> None:
    s = nn.Sequential(nn.Identity(), nn.Linear(1, 1))
    s[0] = nn.ReLU()
    assert list(s._modules) == ["0", "1"]
    assert isinstance(s[0], nn.ReLU)
    with tt_autograd.no_grad():
        s[1].weight.fill_(-1.0)
        s[1].bias.fill_(0.0)
    # ReLU first, then Linear: relu(-2) = 0 -> 0; Linear first would give relu(2) = 2.
    assert s(tt.tensor([[-2.0]])).tolist() == [[0.0]]
    ml = nn.ModuleList([nn.ReLU(), nn.Tanh()])
    ml[0] = nn.Sigmoid()
    assert [type(m).__name__ for m in ml] == ["Sigmoid", "Tanh"]


def test_replacing_a_parameter_buffer_or_child_keeps_its_position() -> None:
    m = nn.Linear(2, 2)
    m.weight = nn.Parameter(tt.zeros(2, 2))
    assert list(m.state_dict()) == ["weight", "bias"]
    assert [tuple(p.shape) for p in m.parameters()] == [(2, 2), (2,)]
    net = Net()
    net.body = nn.Sequential(nn.Linear(3, 2))  # a child reassigned
    net.register_buffer("steps", tt.ones((), dtype=tt.int64))  # a buffer re-registered
    net.steps = tt.full((), 5, dtype=tt.int64)  # and assigned
    assert list(net.state_dict()) == ["scale", "steps", "body.0.weight", "body.0.bias"]
    assert net.steps.item() == 5
    enc, dec = nn.Linear(3, 4), nn.Linear(4, 3)
    dec.weight = nn.Parameter(tt.zeros(3, 4))
    dec.weight = enc.weight  # weight tying
    assert list(dec._parameters) == ["weight", "bias"]
    assert dec.weight is enc.weight
    d = nn.ModuleDict({"a": nn.ReLU(), "b": nn.Tanh()})
    d["a"] = nn.Sigmoid()
    d.update({"b": nn.ReLU()})
    assert [(k, type(v).__name__) for k, v in d.items()] == [("a", "Sigmoid"), ("b", "ReLU")]


def test_a_name_changing_kind_by_assignment_moves_to_the_new_table() -> None:
    m = nn.Module()
    m.register_buffer("b", tt.zeros(1))
    m.b = nn.Parameter(tt.ones(1))
    assert list(m._parameters) == ["b"]
    assert list(m._buffers) == []
    m.x = 3
    m.x = nn.ReLU()
    assert "x" not in m.__dict__
    assert isinstance(m.x, nn.ReLU)


def test_registering_a_name_that_exists_as_another_kind_raises_key_error() -> None:
    m = nn.Module()
    m.register_buffer("b", tt.zeros(1))
    m.p = nn.Parameter(tt.zeros(1))
    m.c = nn.ReLU()
    m.plain = 1
    with pytest.raises(KeyError, match="attribute 'b' already exists"):
        m.register_parameter("b", nn.Parameter(tt.zeros(1)))
    with pytest.raises(KeyError, match="attribute 'b' already exists"):
        m.add_module("b", nn.ReLU())
    with pytest.raises(KeyError, match="attribute 'p' already exists"):
        m.register_buffer("p", tt.zeros(1))
    with pytest.raises(KeyError, match="attribute 'c' already exists"):
        m.register_buffer("c", tt.zeros(1))
    with pytest.raises(KeyError, match="attribute 'plain' already exists"):
        m.register_parameter("plain", None)
    with pytest.raises(KeyError, match="attribute 'forward' already exists"):
        m.register_buffer("forward", None)
    assert list(m._buffers) == ["b"]
    assert list(m._parameters) == ["p"]
    m.register_buffer("b", tt.ones(1))  # the same kind again is fine
    assert m.b.tolist() == [1.0]


# ------------------------------------------------------------------ aliases and state dicts
class Aliased(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.a = nn.Linear(1, 1)
        self.b = self.a


def test_state_dict_lists_an_aliased_submodule_under_both_names() -> None:
    m = Aliased()
    assert list(m.state_dict()) == ["a.weight", "a.bias", "b.weight", "b.bias"]
    sd = {k: tt.full_like(v, 3.0) for k, v in m.state_dict().items()}
    assert m.load_state_dict(sd) == ([], [])
    assert m.a.weight.item() == 3.0
    assert [n for n, _ in m.named_parameters()] == ["a.weight", "a.bias"]
    assert [n for n, _ in m.named_parameters(remove_duplicate=False)] == [
        "a.weight",
        "a.bias",
        "b.weight",
        "b.bias",
    ]
    assert [n for n, _ in m.named_modules(remove_duplicate=False)] == ["", "a", "b"]
    assert [n for n, _ in m.named_modules()] == ["", "a"]


class _SavesOnlyItsAdapter(nn.Module):
    """A layer whose ``state_dict`` saves only its small trained part (a common override)."""

    def __init__(self) -> None:
        super().__init__()
        self.frozen = nn.Linear(1, 1)
        self.lora = nn.Linear(1, 1)

    def state_dict(
        self, *args: object, destination: object = None, prefix: str = "", keep_vars: bool = False
    ) -> object:
        return self.lora.state_dict(
            destination=destination, prefix=prefix + "lora.", keep_vars=keep_vars
        )


def test_an_overridden_state_dict_changes_what_is_saved_not_what_is_loaded() -> None:
    # As in PyTorch: loading goes module by module, whatever state_dict() returns.
    m = nn.Sequential(nn.Linear(1, 1), _SavesOnlyItsAdapter())
    assert list(m.state_dict()) == ["0.weight", "0.bias", "1.lora.weight", "1.lora.bias"]
    names = ["0.weight", "0.bias", "1.frozen.weight", "1.frozen.bias"]
    names += ["1.lora.weight", "1.lora.bias"]
    full = {k: tt.full((1, 1) if k.endswith("weight") else (1,), 3.0) for k in names}
    assert m.load_state_dict(full) == ([], [])
    assert m[1].frozen.weight.item() == 3.0
    with pytest.raises(RuntimeError, match=r'Missing key.*"1\.frozen\.weight", "1\.frozen\.bias"'):
        m.load_state_dict(m.state_dict())


def test_state_dict_prefix_is_prepended_as_given() -> None:
    assert list(nn.Linear(1, 1).state_dict(prefix="x")) == ["xweight", "xbias"]
    assert list(nn.Sequential(nn.Linear(1, 1)).state_dict(prefix="m.")) == [
        "m.0.weight",
        "m.0.bias",
    ]


# ------------------------------------------------------------------ modes, grads, conversion
class FrozenNorm(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.bn = nn.BatchNorm1d(2)

    def train(self, mode: bool = True) -> FrozenNorm:
        super().train(mode)
        self.bn.eval()  # keep the statistics frozen
        return self


def test_train_calls_each_childs_own_train() -> None:
    outer = nn.Sequential(FrozenNorm()).train()
    assert outer.training
    assert outer[0].training
    assert not outer[0].bn.training
    outer.eval()
    assert not outer[0].training


def test_zero_grad_without_set_to_none_zeroes_the_same_tensor_in_place() -> None:
    m = nn.Linear(2, 1)
    m(tt.ones(1, 2)).sum().backward()
    g = m.weight.grad
    assert g is not None
    assert g.tolist() == [[1.0, 1.0]]
    m.zero_grad(set_to_none=False)
    assert m.weight.grad is g
    assert g.tolist() == [[0.0, 0.0]]
    assert not g.requires_grad


def test_dtype_conversion_keeps_the_parameter_objects_and_converts_their_grads() -> None:
    m = nn.Linear(2, 1)
    m(tt.ones(1, 2)).sum().backward()
    w, g = m.weight, m.weight.grad
    assert g is not None
    m.double()
    assert m.weight is w
    assert w.dtype == tt.float64
    assert w.requires_grad
    assert w.is_leaf
    assert m.weight.grad is g
    assert g.dtype == tt.float64
    assert g.tolist() == [[1.0, 1.0]]
    m.float()
    assert m.weight is w
    assert w.dtype == tt.float32


# ------------------------------------------------------------------ batch norm checkpoints
def test_batch_norm_loads_a_checkpoint_without_num_batches_tracked_strictly() -> None:
    bn = nn.BatchNorm1d(2)
    bn.num_batches_tracked.fill_(7)
    sd = {k: v.clone() + 1 for k, v in nn.BatchNorm1d(2).state_dict().items()}
    del sd["num_batches_tracked"]
    assert bn.load_state_dict(sd) == ([], [])
    assert bn.num_batches_tracked.item() == 7  # kept, as PyTorch does
    assert bn.running_var.tolist() == [2.0, 2.0]
    assert "num_batches_tracked" not in sd  # the caller's dict is not changed
    net = nn.Sequential(nn.BatchNorm1d(2))
    keys = net.load_state_dict({}, strict=False)
    assert "0.num_batches_tracked" not in keys.missing_keys
    assert "0.running_mean" in keys.missing_keys


# ------------------------------------------------------------------ containers
def test_module_dict_updates_from_another_module_dict_and_returns_live_views() -> None:
    d = nn.ModuleDict({"a": nn.ReLU()})
    d.update(nn.ModuleDict({"b": nn.Tanh()}))
    d.update([("c", nn.Sigmoid())])
    keys, items = d.keys(), d.items()
    d["e"] = nn.ReLU()
    assert list(keys) == ["a", "b", "c", "e"]  # views see later changes, like dict's
    assert [type(m).__name__ for _, m in items] == ["ReLU", "Tanh", "Sigmoid", "ReLU"]
    assert list(nn.ModuleDict(d)) == ["a", "b", "c", "e"]
    with pytest.raises(ValueError, match="element #0 has length 1"):
        d.update([("x",)])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="element #0 should be Iterable"):
        d.update([3])  # type: ignore[list-item]


def test_sequential_insert_extend_pop_add_and_multiply() -> None:
    relu, tanh, sig = nn.ReLU(), nn.Tanh(), nn.Sigmoid()
    s = nn.Sequential(relu, tanh)
    assert s.insert(1, sig) is s
    assert list(s) == [relu, sig, tanh]
    assert list(s._modules) == ["0", "1", "2"]
    s.insert(-1, relu)
    assert list(s) == [relu, sig, relu, tanh]
    assert s.pop(0) is relu
    assert list(s) == [sig, relu, tanh]
    assert list(s._modules) == ["0", "1", "2"]
    s.extend([sig])
    assert list(s) == [sig, relu, tanh, sig]
    both = nn.Sequential(relu) + nn.Sequential(tanh)
    assert list(both) == [relu, tanh]
    twice = nn.Sequential(relu, tanh) * 2
    assert list(twice) == [relu, tanh, relu, tanh]
    assert list(twice._modules)[-1] == "3"
    assert list(2 * nn.Sequential(relu)) == [relu, relu]
    with pytest.raises(IndexError, match=r"Sequential\.insert: index 5"):
        s.insert(5, relu)
    with pytest.raises(ValueError, match="Non-positive"):
        _ = s * 0
    with pytest.raises(ValueError, match="only objects of Sequential"):
        _ = s + [relu]  # type: ignore[operator]  # noqa: RUF005 (tests __add__)


def test_module_list_pop_add_and_repr_of_repeats() -> None:
    relu, tanh = nn.ReLU(), nn.Tanh()
    ml = nn.ModuleList([relu, tanh, relu])
    assert ml.pop(0) is relu
    assert list(ml) == [tanh, relu]
    joined = ml + [tanh]  # noqa: RUF005 (tests ModuleList.__add__)
    assert isinstance(joined, nn.ModuleList)
    assert list(joined) == [tanh, relu, tanh]
    reps = nn.ModuleList([nn.ReLU(), nn.ReLU(), nn.Tanh()])
    assert repr(reps) == "ModuleList(\n  (0-1): 2 x ReLU()\n  (2): Tanh()\n)"
    assert repr(nn.ModuleList()) == "ModuleList()"
