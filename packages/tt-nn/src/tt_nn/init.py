"""Weight initialisation (``torch.nn.init``): fill a tensor in place, without recording a graph.

Every random initialiser takes ``generator=`` (a :class:`tt_tensor.Generator`); without one it
draws from the default generator, so ``tt_tensor.manual_seed(s)`` makes a model reproducible.

Fan-in and fan-out, for a weight of shape ``(out, in, *kernel)``: ``fan_in = in * prod(kernel)``,
``fan_out = out * prod(kernel)``.  The schemes keep activations' variance steady through depth:

* Xavier/Glorot (tanh, sigmoid): ``std = gain * sqrt(2 / (fan_in + fan_out))``;
* Kaiming/He (ReLU family): ``std = gain / sqrt(fan)`` with ``gain = sqrt(2 / (1 + a^2))``.

A uniform distribution ``U(-b, b)`` has std ``b / sqrt(3)``, hence the ``sqrt(3)`` below.

Structured schemes: :func:`trunc_normal_` (a normal cut to ``[a, b]``), :func:`orthogonal_`
(Saxe et al.), :func:`sparse_` (Martens), and the identity-preserving :func:`eye_` (Linear) and
:func:`dirac_` (Conv).

Cost: one pass over the tensor, unless a function's docstring says otherwise.  Memory: none
beyond a temporary of the tensor's size.

>>> import tt_tensor as tt, tt_nn as nn
>>> w = tt.empty(3, 5)
>>> _ = nn.init.constant_(w, 0.5)
>>> w.sum().item()
7.5
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

import tt_autograd as ag
import tt_tensor as tt
from tt_tensor import Generator, Tensor
from tt_tensor.random import _rng
from tt_tensor.random import draw as _draw

__all__ = [
    "calculate_gain",
    "constant_",
    "dirac_",
    "eye_",
    "kaiming_normal_",
    "kaiming_uniform_",
    "normal_",
    "ones_",
    "orthogonal_",
    "sparse_",
    "trunc_normal_",
    "uniform_",
    "xavier_normal_",
    "xavier_uniform_",
    "zeros_",
]

_LINEAR = ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
           "conv_transpose3d", "sigmoid")  # fmt: skip


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The recommended gain for ``nonlinearity`` (PyTorch's table): 1 for linear layers and
    sigmoid, 5/3 for tanh, sqrt(2) for relu, sqrt(2 / (1 + slope^2)) for leaky_relu, 3/4 for
    selu."""
    if nonlinearity in _LINEAR:
        return 1  # an int, as in PyTorch
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif isinstance(param, bool) or not isinstance(param, int | float):
            raise ValueError(f"negative_slope {param} not a valid number")
        else:
            slope = float(param)
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}")


def _fans(t: Tensor, op: str) -> tuple[int, int]:
    if t.ndim < 2:
        raise ValueError(
            f"{op}: fan in and fan out can not be computed for tensor with fewer than 2 "
            f"dimensions (got shape {tuple(t.shape)})"
        )
    receptive = 1
    for s in t.shape[2:]:
        receptive *= s
    return t.shape[1] * receptive, t.shape[0] * receptive


def _fan(t: Tensor, mode: str, op: str) -> int:
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"Mode {mode} not supported, please use one of fan_in, fan_out")
    fan_in, fan_out = _fans(t, op)
    return fan_in if mode == "fan_in" else fan_out


def uniform_(
    tensor: Tensor, a: float = 0.0, b: float = 1.0, generator: Generator | None = None
) -> Tensor:
    """Fill with samples of ``U(a, b)``."""
    with ag.no_grad():
        return tensor.uniform_(a, b, generator=generator)


def normal_(
    tensor: Tensor, mean: float = 0.0, std: float = 1.0, generator: Generator | None = None
) -> Tensor:
    """Fill with samples of ``N(mean, std^2)``."""
    with ag.no_grad():
        return tensor.normal_(mean, std, generator=generator)


def _shape_error(op: str, wanted: str, tensor: Tensor) -> ValueError:
    return ValueError(
        f"{op}: Only tensors with {wanted} dimensions are supported "
        f"(got {tensor.ndim} dimensions, shape {tuple(tensor.shape)})"
    )


