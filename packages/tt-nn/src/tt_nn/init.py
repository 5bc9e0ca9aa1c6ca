"""Weight initialisation (``torch.nn.init``): fill a tensor in place, without recording a graph.

Every random initialiser takes ``generator=`` (a :class:`tt_tensor.Generator`); without one it
draws from the default generator, so ``tt_tensor.manual_seed(s)`` makes a model reproducible.

Fan-in and fan-out, for a weight of shape ``(out, in, *kernel)``: ``fan_in = in * prod(kernel)``,
``fan_out = out * prod(kernel)``.  The schemes keep activations' variance steady through depth:

* Xavier/Glorot (tanh, sigmoid): ``std = gain * sqrt(2 / (fan_in + fan_out))``;
* Kaiming/He (ReLU family): ``std = gain / sqrt(fan)`` with ``gain = sqrt(2 / (1 + a^2))``.

A uniform distribution ``U(-b, b)`` has std ``b / sqrt(3)``, hence the ``sqrt(3)`` below.

Cost: one pass over the tensor.  Memory: none beyond a temporary of the tensor's size.

>>> import tt_tensor as tt, tt_nn as nn
>>> w = tt.empty(3, 5)
>>> _ = nn.init.constant_(w, 0.5)
>>> w.sum().item()
7.5
"""

from __future__ import annotations

import math

import tt_autograd as ag
from tt_tensor import Generator, Tensor

__all__ = [
    "calculate_gain",
    "constant_",
    "kaiming_normal_",
    "kaiming_uniform_",
    "normal_",
    "ones_",
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
