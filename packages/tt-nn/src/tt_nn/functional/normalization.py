"""Normalization: ``batch_norm``, ``layer_norm`` and ``group_norm`` (``torch.nn.functional``).

All three compute the same thing over a different set of elements: subtract the mean, divide
by the standard deviation (the *biased* one, dividing by ``n``), then scale and shift::

    y = (x - mean) / sqrt(var + eps) * weight + bias

* ``batch_norm`` averages over the batch and every spatial position, separately for each
  channel (dim 1): the statistics couple the examples of a batch;
* ``layer_norm`` averages over the last ``len(normalized_shape)`` dims of each example;
* ``group_norm`` splits the channels into ``num_groups`` groups and averages over each group
  (and every spatial position) of each example.

Each is composed from tt-tensor ops (mean, sub, mul, rsqrt), so autograd differentiates it and
no backward code is written here.  **Memory** for backward (each): the centred input
``x - mean`` and the normalised output (two tensors of the input's size) plus the per-group
statistics.

Systems question: why does ``batch_norm`` in training mode behave differently for a batch of
one example, while ``layer_norm`` does not care about the batch size at all?
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import tt_autograd as ag
import tt_tensor as tt
from tt_tensor import Tensor

__all__ = ["batch_norm", "group_norm", "layer_norm"]


def check_floating(op: str, x: Tensor) -> None:
    """A ``TypeError`` for a non-tensor, PyTorch's ``NotImplementedError`` for an integer or
    bool tensor (the normalization layers and activations have no integer kernels)."""
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}: expected input to be a Tensor, got {type(x).__name__}")
    if not x.dtype.is_floating_point:
        raise NotImplementedError(
            f"{op}: not implemented for {x.dtype.name} input (a floating point tensor expected)"
        )


def verify_batch_size(size: Sequence[int], op: str = "", detail: str = "") -> None:
    """PyTorch's ``_verify_batch_size``: training statistics need more than one value each, so
    ``size[0] * prod(size[2:]) == 1`` raises ``ValueError`` (``size`` is the input's shape for
    batch norm, ``(N * C / G, G, *spatial)`` for group norm).  An empty batch passes."""
    if size[0] * math.prod(size[2:]) == 1:
        where = f"{op}: " if op else ""
        raise ValueError(
            f"{where}Expected more than 1 value per channel when training, got input size "
            f"{tuple(size)}{detail}"
        )


def _check_dtypes(op: str, x: Tensor, **tensors: Tensor | None) -> None:
    """Parameters and statistics must have the input's dtype (PyTorch's "mixed dtype" error),
    except float32 ones for a float16 input, which PyTorch accepts.  One comparison each."""
    for name, t in tensors.items():
        if t is None or t.dtype == x.dtype:
            continue
        if x.dtype == tt.float16 and t.dtype == tt.float32:
            continue
        raise RuntimeError(
            f"{op}: mixed dtype: expected {name} of the input's dtype {x.dtype.name}, got "
            f"{t.dtype.name} (convert the module with .to({x.dtype.name}), or the input)"
        )


def _in_input_dtype(out: Tensor, x: Tensor) -> Tensor:
    """The result in the input's dtype: float32 parameters or statistics promote a float16
    input's result, which PyTorch returns as float16 (it computes in float32 and rounds)."""
    return out if out.dtype == x.dtype else out.to(x.dtype)


def _normalize(x: Tensor, dims: tuple[int, ...], eps: float) -> tuple[Tensor, Tensor, Tensor]:
    """``((x - mean) / sqrt(var + eps), mean, var)`` over ``dims`` (kept as size-1 dims),
    with the biased variance ``mean((x - mean)^2)``."""
    mu = x.mean(dims, keepdim=True)
    d = x - mu
    var = (d * d).mean(dims, keepdim=True)
    return d * (var + eps).rsqrt(), mu, var


def _check_vector(op: str, name: str, t: Tensor | None, n: int) -> None:
    if t is not None and t.numel() != n:
        raise RuntimeError(
            f"{op}: {name} should contain {n} elements (one per channel of the input) "
            f"not {t.numel()} (got shape {tuple(t.shape)})"
        )