def _float_dtype(tensor: Tensor, op: str) -> np.dtype[Any]:
    """The tensor's NumPy dtype; PyTorch's ``NotImplementedError`` for a non-float one."""
    dt: np.dtype[Any] = tensor.numpy(force=True).dtype
    if dt.kind != "f":
        raise NotImplementedError(f"{op}: expected a floating point tensor, got {dt}")
    return dt


def _write(tensor: Tensor, arr: np.ndarray[Any, Any]) -> Tensor:
    with ag.no_grad():
        return tensor.copy_(tt.from_numpy(np.ascontiguousarray(arr).reshape(tuple(tensor.shape))))


def _norm_cdf(x: float) -> float:
    return (1.0 + math.erf(x / math.sqrt(2.0))) / 2.0


def trunc_normal_(
    tensor: Tensor,
    mean: float = 0.0,
    std: float = 1.0,
    a: float = -2.0,
    b: float = 2.0,
    generator: Generator | None = None,
) -> Tensor:
    """Fill with samples of ``N(mean, std^2)`` truncated to ``[a, b]`` (PyTorch 2.13's exact
    rejection sampler; ``std < 0`` acts as ``|std|``).

    When the mass ``p = P(a <= X <= b)`` is above 0.3, draws ``N(mean, std^2)`` and redraws
    the values outside ``[a, b]`` (the bounds rounded to the tensor's dtype): about ``1 / p``
    normal draws an element.  Otherwise (a narrow or off-centre window) it proposes
    ``U(a, b)`` and accepts ``x`` with probability ``pdf(x) / pdf(mode)``; ``(b - a) *
    pdf(mode) / p`` proposals an element on average.  Each pass redraws only the rejected
    elements.  Warns, as PyTorch does, when ``mean`` is more than ``2 std`` outside ``[a, b]``.

    >>> import tt_tensor as tt, tt_nn as nn
    >>> w = nn.init.trunc_normal_(tt.empty(1000), std=0.5, a=-0.2, b=0.2)
    >>> bool((w.abs() <= 0.2).all())
    True
    """
    if std == 0:
        raise ZeroDivisionError(f"trunc_normal_: std must be nonzero, got std={std}")
    if (mean < a - 2 * std) or (mean > b + 2 * std):
        warnings.warn(
            "mean is more than 2 std from [a, b] in nn.init.trunc_normal_. "
            "The distribution of values may be incorrect.",
            stacklevel=2,
        )
    if a > b:
        raise RuntimeError(f"trunc_normal_: expects a <= b, but found a={a} > b={b}")
    dt = _float_dtype(tensor, "trunc_normal_")
    rng = _rng(generator)
    out = np.empty(tensor.numel(), dtype=dt)
    todo = np.arange(out.size)
    p = _norm_cdf((b - mean) / std) - _norm_cdf((a - mean) / std)
    if p > 0.3:
        lo, hi = dt.type(a), dt.type(b)  # compare in the tensor's precision, as PyTorch
        while todo.size:
            x = (_draw(rng, "n", todo.size, dt) * std + mean).astype(dt, copy=False)
            out[todo] = x
            todo = todo[(x < lo) | (x > hi)]
    else:
        mode = max(a, min(mean, b))
        log_peak = -0.5 * ((mode - mean) / std) ** 2
        while todo.size:
            x = (_draw(rng, "u", todo.size, dt) * (b - a) + a).astype(dt, copy=False)
            out[todo] = x
            log_pdf = -0.5 * ((x.astype(np.float64) - mean) / std) ** 2 - log_peak
            todo = todo[np.log(rng.random(todo.size)) > log_pdf]
    return _write(tensor, out)


