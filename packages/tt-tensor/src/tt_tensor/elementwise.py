"""Elementwise operations: arithmetic, comparisons, logic and math functions.

**Shape**: binary ops broadcast NumPy/PyTorch style: shapes are aligned on the right and each
pair of sizes must be equal or 1; the result has the larger size in every dim.
``(2, 1, 4) op (3, 1) -> (2, 3, 4)``.

**Dtype**: PyTorch's promotion (see :mod:`tt_tensor.dtypes`); true division and the math
functions (``exp``, ``log``, ``sqrt``, ...) turn integer inputs into ``float32``.

**Cost**: one pass over the output, ``numel(out)`` FLOPs for arithmetic (a few more for
``sigmoid``); every op allocates its output (no views here).  In-place forms (``add_``) write
into their target and allocate nothing.

Floating-point edge cases give IEEE results, as in PyTorch (``1/0 = inf``, ``log(-1) = nan``).
Division, powers and the math functions run with NumPy's floating-point warnings silenced
(PyTorch never warns).  ``add``/``sub``/``mul`` and their in-place forms do not: silencing costs
about 1.3 microseconds a call on the hottest ops (every optimizer step), so an overflow there
still shows NumPy's ``RuntimeWarning`` (the value, ``inf``, matches PyTorch); so does
``matmul``.  Integer division by zero raises, as in PyTorch.
"""

from __future__ import annotations

import builtins
from typing import Any, overload

import numpy as np

from .dispatch import Primitive, dispatch, dispatch_inplace
from .dtypes import DEFAULT_FLOAT, category, result_type_np, scalar_to, to_numpy_dtype
from .tensor import Tensor, _make

_PY_SCALARS = (int, float, bool)
_scalar_cache: dict[tuple[np.dtype[Any], type], np.dtype[Any]] = {}


def _quiet(fn: Any) -> Any:
    """Wrap a NumPy function so IEEE edge cases (x/0, log(0)) give inf/nan without warnings."""

    def quiet(*args: Any) -> Any:
        with np.errstate(all="ignore"):
            return fn(*args)

    quiet.__name__ = getattr(fn, "__name__", "quiet")
    return quiet


# ----------------------------------------------------------------------- operand handling
def as_operand(x: Any, like: Tensor) -> Tensor:
    """Turn a Python scalar or array into a tensor operand (scalars keep weak promotion)."""
    if isinstance(x, Tensor):
        return x
    if type(x) in _PY_SCALARS:
        dt = _scalar_result(like._data.dtype, x)
        return _make(_scalar_array(x, dt))
    from .creation import tensor

    return tensor(x)


def _scalar_result(dt: np.dtype[Any], s: object) -> np.dtype[Any]:
    key = (dt, type(s))
    hit = _scalar_cache.get(key)
    if hit is None:
        hit = result_type_np(np.empty(0, dt), s)
        _scalar_cache[key] = hit
    return hit


def _scalar_array(s: Any, dt: np.dtype[Any]) -> Any:
    """A 0-d array of ``s`` in ``dt`` (integers wrap around like PyTorch, not raise)."""
    if dt.kind in "iu" and type(s) is int:
        return np.array(s).astype(dt)
    return np.array(s, dtype=dt)


def _binary_operands(
    name: str, a: Tensor, b: Any, force_float: bool = False
) -> tuple[tuple[Tensor | None, Tensor | None], Any, Any]:
    """Promote ``a`` (a tensor) and ``b`` (tensor or Python scalar) to one dtype.

    Returns ``(inputs, a_data, b_data)``; a Python scalar operand stays a Python scalar (NumPy
    treats it as weakly typed, like PyTorch) unless it would not fit an integer dtype.
    """
    ad = a._data
    if isinstance(b, Tensor):
        bd = b._data
        if ad.dtype is not bd.dtype or (force_float and ad.dtype.kind != "f"):
            dt = result_type_np(ad, bd)
            if force_float and dt.kind != "f":
                dt = DEFAULT_FLOAT
            if ad.dtype != dt:
                ad = ad.astype(dt)
            if bd.dtype != dt:
                bd = bd.astype(dt)
        return (a, b), ad, bd
    tb = type(b)
    if tb is float or tb is int or tb is bool:
        dt = _scalar_result(ad.dtype, b)
        if force_float and dt.kind != "f":
            dt = DEFAULT_FLOAT
        if ad.dtype is not dt:
            ad = ad.astype(dt)
        if tb is int and dt.kind in "iu":
            info = np.iinfo(dt)
            if not info.min <= b <= info.max:
                b = _scalar_array(b, dt)
        return (a, None), ad, b
    if isinstance(b, (np.ndarray, np.generic, list, tuple)):
        return _binary_operands(name, a, as_operand(b, a), force_float)
    raise TypeError(
        f"{name}: unsupported operand type {tb.__name__} (expected a Tensor or a Python number)"
    )


def _broadcast_error(name: str, a: Any, b: Any) -> RuntimeError:
    sa, sb = tuple(np.shape(a)), tuple(np.shape(b))
    detail = ""
    for i in range(1, builtins.max(len(sa), len(sb)) + 1):
        x = sa[-i] if i <= len(sa) else 1
        y = sb[-i] if i <= len(sb) else 1
        if x != y and x != 1 and y != 1:
            dim = builtins.max(len(sa), len(sb)) - i
            detail = (
                f": the size of tensor a ({x}) must match the size of tensor b ({y}) "
                f"at non-singleton dimension {dim}"
            )
            break
    return RuntimeError(f"{name}: shapes {sa} and {sb} cannot be broadcast together{detail}")


def _run_binary(
    op: Primitive, a: Tensor, b: Any, force_float: bool = False, params: tuple[Any, ...] = ()
) -> Tensor:
    ad = a._data
    if b.__class__ is Tensor and b._data.dtype is ad.dtype and not force_float:
        inputs: tuple[Tensor | None, Tensor | None] = (a, b)  # the hot path: no promotion
        bd: Any = b._data
    elif (b.__class__ is float or b.__class__ is int) and ad.dtype.kind == "f":
        # ``lr * grad``, ``g / n``: a weak Python number keeps a float tensor's dtype (what
        # _binary_operands decides, without its promotion lookups)
        if ad.dtype is _F16 and op in _OPMATH:
            return _opmath(op, a, b, params)
        inputs, bd = (a, None), b
    else:
        if ad.dtype is _F16 and _opmath_operand(op, a, b):
            return _opmath(op, a, b, params)
        inputs, ad, bd = _binary_operands(op.name, a, b, force_float)
    try:
        return dispatch(op, inputs, (ad, bd), params)
    except ValueError:
        raise _broadcast_error(op.name, ad, bd) from None


