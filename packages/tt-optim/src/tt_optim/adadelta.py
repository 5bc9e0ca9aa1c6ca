"""``Adadelta``: steps whose size is the ratio of two running root mean squares, of past
updates and of gradients, so that no learning rate needs tuning (Zeiler, 2012)."""

from __future__ import annotations

from typing import Any

import tt_tensor as tt
from tt_tensor import Tensor

from .optimizer import Optimizer, ParamsT, check_non_negative

__all__ = ["Adadelta"]


class Adadelta(Optimizer):
    r"""Adadelta (``torch.optim.Adadelta``).

    ``Adadelta(params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, foreach=None, *,
    capturable=False, maximize=False, differentiable=False)``

    ``foreach`` is accepted and ignored (tt has one implementation); ``capturable=True`` and
    ``differentiable=True`` raise ``NotImplementedError``.

    **Update rule**, for each parameter ``p`` with gradient ``g`` (``gamma`` = lr,
    ``lambda`` = weight_decay; ``v`` and ``u`` start at 0)::

        if maximize:     g = -g
        if lambda != 0:  g = g + lambda * p
        v = rho * v + (1 - rho) * g * g
        d = sqrt(u + eps) / sqrt(v + eps) * g
        u = rho * u + (1 - rho) * d * d
        p = p - gamma * d

    The ratio has the units of the parameter, so ``lr`` stays 1 in the paper.

    **Memory**: two extra copies of the parameters (``state[p]["square_avg"]`` and
    ``["acc_delta"]``) and a 0-d step count.

    **Cost**: about ten elementwise passes over each parameter per step, O(numel).

    >>> import tt_tensor as tt
    >>> w = tt.tensor([1.0], requires_grad=True)
    >>> opt = Adadelta([w], rho=0.0, eps=1e-2)
    >>> w.grad = tt.tensor([0.0])  # u = 0, v = 0: d = sqrt(eps) / sqrt(eps) * 0
    >>> opt.step(); w.item()
    1.0
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1.0,
        rho: float = 0.9,
        eps: float = 1e-6,
        weight_decay: float = 0,
        foreach: bool | None = None,
        *,
        capturable: bool = False,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        check_non_negative(lr=lr)
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        check_non_negative(eps=eps, weight_decay=weight_decay)
        defaults = {
            "lr": lr,
            "rho": rho,
            "eps": eps,
            "weight_decay": weight_decay,
            "maximize": maximize,
            "capturable": capturable,
            "foreach": foreach,
            "differentiable": differentiable,
        }
        super().__init__(params, defaults)

    def _init_state(self, p: Tensor, group: dict[str, Any]) -> None:
        """Zero state for ``p`` on its first step (the class docstring's **Memory**)."""
        state = self.state[p]
        if len(state) == 0:
            state["step"] = tt.tensor(0.0)
            state["square_avg"] = tt.zeros_like(p)
            state["acc_delta"] = tt.zeros_like(p)

    def _update(self, p: Tensor, grad: Tensor, group: dict[str, Any]) -> None:
        """The update rule for one parameter (see the class docstring)."""
        state = self.state[p]
        rho, eps = group["rho"], group["eps"]
        square_avg, acc_delta = state["square_avg"], state["acc_delta"]
        state["step"] += 1
        grad = self._gradient(p, grad, group)
        square_avg.mul_(rho).add_(grad.mul(1 - rho).mul_(grad))
        std = square_avg.add(eps).sqrt()
        delta = acc_delta.add(eps).sqrt().div_(std).mul_(grad)
        acc_delta.mul_(rho).add_(delta.mul(1 - rho).mul_(delta))
        p.add_(delta, alpha=-group["lr"])
