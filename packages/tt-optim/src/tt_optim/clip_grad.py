"""Gradient clipping: rescale (``clip_grad_norm_``) or clamp (``clip_grad_value_``) the
``.grad`` of parameters in place, between ``backward()`` and ``optimizer.step()``.

Clipping by norm keeps the direction of the whole gradient and bounds its length, which
tames the rare huge gradient of a recurrent network or an early transformer step::

    loss.backward()
    clip_grad_norm_(model.parameters(), max_norm=1.0)
    opt.step()

**Cost**: one norm per gradient (a pass over it), one norm of those norms, then one in-place
multiply per gradient: two passes over the gradients in total.

**Memory**: the per-parameter norms (0-d tensors) and one temporary per gradient for the
norm's elementwise step (``g * g`` or ``|g|``); the gradients are scaled in place.

**Non-finite gradients** follow IEEE arithmetic, as in PyTorch and without NumPy warnings: a
gradient of ``1e30`` squares to ``inf`` in float32, an ``inf`` total gives the factor 0, and
``0 * inf`` is NaN, so ``clip_grad_norm_`` turns ``[inf, 1.0]`` into ``[nan, 0.0]`` (pass
``error_if_nonfinite=True`` to raise instead).

Every function takes PyTorch's ``foreach`` argument, and ignores it: PyTorch uses it to pick
between a loop over the tensors and fused multi-tensor kernels; tt has one implementation, a
loop over NumPy arrays, whatever ``foreach`` says.

>>> import tt_tensor as tt
>>> w = tt.zeros(2, requires_grad=True)
>>> w.grad = tt.tensor([3.0, 4.0])
>>> clip_grad_norm_([w], max_norm=1.0)  # returns the norm before clipping
tensor(5., shape=(), dtype=tt_tensor.float32)
>>> w.grad
tensor([0.6000, 0.8000], shape=(2,), dtype=tt_tensor.float32)
"""

from __future__ import annotations

import math
import types
import warnings
from collections.abc import Iterable

import numpy as np

import tt_autograd
import tt_tensor as tt
from tt_tensor import Tensor

__all__ = ["clip_grad_norm_", "clip_grad_value_", "clip_grads_with_norm_", "get_total_norm"]

#: One tensor or an iterable of them (what ``model.parameters()`` gives).
TensorOrTensors = Tensor | Iterable[Tensor]


def _vector_norm(x: Tensor, ord: float) -> Tensor:
    """The ``ord``-norm of all of ``x``'s elements (``torch.linalg.vector_norm``): ``inf`` is
    max |x|, ``-inf`` min |x|, 0 the count of non-zeros, else ``(sum |x|^ord)^(1/ord)``."""
    if ord == math.inf:
        return x.abs().amax()
    if ord == -math.inf:
        return x.abs().amin()
    if ord == 0:
        return (x != 0).sum().to(x.dtype)
    if ord == 1:
        return x.abs().sum()
    if ord == 2:
        return (x * x).sum().sqrt()
    return (x.abs() ** ord).sum() ** (1.0 / ord)


def _as_list(tensors: TensorOrTensors) -> list[Tensor]:
    return [tensors] if isinstance(tensors, Tensor) else list(tensors)


def get_total_norm(
    tensors: TensorOrTensors,
    norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
    foreach: bool | None = None,
) -> Tensor:
    """The ``norm_type``-norm of the tensors taken together, as if concatenated into one
    vector (``torch.nn.utils.get_total_norm``): the norm of the per-tensor norms.

    An empty list gives ``tensor(0.)``.  With ``error_if_nonfinite``, a NaN or infinite total
    raises ``RuntimeError``.  ``foreach`` is accepted and ignored (see the module docstring)."""
    tensors = _as_list(tensors)
    norm_type = float(norm_type)
    if len(tensors) == 0:
        return tt.tensor(0.0)
    # Overflow to inf (1e30 squared in float32) is the IEEE result, as in PyTorch: no warning.
    with tt_autograd.no_grad(), np.errstate(over="ignore", invalid="ignore"):
        norms = [_vector_norm(t, norm_type) for t in tensors]
        total = _vector_norm(tt.stack(norms), norm_type)
    if error_if_nonfinite and not math.isfinite(total.item()):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is "
            "non-finite, so it cannot be clipped. To disable this error and scale the gradients "
            "by the non-finite norm anyway, set `error_if_nonfinite=False`"
        )
    return total


