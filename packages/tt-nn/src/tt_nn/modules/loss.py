"""Loss modules (``torch.nn``'s ``MSELoss``, ``CrossEntropyLoss``, ...).

Each module stores its options in ``__init__`` and its ``forward`` calls the functional form in
:mod:`tt_nn.functional.loss`, where the formulas (and their **Shape**, **Cost** and **Memory**)
are documented.  Class weights (``weight``) and ``pos_weight`` are registered as *buffers*, as in
PyTorch: they move with ``.to()``/``.double()`` and appear in ``state_dict()`` under the same
keys, but are not trained.

>>> import tt_tensor as tt
>>> loss_fn = CrossEntropyLoss(label_smoothing=0.1)
>>> round(loss_fn(tt.tensor([[3.0, 0.0]]), tt.tensor([0])).item(), 4)
0.1986

Systems question: why is ``weight`` a buffer and not a plain attribute (what would
``model.double()`` do to a plain attribute)?
"""

from __future__ import annotations

from tt_tensor import Tensor

from ..functional import loss as F
from ..module import Module

__all__ = [
    "BCELoss",
    "BCEWithLogitsLoss",
    "CrossEntropyLoss",
    "HuberLoss",
    "L1Loss",
    "MSELoss",
    "NLLLoss",
]


class _Loss(Module):
    """Base of the losses: stores ``reduction`` (the deprecated ``size_average`` and
    ``reduce`` flags, when given, are converted to it as in PyTorch)."""

    reduction: str

    def __init__(
        self, size_average: bool | None = None, reduce: bool | None = None, reduction: str = "mean"
    ) -> None:
        super().__init__()
        if size_average is not None or reduce is not None:
            reduction = F._legacy_reduction(size_average, reduce)
        self.reduction = reduction


class _WeightedLoss(_Loss):
    """A loss with an optional per-class ``weight`` buffer."""

    weight: Tensor | None

    def __init__(
        self,
        weight: Tensor | None = None,
        size_average: bool | None = None,
        reduce: bool | None = None,
        reduction: str = "mean",
    ) -> None:
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", weight)


class MSELoss(_Loss):
    """Mean squared error ``(input - target)^2``, reduced; see
    :func:`tt_nn.functional.loss.mse_loss`.

    **Shape**: ``input`` and ``target`` of one shape ``(*)``; output ``()`` or, with
    ``reduction='none'``, ``(*)``.

    >>> import tt_tensor as tt
    >>> MSELoss()(tt.tensor([1.0, 2.0]), tt.tensor([1.0, 0.0])).item()
    2.0
    """

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.mse_loss(input, target, reduction=self.reduction)


class L1Loss(_Loss):
    """Mean absolute error ``|input - target|``, reduced; see
    :func:`tt_nn.functional.loss.l1_loss`.

    **Shape**: as :class:`MSELoss`.

    >>> import tt_tensor as tt
    >>> L1Loss(reduction="sum")(tt.tensor([1.0, -2.0]), tt.tensor([0.0, 0.0])).item()
    3.0
    """

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.l1_loss(input, target, reduction=self.reduction)


class HuberLoss(_Loss):
    """Huber loss: ``0.5 d^2`` for ``|d| < delta``, ``delta (|d| - 0.5 delta)`` beyond; see
    :func:`tt_nn.functional.loss.huber_loss`.

    **Shape**: as :class:`MSELoss`.

    >>> import tt_tensor as tt
    >>> HuberLoss(delta=2.0)(tt.tensor([1.0, 5.0]), tt.tensor([0.0, 0.0])).item()
    4.25
    """

    delta: float

    def __init__(self, reduction: str = "mean", delta: float = 1.0) -> None:
        super().__init__(reduction=reduction)
        self.delta = delta

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.huber_loss(input, target, reduction=self.reduction, delta=self.delta)