def _run_reflected(op: Primitive, a: Tensor, s: Any, force_float: bool = False) -> Tensor:
    """``s op a`` for a Python scalar ``s``."""
    if type(s) not in _PY_SCALARS:
        return _run_binary(op, as_operand(s, a), a, force_float)
    if a._data.dtype is _F16 and _opmath_operand(op, a, s):
        return _opmath(op, a, s, reflected=True)
    inputs, ad, sd = _binary_operands(op.name, a, s, force_float)
    return dispatch(op, (inputs[1], inputs[0]), (sd, ad))


def _run_inplace(op: Primitive, a: Tensor, b: Any, params: tuple[Any, ...] = ()) -> Tensor:
    ad = a._data
    if b.__class__ is Tensor and b._data.dtype is ad.dtype:
        inputs: tuple[Tensor | None, Tensor | None] = (a, b)  # hot (optimizer steps)
        bd = b._data
    else:
        if ad.dtype is _F16 and _opmath_operand(op, a, b):
            from .indexing import copy_

            return copy_(a, _opmath(op, a, b, params))
        inputs, ad, bd = _binary_operands(op.name, a, b)
        if ad is not a._data and category(ad.dtype) > category(a._data.dtype):
            # a was converted to a wider kind: the result would not fit a's dtype
            raise RuntimeError(
                f"{op.name}_: result type {ad.dtype} can't be cast to the desired output "
                f"type {a._data.dtype}"
            )
    try:
        return dispatch_inplace(op, a, inputs, (ad, bd), params)
    except ValueError:
        raise _broadcast_error(op.name + "_", ad, bd) from None


def _opmath_operand(op: Primitive, a: Tensor, b: Any) -> bool:
    """Whether ``a op b`` for a float16 ``a`` computes in float32 (see :func:`_opmath`): ``b``
    is a Python number, or a 0-d floating tensor while ``a`` is not 0-d (so that ``b`` does not
    decide the result dtype)."""
    if op not in _OPMATH:
        return False
    if b.__class__ is float or b.__class__ is int:
        return True
    return (
        isinstance(b, Tensor)
        and b._data.ndim == 0
        and b._data.dtype.kind == "f"
        and a._data.ndim != 0
    )


def _opmath(op: Primitive, a: Tensor, b: Any, params: tuple[Any, ...] = (), *,
            reflected: bool = False) -> Tensor:  # fmt: skip
    """``a op b`` for a float16 tensor ``a`` and a scalar ``b``, computed in float32 and rounded
    once, as PyTorch does ("opmath"): ``h * 1e5`` for ``h = 0.001`` is 100.06, where rounding
    1e5 to float16 first gives inf.  Differentiable through the two casts (three nodes)."""
    a32 = cast(a, np.float32)
    if isinstance(b, Tensor):
        b32 = b if b._data.dtype == np.float32 else cast(b, np.float32)
        out = dispatch(op, (a32, b32), (a32._data, b32._data), params)
    elif reflected:
        out = dispatch(op, (None, a32), (b, a32._data), params)
    else:
        out = dispatch(op, (a32, None), (a32._data, b), params)
    return cast(out, np.float16)


# ----------------------------------------------------------------------- arithmetic
ADD = Primitive("add", np.add, ufunc=np.add)
SUB = Primitive("sub", np.subtract, ufunc=np.subtract)
MUL = Primitive("mul", np.multiply, ufunc=np.multiply)


def _true_divide(a: Any, b: Any) -> Any:
    # By a Python number of magnitude >= 1 (a mean's count, ``x / 255``) no IEEE flag can be
    # raised: |a / b| <= |a|, and b is neither 0 nor inf.  Only other divisors pay for NumPy's
    # error-state switch (~2 us a call).
    if (b.__class__ is int or b.__class__ is float) and 1 <= builtins.abs(b) < _INF:
        return np.true_divide(a, b)
    with np.errstate(all="ignore"):
        return np.true_divide(a, b)


_INF = float("inf")
DIV = Primitive("div", _true_divide, ufunc=np.true_divide)
_F16 = np.dtype(np.float16)
# float16 times or divided by a scalar operand computes in float32.  (PyTorch's add and sub
# convert the scalar to float16 first, as NumPy does: h + 1e5 is inf in both; so do compares.)
_OPMATH = frozenset((MUL, DIV))


def _pow(a: Any, b: Any) -> Any:
    if np.result_type(a, b).kind == "b":  # PyTorch: bool ** Python bool stays bool, else raises
        if type(b) is not bool:
            raise NotImplementedError(
                "pow: not implemented for bool tensors (only a Python bool exponent is allowed)"
            )
        return np.power(a, b).astype(np.bool_)  # NumPy would compute it in int8
    if isinstance(b, np.ndarray) and b.dtype.kind in "iu" and np.result_type(a, b).kind in "iu":
        return _int_power(a, b)
    return np.power(a, b)


def _int_power(a: Any, b: Any) -> Any:
    """Integer ``a ** b`` where ``b`` may hold negative entries: like PyTorch (and integer
    division), ``1 ** -n = 1``, ``(-1) ** -n = +-1`` and any other base gives 0."""
    neg = b < 0
    if not neg.any():
        return np.power(a, b)
    out = np.power(a, np.where(neg, 0, b))
    odd = np.where(b % 2 == 0, 1, -1)
    special = np.where(a == 1, 1, np.where(a == -1, odd, 0))
    return np.where(neg, special, out).astype(out.dtype)


POW = Primitive("pow", _quiet(_pow))
MAXIMUM = Primitive("maximum", np.maximum, ufunc=np.maximum)
MINIMUM = Primitive("minimum", np.minimum, ufunc=np.minimum)


def _check_int_zero(name: str, a: Any, b: Any) -> None:
    # The promoted dtype decides: a float tensor // 0 (a Python int) is a float division.
    kind = np.result_type(a, b).kind
    if kind == "b":
        raise NotImplementedError(f"{name}: not implemented for bool tensors (as in PyTorch)")
    if kind in "iu" and not np.all(b):
        raise RuntimeError(f"{name}: integer division by zero (ZeroDivisionError)")


def _floor_divide(a: Any, b: Any) -> Any:
    _check_int_zero("floor_divide", a, b)
    with np.errstate(all="ignore"):
        return np.floor_divide(a, b)


