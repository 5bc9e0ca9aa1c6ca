"""Data types and PyTorch's type-promotion rules.

A :class:`DType` names a NumPy dtype the way PyTorch names its own: ``tt_tensor.float32`` is
``torch.float32``.  Storage is the NumPy dtype itself, so ``int8`` really is one byte per element.

Promotion (what ``a + b`` returns) follows PyTorch, which differs from NumPy in three places:

============================  ===============================  =========  =========
operands                      rule                             PyTorch    NumPy
============================  ===============================  =========  =========
int64 tensor / int64 tensor   true division gives a float      float32    float64
int64 tensor + Python float   Python floats take the default   float32    float64
float32 tensor + 0-d float64  0-d tensors only win on category float32    float32
============================  ===============================  =========  =========

The full rule: every operand has a *category* (bool < integer < floating) and a *priority*:
dimensioned tensors first, then 0-d tensors, then Python scalars.  The result's category is the
highest category of all operands.  Among the operands of that category, the highest-priority group
decides the dtype (the usual lattice promotion inside the group, e.g. int8 + uint8 -> int16,
float16 + float32 -> float32).  A Python ``float`` with no floating tensor present gives the
default dtype ``float32``; a Python ``int`` with only bool tensors gives ``int64``; a Python
``bool`` never promotes.

The table: the dtype of ``a + b`` for two dimensioned tensors (``promote_types``; it matches
``torch.promote_types`` entry for entry, and a test checks this table against the code)::

    ========= ===== ===== ===== ===== ===== ===== ===== ===== =====
    a \\ b     b     u8    i8    i16   i32   i64   f16   f32   f64
    ========= ===== ===== ===== ===== ===== ===== ===== ===== =====
    b         b     u8    i8    i16   i32   i64   f16   f32   f64
    u8        u8    u8    i16   i16   i32   i64   f16   f32   f64
    i8        i8    i16   i8    i16   i32   i64   f16   f32   f64
    i16       i16   i16   i16   i16   i32   i64   f16   f32   f64
    i32       i32   i32   i32   i32   i32   i64   f16   f32   f64
    i64       i64   i64   i64   i64   i64   i64   f16   f32   f64
    f16       f16   f16   f16   f16   f16   f16   f16   f32   f64
    f32       f32   f32   f32   f32   f32   f32   f32   f32   f64
    f64       f64   f64   f64   f64   f64   f64   f64   f64   f64
    ========= ===== ===== ===== ===== ===== ===== ===== ===== =====

Systems questions: why does ``uint8_tensor + 300`` wrap around instead of widening?  Why is
the promotion of a *scalar* operand decided by its category and not by its value?
"""

from __future__ import annotations

import math
from typing import Any, Final, NoReturn

import numpy as np

__all__ = [
    "DType",
    "bool_",
    "float16",
    "float32",
    "float64",
    "get_default_dtype",
    "int8",
    "int16",
    "int32",
    "int64",
    "promote_types",
    "result_type",
    "uint8",
]


class DType:
    """A tensor element type: a name, its NumPy storage dtype and its category.

    Categories order promotion: 0 = bool, 1 = integer, 2 = floating point.
    """

    __slots__ = (
        "category",
        "is_complex",
        "is_floating_point",
        "is_signed",
        "itemsize",
        "name",
        "np",
    )

    def __init__(self, name: str, np_dtype: np.dtype[np.generic], category: int) -> None:
        self.name = name
        self.np = np_dtype
        self.category = category
        self.itemsize = np_dtype.itemsize
        self.is_floating_point = category == 2
        self.is_complex = False  # (no complex dtypes; PyTorch's attribute, for parity)
        self.is_signed = np_dtype.kind in "if"

    def __repr__(self) -> str:
        return f"tt_tensor.{self.name}"

    def __reduce__(self) -> str:  # copy.copy/deepcopy return the singleton itself
        # The module attribute holding the singleton: ``bool_``, not ``bool``.
        return "bool_" if self.name == "bool" else self.name

    def to_real(self) -> DType:
        """Return ``self`` (there are no complex dtypes); kept for PyTorch parity."""
        return self


bool_: Final = DType("bool", np.dtype(np.bool_), 0)
uint8: Final = DType("uint8", np.dtype(np.uint8), 1)
int8: Final = DType("int8", np.dtype(np.int8), 1)
int16: Final = DType("int16", np.dtype(np.int16), 1)
int32: Final = DType("int32", np.dtype(np.int32), 1)
int64: Final = DType("int64", np.dtype(np.int64), 1)
float16: Final = DType("float16", np.dtype(np.float16), 2)
float32: Final = DType("float32", np.dtype(np.float32), 2)
float64: Final = DType("float64", np.dtype(np.float64), 2)

ALL: Final = (bool_, uint8, int8, int16, int32, int64, float16, float32, float64)
_FROM_NP: Final[dict[np.dtype[np.generic], DType]] = {d.np: d for d in ALL}
_FROM_NAME: Final[dict[str, DType]] = {d.name: d for d in ALL}

DEFAULT_FLOAT: Final = np.dtype(np.float32)
DEFAULT_INT: Final = np.dtype(np.int64)


def get_default_dtype() -> DType:
    """The dtype Python floats become: ``float32``, as in PyTorch."""
    return float32


def from_numpy_dtype(dt: np.dtype[np.generic], op: str = "tensor") -> DType:
    """Map a NumPy dtype to its tt dtype, or raise ``TypeError`` naming the op."""
    found = _FROM_NP.get(dt)
    if found is None:
        names = ", ".join(d.name for d in ALL)
        raise TypeError(f"{op}: NumPy dtype {dt} is not supported (supported: {names})")
    return found


