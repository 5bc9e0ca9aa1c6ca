"""Loss functions (``torch.nn.functional``'s losses), composed from tt-tensor operations.

Almost every loss here is a short composition of differentiable primitives (``log_softmax``,
``gather``, ``log1p``, ``where``, arithmetic, a reduction), so autograd differentiates it and
it has no backward code of its own.  Two are fused primitives with their backward beside their
forward: the common case of cross-entropy (for speed) and the elementwise binary cross-entropy
(for PyTorch's gradient at probabilities 0 and 1).  Each takes ``reduction`` in ``{'none',
'mean', 'sum'}``: ``'none'`` returns the per-element (or per-sample) losses, ``'sum'`` their
sum and ``'mean'`` their mean (a *weighted* mean where a loss has class weights or ignored
targets).  The deprecated ``size_average`` and ``reduce`` arguments are accepted and override
``reduction`` exactly as in PyTorch.

Numerical stability is part of the contract: cross-entropy goes through the fused, max-shifted
``log_softmax`` and BCE-with-logits through a log-sigmoid written with ``exp(-|x|)`` only, so
logits of magnitude 1e4 give finite losses and gradients.

>>> import tt_tensor as tt
>>> logits = tt.tensor([[2.0, 0.5, -1.0], [0.0, 1.0, 0.0]])
>>> round(cross_entropy(logits, tt.tensor([0, 1])).item(), 4)
0.3964

Systems question: the class-index ``cross_entropy`` never builds the ``(N, C)`` one-hot matrix.
Which two tensors does autograd keep for its backward, and how many bytes is that for a batch
of 256 over 10 classes in float32?
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

import tt_tensor as tt
from tt_autograd import Function, is_grad_enabled
from tt_tensor import Tensor
from tt_tensor.reduction import add_reduce, max_reduce, min_reduce

__all__ = [
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "cross_entropy",
    "huber_loss",
    "l1_loss",
    "mse_loss",
    "nll_loss",
]

_REDUCTIONS = ("none", "mean", "sum")


# --------------------------------------------------------------------------- shared helpers
def _legacy_reduction(size_average: bool | None, reduce: bool | None) -> str:
    """PyTorch's mapping of the deprecated ``size_average``/``reduce`` flags to ``reduction``."""
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    ret = ("mean" if size_average else "sum") if reduce else "none"
    warnings.warn(
        f"size_average and reduce args will be deprecated, please use reduction='{ret}' instead.",
        stacklevel=3,
    )
    return ret


def _reduction(
    op: str, reduction: str, size_average: bool | None = None, reduce: bool | None = None
) -> str:
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    if reduction not in _REDUCTIONS:
        raise ValueError(
            f"{op}: {reduction!r} is not a valid value for reduction "
            "(expected 'none', 'mean' or 'sum')"
        )
    return reduction


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _check_tensors(op: str, **tensors: object) -> None:
    for name, t in tensors.items():
        if not isinstance(t, Tensor):
            raise TypeError(f"{op}: argument '{name}' must be a Tensor, got {type(t).__name__}")


def _shape(t: Tensor) -> tuple[int, ...]:
    return tuple(t.shape)


# ----------------------------------------------------------------- regression: MSE, L1, Huber
def _pointwise_prelude(
    op: str,
    input: Tensor,
    target: Tensor,
    weight: Tensor | None,
    non_float: type[Exception] | None,
) -> None:
    """Shared checks of the regression losses: broadcastable shapes (a warning when they
    differ, as in PyTorch), a floating result (unless ``non_float`` is None: then integer
    inputs are allowed; else the exception PyTorch raises for them) and a ``weight`` of
    ``input``'s shape."""
    _check_tensors(op, input=input, target=target)
    if _shape(target) != _shape(input):
        warnings.warn(
            f"{op}: using a target size ({_shape(target)}) that is different to the input size "
            f"({_shape(input)}). This will likely lead to incorrect results due to "
            "broadcasting. Please ensure they have the same size.",
            stacklevel=3,
        )
        try:
            np.broadcast_shapes(_shape(input), _shape(target))
        except ValueError:
            raise RuntimeError(
                f"{op}: input of shape {_shape(input)} and target of shape {_shape(target)} "
                "cannot be broadcast together"
            ) from None
    if non_float is not None and not tt.promote_types(input.dtype, target.dtype).is_floating_point:
        raise non_float(
            f"{op}: expected a floating point input or target, got {input.dtype.name} and "
            f"{target.dtype.name}"
        )
    if weight is not None and _shape(weight) != _shape(input):
        raise ValueError(
            f"{op}: weights and input must have the same size: expected {_shape(input)}, "
            f"got {_shape(weight)}"
        )