def _remainder(a: Any, b: Any) -> Any:
    _check_int_zero("remainder", a, b)
    with np.errstate(all="ignore"):
        return np.remainder(a, b)


def _add_scaled(a: Any, b: Any, alpha: Any) -> Any:
    return np.add(a, np.multiply(b, alpha))


def _add_scaled_into(t: Any, a: Any, b: Any, alpha: Any) -> Any:
    return np.add(a, np.multiply(b, alpha), out=t, casting="unsafe")


# PyTorch's add with alpha (``a + alpha * b``) as one op: one node, one dispatch (an
# optimizer's ``p.add_(grad, alpha=-lr)`` for every parameter, every step).
ADD_SCALED = Primitive("add_scaled", _add_scaled, inplace=_add_scaled_into)
FLOOR_DIVIDE = Primitive("floor_divide", _floor_divide)
REMAINDER = Primitive("remainder", _remainder)


def add(a: Tensor, b: Any) -> Tensor:
    """``a + b`` with broadcasting.  Cost: numel(out) FLOPs."""
    return _run_binary(ADD, a, b)


def sub(a: Tensor, b: Any) -> Tensor:
    """``a - b`` with broadcasting (bool tensors are rejected, as in PyTorch)."""
    _no_bool_sub(a, b)
    return _run_binary(SUB, a, b)


def add_op(input: Any, other: Any, *, alpha: Any = 1) -> Tensor:
    """``tt.add(input, other, alpha=1)``: ``input + alpha * other``; either operand may be a
    Python number.  (``Tensor.__add__`` calls :func:`add` directly: no argument checks.)"""
    if not isinstance(input, Tensor):
        if alpha == 1 and isinstance(other, Tensor):
            return add(other, input)  # (commutative)
        input = as_operand(input, other) if isinstance(other, Tensor) else _tensor_of(input)
    return add_scaled("add", input, other, alpha) if alpha != 1 else add(input, other)


def sub_op(input: Any, other: Any, *, alpha: Any = 1) -> Tensor:
    """``tt.sub(input, other, alpha=1)``: ``input - alpha * other``."""
    if not isinstance(input, Tensor):
        if alpha == 1 and isinstance(other, Tensor):
            return rsub(other, input)
        input = as_operand(input, other) if isinstance(other, Tensor) else _tensor_of(input)
    if alpha == 1:
        return sub(input, other)
    _no_bool_sub(input, other)
    return add_scaled("sub", input, other, -alpha)


def div_op(input: Any, other: Any, *, rounding_mode: str | None = None) -> Tensor:
    """``tt.div(input, other, rounding_mode=None)``: true division, or rounded toward zero
    (``"trunc"``) or toward minus infinity (``"floor"``, Python's ``//``); the rounded modes
    keep an integer dtype."""
    if not isinstance(input, Tensor):
        if rounding_mode is None and isinstance(other, Tensor):
            return rdiv(other, input)
        input = as_operand(input, other) if isinstance(other, Tensor) else _tensor_of(input)
    if rounding_mode is None:
        return div(input, other)
    if rounding_mode == "floor":
        return floor_divide(input, other)
    if rounding_mode == "trunc":
        return trunc_divide(input, other)
    raise RuntimeError(
        f"div: expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
        f"{rounding_mode!r}"
    )


def trunc_divide(a: Tensor, b: Any) -> Tensor:
    """``a / b`` rounded toward zero; integers stay integers (C's ``/``).  Composite:
    ``floor_divide`` then one correction where the signs differ and the division is inexact
    (so no float round trip for int64).  Not differentiable (like ``floor_divide``)."""
    q = floor_divide(a, b)
    if q._data.dtype.kind == "f":
        return where(q < 0, q + (remainder(a, b) != 0).to(q.dtype), q)
    inexact = remainder(a, b) != 0
    return where(logical_and(q < 0, inexact), q + 1, q)


def _tensor_of(x: Any) -> Tensor:
    from .creation import tensor

    return tensor(x)


def rsub(a: Tensor, s: Any) -> Tensor:
    """``s - a`` for a scalar ``s``."""
    _no_bool_sub(a, s)
    return _run_reflected(SUB, a, s)


def _no_bool_sub(a: Any, b: Any) -> None:
    # PyTorch rejects a bool operand on either side, a Python bool included.
    a_bool = isinstance(a, Tensor) and a._data.dtype.kind == "b"
    b_bool = type(b) is bool or (isinstance(b, Tensor) and b._data.dtype.kind == "b")
    if a_bool and b_bool:
        raise RuntimeError(
            "sub: subtraction, the `-` operator, with two bool tensors is not supported; "
            "use the `^` or logical_xor() operator instead"
        )
    if a_bool or b_bool:
        raise RuntimeError(
            "sub: subtraction, the `-` operator, with a bool tensor is not supported; "
            "to invert a mask, use the `~` or logical_not() operator instead"
        )


def mul(a: Tensor, b: Any) -> Tensor:
    """``a * b`` with broadcasting.  Cost: numel(out) FLOPs."""
    return _run_binary(MUL, a, b)


def div(a: Tensor, b: Any) -> Tensor:
    """True division ``a / b``; integer inputs give float32.  ``x/0`` is ``inf`` or ``nan``."""
    return _run_binary(DIV, a, b, force_float=True)


def rdiv(a: Tensor, s: Any) -> Tensor:
    """``s / a`` for a scalar ``s``."""
    return _run_reflected(DIV, a, s, force_float=True)


def floor_divide(a: Tensor, b: Any) -> Tensor:
    """``a // b`` rounded toward minus infinity (Python semantics, like PyTorch).

    Not differentiable (PyTorch raises in backward; so do we)."""
    return _run_binary(FLOOR_DIVIDE, a, b)


def remainder(a: Tensor, b: Any) -> Tensor:
    """``a % b`` with the sign of ``b`` (Python semantics, like PyTorch)."""
    return _run_binary(REMAINDER, a, b)


def pow(a: Any, b: Any) -> Tensor:
    """``a ** b``.  Integer tensors to negative integer powers raise, as in PyTorch."""
    if not isinstance(a, Tensor):
        return _run_reflected(POW, b, a)
    _check_int_pow("pow", a, b)
    return _run_binary(POW, a, b)


def _check_int_pow(name: str, a: Tensor, b: Any) -> None:
    # PyTorch refuses a negative Python-int exponent for integer tensors; a negative *tensor*
    # exponent is computed elementwise instead (see _int_power).
    if a._data.dtype.kind in "iub" and type(b) is int and b < 0:
        raise RuntimeError(f"{name}: Integers to negative integer powers are not allowed.")