class NLLLoss(_WeightedLoss):
    """Negative log-likelihood of class indices given log-probabilities; see
    :func:`tt_nn.functional.loss.nll_loss`.

    **Shape**: ``input`` ``(C,)``, ``(N, C)`` or ``(N, C, d1, ...)``; ``target`` ``()``,
    ``(N,)`` or ``(N, d1, ...)``; output ``()`` or, with ``reduction='none'``, the target's
    shape.

    >>> import tt_tensor as tt
    >>> NLLLoss()(tt.tensor([[-0.5, -1.0]]), tt.tensor([1])).item()
    1.0
    """

    ignore_index: int

    def __init__(
        self,
        weight: Tensor | None = None,
        size_average: bool | None = None,
        ignore_index: int = -100,
        reduce: bool | None = None,
        reduction: str = "mean",
    ) -> None:
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.nll_loss(
            input,
            target,
            weight=self.weight,
            ignore_index=self.ignore_index,
            reduction=self.reduction,
        )


class CrossEntropyLoss(_WeightedLoss):
    """Cross-entropy from logits, against class indices or class probabilities; see
    :func:`tt_nn.functional.loss.cross_entropy` for the formulas (weights, ``ignore_index``,
    ``label_smoothing``).

    **Shape**: ``input`` ``(C,)``, ``(N, C)`` or ``(N, C, d1, ...)``; ``target`` class indices
    ``()``, ``(N,)`` or ``(N, d1, ...)``, or probabilities of ``input``'s shape; output ``()``
    or, with ``reduction='none'``, ``(N, d1, ...)``.

    >>> import tt_tensor as tt
    >>> round(CrossEntropyLoss()(tt.tensor([[0.0, 0.0]]), tt.tensor([1])).item(), 4)  # log(2)
    0.6931
    """

    ignore_index: int
    label_smoothing: float

    def __init__(
        self,
        weight: Tensor | None = None,
        size_average: bool | None = None,
        ignore_index: int = -100,
        reduce: bool | None = None,
        reduction: str = "mean",
        label_smoothing: float = 0.0,
    ) -> None:
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.cross_entropy(
            input,
            target,
            weight=self.weight,
            ignore_index=self.ignore_index,
            reduction=self.reduction,
            label_smoothing=self.label_smoothing,
        )


class BCELoss(_WeightedLoss):
    """Binary cross-entropy of probabilities (logarithms clamped at -100); see
    :func:`tt_nn.functional.loss.binary_cross_entropy`.

    **Shape**: ``input`` and ``target`` of one shape ``(*)``; ``weight`` broadcasts to it.

    >>> import tt_tensor as tt
    >>> round(BCELoss()(tt.tensor([0.5]), tt.tensor([1.0])).item(), 4)  # log(2)
    0.6931
    """

    def __init__(
        self,
        weight: Tensor | None = None,
        size_average: bool | None = None,
        reduce: bool | None = None,
        reduction: str = "mean",
    ) -> None:
        super().__init__(weight, size_average, reduce, reduction)

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.binary_cross_entropy(input, target, weight=self.weight, reduction=self.reduction)


class BCEWithLogitsLoss(_Loss):
    """Binary cross-entropy from logits, stable for any finite logit; see
    :func:`tt_nn.functional.loss.binary_cross_entropy_with_logits`.

    **Shape**: ``input`` and ``target`` of one shape ``(*)``; ``weight`` and ``pos_weight``
    broadcast to it (``pos_weight`` of shape ``(C,)`` for an ``(N, C)`` input).

    >>> import tt_tensor as tt
    >>> loss_fn = BCEWithLogitsLoss(pos_weight=tt.tensor([3.0]))
    >>> round(loss_fn(tt.tensor([0.0]), tt.tensor([1.0])).item(), 4)  # 3 * log(2)
    2.0794
    """

    weight: Tensor | None
    pos_weight: Tensor | None

    def __init__(
        self,
        weight: Tensor | None = None,
        size_average: bool | None = None,
        reduce: bool | None = None,
        reduction: str = "mean",
        pos_weight: Tensor | None = None,
    ) -> None:
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", weight)
        self.register_buffer("pos_weight", pos_weight)

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.binary_cross_entropy_with_logits(
            input,
            target,
            weight=self.weight,
            reduction=self.reduction,
            pos_weight=self.pos_weight,
        )
