"""Error messages: each names the op, what it expected and what it received."""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

import pytest

import tt_tensor as tt


@pytest.mark.parametrize(
    ("name", "op"),
    [
        ("add", operator.add),
        ("sub", operator.sub),
        ("mul", operator.mul),
        ("div", operator.truediv),
        ("floor_divide", operator.floordiv),
        ("remainder", operator.mod),
        ("pow", operator.pow),
        ("eq", operator.eq),
        ("lt", operator.lt),
        ("maximum", tt.maximum),
        ("logical_and", tt.logical_and),
    ],
)
def test_broadcast_mismatch_names_the_op_and_both_shapes(
    name: str, op: Callable[[Any, Any], Any]
) -> None:
    with pytest.raises(RuntimeError) as info:
        op(tt.ones(2, 3), tt.ones(4, 1, 2))
    msg = str(info.value)
    assert msg.startswith(f"{name}: ")
    assert "(2, 3)" in msg
    assert "(4, 1, 2)" in msg
    assert "size of tensor a (3) must match the size of tensor b (2)" in msg
    assert "non-singleton dimension 2" in msg


def test_in_place_broadcast_mismatch_names_the_op_and_shapes() -> None:
    x = tt.ones(2, 3)
    msg = r"^mul_: shapes \(2, 3\) and \(4,\) cannot be broadcast"
    with pytest.raises(RuntimeError, match=msg):
        x *= tt.ones(4)
    with pytest.raises(
        RuntimeError, match=r"^add_: output with shape \(3,\) doesn't match .*\(2, 3\)"
    ):
        tt.ones(3).add_(tt.ones(2, 3))


def test_matmul_mismatch_names_both_shapes_and_the_inner_dims() -> None:
    with pytest.raises(
        RuntimeError, match=r"matmul: shapes \(2, 3\) and \(4, 5\) cannot be multiplied: 3 .* != 4"
    ):
        tt.ones(2, 3) @ tt.ones(4, 5)


@pytest.mark.parametrize(
    ("call", "op", "dim", "ndim"),
    [
        (lambda x: x.sum(3), "sum", 3, 2),
        (lambda x: x.sum((0, -3)), "sum", -3, 2),
        (lambda x: x.mean(2), "mean", 2, 2),
        (lambda x: x.softmax(2), "softmax", 2, 2),
        (lambda x: x.argmax(-3), "argmax", -3, 2),
        (lambda x: x.cumsum(5), "cumsum", 5, 2),
        (lambda x: x.size(2), "size", 2, 2),
        (lambda x: x.stride(-3), "stride", -3, 2),
        (lambda x: x.transpose(0, 2), "transpose", 2, 2),
        (lambda x: x.squeeze(2), "squeeze", 2, 2),
        (lambda x: x.unsqueeze(3), "unsqueeze", 3, 2),
        (lambda x: x.flatten(0, 2), "flatten", 2, 2),
        (lambda x: x.flip(2), "flip", 2, 2),
        (lambda x: x.split(1, 2), "split", 2, 2),
        (lambda x: x.unfold(2, 1, 1), "unfold", 2, 2),
        (lambda x: tt.cat([x, x], 2), "cat", 2, 2),
        (lambda x: x.index_select(2, tt.tensor([0])), "index_select", 2, 2),
        (lambda x: x.gather(2, tt.tensor([[0]])), "gather", 2, 2),
    ],
)
def test_bad_dim_names_the_op_the_dim_and_the_ndim(
    call: Callable[[tt.Tensor], Any], op: str, dim: int, ndim: int
) -> None:
    with pytest.raises(IndexError) as info:
        call(tt.ones(2, 3))
    msg = str(info.value)
    assert msg.startswith(f"{op}: dim {dim} is out of range for a tensor with {ndim} dims")
    assert "expected to be in range of [-" in msg


def test_matmul_of_different_dtypes_says_which() -> None:
    with pytest.raises(
        RuntimeError,
        match=r"matmul: expected both operands to have the same dtype.*float32 and float64",
    ):
        tt.ones(2, 3) @ tt.ones(3, dtype=tt.float64)
    with pytest.raises(RuntimeError, match="int64 and float32"):
        tt.ones(2, dtype=tt.int64) @ tt.ones(2)


@pytest.mark.parametrize(
    ("name", "call"),
    [
        ("bitwise_and", lambda a, b: a & b),
        ("bitwise_or", lambda a, b: a | b),
        ("bitwise_xor", lambda a, b: a ^ b),
        ("bitwise_not", lambda a, b: ~a),
        ("bitwise_and", lambda a, b: tt.tensor([1, 2]) & 1.5),
    ],
)
def test_bitwise_ops_on_floats_raise_saying_so(
    name: str, call: Callable[[tt.Tensor, tt.Tensor], Any]
) -> None:
    with pytest.raises(RuntimeError, match=f"{name}: not implemented for floating-point operands"):
        call(tt.ones(2), tt.ones(2))