def orthogonal_(tensor: Tensor, gain: float = 1, generator: Generator | None = None) -> Tensor:
    """Fill with a (semi-)orthogonal matrix times ``gain`` (Saxe et al. 2013); dims after the
    first are flattened, so a ``(rows, cols)`` view has ``W W^T = gain^2 I`` when
    ``rows <= cols`` and ``W^T W = gain^2 I`` otherwise.

    The Q of a QR factorisation of a standard normal ``(rows, cols)`` matrix (transposed when
    ``rows < cols``), its columns' signs fixed by ``R``'s diagonal so that Q is Haar-uniform.
    Cost: ``O(max(rows, cols) * min(rows, cols)^2)`` (the QR).  float16 is refused, as in
    PyTorch (no half-precision QR).

    >>> import tt_tensor as tt, tt_nn as nn
    >>> w = nn.init.orthogonal_(tt.empty(3, 5, dtype=tt.float64), gain=2.0)
    >>> bool(((w @ w.T) - 4 * tt.eye(3, dtype=tt.float64)).abs().max() < 1e-12)
    True
    """
    if tensor.ndim < 2:
        raise _shape_error("orthogonal_", "2 or more", tensor)
    if tensor.numel() == 0:
        return tensor
    dt = _float_dtype(tensor, "orthogonal_")
    if dt == np.float16:
        raise NotImplementedError(
            "orthogonal_: QR is not implemented for float16 (as in PyTorch); "
            "initialise a float32 tensor and convert it"
        )
    rows = tensor.shape[0]
    cols = tensor.numel() // rows
    flat = _draw(_rng(generator), "n", (rows, cols), dt)
    if rows < cols:
        flat = flat.T
    q, r = np.linalg.qr(flat)
    q *= np.sign(np.diag(r))
    if rows < cols:
        q = q.T
    return _write(tensor, (q * gain).astype(dt, copy=False))


def sparse_(
    tensor: Tensor, sparsity: float, std: float = 0.01, generator: Generator | None = None
) -> Tensor:
    """Fill a 2-D tensor with ``N(0, std^2)`` samples, then zero ``ceil(sparsity * rows)``
    distinct random rows of each column (Martens 2010).

    Unlike PyTorch, which draws the rows to zero from its global generator whatever
    ``generator`` is, every draw comes from ``generator`` (or the default one), so a seed
    fixes the result.  A ``sparsity`` above 1 zeroes everything, as in PyTorch; a negative
    one is refused.  Cost: one normal draw and one row permutation an element.

    >>> import tt_tensor as tt, tt_nn as nn
    >>> w = nn.init.sparse_(tt.empty(10, 4), sparsity=0.3)
    >>> (w == 0).sum(0).tolist()
    [3, 3, 3, 3]
    """
    if tensor.ndim != 2:
        raise _shape_error("sparse_", "2", tensor)
    if not sparsity >= 0:
        raise ValueError(f"sparse_: sparsity must be >= 0 (a fraction), got {sparsity}")
    if std < 0:
        raise RuntimeError(f"sparse_: expects std >= 0.0, but found std {std}")
    dt = _float_dtype(tensor, "sparse_")
    rows, cols = tensor.shape
    num_zeros = min(math.ceil(sparsity * rows), rows)
    rng = _rng(generator)
    out = (_draw(rng, "n", (rows, cols), dt) * std).astype(dt, copy=False)
    if num_zeros == rows:
        out[...] = 0
    elif num_zeros > 0:
        order = rng.permuted(np.broadcast_to(np.arange(rows)[:, None], (rows, cols)), axis=0)
        out[order[:num_zeros], np.arange(cols)] = 0
    return _write(tensor, out)


def eye_(tensor: Tensor) -> Tensor:
    """Fill a 2-D tensor with the identity matrix (ones on the main diagonal of a
    rectangular one), so a ``Linear`` layer passes as many inputs through as it can.  Any
    dtype.

    >>> import tt_tensor as tt, tt_nn as nn
    >>> nn.init.eye_(tt.empty(2, 3)).tolist()
    [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]
    """
    if tensor.ndim != 2:
        raise _shape_error("eye_", "2", tensor)
    return _write(tensor, np.eye(*tensor.shape, dtype=tensor.numpy(force=True).dtype))