def maximum(a: Tensor, b: Tensor) -> Tensor:
    """Elementwise maximum (NaN propagates).  Ties split the gradient evenly."""
    return _run_binary(MAXIMUM, a, _require_tensor("maximum", b))


def minimum(a: Tensor, b: Tensor) -> Tensor:
    """Elementwise minimum (NaN propagates).  Ties split the gradient evenly."""
    return _run_binary(MINIMUM, a, _require_tensor("minimum", b))


def _check_alpha(name: str, a: Tensor, b: Any, alpha: Any) -> None:
    """As in PyTorch, a float ``alpha`` is refused when the result would be integral."""
    if type(alpha) is float and result_type_np(a._data, getattr(b, "_data", b)).kind != "f":
        raise RuntimeError(
            f"{name}: for integral input tensors, argument alpha must not be a floating point "
            f"number (got alpha={alpha})"
        )


def add_scaled(name: str, a: Tensor, b: Any, alpha: Any) -> Tensor:
    """``a + alpha * b``: ``add``/``sub`` with ``alpha=`` (``sub`` passes ``-alpha``).  One
    primitive, as in PyTorch; plain ``add`` when ``alpha`` is 1."""
    _check_alpha(name, a, b, alpha)
    if alpha == 1:
        return add(a, b)
    return _run_binary(ADD_SCALED, a, as_operand(b, a), params=(alpha,))


def add_scaled_(name: str, a: Tensor, b: Any, alpha: Any) -> Tensor:
    """In place ``a += alpha * b`` (one primitive)."""
    _check_alpha(name, a, b, alpha)
    if alpha == 1:
        return add_(a, b)
    return _run_inplace(ADD_SCALED, a, as_operand(b, a), params=(alpha,))


def _require_tensor(name: str, b: Any) -> Tensor:
    if not isinstance(b, Tensor):
        raise TypeError(f"{name}: argument 'other' must be a Tensor, not {type(b).__name__}")
    return b


def add_(a: Tensor, b: Any) -> Tensor:
    """In place ``a += b``."""
    return _run_inplace(ADD, a, b)


def sub_(a: Tensor, b: Any) -> Tensor:
    """In place ``a -= b``."""
    _no_bool_sub(a, b)
    return _run_inplace(SUB, a, b)


def mul_(a: Tensor, b: Any) -> Tensor:
    """In place ``a *= b``."""
    return _run_inplace(MUL, a, b)


def div_(a: Tensor, b: Any) -> Tensor:
    """In place ``a /= b`` (``a`` must be floating point)."""
    if a._data.dtype.kind != "f":
        raise RuntimeError(
            f"div_: result type float32 can't be cast to the desired output type {a._data.dtype}"
        )
    return _run_inplace(DIV, a, b)


def floor_divide_(a: Tensor, b: Any) -> Tensor:
    """In place ``a //= b``."""
    return _run_inplace(FLOOR_DIVIDE, a, b)


def remainder_(a: Tensor, b: Any) -> Tensor:
    """In place ``a %= b``."""
    return _run_inplace(REMAINDER, a, b)


def pow_(a: Tensor, b: Any) -> Tensor:
    """In place ``a **= b``."""
    _check_int_pow("pow_", a, b)
    return _run_inplace(POW, a, b)


# ----------------------------------------------------------------------- unary
def _sigmoid(x: Any) -> Any:
    # exp of a non-positive number never overflows: z = e^-|x| in (0, 1].
    z = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + z), z / (1 + z))


# W. J. Cody's rational Chebyshev approximations to erf and erfc (see :func:`_erf`).
_ERF_A = (
    3.16112374387056560e00,
    1.13864154151050156e02,
    3.77485237685302021e02,
    3.20937758913846947e03,
    1.85777706184603153e-1,
)
_ERF_B = (
    2.36012909523441209e01,
    2.44024637934444173e02,
    1.28261652607737228e03,
    2.84423683343917062e03,
)
_ERFC_C = (
    5.64188496988670089e-1,
    8.88314979438837594e00,
    6.61191906371416295e01,
    2.98635138197400131e02,
    8.81952221241769090e02,
    1.71204761263407058e03,
    2.05107837782607147e03,
    1.23033935479799725e03,
    2.15311535474403846e-8,
)
_ERFC_D = (
    1.57449261107098347e01,
    1.17693950891312499e02,
    5.37181101862009858e02,
    1.62138957456669019e03,
    3.29079923573345963e03,
    4.36261909014324716e03,
    3.43936767414372164e03,
    1.23033935480374942e03,
)
_ERFC_P = (
    3.05326634961232344e-1,
    3.60344899949804439e-1,
    1.25781726111229246e-1,
    1.60837851487422766e-2,
    6.58749161529837803e-4,
    1.63153871373020978e-2,
)
_ERFC_Q = (
    2.56852019228982242e00,
    1.87295284992346047e00,
    5.27905102951428412e-1,
    6.05183413124413191e-2,
    2.33520497626869185e-3,
)
_INV_SQRT_PI = 0.56418958354775628695
_ERF_XBIG = 26.543  # erfc(x) underflows to 0 beyond this (and erf(x) is 1 long before)


def _rational(z: Any, num: tuple[float, ...], den: tuple[float, ...]) -> Any:
    """Cody's nested (Horner) evaluation of ``P(z) / Q(z)``.

    ``num[-1]`` is the leading coefficient of ``P`` and ``num[-2]`` its constant term, the
    others in rising order of power; ``Q`` is monic with ``den`` in the same order."""
    xnum = num[-1] * z
    xden = z
    for a, b in zip(num[:-2], den[:-1], strict=True):
        xnum = (xnum + a) * z
        xden = (xden + b) * z
    return (xnum + num[-2]) / (xden + den[-1])


def _exp_minus_square(y: Any) -> Any:
    """``exp(-y*y)`` without the rounding error of ``y*y`` (Cody's split): with
    ``t = trunc(16 y) / 16``, ``t*t`` is exact and ``y*y - t*t = (y - t)(y + t)``."""
    t = np.trunc(y * 16.0) / 16.0
    return np.exp(-t * t) * np.exp(-(y - t) * (y + t))