def clip_grads_with_norm_(
    parameters: TensorOrTensors,
    max_norm: float,
    total_norm: Tensor,
    foreach: bool | None = None,
) -> None:
    """Scale the ``.grad`` of ``parameters`` in place by ``min(1, max_norm / (total_norm +
    1e-6))`` (``torch.nn.utils.clip_grads_with_norm_``); ``total_norm`` is usually
    :func:`get_total_norm` of the gradients.  ``foreach`` is accepted and ignored."""
    grads = [p.grad for p in _as_list(parameters) if p.grad is not None]
    if len(grads) == 0:
        return
    # An inf total gives the factor 0, and 0 * inf = nan: IEEE, as in PyTorch, not an error.
    with tt_autograd.no_grad(), np.errstate(over="ignore", invalid="ignore"):
        coef = (float(max_norm) / (total_norm + 1e-6)).clamp(max=1.0)
        for g in grads:
            g.mul_(coef.to(g.dtype))


def clip_grad_norm_(
    parameters: TensorOrTensors,
    max_norm: float,
    norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
    foreach: bool | None = None,
) -> Tensor:
    """Rescale the gradients of ``parameters`` in place so that their total norm is at most
    ``max_norm`` (``torch.nn.utils.clip_grad_norm_``).  Returns the total norm *before*
    clipping, a 0-d tensor.

    The total norm is that of all gradients concatenated into one vector (``norm_type``
    ``inf`` takes the largest absolute entry).  Every gradient is multiplied by the same
    ``min(1, max_norm / (total + 1e-6))``, so the direction is unchanged.  Parameters with
    ``.grad is None`` are skipped.  With ``error_if_nonfinite``, a NaN or infinite total
    raises ``RuntimeError`` before any gradient changes.  ``foreach`` is accepted and ignored
    (tt has one implementation)."""
    if isinstance(parameters, Tensor):
        params = [parameters]
    else:
        is_generator = isinstance(parameters, types.GeneratorType)
        params = list(parameters)
        if is_generator and len(params) == 0:
            warnings.warn(
                "`parameters` is an empty generator, no gradient clipping will occur.",
                stacklevel=2,
            )
    grads = [p.grad for p in params if p.grad is not None]
    total_norm = get_total_norm(grads, norm_type, error_if_nonfinite)
    clip_grads_with_norm_(params, max_norm, total_norm)
    return total_norm


def clip_grad_value_(
    parameters: TensorOrTensors, clip_value: float, foreach: bool | None = None
) -> None:
    """Clamp every gradient entry of ``parameters`` into ``[-clip_value, clip_value]``, in
    place (``torch.nn.utils.clip_grad_value_``).  Unlike :func:`clip_grad_norm_`, this
    changes the gradient's direction.  ``foreach`` is accepted and ignored.

    >>> import tt_tensor as tt
    >>> w = tt.zeros(3, requires_grad=True)
    >>> w.grad = tt.tensor([-5.0, 0.5, 2.0])
    >>> clip_grad_value_(w, 1.0); w.grad
    tensor([-1.0000, 0.5000, 1.0000], shape=(3,), dtype=tt_tensor.float32)
    """
    clip_value = float(clip_value)
    with tt_autograd.no_grad():
        for p in _as_list(parameters):
            if p.grad is not None:
                p.grad.clamp_(min=-clip_value, max=clip_value)