def _weighted_reduce(loss: Tensor, weight: Tensor | None, reduction: str) -> Tensor:
    """``sum(w * loss) / sum(w)`` for ``'mean'`` with a weight (MSE and L1's weighted mean)."""
    if weight is None:
        return _reduce(loss, reduction)
    loss = loss * weight
    return loss.sum() / weight.sum() if reduction == "mean" else _reduce(loss, reduction)


def mse_loss(
    input: Tensor,
    target: Tensor,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
    weight: Tensor | None = None,
) -> Tensor:
    """The mean squared error ``(input - target)^2``, reduced.

    With ``weight`` (``input``'s shape) each squared error is multiplied by its weight and
    ``'mean'`` divides by ``sum(weight)``.

    **Shape**: ``input`` and ``target`` broadcast (PyTorch warns when they differ, so do we);
    ``'none'`` keeps the broadcast shape, ``'mean'``/``'sum'`` give a 0-d tensor.
    **Cost**: three passes over the elements (subtract, square, reduce).
    **Memory**: autograd keeps the difference (one input-sized tensor).

    >>> import tt_tensor as tt
    >>> mse_loss(tt.tensor([1.0, 2.0]), tt.tensor([0.0, 0.0])).item()
    2.5
    """
    reduction = _reduction("mse_loss", reduction, size_average, reduce)
    _pointwise_prelude("mse_loss", input, target, weight, NotImplementedError)
    d = input - target
    return _weighted_reduce(d * d, weight, reduction)


def l1_loss(
    input: Tensor,
    target: Tensor,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
    weight: Tensor | None = None,
) -> Tensor:
    """The mean absolute error ``|input - target|``, reduced.

    The gradient at ``input == target`` is 0 (the subgradient PyTorch uses).  ``weight`` works
    as in :func:`mse_loss`.

    **Shape**: as :func:`mse_loss`.  **Cost**: three passes.  **Memory**: autograd keeps the
    difference.

    >>> import tt_tensor as tt
    >>> l1_loss(tt.tensor([1.0, -3.0]), tt.tensor([0.0, 0.0])).item()
    2.0
    """
    reduction = _reduction("l1_loss", reduction, size_average, reduce)
    _pointwise_prelude("l1_loss", input, target, weight, None)  # integer sums are fine
    if reduction == "mean" and not tt.promote_types(input.dtype, target.dtype).is_floating_point:
        raise RuntimeError(
            f"l1_loss: the mean needs a floating point input or target, got "
            f"{input.dtype.name} and {target.dtype.name}"
        )
    return _weighted_reduce((input - target).abs(), weight, reduction)


def huber_loss(
    input: Tensor,
    target: Tensor,
    reduction: str = "mean",
    delta: float = 1.0,
    weight: Tensor | None = None,
) -> Tensor:
    """The Huber loss: quadratic for small errors, linear (slope ``delta``) for large ones.

    With ``d = input - target``::

        loss = 0.5 * d^2                      if |d| < delta
               delta * (|d| - 0.5 * delta)    otherwise

    The two pieces meet with equal value and slope at ``|d| = delta``.  With ``weight``
    (``input``'s shape) each term is multiplied by its weight and ``'mean'`` is the plain mean
    of the weighted terms (PyTorch's definition, unlike MSE's and L1's).

    **Shape**: as :func:`mse_loss`.  **Cost**: about eight elementwise passes.
    **Memory**: autograd keeps the difference, its absolute value and the branch mask.

    >>> import tt_tensor as tt
    >>> huber_loss(tt.tensor([0.5, 3.0]), tt.tensor([0.0, 0.0]), reduction="sum").item()
    2.625
    """
    reduction = _reduction("huber_loss", reduction)
    if delta <= 0:
        raise RuntimeError(
            f"huber_loss: does not support non-positive values for delta, got delta={delta}"
        )
    _pointwise_prelude("huber_loss", input, target, weight, NotImplementedError)
    if not input.dtype.is_floating_point:
        raise RuntimeError(
            f"huber_loss: the result has the input's dtype, which must be floating point, got "
            f"{input.dtype.name}"
        )
    d = input - target.to(input.dtype)  # PyTorch computes Huber in the input's dtype
    a = d.abs()
    loss = tt.where(a < delta, 0.5 * d * d, delta * (a - 0.5 * delta))
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


