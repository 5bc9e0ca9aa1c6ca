"""Numerical gradient checks (float64) for every differentiable primitive of tt-tensor.

``CASES`` is a table of ``(primitive, kind, label, fn, input builder)``.  Every differentiable
primitive listed in ``tt_tensor.dispatch.PRIMITIVES`` must have, for each kind in ``KINDS``,
at least one case (or a documented reason in ``NOT_APPLICABLE``), so adding a primitive
without gradcheck cases fails ``test_table_covers_every_differentiable_primitive``.

Kinds: ``basic``, ``0d`` (0-d inputs), ``empty`` (an input of shape (0, 3) or similar),
``broadcast`` (binary ops: (3,1)&(1,4), (2,3,4)&(4,), ()&(2,3)), and the three non-contiguous
layouts generated from the basic cases: ``permuted`` (a leaf whose memory is in transposed
order), ``sliced`` (a leaf that is a step-2 slice of a larger buffer) and ``expanded`` (the
input is ``leaf.expand(shape)`` of a leaf with a size-1 dim).

Inputs stay away from points where the function is not differentiable (abs/relu/sign at 0,
clamp bounds, max ties, remainder jumps, pow with a negative base); the conventions at those
points are tested separately at the end of this file.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest

import tt_autograd as ag
import tt_tensor as tt
import tt_tensor.composite as tt_tensor_composite
import tt_tensor.elementwise as tt_tensor_elementwise
import tt_tensor.indexing as tt_tensor_indexing
from tt_tensor import dispatch
from tt_tensor.shape import unfold_backward

# A NumPy warning (0 * inf, overflow, ...) in a formula is a bug: tt computes IEEE edge cases
# quietly, like PyTorch.
pytestmark = pytest.mark.filterwarnings("error")

Arrays = Callable[[np.random.Generator], list[np.ndarray]]

KINDS = ("basic", "0d", "empty", "permuted", "sliced", "expanded")
BINARY = (
    "add",
    "add_scaled",
    "sub",
    "mul",
    "div",
    "pow",
    "maximum",
    "minimum",
    "remainder",
    "where",
)
BROADCAST_PAIRS = (((3, 1), (1, 4)), ((2, 3, 4), (4,)), ((), (2, 3)))

# Differentiable primitives that cannot be gradchecked at all (tested on their own below).
NOT_GRADCHECKED = {
    "floor_divide": "its derivative is 0 almost everywhere; backward raises, as in PyTorch",
}

NOT_APPLICABLE = {
    ("cat", "0d"): "zero-dimensional tensors cannot be concatenated (PyTorch raises too)",
    ("matmul", "0d"): "matmul needs operands of at least one dimension (PyTorch raises too)",
    ("contiguous", "0d"): "a 0-d tensor is always contiguous: contiguous() returns it as is",
    ("contiguous", "empty"): "an empty tensor is always contiguous: contiguous() returns it",
    ("pad", "0d"): "a 0-d tensor has no dims to pad: pad(x, []) returns x without dispatch",
}


@dataclass(frozen=True)
class Case:
    prim: str
    kind: str
    label: str
    fn: Callable[..., tt.Tensor]
    arrays: Arrays
    check: dict[str, float] = field(default_factory=dict)  # gradcheck tolerances

    @property
    def id(self) -> str:
        return f"{self.prim}-{self.kind}-{self.label}"

    def rng(self) -> np.random.Generator:
        return np.random.default_rng(zlib.crc32(self.id.encode()))

    def leaves(self) -> list[tt.Tensor]:
        return [_leaf(a) for a in self.arrays(self.rng())]


def _leaf(a: Any) -> tt.Tensor:
    """A float64 leaf requiring grad; an ndarray is used as is (keeping its layout)."""
    if not (isinstance(a, np.ndarray) and a.dtype == np.float64):
        a = np.array(a, dtype=np.float64)
    return tt.from_numpy(a).requires_grad_()


# ----------------------------------------------------------------------- input builders
def _u(*shape: int, lo: float = -2.0, hi: float = 2.0) -> Arrays:
    return lambda r: [r.uniform(lo, hi, shape)]


def _pos(*shape: int) -> Arrays:
    return _u(*shape, lo=0.5, hi=2.0)


def _sample(
    r: np.random.Generator,
    shapes: tuple[tuple[int, ...], ...],
    ok: Callable[..., bool],
    lo: float = -2.0,
    hi: float = 2.0,
) -> list[np.ndarray]:
    """Draw uniform arrays until ``ok(*arrays)`` (deterministic: the generator is seeded)."""
    for _ in range(10_000):
        arrays = [r.uniform(lo, hi, s) for s in shapes]
        if ok(*arrays):
            return arrays
    raise AssertionError(f"could not sample inputs of shapes {shapes}")


def _away_from_zero(*shape: int) -> Arrays:
    return lambda r: _sample(r, (shape,), lambda a: bool(np.all(np.abs(a) > 0.1)))


def _two(sa: tuple[int, ...], sb: tuple[int, ...], kind: str = "any") -> Arrays:
    """Two arrays: ``any`` values, ``apart`` (|a - b| > 0.1 after broadcasting), ``div``
    (|b| >= 0.5), ``pow`` (a >= 0.3), ``rem`` (|b| >= 0.5 and a / b away from integers)."""

    def build(r: np.random.Generator) -> list[np.ndarray]:
        for _ in range(10_000):
            a, b = r.uniform(-2.0, 2.0, sa), r.uniform(-2.0, 2.0, sb)
            if kind in ("div", "rem"):
                b = np.sign(b) * (0.5 + 0.75 * np.abs(b))
            if kind == "pow":
                a = 0.3 + np.abs(a)
            q = a / b
            if kind == "apart" and not np.all(np.abs(a - b) > 0.1):
                continue
            if kind == "rem" and not np.all(np.abs(q - np.round(q)) > 0.05):
                continue
            return [a, b]
        raise AssertionError(f"could not sample inputs of shapes {sa}, {sb}")

    return build


def _distinct(*shape: int) -> Arrays:
    """Values at least 0.1 apart (no ties for max/min)."""

    def build(r: np.random.Generator) -> list[np.ndarray]:
        n = int(np.prod(shape))
        vals = np.linspace(-2.0, 2.0, max(n, 1))[:n] + r.uniform(-0.02, 0.02, n)
        return [r.permutation(vals).reshape(shape)]

    return build


def _clampable(*shape: int) -> Arrays:
    return lambda r: _sample(r, (shape,), lambda a: bool(np.all(np.abs(np.abs(a) - 0.5) > 0.1)))


def _with_zeros(*shape: int, zeros: tuple[tuple[int, ...], ...]) -> Arrays:
    def build(r: np.random.Generator) -> list[np.ndarray]:
        (a,) = _away_from_zero(*shape)(r)
        for z in zeros:
            a[z] = 0.0
        return [a]

    return build


def _cat_arrays(*builders: Arrays) -> Arrays:
    return lambda r: [a for b in builders for a in b(r)]


def _idx(values: Any) -> tt.Tensor:
    return tt.tensor(values, dtype=tt.int64)


def _mask(r_seed: int, shape: tuple[int, ...]) -> tt.Tensor:
    return tt.from_numpy(np.random.default_rng(r_seed).random(shape) < 0.5)


# ----------------------------------------------------------------------- the table
CASES: list[Case] = []


def case(
    prim: str, kind: str, label: str, fn: Callable[..., Any], arrays: Arrays, **check: float
) -> None:
    CASES.append(Case(prim, kind, label, fn, arrays, check))


_BINARY_FNS: dict[str, tuple[Callable[..., Any], str]] = {
    "add": (lambda a, b: a + b, "any"),
    "add_scaled": (lambda a, b: a.add(b, alpha=-0.7), "any"),
    "sub": (lambda a, b: a - b, "any"),
    "mul": (lambda a, b: a * b, "any"),
    "div": (lambda a, b: a / b, "div"),
    "pow": (lambda a, b: a**b, "pow"),
    "maximum": (tt.maximum, "apart"),
    "minimum": (tt.minimum, "apart"),
    "remainder": (lambda a, b: a % b, "rem"),
}
for _name, (_fn, _kind) in _BINARY_FNS.items():
    case(_name, "basic", "same-shape", _fn, _two((3, 4), (3, 4), _kind))
    case(_name, "0d", "both-0d", _fn, _two((), (), _kind))
    case(_name, "empty", "(0,3)&(0,3)", _fn, _two((0, 3), (0, 3), _kind))
    case(_name, "empty", "(0,3)&(3,)", _fn, _two((0, 3), (3,), _kind))
    for _sa, _sb in BROADCAST_PAIRS:
        case(_name, "broadcast", f"{_sa}&{_sb}", _fn, _two(_sa, _sb, _kind))
        case(_name, "broadcast", f"{_sb}&{_sa}", _fn, _two(_sb, _sa, _kind))

_W_COND = tt.from_numpy(
    np.array([[True, False, True, True], [False, True, False, False], [True, True, False, True]])
)


def _where_fn(shape: tuple[int, ...]) -> Callable[..., Any]:
    cond = _mask(7, shape)
    return lambda a, b: tt.where(cond, a, b)


case("where", "basic", "same-shape", lambda a, b: tt.where(_W_COND, a, b), _two((3, 4), (3, 4)))
case("where", "0d", "all-0d", lambda a, b: tt.where(tt.tensor(True), a, b), _two((), ()))
case("where", "0d", "0d-values-cond-(2,2)", _where_fn((2, 2)), _two((), ()))
case("where", "empty", "(0,3)", _where_fn((0, 3)), _two((0, 3), (0, 3)))
for _sa, _sb in BROADCAST_PAIRS:
    _out = np.broadcast_shapes(_sa, _sb)
    case("where", "broadcast", f"{_sa}&{_sb}", _where_fn(_out), _two(_sa, _sb))
    case("where", "broadcast", f"{_sb}&{_sa}", _where_fn(_out), _two(_sb, _sa))
case(
    "where", "broadcast", "cond-(2,1,4)-values-(3,1)&(4,)", _where_fn((2, 1, 4)), _two((3, 1), (4,))
)
case("where", "basic", "scalar-other", lambda a: tt.where(_W_COND, a, 0.5), _u(3, 4))
case("where", "basic", "scalar-self", lambda a: tt.where(_W_COND, -1.5, a), _u(3, 4))

# Python-scalar operands (the node keeps the scalar, not a tensor).
case("add", "basic", "tensor+scalar", lambda a: a + 2.5, _u(3, 4))
case("add", "basic", "scalar+tensor", lambda a: 2.5 + a, _u(3, 4))
case("sub", "basic", "tensor-scalar", lambda a: a - 2.5, _u(3, 4))
case("sub", "basic", "scalar-tensor", lambda a: 2.5 - a, _u(3, 4))
case("mul", "basic", "tensor*scalar", lambda a: a * -1.5, _u(3, 4))
case("mul", "basic", "self*self", lambda a: a * a, _u(3, 4))
case("div", "basic", "tensor/scalar", lambda a: a / 1.5, _u(3, 4))
case("div", "basic", "scalar/tensor", lambda a: 1.5 / a, _away_from_zero(3, 4))
case("pow", "basic", "tensor**2.5", lambda a: a**2.5, _pos(3, 4))
case("pow", "basic", "tensor**-0.5", lambda a: a**-0.5, _pos(3, 4))
case("pow", "basic", "negative-base**3", lambda a: a**3, _u(3, 4))
case("pow", "basic", "tensor**0", lambda a: a**0, _u(3, 4))
case("pow", "basic", "scalar**tensor", lambda b: 2.0**b, _u(3, 4))
case("pow", "basic", "self**self", lambda a: a**a, _pos(3, 4))
case(
    "remainder",
    "basic",
    "tensor%scalar",
    lambda a: a % 1.5,
    lambda r: _sample(
        r, ((3, 4),), lambda a: bool(np.all(np.abs(a / 1.5 - np.round(a / 1.5)) > 0.05))
    ),
)
case("maximum", "basic", "mixed-signs", tt.maximum, _two((2, 3, 4), (2, 3, 4), "apart"))

_UNARY: dict[str, tuple[Callable[..., Any], Callable[..., Arrays]]] = {
    "neg": (lambda a: -a, _u),
    "abs": (lambda a: a.abs(), _away_from_zero),
    "exp": (lambda a: a.exp(), _u),
    "log": (lambda a: a.log(), _pos),
    "log1p": (lambda a: a.log1p(), lambda *s: _u(*s, lo=-0.5, hi=2.0)),
    "sqrt": (lambda a: a.sqrt(), _pos),
    "rsqrt": (lambda a: a.rsqrt(), _pos),
    "sin": (lambda a: a.sin(), _u),
    "cos": (lambda a: a.cos(), _u),
    "tanh": (lambda a: a.tanh(), _u),
    "sigmoid": (lambda a: a.sigmoid(), lambda *s: _u(*s, lo=-4.0, hi=4.0)),
    "erf": (lambda a: a.erf(), lambda *s: _u(*s, lo=-3.0, hi=3.0)),
    "relu": (lambda a: a.relu(), _away_from_zero),
    "sign": (lambda a: a.sign(), _away_from_zero),
    "clamp": (lambda a: a.clamp(-0.5, 0.5), _clampable),
    "clone": (lambda a: a.clone(), _u),
}
for _name, (_fn, _build) in _UNARY.items():
    case(_name, "basic", "(3,4)", _fn, _build(3, 4))
    case(_name, "0d", "()", _fn, _build())
    case(_name, "empty", "(0,3)", _fn, _build(0, 3))
case("clamp", "basic", "min-only", lambda a: a.clamp(min=0.5), _clampable(3, 4))
case("clamp", "basic", "max-only", lambda a: a.clamp(max=-0.5), _clampable(3, 4))
case("clamp", "basic", "max-below-min", lambda a: a.clamp(0.5, -0.5), _clampable(3, 4))

# threshold_backward (relu's gradient, a fused primitive): linear in g, flat in out.
_tb = tt_tensor_elementwise.threshold_backward
case("threshold_backward", "basic", "(3,4)", _tb, _cat_arrays(_u(3, 4), _away_from_zero(3, 4)))
case("threshold_backward", "0d", "()", _tb, _cat_arrays(_u(), _away_from_zero()))
case("threshold_backward", "empty", "(0,3)", _tb, _cat_arrays(_u(0, 3), _away_from_zero(0, 3)))

# log_softmax_backward and gather_backward: fused adjoints, differentiable again.
_lsb = tt_tensor_composite.log_softmax_backward
_gi = np.array([[0, 3, 3], [2, 2, 0], [1, 0, 3]])  # square: a permuted g still fits
_gb = tt_tensor_indexing.gather_backward
case(
    "log_softmax_backward",
    "basic",
    "dim1",
    lambda g, y: _lsb(g, y, 1),
    _cat_arrays(_u(3, 4), _u(3, 4)),
)
case("log_softmax_backward", "0d", "()", lambda g, y: _lsb(g, y, 0), _cat_arrays(_u(), _u()))
case(
    "log_softmax_backward",
    "empty",
    "(0,3)",
    lambda g, y: _lsb(g, y, 1),
    _cat_arrays(_u(0, 3), _u(0, 3)),
)
case("gather_backward", "basic", "(3,3)->(3,4)", lambda g: _gb(g, _gi, 1, (3, 4)), _u(3, 3))
case("gather_backward", "0d", "()", lambda g: _gb(g, np.zeros((), np.int64), 0, ()), _u())
case(
    "gather_backward",
    "empty",
    "(0,1)",
    lambda g: _gb(g, np.zeros((0, 1), np.int64), 1, (0, 4)),
    _u(0, 1),
)

# softmax and log_softmax are fused primitives (one node each) with their own formulas.
for _name in ("softmax", "log_softmax"):
    case(_name, "basic", "dim1", lambda a, n=_name: getattr(a, n)(1), _u(3, 4))
    case(_name, "basic", "dim0-3d", lambda a, n=_name: getattr(a, n)(0), _u(2, 3, 4))
    case(_name, "basic", "times-input", lambda a, n=_name: getattr(a, n)(-1) * a, _u(3, 4))
    case(_name, "0d", "()", lambda a, n=_name: getattr(a, n)(0), _u())
    case(_name, "empty", "(0,3)", lambda a, n=_name: getattr(a, n)(1), _u(0, 3))

# cast: the float32 round trip limits what finite differences can resolve.
_F32_CHECK = {"eps": 1e-3, "atol": 1e-3, "rtol": 1e-3}
case("cast", "basic", "f64->f32", lambda a: a.to(tt.float32) * 2.0, _u(3, 4), **_F32_CHECK)
case("cast", "basic", "f64->f32->f64", lambda a: a.float().double().exp(), _u(3, 4), **_F32_CHECK)
case("cast", "0d", "()", lambda a: a.float(), _u(), **_F32_CHECK)
case("cast", "empty", "(0,3)", lambda a: a.float(), _u(0, 3), **_F32_CHECK)

# linear algebra
_mm = tt.matmul
case("matmul", "basic", "(3,4)@(4,2)", _mm, _cat_arrays(_u(3, 4), _u(4, 2)))
case("matmul", "basic", "1d@1d", _mm, _cat_arrays(_u(4), _u(4)))
case("matmul", "basic", "2d@1d", _mm, _cat_arrays(_u(3, 4), _u(4)))
case("matmul", "basic", "1d@2d", _mm, _cat_arrays(_u(4), _u(4, 2)))
case("matmul", "basic", "1d@3d", _mm, _cat_arrays(_u(3), _u(2, 3, 2)))
case("matmul", "basic", "3d@1d", _mm, _cat_arrays(_u(2, 3, 4), _u(4)))
case("matmul", "broadcast", "(2,1,3,4)@(3,4,2)", _mm, _cat_arrays(_u(2, 1, 3, 2), _u(3, 2, 2)))
case("matmul", "broadcast", "(2,3,4)@(4,2)", _mm, _cat_arrays(_u(2, 3, 4), _u(4, 2)))
case("matmul", "empty", "(0,3)@(3,2)", _mm, _cat_arrays(_u(0, 3), _u(3, 2)))
case("matmul", "empty", "(3,0)@(0,2)", _mm, _cat_arrays(_u(3, 0), _u(0, 2)))

# reductions
case("sum", "basic", "all", lambda a: a.sum(), _u(3, 4))
case("sum", "basic", "dim1", lambda a: a.sum(1), _u(3, 4))
case("sum", "basic", "dims(0,2)-keepdim", lambda a: a.sum((0, 2), keepdim=True), _u(2, 3, 4))
case("sum", "basic", "dim-1-keepdim", lambda a: a.sum(-1, keepdim=True), _u(3, 4))
case("sum", "0d", "()", lambda a: a.sum(), _u())
case("sum", "0d", "dim0", lambda a: a.sum(0), _u())
case("sum", "empty", "all", lambda a: a.sum(), _u(0, 3))
case("sum", "empty", "dim0", lambda a: a.sum(0), _u(0, 3))
case("sum", "empty", "dim1", lambda a: a.sum(1), _u(0, 3))
case("mean", "basic", "all", lambda a: a.mean(), _u(3, 4))
case("mean", "basic", "dim1", lambda a: a.mean(1), _u(3, 4))
case("mean", "basic", "dims(0,2)-keepdim", lambda a: a.mean((0, 2), keepdim=True), _u(2, 3, 4))
case("mean", "0d", "()", lambda a: a.mean(), _u())
case("mean", "empty", "dim1", lambda a: a.mean(1), _u(0, 3))
case("prod", "basic", "all", lambda a: a.prod(), _away_from_zero(2, 3))
case("prod", "basic", "dim1", lambda a: a.prod(1), _away_from_zero(3, 4))
case("prod", "basic", "dim0-keepdim", lambda a: a.prod(0, keepdim=True), _away_from_zero(3, 4))
case("prod", "basic", "one-zero", lambda a: a.prod(1), _with_zeros(3, 4, zeros=((1, 2),)))
case(
    "prod",
    "basic",
    "two-zeros-in-a-row",
    lambda a: a.prod(1),
    _with_zeros(3, 4, zeros=((0, 0), (0, 3), (2, 1))),
)
case("prod", "basic", "all-with-zero", lambda a: a.prod(), _with_zeros(2, 3, zeros=((1, 1),)))
case("prod", "0d", "()", lambda a: a.prod(), _away_from_zero())
case("prod", "empty", "dim0", lambda a: a.prod(0), _u(0, 3))
case("prod", "empty", "all", lambda a: a.prod(), _u(0, 3))
for _name in ("amax", "amin"):
    case(_name, "basic", "all", lambda a, n=_name: getattr(a, n)(), _distinct(3, 4))
    case(_name, "basic", "dim1", lambda a, n=_name: getattr(a, n)(1), _distinct(3, 4))
    case(
        _name,
        "basic",
        "dims(0,2)-keepdim",
        lambda a, n=_name: getattr(a, n)((0, 2), keepdim=True),
        _distinct(2, 3, 4),
    )
    case(_name, "0d", "()", lambda a, n=_name: getattr(a, n)(), _u())
    case(_name, "empty", "dim1", lambda a, n=_name: getattr(a, n)(1), _u(0, 3))
case("amax", "basic", "max()", lambda a: a.max(), _distinct(3, 4))
case("amin", "basic", "min()", lambda a: a.min(), _distinct(3, 4))
case("cumsum", "basic", "dim0", lambda a: a.cumsum(0), _u(3, 4))
case("cumsum", "basic", "dim-1", lambda a: a.cumsum(-1), _u(2, 3, 4))
case("cumsum", "0d", "()", lambda a: a.cumsum(0), _u())
case("cumsum", "empty", "dim0", lambda a: a.cumsum(0), _u(0, 3))
case("cumsum", "empty", "dim1", lambda a: a.cumsum(1), _u(0, 3))

# shape
case("reshape", "basic", "(3,4)->(2,6)", lambda a: a.reshape(2, 6), _u(3, 4))
case("reshape", "basic", "flatten", lambda a: a.flatten(), _u(2, 3, 2))
case("reshape", "0d", "()->(1,1)", lambda a: a.reshape(1, 1), _u())
case("reshape", "0d", "(1,)->()", lambda a: a.reshape(()), _u(1))
case("reshape", "empty", "(0,3)->(3,0)", lambda a: a.reshape(3, 0), _u(0, 3))
case("view", "basic", "split-last-dim", lambda a: a.view(3, 2, 2), _u(3, 4))
case("view", "0d", "()->(1,)", lambda a: a.view(1), _u())
case("view", "empty", "(0,3)->(3,0)", lambda a: a.view(3, 0), _u(0, 3))
case("permute", "basic", "(2,0,1)", lambda a: a.permute(2, 0, 1), _u(2, 3, 4))
case("permute", "basic", "T", lambda a: a.T, _u(3, 4))
case("permute", "0d", "()", lambda a: a.permute(()), _u())
case("permute", "empty", "(1,0)", lambda a: a.permute(1, 0), _u(0, 3))
case("expand", "basic", "(3,1,4)->(2,3,5,4)", lambda a: a.expand(2, 3, 5, 4), _u(3, 1, 4))
case("expand", "basic", "-1-keeps", lambda a: a.expand(-1, 3), _u(4, 1))
case("expand", "0d", "()->(2,3)", lambda a: a.expand(2, 3), _u())
case("expand", "empty", "(0,3)->(2,0,3)", lambda a: a.expand(2, 0, 3), _u(0, 3))
case("expand", "empty", "(1,3)->(0,3)", lambda a: a.expand(0, 3), _u(1, 3))
case("flip", "basic", "dim0", lambda a: a.flip(0), _u(3, 4))
case("flip", "basic", "dims(0,1)", lambda a: a.flip(0, 1), _u(3, 4))
case("flip", "0d", "()", lambda a: a.flip(()), _u())
case("flip", "empty", "dim0", lambda a: a.flip(0), _u(0, 3))
case("unfold", "basic", "overlapping", lambda a: a.unfold(1, 3, 2), _u(3, 7))
case("unfold", "basic", "1d-step1", lambda a: a.unfold(0, 2, 1), _u(5))
case("unfold", "basic", "gaps", lambda a: a.unfold(0, 2, 3), _u(7, 2))
case("unfold", "0d", "()", lambda a: a.unfold(0, 1, 1), _u())
case("unfold", "empty", "(0,3)", lambda a: a.unfold(1, 2, 1), _u(0, 3))
case(
    "unfold_backward",
    "basic",
    "overlapping",
    lambda g: unfold_backward(g, (3, 7), 1, 3, 2),
    _u(3, 3, 3),
)
case("unfold_backward", "basic", "gaps", lambda g: unfold_backward(g, (7, 2), 0, 2, 3), _u(2, 2, 2))
case("unfold_backward", "0d", "in_shape()", lambda g: unfold_backward(g, (), 0, 1, 1), _u(1))
case(
    "unfold_backward",
    "empty",
    "in_shape(0,3)",
    lambda g: unfold_backward(g, (0, 3), 1, 2, 1),
    _u(0, 2, 2),
)
case("contiguous", "basic", "step-slice", lambda a: a[::2].contiguous(), _u(4, 3))
case("clone", "basic", "expanded", lambda a: a.expand(3, 4).clone(), _u(1, 4))
case("cat", "basic", "dim0", lambda a, b: tt.cat([a, b]), _cat_arrays(_u(2, 3), _u(4, 3)))
case(
    "cat",
    "basic",
    "dim1-three",
    lambda a, b, c: tt.cat([a, b, c], 1),
    _cat_arrays(_u(2, 1), _u(2, 3), _u(2, 2)),
)
case("cat", "basic", "same-tensor-twice", lambda a: tt.cat([a, a * 2.0], -1), _u(2, 3))
case("cat", "empty", "(0,3)+(2,3)", lambda a, b: tt.cat([a, b]), _cat_arrays(_u(0, 3), _u(2, 3)))
case(
    "cat",
    "empty",
    "(0,3)+(0,3)-dim1",
    lambda a, b: tt.cat([a, b], 1),
    _cat_arrays(_u(0, 3), _u(0, 3)),
)
case("pad", "basic", "last-dim", lambda a: tt.pad(a, [1, 2]), _u(3, 4))
case("pad", "basic", "two-dims-value", lambda a: tt.pad(a, [1, 0, 2, 1], value=0.5), _u(3, 4))
case("pad", "basic", "pad-and-crop", lambda a: tt.pad(a, [-1, 2]), _u(3, 4))
case("pad", "empty", "(0,3)", lambda a: tt.pad(a, [1, 1, 2, 0]), _u(0, 3))

# indexing
case("getitem", "basic", "slices", lambda a: a[1:, ::2], _u(3, 4))
case("getitem", "basic", "int", lambda a: a[1], _u(3, 4))
case("getitem", "basic", "negative-int-and-none", lambda a: a[None, -1, ..., 2], _u(3, 4, 5))
case("getitem", "basic", "int-tensor-repeats", lambda a: a[_idx([0, 2, 0, 0])], _u(3, 4))
case("getitem", "basic", "list-and-slice", lambda a: a[[0, 2], 1:], _u(3, 4))
case("getitem", "basic", "two-int-tensors", lambda a: a[_idx([0, 1, 1]), _idx([3, 3, 0])], _u(3, 4))
case("getitem", "basic", "bool-mask", lambda a: a[_W_COND], _u(3, 4))
case("getitem", "0d", "None", lambda a: a[None], _u())
case("getitem", "0d", "ellipsis", lambda a: a[...], _u())
case("getitem", "0d", "element-of-1d", lambda a: a[2], _u(4))
case("getitem", "empty", "slice", lambda a: a[:, 1:], _u(0, 3))
case("getitem", "empty", "empty-index", lambda a: a[_idx(np.zeros(0, np.int64))], _u(3, 4))
_IP_IDX = (_idx([2, 0]),)
case(
    "index_put",
    "basic",
    "overwrite",
    lambda a, v: tt.index_put(a, _IP_IDX, v),
    _cat_arrays(_u(3, 4), _u(2, 4)),
)
case(
    "index_put",
    "basic",
    "accumulate-repeats",
    lambda a, v: tt.index_put(a, (_idx([1, 1, 0]), _idx([3, 3, 2])), v, accumulate=True),
    _cat_arrays(_u(3, 4), _u(3)),
)
case(
    "index_put",
    "basic",
    "values-broadcast",
    lambda a, v: tt.index_put(a, _IP_IDX, v),
    _cat_arrays(_u(3, 4), _u(4)),
)
case(
    "index_put",
    "basic",
    "basic-index",
    lambda a, v: tt.index_put(a, (slice(1, 3),), v),
    _cat_arrays(_u(3, 4), _u(2, 4)),
)
case(
    "index_put",
    "0d",
    "ellipsis",
    lambda a, v: tt.index_put(a, (Ellipsis,), v),
    _cat_arrays(_u(), _u()),
)
case(
    "index_put",
    "0d",
    "0d-value-into-element",
    lambda a, v: tt.index_put(a, (1, 2), v, accumulate=True),
    _cat_arrays(_u(3, 4), _u()),
)
case(
    "index_put",
    "empty",
    "(0,3)",
    lambda a, v: tt.index_put(a, (slice(None),), v),
    _cat_arrays(_u(0, 3), _u(0, 3)),
)
case(
    "index_put",
    "empty",
    "empty-index",
    lambda a, v: tt.index_put(a, (_idx(np.zeros(0, np.int64)),), v, accumulate=True),
    _cat_arrays(_u(3, 4), _u(0, 4)),
)
_G_IDX = _idx([[0, 3], [1, 1], [2, 0]])
case("gather", "basic", "dim1-repeats", lambda a: a.gather(1, _G_IDX), _u(3, 4))
case(
    "gather", "basic", "dim0-smaller-index", lambda a: a.gather(0, _idx([[2, 0], [2, 2]])), _u(3, 4)
)
case("gather", "0d", "()", lambda a: a.gather(0, _idx(0)), _u())
case("gather", "0d", "()-index-(2,)", lambda a: a.gather(0, _idx([0, 0])), _u())
case("gather", "empty", "(0,3)", lambda a: a.gather(1, _idx(np.zeros((0, 2), np.int64))), _u(0, 3))
case(
    "scatter_add",
    "basic",
    "dim1-repeats",
    lambda b, s: tt.scatter_add(b, 1, _G_IDX, s),
    _cat_arrays(_u(3, 4), _u(3, 2)),
)
case(
    "scatter_add",
    "basic",
    "src-larger-than-index",
    lambda b, s: tt.scatter_add(b, 0, _idx([[2, 0], [2, 2]]), s),
    _cat_arrays(_u(3, 4), _u(3, 3)),
)
case(
    "scatter_add",
    "0d",
    "()",
    lambda b, s: tt.scatter_add(b, 0, _idx(0), s),
    _cat_arrays(_u(), _u()),
)
case(
    "scatter_add",
    "empty",
    "(0,3)",
    lambda b, s: tt.scatter_add(b, 1, _idx(np.zeros((0, 2), np.int64)), s),
    _cat_arrays(_u(0, 3), _u(0, 2)),
)


# ----------------------------------------------------------------------- non-contiguous
def _permuted_leaf(a: np.ndarray) -> np.ndarray | None:
    """The same values in memory of reversed dim order (a non-contiguous array)."""
    if a.ndim < 2 or sum(s > 1 for s in a.shape) < 2:
        return None
    return np.ascontiguousarray(a.T).T


def _sliced_leaf(a: np.ndarray) -> np.ndarray | None:
    """The same values as every other row of a buffer twice as long."""
    if a.ndim < 1 or a.size == 0:
        return None
    big = np.repeat(a, 2, axis=0) + 100.0  # the skipped rows hold different values
    big[::2] = a
    return big[::2]


def _variant(base: Case, kind: str) -> Case | None:
    if kind in ("permuted", "sliced"):
        make = _permuted_leaf if kind == "permuted" else _sliced_leaf

        def arrays(r: np.random.Generator) -> list[np.ndarray]:
            out = []
            for a in base.arrays(r):
                v = make(a)
                out.append(a if v is None else v)
            return out

        probe = arrays(base.rng())
        if all(a.flags.c_contiguous for a in probe):
            return None
        return Case(base.prim, kind, base.label, base.fn, arrays, base.check)

    # expanded: the op sees leaf.expand(shape) where the leaf has a size-1 dim
    shapes = [a.shape for a in base.arrays(base.rng())]
    dims = [next((d for d, s in enumerate(sh) if s > 1), None) for sh in shapes]
    if all(d is None for d in dims):
        return None

    def arrays_e(r: np.random.Generator) -> list[np.ndarray]:
        out = []
        for a, d in zip(base.arrays(r), dims, strict=True):
            out.append(a if d is None else np.take(a, [0], axis=d))
        return out

    def fn(*leaves: tt.Tensor) -> tt.Tensor:
        xs = [
            x if d is None else x.expand(sh) for x, d, sh in zip(leaves, dims, shapes, strict=True)
        ]
        return base.fn(*xs)

    return Case(base.prim, kind, base.label, fn, arrays_e, base.check)


for _base in [c for c in CASES if c.kind == "basic"]:
    for _kind in ("permuted", "sliced", "expanded"):
        _v = _variant(_base, _kind)
        if _v is not None:
            CASES.append(_v)


# ----------------------------------------------------------------------- tests
def _differentiable() -> set[str]:
    return {n for n, op in dispatch.PRIMITIVES.items() if op.differentiable}


@contextmanager
def _recorded() -> Iterator[set[str]]:
    seen: set[str] = set()
    with dispatch.add_observer(lambda op, inputs, arrays, params, out: seen.add(op.name)):
        yield seen


def test_table_covers_every_differentiable_primitive() -> None:
    diff = _differentiable()
    assert diff, "no differentiable primitives found"
    assert set(NOT_GRADCHECKED) <= diff
    kinds_of: dict[str, set[str]] = {}
    for c in CASES:
        kinds_of.setdefault(c.prim, set()).add(c.kind)
    unknown = set(kinds_of) - diff
    assert not unknown, f"cases for names that are not differentiable primitives: {unknown}"
    missing = {
        (name, kind)
        for name in diff - set(NOT_GRADCHECKED)
        for kind in KINDS
        if kind not in kinds_of.get(name, set()) and (name, kind) not in NOT_APPLICABLE
    }
    assert not missing, f"primitives without gradcheck cases: {sorted(missing)}"
    stale = {k for k in NOT_APPLICABLE if k[1] in kinds_of.get(k[0], set())}
    assert not stale, f"NOT_APPLICABLE entries that do have cases: {stale}"


def test_table_covers_broadcast_pairs_of_every_binary_primitive() -> None:
    labels = {(c.prim, c.label) for c in CASES if c.kind == "broadcast"}
    for name in BINARY:
        for sa, sb in BROADCAST_PAIRS:
            assert (name, f"{sa}&{sb}") in labels, (name, sa, sb)
            assert (name, f"{sb}&{sa}") in labels, (name, sb, sa)


def test_every_primitive_has_a_derivative_formula() -> None:
    assert ag.missing_formulas() == []


def test_case_ids_are_unique() -> None:
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.id)
def test_gradcheck_primitive(c: Case) -> None:
    xs = c.leaves()
    if c.kind in ("permuted", "sliced"):
        assert any(not x.is_contiguous() for x in xs)
    with _recorded() as seen:
        out = c.fn(*xs)
    assert c.prim in seen, f"{c.id} does not run the primitive {c.prim} (ran {sorted(seen)})"
    assert out.requires_grad
    assert ag.gradcheck(c.fn, xs, **c.check)
    # One backward with a random upstream gradient: every leaf gets a gradient of its own
    # shape and dtype (for empty inputs that is the whole test: the gradient is empty).
    u = tt.from_numpy(c.rng().standard_normal(tuple(out.shape)).astype(out.dtype.np))
    grads = ag.grad(c.fn(*xs), xs, u, allow_unused=True)
    for x, g in zip(xs, grads, strict=True):
        assert g is not None, f"{c.id}: an input received no gradient"
        assert g.shape == x.shape
        assert g.dtype == tt.float64
        assert np.all(np.isfinite(g.numpy()))
    if c.kind == "empty":
        assert out.numel() == 0 or any(x.numel() == 0 for x in xs)


def test_floor_divide_records_a_node_whose_backward_raises_like_pytorch() -> None:
    x = _leaf([3.5, -2.5])
    y = x // 2.0
    assert y.requires_grad
    assert type(y.grad_fn).__name__ == "FloorDivideBackward0"
    np.testing.assert_array_equal(y.detach().numpy(), [1.0, -2.0])
    with pytest.raises(RuntimeError, match="derivative for floor_divide is not implemented"):
        y.sum().backward()


# ----------------------------------------------------------------------- composite ops
_IS_IDX = _idx([2, 0, 2])
_MF_MASK = _mask(3, (3, 4))
COMPOSITES: list[tuple[str, Callable[..., Any], Arrays]] = [
    ("softmax-dim1", lambda a: a.softmax(1), _u(3, 4)),
    ("softmax-dim0-large-logits", lambda a: (a * 100.0).softmax(0), _u(3, 4, lo=-0.01, hi=0.01)),
    ("log_softmax-dim-1", lambda a: a.log_softmax(-1), _u(3, 4)),
    ("logsumexp-dim1", lambda a: a.logsumexp(1), _u(3, 4)),
    ("logsumexp-dims-keepdim", lambda a: a.logsumexp((0, 2), keepdim=True), _u(2, 3, 2)),
    ("var-all", lambda a: a.var(), _u(3, 4)),
    ("var-dim1-correction0-keepdim", lambda a: a.var(1, correction=0, keepdim=True), _u(3, 4)),
    ("std-all", lambda a: a.std(), _u(3, 4)),
    ("std-dim0", lambda a: a.std(0), _u(3, 4)),
    ("mean-all", lambda a: a.mean(), _u(3, 4)),
    ("mean-dim-keepdim", lambda a: a.mean((0, 1), keepdim=True), _u(2, 3, 2)),
    ("norm-2", lambda a: a.norm(), _u(3, 4)),
    ("norm-1-dim1", lambda a: a.norm(1, dim=1), _away_from_zero(3, 4)),
    ("norm-inf", lambda a: a.norm(float("inf")), lambda r: [np.abs(_distinct(3, 4)(r)[0]) + 0.1]),
    ("norm-3-keepdim", lambda a: a.norm(3, dim=0, keepdim=True), _away_from_zero(3, 4)),
    ("norm-minus-1", lambda a: a.norm(-1), _away_from_zero(3, 4)),
    ("norm-minus-2-dim1", lambda a: a.norm(-2, dim=1), _away_from_zero(3, 4)),
    (
        "norm-minus-inf",
        lambda a: a.norm(float("-inf")),
        lambda r: [np.abs(_distinct(3, 4)(r)[0]) + 0.1],
    ),
    ("norm-fro-dim0", lambda a: a.norm("fro", dim=0), _u(3, 4)),
    ("repeat", lambda a: a.repeat(2, 1, 2), _u(2, 3)),
    ("stack-dim1", lambda a, b: tt.stack([a, b, a], 1), _cat_arrays(_u(2, 3), _u(2, 3))),
    ("split-sizes", lambda a: a.split([1, 3], 1)[1] * a.split([1, 3], 1)[0], _u(3, 4)),
    ("split-int", lambda a: tt.cat(a.split(2)[::-1]), _u(5, 2)),
    ("chunk", lambda a: a.chunk(3, 1)[0] + a.chunk(3, 1)[2], _u(2, 6)),
    ("unbind", lambda a: a.unbind(1)[0] * a.unbind(1)[2], _u(3, 4)),
    ("index_select", lambda a: a.index_select(0, _IS_IDX), _u(3, 4)),
    ("index_select-dim1", lambda a: a.index_select(1, _IS_IDX), _u(3, 4)),
    ("masked_fill-scalar", lambda a: a.masked_fill(_MF_MASK, 0.5), _u(3, 4)),
    (
        "masked_fill-0d-tensor-value",
        lambda a, v: a.masked_fill(_MF_MASK, v),
        _cat_arrays(_u(3, 4), _u()),
    ),
    ("max-dim", lambda a: a.max(1).values, _distinct(3, 4)),
    ("min-dim-keepdim", lambda a: a.min(0, keepdim=True).values, _distinct(3, 4)),
    ("max-elementwise", lambda a, b: a.max(b), _two((3, 4), (4,), "apart")),
    ("where-two-scalars-around", lambda a: tt.where(_MF_MASK, a * 2.0, 1.0), _u(3, 4)),
    (
        "clamp-tensor-bounds",
        lambda a, lo: a.clamp(lo, lo + 1.0),
        lambda r: _sample(
            r,
            ((3, 4), (4,)),
            lambda a, lo: bool(np.all(np.abs(a - lo) > 0.1) & np.all(np.abs(a - lo - 1.0) > 0.1)),
        ),
    ),
    ("add-alpha", lambda a, b: a.add(b, alpha=-2.0), _cat_arrays(_u(3, 4), _u(4))),
    ("sub-alpha", lambda a, b: a.sub(b, alpha=0.5), _cat_arrays(_u(3, 4), _u(4))),
    ("transpose-movedim", lambda a: tt.movedim(a.transpose(0, 2), 0, 1), _u(2, 3, 4)),
    ("squeeze-unsqueeze", lambda a: a.squeeze(1).unsqueeze(0), _u(3, 1, 4)),
    ("unflatten", lambda a: a.unflatten(1, (2, 2)), _u(3, 4)),
    (
        "mm-bmm-dot",
        lambda a, b: tt.bmm(a, b).sum(0) @ tt.mm(a[0].T, a[1]).sum(1) + tt.dot(a[0, 0], b[0, :, 1]),
        _cat_arrays(_u(2, 3, 3), _u(2, 3, 3)),
    ),
    ("setitem-on-clone", lambda a, v: _setitem(a, v), _cat_arrays(_u(3, 4), _u(4))),
    ("mean-of-softmax-times-input", lambda a: (a.softmax(0) * a).mean(), _u(3, 4)),
]


def _setitem(a: tt.Tensor, v: tt.Tensor) -> tt.Tensor:
    y = a.clone()
    y[1] = v * 2.0
    return y


@pytest.mark.parametrize(("label", "fn", "arrays"), COMPOSITES, ids=[c[0] for c in COMPOSITES])
def test_gradcheck_composite(label: str, fn: Callable[..., Any], arrays: Arrays) -> None:
    xs = [_leaf(a) for a in arrays(np.random.default_rng(zlib.crc32(label.encode())))]
    assert ag.gradcheck(fn, xs)


# ----------------------------------------------------------------------- second derivatives
_GG_GATHER = _idx([[0, 2], [1, 1]])
GRADGRAD: list[tuple[str, Callable[..., Any], Arrays]] = [
    ("mul", lambda a, b: a * b, _cat_arrays(_u(2, 3), _u(3))),
    ("add_scaled", lambda a, b: a.add(b * b, alpha=-0.7), _cat_arrays(_u(2, 3), _u(3))),
    ("div", lambda a, b: a / b, _two((2, 3), (2, 3), "div")),
    ("pow", lambda a, b: a**b, _two((2, 3), (2, 3), "pow")),
    ("pow-scalar-exponent", lambda a: a**3.5, _pos(2, 3)),
    ("exp", lambda a: a.exp(), _u(2, 3)),
    ("log", lambda a: a.log(), _pos(2, 3)),
    ("tanh", lambda a: a.tanh(), _u(2, 3)),
    ("sigmoid", lambda a: a.sigmoid(), _u(2, 3)),
    ("erf", lambda a: a.erf(), _u(2, 3, lo=-3.0, hi=3.0)),
    ("matmul", lambda a, b: a @ b, _cat_arrays(_u(2, 3), _u(3, 2))),
    ("matmul-1d", lambda a, b: a @ b, _cat_arrays(_u(3), _u(2, 3, 2))),
    ("sum", lambda a: (a * a).sum(1), _u(2, 3)),
    ("mean", lambda a: (a * a).mean(0), _u(2, 3)),
    ("softmax", lambda a: a.softmax(1), _u(2, 3)),
    ("getitem", lambda a: (a * a)[_idx([1, 1, 0]), 1:], _u(2, 3)),
    ("unfold", lambda a: (a * a).unfold(1, 2, 1), _u(2, 4)),
    ("cat", lambda a, b: tt.cat([a * b, b.exp()], 1), _cat_arrays(_u(2, 2), _u(2, 1))),
    ("gather", lambda a: (a * a).gather(1, _GG_GATHER), _u(2, 3)),
    # zeros in prod's slices: one, two, three, none (the gradient formula keeps its graph)
    (
        "prod-with-zeros",
        lambda a: a.prod(1),
        lambda r: [np.array([[0.0, 2.0, -1.5, 0.7], [0.0, 1.2, 0.0, 3.0], [0.0, 0.0, 0.0, 2.0]])],
    ),
    ("prod-all-one-zero", lambda a: a.prod(), lambda r: [np.array([[0.0, 2.0], [-1.5, 0.7]])]),
    (
        "remainder",
        lambda a, b: (a % b) * (a % b),
        lambda r: [np.array([5.3, -7.2, 1.1]), np.array([2.0, 3.0, -0.7])],
    ),
]


@pytest.mark.parametrize(("label", "fn", "arrays"), GRADGRAD, ids=[c[0] for c in GRADGRAD])
def test_gradgradcheck(label: str, fn: Callable[..., Any], arrays: Arrays) -> None:
    xs = [_leaf(a) for a in arrays(np.random.default_rng(zlib.crc32(label.encode())))]
    assert ag.gradgradcheck(fn, xs)


def test_gradcheck_detects_a_wrong_formula() -> None:
    class Wrong(ag.Function):
        @staticmethod
        def forward(ctx: Any, x: tt.Tensor) -> tt.Tensor:
            return x * x

        @staticmethod
        def backward(ctx: Any, g: tt.Tensor) -> tt.Tensor:
            return g * 3.0

    x = _leaf([0.5, 1.0])
    with pytest.raises(ag.GradcheckError, match="Jacobian mismatch"):
        ag.gradcheck(Wrong.apply, [x])
    assert ag.gradcheck(Wrong.apply, [x], raise_exception=False) is False


def test_gradcheck_warns_on_float32_inputs_and_their_check_fails() -> None:
    # PyTorch's behaviour: a warning, then the check runs (and float32 differences fail it).
    x = tt.tensor([1.0, 2.0], requires_grad=True)
    with pytest.warns(UserWarning, match="input #0 requires gradient and is float32"):
        assert ag.gradcheck(lambda a: a * 2, [x], raise_exception=False) is False
    with (
        pytest.warns(UserWarning, match="float32"),
        pytest.raises(ag.GradcheckError, match="Jacobian mismatch"),
    ):
        ag.gradcheck(lambda a: a * 2, x)


def test_gradcheck_takes_a_single_tensor_and_its_error_is_a_runtime_error() -> None:
    x = _leaf([0.5, 1.0])
    assert ag.gradcheck(lambda a: a * a, x) is True
    assert issubclass(ag.GradcheckError, RuntimeError)
    with pytest.raises(RuntimeError, match="Jacobian mismatch"):
        ag.gradcheck(lambda a: a.detach() * a, x)


def test_gradgradcheck_takes_grad_outputs_and_raise_exception() -> None:
    x = _leaf([0.5, -1.0])
    u = _leaf([1.0, 2.0])
    assert ag.gradgradcheck(lambda a: a**3, x, u) is True
    assert ag.gradgradcheck(lambda a: a**3, [x], [u.detach()]) is True
    # d/dx (u . grad) is wrong when the first derivative hides x from the graph
    assert ag.gradgradcheck(lambda a: a.detach() ** 2 * a, x, raise_exception=False) is False
    with pytest.raises(ag.GradcheckError):
        ag.gradgradcheck(lambda a: a.detach() ** 2 * a, x)


# ----------------------------------------------------------------------- subgradients
def _grad_of(fn: Callable[..., tt.Tensor], *values: Any) -> list[np.ndarray]:
    xs = [_leaf(v) for v in values]
    fn(*xs).sum().backward()
    return [x.grad.numpy() for x in xs]  # type: ignore[union-attr]


def test_relu_gradient_at_zero_is_zero() -> None:
    (g,) = _grad_of(lambda x: x.relu(), [-1.0, 0.0, 2.0])
    np.testing.assert_array_equal(g, [0.0, 0.0, 1.0])


def test_abs_gradient_at_zero_is_zero() -> None:
    (g,) = _grad_of(lambda x: x.abs(), [-2.0, 0.0, 3.0])
    np.testing.assert_array_equal(g, [-1.0, 0.0, 1.0])


def test_sign_gradient_is_zero_everywhere() -> None:
    (g,) = _grad_of(lambda x: x.sign(), [-2.0, 0.0, 3.0])
    np.testing.assert_array_equal(g, [0.0, 0.0, 0.0])


def test_amax_and_max_split_the_gradient_evenly_among_ties() -> None:
    for fn in (lambda x: x.amax(), lambda x: x.max()):
        (g,) = _grad_of(fn, [1.0, 3.0, 3.0, 2.0])
        np.testing.assert_array_equal(g, [0.0, 0.5, 0.5, 0.0])


def test_amin_splits_the_gradient_evenly_among_ties() -> None:
    (g,) = _grad_of(lambda x: x.amin(), [1.0, 3.0, 1.0, 1.0])
    np.testing.assert_allclose(g, [1 / 3, 0.0, 1 / 3, 1 / 3])


def test_amax_over_a_dim_splits_ties_per_slice() -> None:
    (g,) = _grad_of(lambda x: x.amax(1), [[1.0, 1.0, 0.0], [2.0, 2.0, 2.0], [0.0, 5.0, 1.0]])
    np.testing.assert_allclose(g, [[0.5, 0.5, 0.0], [1 / 3, 1 / 3, 1 / 3], [0.0, 1.0, 0.0]])


def test_max_and_min_of_all_elements_send_a_nan_result_to_the_nan_elements() -> None:
    nan = float("nan")
    (g,) = _grad_of(lambda x: x.max(), [1.0, nan, 2.0])
    np.testing.assert_array_equal(g, [0.0, 1.0, 0.0])
    (g,) = _grad_of(lambda x: x.min(), [1.0, nan, nan])
    np.testing.assert_array_equal(g, [0.0, 0.5, 0.5])


def test_amax_over_a_dim_gives_a_nan_slice_nan_gradients() -> None:
    nan = float("nan")
    (g,) = _grad_of(lambda x: x.amax(1), [[1.0, nan, nan], [3.0, 4.0, 4.0]])
    np.testing.assert_array_equal(g, [[nan, nan, nan], [0.0, 0.5, 0.5]])


def test_prod_with_a_zero_has_the_hessian_of_the_product() -> None:
    x = _leaf([0.0, 2.0, 3.0])
    (g,) = ag.grad(x.prod(), x, create_graph=True)
    assert g is not None
    np.testing.assert_array_equal(g.detach().numpy(), [6.0, 0.0, 0.0])
    rows = [ag.grad(g[i], x, retain_graph=True)[0] for i in range(3)]
    hessian = np.stack([r.detach().numpy() for r in rows if r is not None])
    np.testing.assert_array_equal(hessian, [[0.0, 3.0, 2.0], [3.0, 0.0, 0.0], [2.0, 0.0, 0.0]])


def test_max_over_a_dim_sends_the_gradient_to_the_returned_index() -> None:
    (g,) = _grad_of(lambda x: x.max(1).values, [[1.0, 1.0], [2.0, 3.0]])
    np.testing.assert_array_equal(g, [[1.0, 0.0], [0.0, 1.0]])


def test_maximum_and_minimum_of_equal_values_give_half_to_each_input() -> None:
    for op in (tt.maximum, tt.minimum):
        ga, gb = _grad_of(op, [1.0, 2.0, 5.0], [1.0, 3.0, 5.0])
        np.testing.assert_array_equal(ga, [0.5, 1.0 if op is tt.minimum else 0.0, 0.5])
        np.testing.assert_array_equal(gb, [0.5, 0.0 if op is tt.minimum else 1.0, 0.5])


def test_maximum_of_a_tensor_with_itself_gives_half_twice() -> None:
    x = _leaf([1.0, -2.0])
    y = tt.maximum(x, x)
    (g_both,) = y.grad_fn.apply(tt.ones(2, dtype=tt.float64))[:1]
    np.testing.assert_array_equal(g_both.numpy(), [0.5, 0.5])
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [1.0, 1.0])  # 0.5 through each operand


def test_clamp_passes_the_gradient_at_its_bounds() -> None:
    values = [-1.0, 0.0, 0.5, 1.0, 2.0]
    (g,) = _grad_of(lambda x: x.clamp(0.0, 1.0), values)
    np.testing.assert_array_equal(g, [0.0, 1.0, 1.0, 1.0, 0.0])
    (g,) = _grad_of(lambda x: x.clamp(min=0.0), values)
    np.testing.assert_array_equal(g, [0.0, 1.0, 1.0, 1.0, 1.0])
    (g,) = _grad_of(lambda x: x.clamp(max=1.0), values)
    np.testing.assert_array_equal(g, [1.0, 1.0, 1.0, 1.0, 0.0])


def test_pow_conventions_at_zero() -> None:
    # d/dx x**0 = 0 (even at x = 0); d/db 0**b = 0 for b >= 0 (not nan from log 0).
    (g,) = _grad_of(lambda x: x**0, [0.0, 2.0])
    np.testing.assert_array_equal(g, [0.0, 0.0])
    base = tt.zeros(2, dtype=tt.float64)
    ga, gb = _grad_of(lambda a, b: a**b, [0.0, 0.0], [2.0, 0.0])
    np.testing.assert_array_equal(gb, [0.0, 0.0])
    np.testing.assert_array_equal(ga, [0.0, 0.0])
    b = _leaf([2.0, 3.0])
    (base**b).sum().backward()
    np.testing.assert_array_equal(b.grad.numpy(), [0.0, 0.0])


@pytest.mark.parametrize(("ta", "tb"), [(False, True), (True, False), (True, True)])
def test_matmul_with_transposed_operands_has_correct_first_and_second_derivatives(
    ta: bool, tb: bool
) -> None:
    # matmul's own gradient uses the transposed-operand form; differentiating a gradient again
    # (create_graph) goes through these flags, so every combination is checked twice over.
    from tt_tensor.linalg import matmul_t

    rng = np.random.default_rng(7)
    a = tt.from_numpy(rng.standard_normal((4, 3) if ta else (3, 4))).requires_grad_()
    b = tt.from_numpy(rng.standard_normal((2, 4) if tb else (4, 2))).requires_grad_()
    assert ag.gradcheck(lambda x, y: matmul_t(x, y, ta, tb), [a, b])
    assert ag.gradgradcheck(lambda x, y: matmul_t(x, y, ta, tb).sin(), [a, b])