def batch_norm(
    input: Tensor,
    running_mean: Tensor | None,
    running_var: Tensor | None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """Batch normalization: normalise each channel (dim 1) over the batch and spatial dims.

    ``y = (x - E[x]) / sqrt(Var[x] + eps) * weight + bias``, with ``E`` and ``Var`` over every
    dim but 1.  In ``training`` mode they are the batch's own statistics (``Var`` biased,
    dividing by ``n = numel / C``), and ``running_mean``/``running_var`` (when given) are
    updated in place, outside the graph::

        running_mean = (1 - momentum) * running_mean + momentum * E[x]
        running_var  = (1 - momentum) * running_var  + momentum * Var[x] * n / (n - 1)

    (the running variance uses the *unbiased* estimate, as in PyTorch).  Otherwise the running
    statistics are used and nothing is updated.  An empty batch (``N = 0``) gives an empty
    output and leaves the running statistics unchanged.

    **Shape**: ``(N, C, *) -> (N, C, *)``; every other argument has ``C`` elements.
    **Cost**: about 10 flops per element (two passes for the statistics, one to normalise,
    one for the affine map).  **Memory**: the output; in training mode autograd keeps the
    centred input and the normalised input (two input-sized tensors) for backward.

    >>> import tt_tensor as tt
    >>> x = tt.tensor([[1.0, 10.0], [3.0, 30.0]])
    >>> rm, rv = tt.zeros(2), tt.ones(2)
    >>> batch_norm(x, rm, rv, training=True, eps=0.0).tolist()
    [[-1.0, -1.0], [1.0, 1.0]]
    >>> rm.tolist()  # 0.9 * 0 + 0.1 * [2, 20]
    [0.20000000298023224, 2.0]
    """
    op = "batch_norm"
    check_floating(op, input)
    if input.dim() < 2:
        raise IndexError(
            f"{op}: expected an input of shape (N, C, *) with at least 2 dims, "
            f"got {input.dim()}-D input of shape {tuple(input.shape)}"
        )
    c = input.shape[1]
    _check_vector(op, "running_mean", running_mean, c)
    _check_vector(op, "running_var", running_var, c)
    _check_vector(op, "weight", weight, c)
    _check_vector(op, "bias", bias, c)
    _check_dtypes(
        op, input, running_mean=running_mean, running_var=running_var, weight=weight, bias=bias
    )
    if not training and (running_mean is None or running_var is None):
        missing = "running_mean" if running_mean is None else "running_var"
        raise RuntimeError(f"{op}: {missing} must be defined in evaluation mode")
    n = input.numel() // c if c else 0
    if training:
        verify_batch_size(input.shape)
    shape = (1, c) + (1,) * (input.dim() - 2)  # broadcasts a per-channel vector
    dims = (0, *range(2, input.dim()))
    if training:
        out, mu, var = _normalize(input, dims, eps)
        # An empty batch (n = 0) has no statistics: the buffers stay as they are (PyTorch's)
        if n > 0 and (running_mean is not None or running_var is not None):
            with ag.no_grad():
                if running_mean is not None:
                    batch_mean = mu.reshape(c).to(running_mean.dtype)
                    running_mean.mul_(1.0 - momentum).add_(batch_mean * momentum)
                if running_var is not None:
                    unbiased = var.reshape(c) * (n / (n - 1))  # n > 1: checked above
                    running_var.mul_(1.0 - momentum).add_(unbiased.to(running_var.dtype) * momentum)
    else:
        assert running_mean is not None
        assert running_var is not None
        rm = running_mean.to(input.dtype).reshape(shape)
        rv = running_var.to(input.dtype).reshape(shape)
        out = (input - rm) * (rv + eps).rsqrt()
    if weight is not None:
        out = out * weight.reshape(shape)
    if bias is not None:
        out = out + bias.reshape(shape)
    return _in_input_dtype(out, input)


def _normalized_shape(normalized_shape: int | Sequence[int]) -> tuple[int, ...]:
    if isinstance(normalized_shape, int):
        return (normalized_shape,)
    return tuple(int(s) for s in normalized_shape)


def layer_norm(
    input: Tensor,
    normalized_shape: int | Sequence[int],
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """Layer normalization: normalise each example over its last ``len(normalized_shape)``
    dims.

    ``y = (x - E[x]) / sqrt(Var[x] + eps) * weight + bias`` with ``E`` and the biased ``Var``
    over the trailing dims; ``weight`` and ``bias`` have shape ``normalized_shape`` (an int is
    accepted for a single dim, like the ``LayerNorm`` module).  The same in training and
    evaluation: no running statistics.

    **Shape**: ``(*, *normalized_shape) -> same``.  **Cost**: about 10 flops per element.
    **Memory**: the output; autograd keeps the centred and the normalised input.

    >>> import tt_tensor as tt
    >>> layer_norm(tt.tensor([[1.0, 3.0], [0.0, 10.0]]), (2,), eps=0.0).tolist()
    [[-1.0, 1.0], [-1.0, 1.0]]
    """
    op = "layer_norm"
    check_floating(op, input)
    shape = _normalized_shape(normalized_shape)
    if not shape:
        raise RuntimeError(
            f"{op}: expected normalized_shape to be at least 1-dimensional, i.e., containing at "
            f"least one element, but got normalized_shape = {list(shape)}"
        )
    k = len(shape)
    if input.dim() < k or tuple(input.shape[input.dim() - k :]) != shape:
        raise RuntimeError(
            f"{op}: given normalized_shape={list(shape)}, expected input with shape "
            f"[*, {', '.join(map(str, shape))}], but got input of size {list(input.shape)}"
        )
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and tuple(t.shape) != shape:
            raise RuntimeError(
                f"{op}: expected {name} to be of same shape as normalized_shape, but got "
                f"{name} of shape {list(t.shape)} and normalized_shape = {list(shape)}"
            )
    _check_dtypes(op, input, weight=weight, bias=bias)
    out, _, _ = _normalize(input, tuple(range(input.dim() - k, input.dim())), eps)
    if weight is not None:
        out = out * weight
    if bias is not None:
        out = out + bias
    return _in_input_dtype(out, input)


def group_norm(
    input: Tensor,
    num_groups: int,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """Group normalization: split the ``C`` channels into ``num_groups`` groups and normalise
    each group of each example (over its channels and every spatial position).

    ``y = (x - E[x]) / sqrt(Var[x] + eps) * weight + bias``, statistics per (example, group),
    ``Var`` biased; ``weight`` and ``bias`` are per channel.  ``num_groups=1`` normalises over
    all of ``(C, *)``; ``num_groups=C`` is instance normalization.

    **Shape**: ``(N, C, *) -> (N, C, *)``, ``C`` divisible by ``num_groups``; as in PyTorch,
    ``N * C / num_groups * prod(*) == 1`` is a ``ValueError``.  **Cost**:
    about 10 flops per element.  **Memory**: the output (the grouping is a reshape: a view of
    a contiguous input); autograd keeps the centred and the normalised input.

    >>> import tt_tensor as tt
    >>> x = tt.tensor([[1.0, 3.0, 0.0, 10.0]]).reshape(1, 4, 1)
    >>> group_norm(x, 2, eps=0.0).reshape(4).tolist()
    [-1.0, 1.0, -1.0, 1.0]
    """
    op = "group_norm"
    check_floating(op, input)
    if input.dim() < 2:
        raise RuntimeError(
            f"{op}: expected at least 2 dimensions for input tensor (N, C, *) but received "
            f"{input.dim()} (shape {tuple(input.shape)})"
        )
    n, c = input.shape[0], input.shape[1]
    if num_groups > 0:  # (PyTorch checks the batch size first, then the divisibility)
        size = (n * c // num_groups, num_groups, *input.shape[2:])
        where = f" (input of shape {list(input.shape)} in {num_groups} groups)"
        verify_batch_size(size, op, where)
    if num_groups <= 0 or c % num_groups != 0:
        raise RuntimeError(
            f"{op}: expected number of channels in input to be divisible by num_groups, but got "
            f"input of shape {list(input.shape)} and num_groups={num_groups}"
        )
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and (t.dim() != 1 or t.numel() != c):
            raise RuntimeError(
                f"{op}: expected {name} to be a vector of size equal to the number of channels "
                f"in input, but got {name} of shape {list(t.shape)} and input of shape "
                f"{list(input.shape)}"
            )
    _check_dtypes(op, input, weight=weight, bias=bias)
    grouped = input.reshape(n, num_groups, c // num_groups * math.prod(input.shape[2:]))
    out, _, _ = _normalize(grouped, (2,), eps)
    out = out.reshape(input.shape)
    shape = (1, c) + (1,) * (input.dim() - 2)
    if weight is not None:
        out = out * weight.reshape(shape)
    if bias is not None:
        out = out + bias.reshape(shape)
    return _in_input_dtype(out, input)