# --------------------------------------------------------------- classification: NLL and CE
def _class_dim(input: Tensor) -> int:
    return 0 if input.ndim == 1 else 1


def _check_class_targets(
    op: str, input: Tensor, target: Tensor, weight: Tensor | None, ignore_index: int
) -> tuple[Tensor, bool]:
    """Validate class-index targets against ``input`` (``(C,)``, ``(N, C)`` or
    ``(N, C, d1, ...)``) in PyTorch's order and with its exception types; returns the target
    as int64 (a 1-element target of an unbatched input becomes 0-d), and whether every target
    is a class (in ``[0, C)``: then only an ``ignore_index`` that is a class can be present)."""
    shape, tshape = _shape(input), _shape(target)
    if input.ndim < 1:
        raise ValueError(
            f"{op}: expected input of shape (C,), (N, C) or (N, C, d1, ...), got a 0-d input"
        )
    if input.ndim == 1:
        if target.ndim > 1:
            raise RuntimeError(
                f"{op}: for an unbatched input of shape {shape} expected a 0-d target, got "
                f"shape {tshape}"
            )
        if target.ndim == 1:
            if tshape[0] != 1:
                raise ValueError(
                    f"{op}: for a 1-D input of shape {shape}, a 1-D target must have size 1, "
                    f"got shape {tshape}"
                )
            target = target.reshape(())
    else:
        n = target.shape[0] if target.ndim else 0
        if n != shape[0]:
            raise ValueError(
                f"{op}: expected input batch_size ({shape[0]}) to match target batch_size "
                f"({n}): input shape {shape}, target shape {tshape}"
            )
        expected = (shape[0], *shape[2:])
        if tshape != expected:
            raise RuntimeError(
                f"{op}: expected a target of shape {expected} (class indices) for input of "
                f"shape {shape}, got {tshape}"
            )
    if target.dtype not in (tt.int64, tt.uint8):
        raise RuntimeError(
            f"{op}: expected target dtype to be int64 (long) or uint8 (class indices), got "
            f"{target.dtype.name}"
        )
    c = shape[_class_dim(input)]
    if weight is not None:
        if weight.ndim != 1 or weight.numel() != c:
            raise RuntimeError(
                f"{op}: weight tensor should be defined either for all {c} classes or no "
                f"classes but got weight tensor of shape: {_shape(weight)}"
            )
        if weight.dtype != input.dtype:
            raise RuntimeError(
                f"{op}: expected weight of dtype {input.dtype.name} (the input's), got "
                f"{weight.dtype.name}"
            )
    t = target.numpy()
    # one pass each for the bounds; the slow search only when some target is out of them
    classes = not t.size or (
        int(min_reduce(t, axis=None)) >= 0 and int(max_reduce(t, axis=None)) < c
    )
    if not classes:
        valid = t[t != ignore_index].astype(np.int64)
        if valid.size and (valid.min() < 0 or valid.max() >= c):
            bad = int(valid.min() if valid.min() < 0 else valid.max())
            raise IndexError(
                f"{op}: Target {bad} is out of bounds: expected class indices in [0, {c}) "
                f"(or ignore_index={ignore_index})"
            )
    return (target if target.dtype == tt.int64 else target.long()), classes


def _target_weights(
    logp: Tensor, target: Tensor, weight: Tensor | None, ignore_index: int
) -> tuple[Tensor, Tensor | None, Tensor | None]:
    """``(safe_target, w, ignored)``: the target with ignored entries replaced by class 0 (so
    they can be gathered), each target's weight (``weight[target]``, 0 where ignored; None if
    every weight is 1) and the bool mask of ignored targets (None if there are none)."""
    mask = np.asarray(target.numpy() == ignore_index)  # NumPy: no dispatch on the hot path
    ignored = tt.from_numpy(mask) if mask.any() else None
    safe = target if ignored is None else tt.where(ignored, 0, target)
    w = None if weight is None else weight[safe]
    if ignored is not None:
        keep = ignored.logical_not().to(logp.dtype)
        w = keep if w is None else w * keep
    return safe, w, ignored