def to_numpy_dtype(dtype: object, op: str = "tensor") -> np.dtype[np.generic]:
    """Accept a :class:`DType`, a NumPy dtype or a dtype name and return the NumPy dtype."""
    if isinstance(dtype, DType):
        return dtype.np
    if isinstance(dtype, str) and dtype in _FROM_NAME:
        return _FROM_NAME[dtype].np
    try:
        return from_numpy_dtype(np.dtype(dtype), op).np  # type: ignore[call-overload]
    except TypeError:
        raise TypeError(f"{op}: {dtype!r} is not a supported dtype") from None


def category(dt: np.dtype[np.generic]) -> int:
    """0 for bool, 1 for integers, 2 for floating point."""
    kind = dt.kind
    return 2 if kind == "f" else (0 if kind == "b" else 1)


def promote_types(a: DType, b: DType) -> DType:
    """The smallest dtype both ``a`` and ``b`` convert to without loss (PyTorch's lattice)."""
    return _FROM_NP[_promote_np(a.np, b.np)]


def _promote_np(a: np.dtype[np.generic], b: np.dtype[np.generic]) -> np.dtype[np.generic]:
    # Across categories the higher category wins outright (PyTorch: int64 + float16 -> float16,
    # where NumPy would widen to float64).  Inside one category NumPy's lattice agrees with
    # PyTorch's for the dtypes we support (int8 + uint8 -> int16, float16 + float32 -> float32).
    if a is b:
        return a
    ca, cb = category(a), category(b)
    if ca != cb:
        return a if ca > cb else b
    return np.promote_types(a, b)


# Priority groups: 0 = dimensioned tensor, 1 = zero-dim tensor, 2 = Python scalar.
_cache: dict[tuple[object, ...], np.dtype[np.generic]] = {}


def result_type_np(*operands: object) -> np.dtype[np.generic]:
    """Promote operands given as NumPy arrays (ndim tells 0-d) or Python scalars."""
    key = tuple((o.dtype, o.ndim == 0) if isinstance(o, np.ndarray) else type(o) for o in operands)
    hit = _cache.get(key)
    if hit is not None:
        return hit
    groups: list[list[np.dtype[np.generic]]] = [[], [], []]
    for k in key:
        if isinstance(k, tuple):
            groups[1 if k[1] else 0].append(k[0])
        elif k is bool:
            groups[2].append(np.dtype(np.bool_))
        elif k is int:
            groups[2].append(DEFAULT_INT)
        elif k is float:
            groups[2].append(DEFAULT_FLOAT)
        else:
            raise TypeError(f"cannot promote an operand of type {k}")
    top = max(category(d) for g in groups for d in g)
    for g in groups:
        same = [d for d in g if category(d) == top]
        if same:
            out = same[0]
            for d in same[1:]:
                out = _promote_np(out, d)
            break
    _cache[key] = out
    return out


def scalar_to(value: object, dt: np.dtype[np.generic], op: str) -> np.ndarray[Any, Any]:
    """A Python number as a 0-d array of ``dt``, raising where PyTorch's conversion of a scalar
    argument does: a value outside ``dt``'s range, or nan/inf into an integer dtype.  Used by
    ``full``, ``fill_``, ``masked_fill``, ``clamp``, ``pad``, ``where`` (not for a float into
    float16: inf there) and ``t[i] = v`` (integer dtypes only: a float overflows to inf).

    As in PyTorch, an int may wrap into an unsigned dtype by at most its range (``-1`` into
    uint8 is 255; ``-256`` raises), and ``inf`` converts to a floating dtype where a finite
    value above its largest (``1e6`` into float16) raises.  Binary arithmetic does not go
    through here: ``int8_tensor + 300`` wraps in both libraries."""
    if dt.kind in "iu" and type(value) is not bool and isinstance(value, (int, float, np.number)):
        info = np.iinfo(dt)  # type: ignore[type-var]
        if isinstance(value, (int, np.integer)):
            lo = -int(info.max) if dt.kind == "u" else int(info.min)
            ok = lo <= int(value) <= info.max
        else:
            ok = bool(info.min <= float(value) <= info.max)  # (False for nan and inf)
        if not ok:
            _overflow(value, dt, op)
    elif dt.kind == "f" and type(value) is not bool and isinstance(value, (int, float, np.number)):
        try:
            v = float(value)
        except OverflowError:  # an int beyond float64
            _overflow(value, dt, op)
        if math.isfinite(v) and abs(v) > _FLOAT_MAX[dt.itemsize]:
            _overflow(value, dt, op)
    if dt.kind in "iu" and isinstance(value, (int, np.integer)):
        return np.array(int(value)).astype(dt)  # in range, or a wrap into an unsigned dtype
    return np.array(value, dtype=dt)


_FLOAT_MAX = {2: 65504.0, 4: float(np.finfo(np.float32).max), 8: float(np.finfo(np.float64).max)}


def _overflow(value: object, dt: np.dtype[np.generic], op: str) -> NoReturn:
    raise RuntimeError(
        f"{op}: value {value!r} cannot be converted to type {dt.name} without overflow"
    )


def result_type(*operands: object) -> DType:
    """The dtype of ``op(*operands)`` for an elementwise op, under PyTorch's rules.

    Operands are tensors, NumPy arrays or Python scalars.

    >>> import tt_tensor as tt
    >>> tt.result_type(tt.tensor([1, 2]), 2.5)
    tt_tensor.float32
    """
    arrays = [getattr(o, "_data", o) for o in operands]
    return _FROM_NP[result_type_np(*arrays)]