def _erf(x: Any) -> Any:
    """The error function ``erf(x) = 2/sqrt(pi) * integral_0^x exp(-t^2) dt``, elementwise.

    Method: W. J. Cody, "Rational Chebyshev approximations for the error function",
    Math. Comp. 23 (1969), 631-638, in the form of his routine CALERF (netlib ``specfun/erf``,
    1990), whose coefficients are used here.  Three ranges of ``y = |x|``:

    * ``y <= 0.46875``: ``erf(x) = x * P(y^2) / Q(y^2)`` (degrees 4/4), relative error
      about 1e-16 down to the smallest numbers, where it becomes ``x * 2/sqrt(pi)``;
    * ``0.46875 < y <= 4``: ``erfc(y) = exp(-y^2) * P(y) / Q(y)`` (degrees 8/8);
    * ``4 < y < 26.543``: ``erfc(y) = exp(-y^2) / y * (1/sqrt(pi) + z P(z) / Q(z))``,
      ``z = 1/y^2`` (degrees 5/5); beyond, ``erfc(y) = 0`` in float64;

    then ``erf(x) = sign(x) * (1 - erfc(y))``.  Odd symmetry keeps ``-0.0``;
    ``erf(+-inf) = +-1`` and ``erf(nan) = nan``.  Float16 and float32 inputs are computed in
    float64 and rounded once to their dtype.  Measured against ``math.erf``: at most about
    4e-16 relative error (see tests/test_tensor_erf.py).

    **Cost**: about 40 FLOPs and two ``exp`` per element; each range works on its own
    gathered elements (boolean indexing), so no element is computed twice.
    """
    y64 = np.asarray(x, dtype=np.float64)
    out = np.array(y64, dtype=np.float64)  # a copy: nan entries stay as they are
    y = np.abs(y64)
    small = y <= 0.46875
    xs = y64[small]
    out[small] = xs * _rational(xs * xs, _ERF_A, _ERF_B)
    mid = (y > 0.46875) & (y <= 4.0)
    ym = y[mid]
    tail = (y > 4.0) & (y < _ERF_XBIG)
    yt = y[tail]
    z = 1.0 / (yt * yt)
    erfc = np.zeros_like(y)  # 0 where y >= xbig (and for inf)
    erfc[mid] = _exp_minus_square(ym) * _rational(ym, _ERFC_C, _ERFC_D)
    erfc[tail] = _exp_minus_square(yt) * (_INV_SQRT_PI - z * _rational(z, _ERFC_P, _ERFC_Q)) / yt
    large = y > 0.46875  # (nan compares false: it is in neither set)
    out[large] = np.copysign((0.5 - erfc[large]) + 0.5, y64[large])
    return out.astype(np.asarray(x).dtype, copy=False)


NEG = Primitive("neg", np.negative, ufunc=np.negative)
ABS = Primitive("abs", np.abs, ufunc=np.abs)
EXP = Primitive("exp", _quiet(np.exp))
LOG = Primitive("log", _quiet(np.log))
LOG1P = Primitive("log1p", _quiet(np.log1p))
SQRT = Primitive("sqrt", _quiet(np.sqrt))
RSQRT = Primitive("rsqrt", _quiet(lambda x: 1 / np.sqrt(x)))
SIN = Primitive("sin", _quiet(np.sin))
COS = Primitive("cos", _quiet(np.cos))
TANH = Primitive("tanh", np.tanh)
SIGMOID = Primitive("sigmoid", _sigmoid)
ERF = Primitive("erf", _erf)
_ZEROS: dict[Any, Any] = {}  # dtype -> a read-only zero array, grown to the largest need


def _relu(x: Any) -> Any:
    """``max(0, x)`` (NaN stays NaN; zero first, so that NumPy returns ``x`` on a tie and
    relu(-0.0) is -0.0, as in PyTorch, whose rule is ``x < 0 ? 0 : x``).

    NumPy's ``maximum`` against a scalar takes a slow non-SIMD loop here (2-3x the time of
    ``maximum`` of two contiguous arrays, measured on this project's machines), so a large
    float array laid out contiguously (in any dim order) is compared with a shared zero array
    of its size instead, in memory order, and the result handed back in the caller's order.
    Small arrays (under 32 Ki elements) keep the plain call: there the setup costs more."""
    if x.dtype.kind != "f" or x.size < _RELU_ZEROS_FROM:
        return np.maximum(_zero(x.dtype), x)
    if x.flags.c_contiguous:
        return np.maximum(_zeros(x.dtype, x.size).reshape(x.shape), x)
    order = np.argsort(-np.abs(np.asarray(x.strides)), kind="stable")  # (abs: shadowed here)
    xm = x.transpose(order)
    if not xm.flags.c_contiguous:
        return np.maximum(_zero(x.dtype), x)
    out = np.maximum(_zeros(x.dtype, x.size).reshape(xm.shape), xm)
    return out.transpose(np.argsort(order))


_RELU_ZEROS_FROM = 1 << 15


def _zeros(dtype: Any, n: int) -> Any:
    """``n`` zeros of ``dtype``: a view of one shared read-only array, grown when needed."""
    zeros = _ZEROS.get(dtype)
    if zeros is None or zeros.size < n:
        zeros = np.zeros(n, dtype)
        zeros.flags.writeable = False
        _ZEROS[dtype] = zeros
    return zeros[:n]


def _zero(dtype: Any) -> Any:
    """A read-only 0-d zero of ``dtype``.  A ufunc takes it ~0.7 us faster than the Python
    ``0``, whose weak type NumPy resolves against the other operand on every call."""
    zero = _ZERO.get(dtype)
    if zero is None:
        zero = np.zeros((), dtype)
        zero.setflags(write=False)
        _ZERO[dtype] = zero
    return zero


_ZERO: dict[Any, Any] = {}
RELU = Primitive("relu", _relu)


def _sign(x: Any) -> Any:
    if x.dtype.kind == "b":
        return x.copy()
    if x.dtype.kind != "f":
        return np.sign(x)
    out = np.sign(x, out=np.empty_like(x))  # (an array even for 0-d input)
    np.copyto(out, 0, where=np.isnan(out))  # PyTorch: sign(nan) is 0, so is abs' gradient
    return out


SIGN = Primitive("sign", _sign)


def _unary(op: Primitive, a: Tensor, floating: bool = False) -> Tensor:
    if not isinstance(a, Tensor):
        raise TypeError(f"{op.name}: expected a Tensor, got {type(a).__name__}")
    ad = a._data
    if floating and ad.dtype.kind != "f":
        ad = ad.astype(DEFAULT_FLOAT)
    return dispatch(op, (a,), (ad,))