def _weighted_mean(terms: Tensor, weight_sum: Tensor, ignored: Tensor | None) -> Tensor:
    """``sum(terms) / weight_sum``: the weighted mean of per-target losses ``terms`` (already
    multiplied by their weights, 0 on ignored targets), PyTorch's gradients included.

    When ``weight_sum`` is 0 the value is NaN (0 / 0) and PyTorch divides each *non-ignored*
    target's gradient ``w`` by the zero total (NaN for ``w = 0``, +-inf otherwise) while an
    ignored target gets 0: so the ignored terms are cut out with ``where`` (whose backward
    gives them 0, where the product with a zero weight would give ``0 * inf = NaN``).  Only
    this rare case costs the extra pass.  Its backward multiplies ``inf`` by the zero
    weights, and NumPy then warns "invalid value" where PyTorch is silent (tt-tensor's
    ``mul`` keeps NumPy's IEEE warnings, see :mod:`tt_tensor.elementwise`)."""
    if ignored is not None and float(weight_sum) == 0.0:
        terms = tt.where(ignored, 0.0, terms)
    return terms.sum() / weight_sum


def _pick(logp: Tensor, target: Tensor) -> Tensor:
    """``logp[n, target[n, ...], ...]``: the log-probability of each target class."""
    if logp.ndim == 1:  # unbatched (C,) with a 0-d target
        return logp.gather(0, target.reshape(1)).reshape(())
    return logp.gather(1, target.unsqueeze(1)).squeeze(1)


def _nll(
    logp: Tensor, target: Tensor, weight: Tensor | None, ignore_index: int, reduction: str
) -> Tensor:
    """The negative log-likelihood of validated int64 targets (see :func:`nll_loss`)."""
    safe, w, ignored = _target_weights(logp, target, weight, ignore_index)
    if w is None:
        if reduction != "none" and logp.ndim == 2:
            # The hot path (the MLP benchmark): gather (N, 1) and reduce, no squeeze/one-hot.
            picked = logp.gather(1, safe.unsqueeze(1))
            return (picked.mean() if reduction == "mean" else picked.sum()).neg()
        return _reduce(_pick(logp, safe).neg(), reduction)
    loss = _pick(logp, safe).neg() * w
    if reduction == "mean":
        return _weighted_mean(loss, w.sum(), ignored)
    return _reduce(loss, reduction)