def test_in_place_int_plus_float_raises_naming_both_dtypes() -> None:
    x = tt.tensor([1, 2])
    for write, op in (
        (lambda: x.__iadd__(1.5), "add_"),
        (lambda: x.__isub__(tt.ones(2)), "sub_"),
        (lambda: x.__imul__(0.5), "mul_"),
        (lambda: x.__itruediv__(2), "div_"),
        (lambda: x.__ipow__(0.5), "pow_"),
    ):
        with pytest.raises(RuntimeError) as info:
            write()
        msg = str(info.value)
        assert msg.startswith(op), msg
        assert "float" in msg
        assert "can't be cast to the desired output type int64" in msg
    assert x.tolist() == [1, 2]


def test_in_place_bool_plus_int_raises() -> None:
    b = tt.tensor([True, False])
    with pytest.raises(RuntimeError, match=r"add_: result type int64 can't be cast .* bool"):
        b += 1


def test_writing_into_an_expanded_tensor_raises_naming_the_op() -> None:
    e = tt.ones(1, 3).expand(2, 3)
    with pytest.raises(RuntimeError, match=r"^add_: the target tensor is a read-only view"):
        e += 1
    with pytest.raises(RuntimeError, match=r"^index_put_: the target tensor is a read-only view"):
        e[0, 0] = 2.0
    with pytest.raises(RuntimeError, match="read-only"):
        e.clamp_(0, 1)


def test_operands_of_unsupported_types_raise_type_error() -> None:
    with pytest.raises(TypeError, match="add: unsupported operand type str"):
        tt.ones(2) + "a"
    with pytest.raises(TypeError, match="matmul: both arguments must be Tensors"):
        tt.matmul(tt.ones(2), [1.0, 2.0])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="exp: expected a Tensor, got list"):
        tt.exp([1.0])  # type: ignore[arg-type]


def test_unsupported_dtypes_are_named() -> None:
    with pytest.raises(TypeError, match=r"tensor: 'complex64' is not a supported dtype"):
        tt.tensor([1.0], dtype="complex64")
    with pytest.raises(TypeError, match=r"to: 'int128' is not a supported dtype"):
        tt.ones(1).to("int128")


def test_a_python_number_that_does_not_fit_the_dtype_raises_naming_the_op() -> None:
    with pytest.raises(RuntimeError, match="full: value nan cannot be converted to type int64"):
        tt.full((2,), float("nan"), dtype=tt.int64)
    with pytest.raises(RuntimeError, match=r"masked_fill: value 300 .* int8 without overflow"):
        tt.zeros(2, dtype=tt.int8).masked_fill(tt.tensor([True, False]), 300)
    with pytest.raises(RuntimeError, match=r"clamp: value 1000000\.0 .* float16"):
        tt.zeros(2, dtype=tt.float16).clamp(max=1e6)
    with pytest.raises(RuntimeError, match=r"tensor: value 300 .* uint8"):
        tt.tensor([1, 300], dtype=tt.uint8)
    with pytest.raises(ValueError, match=r"tensor: Overflow .* 9223372036854775808"):
        tt.tensor([2**63])
    x = tt.zeros(2, dtype=tt.int64)
    with pytest.raises(RuntimeError, match="setitem: value nan"):
        x[0] = float("nan")
    assert x.tolist() == [0, 0]  # raised before writing
    # What fits converts: -1 wraps into uint8 (by at most 255), 1.5 truncates, inf is a float.
    assert tt.full((2,), -1, dtype=tt.uint8).tolist() == [255, 255]
    assert tt.tensor([0, 3, 200], dtype=tt.uint8).clamp(-2).tolist() == [254, 254, 254]
    assert tt.full((1,), float("inf"), dtype=tt.float16).tolist() == [float("inf")]
    assert (tt.zeros(1, dtype=tt.int8) + 300).tolist() == [44]  # arithmetic wraps


def test_in_place_clamp_by_float_tensor_bounds_of_an_int_tensor_raises() -> None:
    x = tt.tensor([1, 5])
    with pytest.raises(RuntimeError, match="clamp_: result type float32 can't be cast"):
        x.clamp_(min=tt.tensor([2.5, 2.5]))
    assert x.tolist() == [1, 5]
    assert x.clamp_(min=tt.tensor([2, 2])).tolist() == [2, 5]