def neg(a: Tensor) -> Tensor:
    """``-a``.  Shape and dtype unchanged."""
    if a._data.dtype.kind == "b":
        raise RuntimeError(
            "neg: negation, the `-` operator, on a bool tensor is not supported; "
            "use the `~` or logical_not() operator instead"
        )
    return _unary(NEG, a)


def abs(a: Tensor) -> Tensor:
    """``|a|``; gradient ``sign(a)`` (0 at 0)."""
    if a._data.dtype.kind == "b":
        raise NotImplementedError("abs: not implemented for bool tensors (as in PyTorch)")
    return _unary(ABS, a)


def exp(a: Tensor) -> Tensor:
    """e**a (integers give float32; overflow gives inf)."""
    return _unary(EXP, a, True)


def log(a: Tensor) -> Tensor:
    """Natural log; ``log(0) = -inf``, ``log(-1) = nan``."""
    return _unary(LOG, a, True)


def log1p(a: Tensor) -> Tensor:
    """log(1 + a), accurate near 0."""
    return _unary(LOG1P, a, True)


def sqrt(a: Tensor) -> Tensor:
    """Square root; negative inputs give nan."""
    return _unary(SQRT, a, True)


def rsqrt(a: Tensor) -> Tensor:
    """1 / sqrt(a)."""
    return _unary(RSQRT, a, True)


def sin(a: Tensor) -> Tensor:
    """Sine."""
    return _unary(SIN, a, True)


def cos(a: Tensor) -> Tensor:
    """Cosine."""
    return _unary(COS, a, True)


def tanh(a: Tensor) -> Tensor:
    """Hyperbolic tangent."""
    return _unary(TANH, a, True)


def sigmoid(a: Tensor) -> Tensor:
    """1 / (1 + e**-a), computed without overflow for any magnitude.  Cost: ~6 passes."""
    return _unary(SIGMOID, a, True)


def erf(a: Tensor) -> Tensor:
    """The Gauss error function ``erf(a) = 2/sqrt(pi) * integral_0^a exp(-t^2) dt``.

    Odd, increasing, with values in ``[-1, 1]``; ``erf(+-inf) = +-1``.  Accurate to float64
    precision (W. J. Cody's rational approximations, see :func:`_erf`); float16 and float32
    are computed in float64 and rounded, integers and bools give float32 (as in PyTorch).
    Gradient: ``2/sqrt(pi) * exp(-a^2)``.

    **Shape**: unchanged.  **Cost**: about 40 FLOPs and two ``exp`` per element.
    **Memory**: the output plus float64 temporaries of the input's size; autograd keeps
    the input for backward.

    >>> import tt_tensor as tt
    >>> tt.erf(tt.tensor([-float("inf"), 0.0, 0.5])).tolist()
    [-1.0, 0.0, 0.5204998850822449]
    """
    return _unary(ERF, a, True)


def relu(a: Tensor) -> Tensor:
    """max(a, 0); gradient 1 where the output is positive, else 0."""
    if a._data.dtype.kind == "b":
        raise RuntimeError("relu: bool inputs are not supported (as in PyTorch)")
    return _unary(RELU, a)


def _threshold_backward(g: Any, out: Any) -> Any:
    # PyTorch's rule, ``out <= 0 ? 0 : g``: where relu's output is NaN the gradient passes.
    drop = np.less_equal(out, _zero(out.dtype))
    if g.dtype.kind == "f" and g.shape == drop.shape:
        return _select_or_zero(drop, g, where_false=True)
    return np.where(drop, _zero(g.dtype), g)


THRESHOLD_BACKWARD = Primitive("threshold_backward", _threshold_backward)


def threshold_backward(g: Tensor, out: Tensor) -> Tensor:
    """The gradient of relu: 0 where ``out <= 0``, else ``g`` (``out`` is relu's output; where
    it is NaN the gradient passes, as in PyTorch).

    A fused primitive: the bench showed ``where(out > 0, g, 0)`` costing two dispatches and
    a slow select in every training step.  Shape: ``g`` and ``out`` have the same shape."""
    if g._data.shape != out._data.shape:
        raise RuntimeError(
            f"threshold_backward: shapes {tuple(g.shape)} and {tuple(out.shape)} must be equal"
        )
    return dispatch(THRESHOLD_BACKWARD, (g, out), (g._data, out._data))


def sign(a: Tensor) -> Tensor:
    """-1, 0 or 1 (not differentiable: its gradient is 0)."""
    return _unary(SIGN, a)


# ----------------------------------------------------------------------- clamp and where
CLAMP = Primitive(
    "clamp", np.clip, inplace=lambda t, x, lo, hi: np.clip(x, lo, hi, out=t, casting="unsafe")
)
_SAME_SIZE_INT = {2: np.int16, 4: np.int32, 8: np.int64}
_SELECT_BITS_FROM = 2048


def _select_or_zero(cond: Any, a: Any, where_false: bool = False) -> Any:
    """``where(cond, a, 0)`` for a float array ``a`` of ``cond``'s shape (``where(cond, 0, a)``
    with ``where_false``).

    With an unpredictable mask np.where branches badly (~100 us on 128x256).  Selecting bit
    patterns instead, ``a_bits & -cond``, is exact (it yields ``a`` or +0.0) and ~7x faster
    there; below about 2K elements np.where's branches cost less than the bit select's three
    extra calls (measured on a random mask: 3.0 against 5.9 us at 1,024 elements, 10.8 against
    6.3 at 4,096), so small arrays take np.where with a +0.0 of ``a``'s dtype."""
    if a.size <= _SELECT_BITS_FROM:
        zero = _zero(a.dtype)
        return np.where(cond, zero, a) if where_false else np.where(cond, a, zero)
    ints = _SAME_SIZE_INT[a.dtype.itemsize]
    # all one bits where a is kept, else zero: -cond, or cond - 1 to keep where cond fails
    keep = np.subtract(cond, 1, dtype=ints) if where_false else np.subtract(0, cond, dtype=ints)
    out = keep if isinstance(keep, np.ndarray) else None  # (0-d inputs give NumPy scalars)
    return np.bitwise_and(a.view(ints), keep, out=out).view(a.dtype)


def _where(a: Any, b: Any, cond: Any) -> Any:
    # ``where(mask, g, 0)`` is every clamp and where gradient: take the fast exact path.
    if (
        isinstance(a, np.ndarray)
        and a.dtype.kind == "f"
        and a.shape == cond.shape
        and np.ndim(b) == 0
        and b == 0
    ):
        return _select_or_zero(cond, a)
    return np.where(cond, a, b)