def nll_loss(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: bool | None = None,
    ignore_index: int = -100,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """The negative log-likelihood of class-index targets, given log-probabilities.

    ``loss[n] = -w[target[n]] * input[n, target[n]]`` (``w`` = ``weight`` or all ones), and 0
    where ``target[n] == ignore_index``.  ``'mean'`` is the *weighted* mean:
    ``sum(loss) / sum(w[target[n]] for non-ignored n)`` (NaN when every target is ignored).

    **Shape**: ``input`` ``(C,)``, ``(N, C)`` or ``(N, C, d1, ...)``; ``target`` ``()``,
    ``(N,)`` or ``(N, d1, ...)`` of int64 (or uint8) class indices in ``[0, C)``; ``'none'``
    returns ``target``'s shape.
    **Cost**: one gather (``N * d`` reads), plus a multiply and a sum with weights.
    **Memory**: the gather's backward scatters into a zero tensor of ``input``'s shape; autograd
    keeps only the target indices (and the per-target weights).

    >>> import tt_tensor as tt
    >>> logp = tt.tensor([[-0.1, -2.0], [-3.0, -0.2]])
    >>> round(nll_loss(logp, tt.tensor([0, 1])).item(), 4)
    0.15
    """
    _check_tensors("nll_loss", input=input, target=target)
    reduction = _reduction("nll_loss", reduction, size_average, reduce)
    if not input.dtype.is_floating_point:
        raise NotImplementedError(
            f"nll_loss: expected a floating point input (log-probabilities), got {input.dtype.name}"
        )
    target, _ = _check_class_targets("nll_loss", input, target, weight, ignore_index)
    return _nll(input, target, weight, ignore_index, reduction)


def _cross_entropy_probs(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None,
    ignore_index: int,
    reduction: str,
    label_smoothing: float,
) -> Tensor:
    """Cross-entropy against class probabilities (``target`` has ``input``'s shape)."""
    op = "cross_entropy"
    if not target.dtype.is_floating_point:
        raise RuntimeError(
            f"{op}: a target of the input's shape {_shape(input)} holds class probabilities and "
            f"must be floating point, got {target.dtype.name} (class indices need shape "
            "(N,) or (N, d1, ...))"
        )
    if ignore_index >= 0:
        raise RuntimeError(
            f"{op}: ignore_index is not supported for floating point (probability) targets, "
            f"got ignore_index={ignore_index}"
        )
    if input.ndim == 0:
        raise IndexError(f"{op}: expected input with a class dimension, got a 0-d input")
    if label_smoothing > 1.0:
        raise RuntimeError(
            f"{op}: label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}"
        )
    cd = _class_dim(input)
    c = input.shape[cd]
    if weight is not None and (weight.ndim != 1 or weight.numel() != c):
        raise RuntimeError(
            f"{op}: weight tensor should be defined either for all {c} classes or no classes "
            f"but got weight tensor of shape: {_shape(weight)}"
        )
    if not input.dtype.is_floating_point:
        raise NotImplementedError(
            f"{op}: expected a floating point input (logits), got {input.dtype.name}"
        )
    logp = input.log_softmax(cd)
    if label_smoothing > 0.0:
        target = target * (1.0 - label_smoothing) + label_smoothing / c
    prod = logp * target
    if weight is not None:
        prod = prod * weight.reshape([c if d == cd else 1 for d in range(input.ndim)])
    if reduction == "none":
        return prod.sum(cd).neg()
    total = prod.sum().neg()
    if reduction == "sum":
        return total
    if input.numel() == 0:
        return total * math.nan
    return total / (input.numel() // c)


def cross_entropy(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: bool | None = None,
    ignore_index: int = -100,
    reduce: bool | None = None,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:
    """The cross-entropy between softmax(``input``) and ``target``, from unnormalised logits.

    **Class-index targets** (``target`` one dim shorter than ``input``): with
    ``logp = log_softmax(input, dim=C)`` this is ``nll_loss(logp, target, weight,
    ignore_index=ignore_index)``; ``loss[n] = -w[y_n] * logp[n, y_n]``, ignored targets count 0
    and ``'mean'`` divides by the sum of the weights of the non-ignored targets.  With
    ``label_smoothing = e > 0`` the target distribution is ``(1 - e) * onehot(y) + e / C``;
    PyTorch computes (and so do we)::

        (1 - e) * nll + (e / C) * smooth,   smooth[n] = -sum_c w[c] * logp[n, c]

    where ``smooth`` is zeroed on ignored targets and reduced like ``nll`` (the ``'mean'``
    divides by the same sum of target weights).

    **Probability targets** (``target`` of ``input``'s shape, floating): ``loss[n] =
    -sum_c w[c] * p[n, c] * logp[n, c]`` with ``p = (1 - e) * target + e / C``; ``'mean'``
    divides by the number of samples ``N * d1 * ...`` (not by the weights); ``ignore_index``
    must stay negative.

    **Shape**: ``input`` ``(C,)``, ``(N, C)`` or ``(N, C, d1, ...)``; class-index ``target``
    ``()``, ``(N,)`` or ``(N, d1, ...)`` (int64 or uint8); ``'none'`` returns ``(N, d1, ...)``.
    **Cost**: ``log_softmax`` (about five passes over ``input``) plus one gather of ``N * d``
    entries; probability targets or smoothing add two more passes over ``input``.
    **Memory**: autograd keeps ``log_softmax``'s output (one input-sized tensor) and the target
    indices; no one-hot matrix is ever built.

    Stable for any finite logits: ``log_softmax`` subtracts the row maximum first, so logits of
    magnitude 1e4 give a finite loss and gradient.

    >>> import tt_tensor as tt
    >>> x = tt.tensor([[1e4, 0.0, -1e4]])
    >>> cross_entropy(x, tt.tensor([1])).item()
    10000.0
    >>> round(cross_entropy(x, tt.tensor([0]), label_smoothing=0.3).item(), 2)
    3000.0
    """
    op = "cross_entropy"
    _check_tensors(op, input=input, target=target)
    reduction = _reduction(op, reduction, size_average, reduce)
    if _shape(input) == _shape(target):
        return _cross_entropy_probs(input, target, weight, ignore_index, reduction, label_smoothing)
    if label_smoothing > 1.0:
        raise RuntimeError(
            f"{op}: label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}"
        )
    if input.ndim == 0:
        raise IndexError(
            f"{op}: expected input of shape (C,), (N, C) or (N, C, d1, ...), got a 0-d input"
        )
    if not input.dtype.is_floating_point:
        raise NotImplementedError(
            f"{op}: expected a floating point input (logits), got {input.dtype.name}"
        )
    target, classes = _check_class_targets(op, input, target, weight, ignore_index)
    if (
        input.ndim == 2
        and weight is None
        and label_smoothing <= 0.0
        and reduction != "none"
        and classes  # (validated: a target out of [0, C) is ignore_index, so it is present)
        and not (0 <= ignore_index < input.shape[1] and (target.numpy() == ignore_index).any())
    ):  # the common case, every training step of a classifier: one fused node
        fused: Tensor = CrossEntropyFunction.apply(input, target, reduction == "mean")
        return fused
    cd = _class_dim(input)
    logp = input.log_softmax(cd)
    nll = _nll(logp, target, weight, ignore_index, reduction)
    if label_smoothing <= 0.0:
        return nll
    c = input.shape[cd]
    if weight is None:
        smooth = logp.sum(cd).neg()
    else:
        smooth = (logp * weight.reshape([c if d == cd else 1 for d in range(logp.ndim)])).sum(cd)
        smooth = smooth.neg()
    _, w, ignored = _target_weights(logp, target, weight, ignore_index)
    if ignored is not None:
        smooth = smooth.masked_fill(ignored, 0.0)
    if reduction == "mean":
        smooth = _weighted_mean(smooth, w.sum(), None) if w is not None else smooth.mean()
    else:
        smooth = _reduce(smooth, reduction)
    return (1.0 - label_smoothing) * nll + (label_smoothing / c) * smooth


def _by_class(z: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """A ``(C, N)`` copy of ``(N, C)`` logits, so that the reductions over classes run down
    contiguous rows of ``N`` values: NumPy reduces a short contiguous axis (``C = 10``) about 3x
    slower than it reduces across rows (measured on the MLP benchmark's ``(128, 10)``)."""
    return z.T.copy()


class CrossEntropyFunction(Function):
    """Cross-entropy of ``(N, C)`` logits and ``N`` class indices, averaged (``mean=True``) or
    summed, as one autograd node (a fused primitive): ``apply(logits, target, mean)``.

    Forward: ``loss_n = logsumexp(x_n) - x_n[t_n]`` with the row maximum subtracted first
    (stable for logits of any magnitude), then the mean or the sum.  Backward:
    ``(softmax(x) - onehot(t)) * g`` (divided by ``N`` for the mean): on the arrays for a plain
    backward, with tensor ops (recorded) under ``create_graph``, so gradients of gradients work.

    Why fused: the composed form (log_softmax, gather, mean, neg) records four nodes and runs
    four backward formulas in every training step; measured on the MLP benchmark step.

    **Cost**: ``O(N C)``: one exp and one log pass; a plain backward reuses the forward's
    exponentials (one divide).  **Memory**: keeps the logits, their shifted exponentials and
    the targets for backward.
    """

    @staticmethod
    def forward(ctx: Any, x: Tensor, target: Tensor, mean: bool) -> Tensor:
        z = x.numpy(force=True)
        t = target.numpy()
        shifted = _by_class(z)
        shifted -= max_reduce(shifted, axis=0)
        exps = np.exp(shifted)
        sums = add_reduce(exps, axis=0)
        total = add_reduce(np.log(sums) - shifted[t, np.arange(z.shape[0])])
        if mean and z.shape[0] == 0:
            loss = np.asarray(math.nan, dtype=z.dtype)  # an empty batch's mean, as in PyTorch
        else:
            loss = np.asarray(total / z.shape[0] if mean else total, dtype=z.dtype)
        ctx.save_for_backward(x)
        ctx.target, ctx.mean = target, mean
        ctx.exps, ctx.sums = exps, sums  # softmax = exps / sums, for a plain backward
        return tt.from_numpy(loss)

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> tuple[Tensor, None, None]:
        (x,) = ctx.saved_tensors
        n, c = x.shape
        rows, t = np.arange(n), ctx.target.numpy()
        if not is_grad_enabled():  # a plain backward: softmax - onehot on the arrays
            p = ctx.exps / ctx.sums  # (a new array: the saved ones serve a second backward)
            p[t, rows] -= 1
            ga = g.numpy(force=True)
            p *= ga / n if ctx.mean and n else ga  # (an empty batch: no 0-division warning)
            return tt.from_numpy(p.T), None, None  # (N, C), a transposed view
        onehot = np.zeros((n, c), dtype=x.dtype.np)  # create_graph: recorded tensor ops
        onehot[rows, t] = 1
        scale = g / n if ctx.mean and n else g
        return (x.softmax(1) - tt.from_numpy(onehot)) * scale, None, None


# ------------------------------------------------------------------ binary: BCE and logits
def _check_binary(
    op: str, input: Tensor, target: Tensor, weights: dict[str, Tensor | None], msg: str
) -> None:
    _check_tensors(op, input=input, target=target)
    if _shape(target) != _shape(input):
        raise ValueError(f"{op}: {msg}: target size {_shape(target)}, input size {_shape(input)}")
    for name, w in weights.items():
        if w is None:
            continue
        try:
            ok = np.broadcast_shapes(_shape(w), _shape(input)) == _shape(input)
        except ValueError:
            ok = False
        if not ok:
            raise RuntimeError(
                f"{op}: {name} of shape {_shape(w)} must broadcast to the input's shape "
                f"{_shape(input)}"
            )


_LOG_MIN = -100.0  # PyTorch clamps BCE's logarithms here, so log(0) costs 100, not inf
# PyTorch's floor for BCE's gradient denominator x (1 - x): a C++ ``float`` 1e-12, so a float64
# gradient divides by float32's nearest value, 9.99999996e-13, not by 1e-12.
_BCE_EPS = float(np.float32(1e-12))


class BinaryCrossEntropyFunction(Function):
    """Elementwise binary cross-entropy of probabilities ``x`` and targets ``t`` as one
    autograd node (a fused primitive): ``apply(x, t)``, no weight, no reduction.

    Forward: ``(t - 1) * max(log1p(-x), -100) - t * max(log x, -100)``, PyTorch's kernel
    (``log1p`` keeps ``x`` below float32's ``1e-7`` from rounding ``1 - x`` to 1).
    Backward (PyTorch's formulas, not the derivative of the clamped forward)::

        dL/dx = g * (x - t) / max(x * (1 - x), 1e-12)
        dL/dt = g * (log(1 - x) - log(x))

    so at the ends ``x = 0`` or ``1`` the input's gradient is ``+-1e12`` (0 where ``t = x``)
    and the target's is ``+-inf``, exactly as in PyTorch.  Why a primitive: the gradient
    PyTorch defines near the ends is not the derivative of any composition of clamped logs.

    The backward is written in tensor ops, so under ``create_graph`` it is recorded and
    differentiable again (gradients of gradients).

    **Cost**: forward about eight elementwise passes; backward about six, plus three when
    the target needs a gradient.  **Memory**: keeps ``x`` and ``t`` for backward.
    """

    @staticmethod
    def forward(ctx: Any, x: Tensor, t: Tensor) -> Tensor:
        a, b = x.numpy(force=True), t.numpy(force=True)
        with np.errstate(divide="ignore"):  # log(0) = -inf, then clamped to -100
            log_x = np.maximum(np.log(a), _LOG_MIN)
            log_1mx = np.maximum(np.log1p(-a), _LOG_MIN)
        loss = (b - 1) * log_1mx - b * log_x
        ctx.save_for_backward(x, t)
        return tt.from_numpy(np.asarray(loss, dtype=a.dtype))

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> tuple[Tensor | None, Tensor | None]:
        x, t = ctx.saved_tensors
        need_x, need_t = ctx.needs_input_grad
        gx = gt = None
        with np.errstate(divide="ignore", invalid="ignore"):  # log(0); g = 0 times inf
            if need_x:
                gx = g * (x - t) / (x * (1 - x)).clamp(min=_BCE_EPS)
            if need_t:
                gt = g * ((1 - x).log() - x.log())
        return gx, gt


def binary_cross_entropy(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """The binary cross-entropy between probabilities ``input`` and ``target``.

    ``loss = -w * (t * max(log x, -100) + (1 - t) * max(log(1 - x), -100))``: the logarithms
    are clamped at -100 as in PyTorch, so a saturated probability of exactly 0 or 1 costs at
    most 100 instead of infinity.  ``weight`` broadcasts to ``input``'s shape (and is cast to
    its dtype); ``'mean'`` is the plain mean.  Prefer :func:`binary_cross_entropy_with_logits`,
    which never forms ``x = sigmoid(logit)`` and so loses no precision near 0 and 1.

    The gradients are PyTorch's (see :class:`BinaryCrossEntropyFunction`):
    ``w * (x - t) / max(x * (1 - x), 1e-12)`` for the input, so ``-1e12`` at ``x = 0, t = 1``
    and 0 at ``x = t = 0``, and ``w * (log(1 - x) - log(x))`` for the target, infinite at
    ``x = 0`` or ``1``.

    **Shape**: ``input`` and ``target`` of one shape (any); ``'none'`` keeps it.
    **Cost**: about eight elementwise passes, plus the weight and the reduction.
    **Memory**: autograd keeps ``x`` and ``t`` (and the weight, if any).

    >>> import tt_tensor as tt
    >>> binary_cross_entropy(tt.tensor([0.0, 1.0]), tt.tensor([1.0, 0.0])).item()
    100.0
    """
    op = "binary_cross_entropy"
    reduction = _reduction(op, reduction, size_average, reduce)
    _check_binary(
        op, input, target, {"weight": weight}, "the target size must equal the input size"
    )
    if not input.dtype.is_floating_point:
        raise NotImplementedError(
            f"{op}: expected a floating point input (probabilities), got {input.dtype.name}"
        )
    if target.dtype != input.dtype:
        raise RuntimeError(
            f"{op}: expected a target of the input's dtype {input.dtype.name}, got "
            f"{target.dtype.name}"
        )
    if input.numel() and not bool(((input >= 0) & (input <= 1)).all()):
        raise RuntimeError(f"{op}: all elements of input should be between 0 and 1")
    loss: Tensor = BinaryCrossEntropyFunction.apply(input, target)
    if weight is not None:
        loss = loss * weight.to(input.dtype)
    return _reduce(loss, reduction)


def _log_sigmoid(x: Tensor) -> Tensor:
    """``log(sigmoid(x)) = min(x, 0) - log1p(exp(-|x|))``, finite for every finite ``x``.

    ``min(x, 0)`` and ``-|x|`` are written as ``where(x < 0, ...)`` so that at ``x = 0`` the
    slopes are 0 and -1 and the gradient comes out as ``sigmoid(-0) = 0.5``; ``relu``/``abs``
    subgradients (0 at 0 for both) would give 0 there instead."""
    neg = x < 0
    return tt.where(neg, x, 0.0) - tt.where(neg, x, x.neg()).exp().log1p()


def binary_cross_entropy_with_logits(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
    pos_weight: Tensor | None = None,
) -> Tensor:
    """The binary cross-entropy of ``sigmoid(input)`` against ``target``, from logits.

    With ``p = pos_weight`` (1 if None) and ``log_sigmoid(x) = min(x, 0) - log1p(exp(-|x|))``::

        loss = w * ((1 - t) * x - (1 + (p - 1) * t) * log_sigmoid(x))

    which equals ``-w * (p * t * log(sigmoid(x)) + (1 - t) * log(1 - sigmoid(x)))`` but only
    ever exponentiates ``-|x|``, so logits of magnitude 1e4 give finite losses and gradients.
    ``weight`` and ``pos_weight`` broadcast to ``input``'s shape (``pos_weight`` of shape
    ``(C,)`` weighs the positives of each class of an ``(N, C)`` input).

    **Shape**: ``input`` and ``target`` of one shape; ``'none'`` keeps it.
    **Cost**: about ten elementwise passes.  **Memory**: autograd keeps the mask ``x < 0``,
    ``exp(-|x|)`` and the target.

    >>> import tt_tensor as tt
    >>> binary_cross_entropy_with_logits(tt.tensor([1e4, -1e4]), tt.tensor([0.0, 1.0])).item()
    10000.0
    """
    op = "binary_cross_entropy_with_logits"
    reduction = _reduction(op, reduction, size_average, reduce)
    _check_binary(
        op,
        input,
        target,
        {"weight": weight, "pos_weight": pos_weight},
        "the target size must be the same as the input size",
    )
    if not input.dtype.is_floating_point:
        raise NotImplementedError(
            f"{op}: expected a floating point input (logits), got {input.dtype.name}"
        )
    if not target.dtype.is_floating_point:
        raise RuntimeError(
            f"{op}: expected a floating point target (probabilities), got {target.dtype.name}"
        )
    dtype = tt.promote_types(input.dtype, target.dtype)
    log_sig = _log_sigmoid(input)
    if pos_weight is not None:
        log_sig = log_sig * ((pos_weight.to(dtype) - 1) * target + 1)
    loss = (1 - target) * input - log_sig
    if weight is not None:
        loss = loss * weight.to(dtype)
    return _reduce(loss, reduction)
