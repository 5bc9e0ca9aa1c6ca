"""``SGD``: stochastic gradient descent, with optional momentum and Nesterov momentum."""

from __future__ import annotations

from typing import Any

from tt_tensor import Tensor

from .optimizer import Optimizer, ParamsT

__all__ = ["SGD"]


class SGD(Optimizer):
    r"""Stochastic gradient descent (``torch.optim.SGD``), optionally with momentum.

    ``SGD(params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, *,
    maximize=False, foreach=None, differentiable=False, fused=None)``

    ``foreach`` and ``fused`` are accepted and ignored (tt has one implementation; both
    together raise PyTorch's ``RuntimeError``); ``differentiable=True`` raises
    ``NotImplementedError``.

    **Update rule**, for each parameter ``p`` with gradient ``g`` at step ``t``
    (``lambda`` = weight_decay, ``mu`` = momentum, ``tau`` = dampening, ``gamma`` = lr)::

        if maximize:      g = -g
        if lambda != 0:   g = g + lambda * p
        if mu != 0:
            b = g                              (first step)
            b = mu * b + (1 - tau) * g         (later steps)
            g = g + mu * b   if nesterov  else  g = b
        p = p - gamma * g

    **Memory**: one momentum buffer per parameter (``state[p]["momentum_buffer"]``, the size of
    ``p``) when ``momentum != 0``; nothing otherwise.

    **Cost**: a few elementwise passes over each parameter per step, O(numel).

    >>> import tt_tensor as tt
    >>> w = tt.tensor([1.0], requires_grad=True)
    >>> opt = SGD([w], lr=0.1, momentum=0.9)
    >>> for _ in range(2):
    ...     opt.zero_grad()
    ...     (w * w).sum().backward()  # gradient 2w
    ...     opt.step()
    >>> round(w.item(), 4)  # 1 - 0.2 = 0.8; then b = 0.9*2 + 1.6 = 3.4: 0.8 - 0.34
    0.46
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-3,
        momentum: float = 0,
        dampening: float = 0,
        weight_decay: float = 0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "dampening": dampening,
            "weight_decay": weight_decay,
            "nesterov": nesterov,
            "maximize": maximize,
            "foreach": foreach,
            "differentiable": differentiable,
            "fused": fused,
        }
        super().__init__(params, defaults)

    def _update(self, p: Tensor, grad: Tensor, group: dict[str, Any]) -> None:
        """The update rule for one parameter (see the class docstring)."""
        momentum = group["momentum"]
        grad = self._gradient(p, grad, group)
        if momentum != 0:
            state = self.state[p]
            buf = state.get("momentum_buffer")
            if buf is None:
                buf = state["momentum_buffer"] = grad.detach().clone()
            else:
                buf.mul_(momentum).add_(grad, alpha=1 - group["dampening"])
            grad = grad.add(buf, alpha=momentum) if group["nesterov"] else buf
        p.add_(grad, alpha=-group["lr"])