WHERE = Primitive("where", _where)


def clamp(a: Tensor, min: Any = None, max: Any = None) -> Tensor:
    """Limit ``a`` to ``[min, max]`` (scalars or tensors).  If ``min > max`` the result is
    ``max``.  Gradient passes where ``min <= a <= max``."""
    if min is None and max is None:
        raise RuntimeError("clamp: at least one of 'min' or 'max' must not be None")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        out = a
        if min is not None:
            out = maximum(out, as_operand(min, a))
        if max is not None:
            out = minimum(out, as_operand(max, a))
        return out
    ad = a._data
    dt = ad.dtype
    for s in (min, max):
        if s is not None:
            dt = _scalar_result(dt, s)
    if ad.dtype != dt:
        ad = ad.astype(dt)
    else:
        min, max = _bounds(min, max, dt, "clamp")
    return dispatch(CLAMP, (a,), (ad,), (min, max))


def _bounds(lo: Any, hi: Any, dt: np.dtype[Any], op: str) -> tuple[Any, Any]:
    """Scalar bounds converted to the tensor's dtype first, as PyTorch does: 300 for an int8
    tensor raises, -2 for a uint8 tensor wraps to 254 (so ``clamp(-2)`` gives 254 everywhere)."""
    if dt.kind == "f":  # check only: a Python float keeps np.clip in the tensor's dtype
        if dt.itemsize < 8:  # (nothing overflows float64)
            for s in (lo, hi):
                if s is not None:
                    scalar_to(s, dt, op)
        return lo, hi
    if dt.kind == "b":
        return lo, hi
    return (
        None if lo is None else scalar_to(lo, dt, op).item(),
        None if hi is None else scalar_to(hi, dt, op).item(),
    )


def clamp_(a: Tensor, min: Any = None, max: Any = None) -> Tensor:
    """In-place :func:`clamp`."""
    if min is None and max is None:
        raise RuntimeError("clamp_: at least one of 'min' or 'max' must not be None")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        from .indexing import copy_

        out = clamp(a, min, max)
        if category(out._data.dtype) > category(a._data.dtype):  # int clamped by float bounds
            raise RuntimeError(
                f"clamp_: result type {out._data.dtype} can't be cast to the desired output "
                f"type {a._data.dtype}"
            )
        return copy_(a, out)
    for s in (min, max):  # a float bound would make an int tensor's result float: PyTorch raises
        dt = a._data.dtype if s is None else _scalar_result(a._data.dtype, s)
        if category(dt) > category(a._data.dtype):
            raise RuntimeError(
                f"clamp_: result type {dt} can't be cast to the desired output type "
                f"{a._data.dtype} (bound {s!r})"
            )
    min, max = _bounds(min, max, a._data.dtype, "clamp_")
    return dispatch_inplace(CLAMP, a, (a,), (a._data,), (min, max))


_NO_VALUE: Any = object()


def _where_scalar(x: Any, dt: np.dtype[Any]) -> Any:
    """A number operand of :func:`where` in the result dtype: one that does not fit raises
    (``1000`` for int8, ``1e39`` for float32), except that a float or int64 too large for
    float16 is ``inf`` (``1e6``, ``-2**63``), as in PyTorch."""
    if dt != _F16 or not (isinstance(x, float) or -(2**63) <= x < 2**63):
        return scalar_to(x, dt, "where")
    with np.errstate(over="ignore"):
        return np.array(x, dtype=dt)


@overload
def where(condition: Tensor) -> tuple[Tensor, ...]: ...
@overload
def where(condition: Tensor, a: Any, b: Any) -> Tensor: ...
def where(condition: Tensor, a: Any = _NO_VALUE, b: Any = _NO_VALUE) -> Any:
    """``a`` where ``condition`` is true, else ``b``; all three broadcast.

    ``condition`` is a bool tensor (uint8 is read as a mask, as PyTorch still accepts it);
    ``a`` and ``b`` tensors or Python numbers (two numbers give float32, int64 or bool like a
    tensor would).  Cost: one pass over the output; allocates it.  With ``condition`` alone,
    the indices of its nonzero elements, one int64 tensor per dim (``nonzero(as_tuple=True)``).
    """
    if isinstance(condition, Tensor) and condition._data.dtype == np.uint8:
        condition = _make(condition._data.astype(bool))
    if not isinstance(condition, Tensor) or condition._data.dtype.kind != "b":
        if a is _NO_VALUE and b is _NO_VALUE and isinstance(condition, Tensor):
            return tuple(_make(i) for i in np.nonzero(np.atleast_1d(condition._data)))
        got = condition.dtype if isinstance(condition, Tensor) else type(condition).__name__
        raise RuntimeError(f"where: expected condition to be a bool tensor, but got {got}")
    if a is _NO_VALUE and b is _NO_VALUE:
        return tuple(_make(i) for i in np.nonzero(np.atleast_1d(condition._data)))
    if a is _NO_VALUE or b is _NO_VALUE:
        raise TypeError("where: expected a condition alone, or a condition and two values")
    ta = a if isinstance(a, Tensor) else None
    tb = b if isinstance(b, Tensor) else None
    arrays = [x._data if isinstance(x, Tensor) else x for x in (a, b)]
    dt = result_type_np(*arrays)
    arrays = [
        x.astype(dt)
        if isinstance(x, np.ndarray) and x.dtype != dt
        else _where_scalar(x, dt)
        if not isinstance(x, np.ndarray)
        else x
        for x in arrays
    ]
    try:
        return dispatch(WHERE, (ta, tb), arrays, (condition._data,))
    except ValueError:
        shapes = [tuple(np.shape(x)) for x in (condition._data, *arrays)]
        raise RuntimeError(f"where: shapes {shapes} cannot be broadcast together") from None


def zero_safe_root(s: Tensor, p: float = 2) -> Tensor:
    """``s ** (1 / p)`` (the square root for ``p = 2``) of a non-negative ``s``, whose gradient
    at ``s == 0`` is 0, as PyTorch's ``norm`` and ``std`` give, instead of ``inf * 0 = nan``:
    the root is taken of 1 there and the result replaced by 0 (the "double where" trick, so
    every factor of the chain rule stays finite).  Cost: a compare and two selects more."""
    zero = s == 0
    safe = where(zero, 1.0, s)
    return where(zero, 0.0, safe.sqrt() if p == 2 else safe ** (1.0 / p))


