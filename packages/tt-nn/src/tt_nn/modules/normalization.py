"""Normalization layers: ``BatchNorm1d``, ``BatchNorm2d``, ``LayerNorm`` and ``GroupNorm``.

Each normalises its input to zero mean and unit variance over some dims and then applies a
learned per-feature scale ``weight`` (initialised to 1) and shift ``bias`` (initialised to 0);
the arithmetic lives in :mod:`tt_nn.functional.normalization`.

Batch norm is the one with *state*: in training mode it normalises with the batch's statistics
and folds them into the buffers ``running_mean`` and ``running_var`` (saved in the state dict,
not trained); in evaluation mode (``model.eval()``) it normalises with those buffers, so one
example's output no longer depends on the rest of its batch.  ``num_batches_tracked`` counts the
training batches (it gives the cumulative average when ``momentum=None``).

Systems question: a model trained with batch norm gives worse results in ``eval()`` than in
``train()`` on the same data; which buffer would you inspect first, and why?
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import tt_autograd as ag
import tt_tensor as tt
from tt_tensor import Tensor

from ..functional.normalization import batch_norm, group_norm, layer_norm
from ..module import Module
from ..parameter import Parameter

__all__ = ["BatchNorm1d", "BatchNorm2d", "GroupNorm", "LayerNorm"]


def _affine_parameters(
    m: Module, shape: tuple[int, ...], affine: bool, bias: bool, dtype: Any
) -> None:
    """Register the per-feature ``weight`` and ``bias`` of a normalization layer (``None``
    where absent, as in PyTorch); :func:`_reset_affine` gives their values."""
    m.register_parameter("weight", Parameter(tt.empty(*shape, dtype=dtype)) if affine else None)
    has_bias = affine and bias
    m.register_parameter("bias", Parameter(tt.empty(*shape, dtype=dtype)) if has_bias else None)


def _reset_affine(m: Module) -> None:
    """``weight`` to 1 and ``bias`` to 0 (in place, not recorded)."""
    with ag.no_grad():
        if m.weight is not None:
            m.weight.fill_(1)
        if m.bias is not None:
            m.bias.zero_()


class _BatchNorm(Module):
    """The shared body of ``BatchNorm1d`` and ``BatchNorm2d`` (they differ only in the input
    ranks they accept)."""

    _ranks: tuple[int, ...] = ()
    _expected = ""

    running_mean: Tensor | None
    running_var: Tensor | None
    num_batches_tracked: Tensor | None
    weight: Parameter | None
    bias: Parameter | None

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        device: Any = None,
        dtype: Any = None,
        *,
        bias: bool = True,
    ) -> None:
        super().__init__()
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        _affine_parameters(self, (num_features,), affine, bias, dtype)
        if track_running_stats:
            self.register_buffer("running_mean", tt.zeros(num_features, dtype=dtype))
            self.register_buffer("running_var", tt.ones(num_features, dtype=dtype))
            self.register_buffer("num_batches_tracked", tt.tensor(0, dtype=tt.int64))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)
        self.reset_parameters()

    def reset_running_stats(self) -> None:
        """Running mean to 0, running variance to 1, batch count to 0 (in place)."""
        if self.track_running_stats:
            assert self.running_mean is not None
            assert self.running_var is not None
            assert self.num_batches_tracked is not None
            with ag.no_grad():
                self.running_mean.zero_()
                self.running_var.fill_(1)
                self.num_batches_tracked.zero_()

    def reset_parameters(self) -> None:
        """Reset the running statistics, and ``weight`` to 1 and ``bias`` to 0."""
        self.reset_running_stats()
        _reset_affine(self)

    def _upgrade_state_dict(
        self, state_dict: dict[str, Any], prefix: str, local_metadata: Mapping[str, Any]
    ) -> None:
        # ``num_batches_tracked`` came with PyTorch's state-dict version 2: a checkpoint
        # without it (and without version metadata saying otherwise) keeps this module's own
        # count, so a strict load does not report it missing.
        version = local_metadata.get("version")
        key = prefix + "num_batches_tracked"
        if (version is None or version < 2) and self.track_running_stats and key not in state_dict:
            state_dict[key] = self.num_batches_tracked

    def _check_input_dim(self, input: Tensor) -> None:
        name = type(self).__name__
        if not isinstance(input, Tensor):
            raise TypeError(f"{name}: expected a Tensor as input, got {type(input).__name__}")
        if input.dim() not in self._ranks:
            raise ValueError(
                f"{name}: expected {self._expected} input, got {input.dim()}D input of shape "
                f"{tuple(input.shape)}"
            )
        has_state = self.weight is not None or self.running_mean is not None
        if has_state and input.shape[1] != self.num_features:
            raise RuntimeError(
                f"{name}: expected input with {self.num_features} channels (dim 1), got "
                f"{input.shape[1]} (input shape {tuple(input.shape)})"
            )

    def forward(self, input: Tensor) -> Tensor:
        self._check_input_dim(input)
        factor = 0.0 if self.momentum is None else self.momentum
        count = self.num_batches_tracked if self.training and self.track_running_stats else None
        if count is not None and self.momentum is None:  # cumulative average, this batch too
            factor = 1.0 / (float(count.item()) + 1.0)
        # Batch statistics in training mode, and in eval mode when there are no buffers.
        use_batch = self.training or (self.running_mean is None and self.running_var is None)
        update = not self.training or self.track_running_stats  # else don't pass the buffers
        out = batch_norm(
            input,
            self.running_mean if update else None,
            self.running_var if update else None,
            self.weight,
            self.bias,
            use_batch,
            factor,
            self.eps,
        )
        if count is not None:  # counted after batch_norm's checks: a failed call changes nothing
            with ag.no_grad():
                count.add_(1)
        return out

    def extra_repr(self) -> str:
        return (
            f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
            f"affine={self.affine}, bias={self.bias is not None}, "
            f"track_running_stats={self.track_running_stats}"
        )


class BatchNorm1d(_BatchNorm):
    """Batch normalization over a 2-D ``(N, C)`` or 3-D ``(N, C, L)`` input
    (``torch.nn.BatchNorm1d``).

    ``y = (x - E[x]) / sqrt(Var[x] + eps) * weight + bias`` per channel, with ``E`` and ``Var``
    over ``N`` (and ``L``).  Training mode: the batch's statistics (``Var`` biased), and the
    buffers are updated in place, outside the graph, with ``m = momentum``::

        running_mean = (1 - m) * running_mean + m * E[x]
        running_var  = (1 - m) * running_var  + m * Var[x] * n / (n - 1)   # unbiased

    where ``n = N * L``; ``momentum=None`` uses ``m = 1 / num_batches_tracked`` (the plain
    average of every batch seen).  Evaluation mode: the running buffers.  With
    ``track_running_stats=False`` there are no buffers and batch statistics are always used.

    **Shape**: ``(N, C)`` or ``(N, C, L)`` -> same.  **Cost**: about 10 flops per element.
    **Memory**: ``weight``, ``bias``, ``running_mean``, ``running_var`` (``C`` each); in
    training autograd keeps two input-sized tensors (centred and normalised input).

    >>> import tt_tensor as tt
    >>> bn = BatchNorm1d(2)
    >>> y = bn(tt.tensor([[1.0, 10.0], [3.0, 30.0]]))
    >>> bn.running_mean.tolist(), int(bn.num_batches_tracked)
    ([0.20000000298023224, 2.0], 1)
    """

    _ranks = (2, 3)
    _expected = "2D or 3D (N, C) or (N, C, L)"


class BatchNorm2d(_BatchNorm):
    """Batch normalization over a 4-D ``(N, C, H, W)`` input (``torch.nn.BatchNorm2d``).

    As :class:`BatchNorm1d`, with the statistics of each channel taken over ``N``, ``H`` and
    ``W`` (so ``n = N * H * W``).

    **Shape**: ``(N, C, H, W) -> (N, C, H, W)``.  **Cost**: about 10 flops per element.
    **Memory**: four ``C``-vectors; in training autograd keeps two input-sized tensors.

    >>> import tt_tensor as tt
    >>> bn = BatchNorm2d(3).eval()
    >>> bn(tt.ones(2, 3, 4, 4)).shape  # eval: running stats 0 and 1, so y ~ x
    tt_tensor.Size([2, 3, 4, 4])
    """

    _ranks = (4,)
    _expected = "4D (N, C, H, W)"


class LayerNorm(Module):
    """Layer normalization over the last ``len(normalized_shape)`` dims (``torch.nn.LayerNorm``).

    ``y = (x - E[x]) / sqrt(Var[x] + eps) * weight + bias``, ``E`` and the biased ``Var`` over
    the trailing dims of each example; ``weight`` and ``bias`` (shape ``normalized_shape``) are
    elementwise, present when ``elementwise_affine`` (``bias=False`` drops the shift).  Same in
    training and evaluation.

    **Shape**: ``(*, *normalized_shape) -> same``.  **Cost**: about 10 flops per element.
    **Memory**: ``2 * prod(normalized_shape)`` parameters; autograd keeps two input-sized
    tensors.

    >>> import tt_tensor as tt
    >>> ln = LayerNorm(2, eps=0.0)
    >>> ln(tt.tensor([[1.0, 3.0]])).tolist()
    [[-1.0, 1.0]]
    """

    weight: Parameter | None
    bias: Parameter | None

    def __init__(
        self,
        normalized_shape: int | Sequence[int],
        eps: float = 1e-5,
        elementwise_affine: bool = True,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        if isinstance(normalized_shape, int):
            normalized_shape = (normalized_shape,)
        self.normalized_shape = tuple(int(s) for s in normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        _affine_parameters(self, self.normalized_shape, elementwise_affine, bias, dtype)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """``weight`` to 1 and ``bias`` to 0."""
        _reset_affine(self)

    def forward(self, input: Tensor) -> Tensor:
        k = len(self.normalized_shape)
        if isinstance(input, Tensor) and tuple(input.shape[input.dim() - k :]) != (
            self.normalized_shape
        ):
            raise RuntimeError(
                f"LayerNorm: expected input with shape [*, "
                f"{', '.join(map(str, self.normalized_shape))}] (normalized_shape="
                f"{list(self.normalized_shape)}), but got input of size {list(input.shape)}"
            )
        return layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (
            f"{self.normalized_shape}, eps={self.eps}, "
            f"elementwise_affine={self.elementwise_affine}, bias={self.bias is not None}"
        )


class GroupNorm(Module):
    """Group normalization (``torch.nn.GroupNorm``): the ``num_channels`` channels form
    ``num_groups`` groups, each normalised per example over its channels and spatial dims.

    ``y = (x - E[x]) / sqrt(Var[x] + eps) * weight + bias``, statistics per (example, group),
    ``Var`` biased; ``weight`` and ``bias`` are per channel (present when ``affine``).  Same in
    training and evaluation; independent of the batch size.

    **Shape**: ``(N, C, *) -> (N, C, *)`` with ``C = num_channels``.  **Cost**: about 10 flops
    per element.  **Memory**: ``2 * C`` parameters; autograd keeps two input-sized tensors.

    >>> import tt_tensor as tt
    >>> gn = GroupNorm(2, 4, eps=0.0)
    >>> gn(tt.tensor([[1.0, 3.0, 0.0, 10.0]])).tolist()
    [[-1.0, 1.0, -1.0, 1.0]]
    """

    weight: Parameter | None
    bias: Parameter | None

    def __init__(
        self,
        num_groups: int,
        num_channels: int,
        eps: float = 1e-5,
        affine: bool = True,
        device: Any = None,
        dtype: Any = None,
        *,
        bias: bool = True,
    ) -> None:
        super().__init__()
        if num_groups <= 0 or num_channels % num_groups != 0:
            raise ValueError(
                f"GroupNorm: num_channels ({num_channels}) must be divisible by num_groups "
                f"({num_groups})"
            )
        self.num_groups = num_groups
        self.num_channels = num_channels
        self.eps = eps
        self.affine = affine
        _affine_parameters(self, (num_channels,), affine, bias, dtype)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """``weight`` to 1 and ``bias`` to 0."""
        _reset_affine(self)

    def forward(self, input: Tensor) -> Tensor:
        affine = self.weight is not None or self.bias is not None
        if (
            affine
            and isinstance(input, Tensor)
            and input.dim() >= 2
            and input.shape[1] != self.num_channels
        ):
            raise RuntimeError(
                f"GroupNorm: expected input with {self.num_channels} channels (dim 1), got "
                f"{input.shape[1]} (input shape {tuple(input.shape)})"
            )
        return group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (
            f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}, "
            f"bias={self.bias is not None}"
        )