def dirac_(tensor: Tensor, groups: int = 1) -> Tensor:
    """Fill a 3-, 4- or 5-D convolution weight ``(out, in, *kernel)`` with the Dirac delta: 1
    at ``[g * out_per_group + d, d, centre]`` for each of the ``groups`` groups and each
    ``d < min(out / groups, in)``, 0 elsewhere (``centre = kernel // 2``), so the convolution
    passes as many input channels through as it can.  Any dtype.

    >>> import tt_tensor as tt, tt_nn as nn
    >>> w = nn.init.dirac_(tt.empty(2, 2, 3))
    >>> w.tolist()
    [[[0.0, 1.0, 0.0], [0.0, 0.0, 0.0]], [[0.0, 0.0, 0.0], [0.0, 1.0, 0.0]]]
    """
    if tensor.ndim not in (3, 4, 5):
        raise _shape_error("dirac_", "3, 4, or 5", tensor)
    shape = tuple(tensor.shape)
    if groups == 0:
        raise ZeroDivisionError("dirac_: groups must be positive, got 0")
    if groups < 0:
        raise ValueError(f"dirac_: groups must be positive, got {groups}")
    if shape[0] % groups != 0:
        raise ValueError(
            f"dirac_: dim 0 must be divisible by groups (got size {shape[0]}, groups={groups})"
        )
    out = np.zeros(shape, dtype=tensor.numpy(force=True).dtype)
    per_group = shape[0] // groups
    d = np.arange(min(per_group, shape[1]))
    if d.size:
        if 0 in shape[2:]:
            raise IndexError(f"dirac_: the kernel has no centre (got shape {shape})")
        rows = (np.arange(groups)[:, None] * per_group + d).ravel()
        index: tuple[Any, ...] = (rows, np.tile(d, groups), *(s // 2 for s in shape[2:]))
        out[index] = 1
    return _write(tensor, out)


def constant_(tensor: Tensor, val: float) -> Tensor:
    """Fill with ``val``."""
    with ag.no_grad():
        return tensor.fill_(val)


def zeros_(tensor: Tensor) -> Tensor:
    """Fill with 0."""
    return constant_(tensor, 0.0)


def ones_(tensor: Tensor) -> Tensor:
    """Fill with 1."""
    return constant_(tensor, 1.0)


def xavier_uniform_(
    tensor: Tensor, gain: float = 1.0, generator: Generator | None = None
) -> Tensor:
    """Glorot uniform: ``U(-b, b)`` with ``b = gain * sqrt(6 / (fan_in + fan_out))``."""
    fan_in, fan_out = _fans(tensor, "xavier_uniform_")
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_(tensor, -bound, bound, generator)


def xavier_normal_(tensor: Tensor, gain: float = 1.0, generator: Generator | None = None) -> Tensor:
    """Glorot normal: ``N(0, std^2)`` with ``std = gain * sqrt(2 / (fan_in + fan_out))``."""
    fan_in, fan_out = _fans(tensor, "xavier_normal_")
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)), generator)


def kaiming_uniform_(
    tensor: Tensor,
    a: float = 0.0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    generator: Generator | None = None,
) -> Tensor:
    """He uniform: ``U(-b, b)`` with ``b = gain * sqrt(3 / fan)``, ``gain`` from
    :func:`calculate_gain` (``a`` is the leaky-ReLU slope).  ``nn.Linear`` uses
    ``a=sqrt(5)``, which gives ``b = 1 / sqrt(fan_in)``."""
    if 0 in tensor.shape:
        return tensor  # PyTorch warns and leaves an empty tensor alone
    fan = _fan(tensor, mode, "kaiming_uniform_")
    bound = calculate_gain(nonlinearity, a) * math.sqrt(3.0 / fan)
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(
    tensor: Tensor,
    a: float = 0.0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    generator: Generator | None = None,
) -> Tensor:
    """He normal: ``N(0, std^2)`` with ``std = gain / sqrt(fan)``."""
    if 0 in tensor.shape:
        return tensor
    fan = _fan(tensor, mode, "kaiming_normal_")
    return normal_(tensor, 0.0, calculate_gain(nonlinearity, a) / math.sqrt(fan), generator)


def _fan_in(tensor: Tensor) -> int:
    """``fan_in`` of a weight (for layers that draw their bias from ``U(+-1/sqrt(fan_in))``)."""
    return _fans(tensor, "fan_in")[0]


def _bias_bound(weight: Tensor) -> float:
    fan_in = _fan_in(weight)
    return 1.0 / math.sqrt(fan_in) if fan_in > 0 else 0.0


def default_layer_init_(
    weight: Tensor, bias: Tensor | None, generator: Generator | None = None
) -> None:
    """PyTorch's default for Linear and Conv layers: ``kaiming_uniform_(weight, a=sqrt(5))``
    (that is ``U(+-1/sqrt(fan_in))``) and ``U(+-1/sqrt(fan_in))`` for the bias."""
    kaiming_uniform_(weight, a=math.sqrt(5), generator=generator)
    if bias is not None:
        b = _bias_bound(weight)
        uniform_(bias, -b, b, generator)