def as_bool_mask(mask: Any, like: Tensor) -> Tensor:
    """Check that ``mask`` is a bool tensor (the argument of ``masked_fill``)."""
    if not isinstance(mask, Tensor) or mask._data.dtype.kind != "b":
        got = mask.dtype if isinstance(mask, Tensor) else type(mask).__name__
        raise RuntimeError(f"masked_fill: expected a bool mask tensor, got {got}")
    return mask


def masked_fill(a: Tensor, mask: Tensor, value: Any) -> Tensor:
    """``value`` where ``mask`` (broadcast to ``a``) is true, else ``a``; keeps ``a``'s dtype.

    Composite: ``where(mask, value, a)``."""
    as_bool_mask(mask, a)  # (a bigger mask broadcasts the result, as in PyTorch)
    if isinstance(value, Tensor):
        if value._data.ndim != 0:
            raise RuntimeError(
                "masked_fill: only supports a 0-dimensional value tensor, but got tensor "
                f"with {value._data.ndim} dimension(s)"
            )
        value = value.to(a.dtype)
    elif isinstance(value, (int, float, np.number)):
        value = _make(scalar_to(value, a._data.dtype, "masked_fill"))  # 300 into int8 raises
    else:
        value = _make(np.asarray(value).astype(a._data.dtype))
    try:
        out: Tensor = where(mask, value, a)
    except RuntimeError:
        raise RuntimeError(
            f"masked_fill: mask of shape {tuple(mask.shape)} does not broadcast with the "
            f"tensor's shape {tuple(a.shape)}"
        ) from None
    return out


# ----------------------------------------------------------------------- comparisons, logic
EQ = Primitive("eq", np.equal, differentiable=False)
NE = Primitive("ne", np.not_equal, differentiable=False)
LT = Primitive("lt", np.less, differentiable=False)
LE = Primitive("le", np.less_equal, differentiable=False)
GT = Primitive("gt", np.greater, differentiable=False)
GE = Primitive("ge", np.greater_equal, differentiable=False)
LOGICAL_AND = Primitive("logical_and", np.logical_and, differentiable=False)
LOGICAL_OR = Primitive("logical_or", np.logical_or, differentiable=False)
LOGICAL_XOR = Primitive("logical_xor", np.logical_xor, differentiable=False)
LOGICAL_NOT = Primitive("logical_not", np.logical_not, differentiable=False)
BITWISE_AND = Primitive("bitwise_and", np.bitwise_and, differentiable=False, ufunc=np.bitwise_and)
BITWISE_OR = Primitive("bitwise_or", np.bitwise_or, differentiable=False, ufunc=np.bitwise_or)
BITWISE_XOR = Primitive("bitwise_xor", np.bitwise_xor, differentiable=False, ufunc=np.bitwise_xor)
BITWISE_NOT = Primitive("bitwise_not", np.invert, differentiable=False)
ISNAN = Primitive("isnan", np.isnan, differentiable=False)
ISFINITE = Primitive("isfinite", np.isfinite, differentiable=False)


def eq(a: Tensor, b: Any) -> Tensor:
    """``a == b`` elementwise, as a bool tensor."""
    return _run_binary(EQ, a, b)


def ne(a: Tensor, b: Any) -> Tensor:
    """``a != b`` elementwise."""
    return _run_binary(NE, a, b)


def lt(a: Tensor, b: Any) -> Tensor:
    """``a < b`` elementwise."""
    return _run_binary(LT, a, b)


def le(a: Tensor, b: Any) -> Tensor:
    """``a <= b`` elementwise."""
    return _run_binary(LE, a, b)


def gt(a: Tensor, b: Any) -> Tensor:
    """``a > b`` elementwise."""
    return _run_binary(GT, a, b)


def ge(a: Tensor, b: Any) -> Tensor:
    """``a >= b`` elementwise."""
    return _run_binary(GE, a, b)


def logical_and(a: Tensor, b: Any) -> Tensor:
    """Elementwise logical and (nonzero is true); bool result."""
    return _run_binary(LOGICAL_AND, a, b)


def logical_or(a: Tensor, b: Any) -> Tensor:
    """Elementwise logical or."""
    return _run_binary(LOGICAL_OR, a, b)


def logical_xor(a: Tensor, b: Any) -> Tensor:
    """Elementwise logical exclusive or."""
    return _run_binary(LOGICAL_XOR, a, b)


def logical_not(a: Tensor) -> Tensor:
    """Elementwise logical not."""
    return _unary(LOGICAL_NOT, a)


def _integral(name: str, a: Tensor, b: Any = None) -> None:
    for x in (a, b):
        if (isinstance(x, Tensor) and x._data.dtype.kind == "f") or type(x) is float:
            raise RuntimeError(f"{name}: not implemented for floating-point operands")


def bitwise_and(a: Tensor, b: Any) -> Tensor:
    """``a & b``: logical for bool tensors, bitwise for integers."""
    _integral("bitwise_and", a, b)
    return _run_binary(BITWISE_AND, a, b)


def bitwise_or(a: Tensor, b: Any) -> Tensor:
    """``a | b``."""
    _integral("bitwise_or", a, b)
    return _run_binary(BITWISE_OR, a, b)


def bitwise_xor(a: Tensor, b: Any) -> Tensor:
    """``a ^ b``."""
    _integral("bitwise_xor", a, b)
    return _run_binary(BITWISE_XOR, a, b)


def bitwise_inplace(op: Primitive, a: Tensor, b: Any) -> Tensor:
    """In place ``a &= b`` (``|=``, ``^=``) for bool and integer tensors."""
    _integral(op.name + "_", a, b)
    return _run_inplace(op, a, b)


def bitwise_not(a: Tensor) -> Tensor:
    """``~a``: logical not for bool tensors, bitwise not for integers."""
    _integral("bitwise_not", a)
    return _unary(BITWISE_NOT, a)


def isnan(a: Tensor) -> Tensor:
    """Where ``a`` is NaN."""
    return _unary(ISNAN, a)


def isfinite(a: Tensor) -> Tensor:
    """Where ``a`` is neither infinite nor NaN."""
    return _unary(ISFINITE, a)


# ----------------------------------------------------------------------- dtype conversion
CAST = Primitive("cast", lambda x, dt: x.astype(dt))


def cast(a: Tensor, dtype: Any) -> Tensor:
    """A copy of ``a`` converted to ``dtype`` (floats to ints truncate toward zero).

    Differentiable between floating dtypes; the gradient is cast back."""
    dt = to_numpy_dtype(dtype, "to")
    with np.errstate(all="ignore"):
        return dispatch(CAST, (a,), (a._data,), (dt,))
