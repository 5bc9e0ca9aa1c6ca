"""``RMSprop``: gradient steps divided by a running root mean square of the gradient
(Hinton's lecture 6e; the centered variant is Graves, 2013)."""

from __future__ import annotations

from typing import Any

import tt_tensor as tt
from tt_tensor import Tensor

from .optimizer import Optimizer, ParamsT, check_non_negative

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    r"""RMSprop (``torch.optim.RMSprop``).

    ``RMSprop(params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
    centered=False, capturable=False, foreach=None, maximize=False, differentiable=False)``
    (all positional, in PyTorch's order).

    ``foreach`` is accepted and ignored (tt has one implementation); ``capturable=True`` and
    ``differentiable=True`` raise ``NotImplementedError``.

    **Update rule**, for each parameter ``p`` with gradient ``g`` (``gamma`` = lr,
    ``lambda`` = weight_decay, ``mu`` = momentum; ``v``, ``g_avg``, ``b`` start at 0)::

        if maximize:     g = -g
        if lambda != 0:  g = g + lambda * p
        v = alpha * v + (1 - alpha) * g * g
        if centered:
            g_avg = alpha * g_avg + (1 - alpha) * g
            d = sqrt(v - g_avg * g_avg) + eps       (an estimate of the gradient's std)
        else:
            d = sqrt(v) + eps
        if mu > 0:  b = mu * b + g / d;  p = p - gamma * b
        else:       p = p - gamma * g / d

    **Memory**: one extra copy of the parameters (``state[p]["square_avg"]``), plus one for
    ``momentum > 0`` (``["momentum_buffer"]``) and one for ``centered`` (``["grad_avg"]``),
    and a 0-d step count.

    **Cost**: a handful of elementwise passes over each parameter per step, O(numel).

    >>> import tt_tensor as tt
    >>> w = tt.tensor([3.0], requires_grad=True)
    >>> opt = RMSprop([w], lr=0.01, alpha=0.0)  # alpha 0: v = g^2, the step is lr * sign(g)
    >>> w.grad = tt.tensor([5.0])
    >>> opt.step(); round(w.item(), 4)
    2.99
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum: float = 0,
        centered: bool = False,
        capturable: bool = False,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        check_non_negative(
            lr=lr, eps=eps, momentum=momentum, weight_decay=weight_decay, alpha=alpha
        )
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "alpha": alpha,
            "eps": eps,
            "centered": centered,
            "weight_decay": weight_decay,
            "capturable": capturable,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
        }
        super().__init__(params, defaults)

    def _init_state(self, p: Tensor, group: dict[str, Any]) -> None:
        """Zero state for ``p`` on its first step (the class docstring's **Memory**)."""
        state = self.state[p]
        if len(state) == 0:
            state["step"] = tt.tensor(0.0)
            state["square_avg"] = tt.zeros_like(p)
            if group["momentum"] > 0:
                state["momentum_buffer"] = tt.zeros_like(p)
            if group["centered"]:
                state["grad_avg"] = tt.zeros_like(p)

    def _update(self, p: Tensor, grad: Tensor, group: dict[str, Any]) -> None:
        """The update rule for one parameter (see the class docstring)."""
        state = self.state[p]
        alpha = group["alpha"]
        square_avg = state["square_avg"]
        state["step"] += 1

        grad = self._gradient(p, grad, group)
        square_avg.mul_(alpha).add_(grad.mul(1 - alpha).mul_(grad))
        if group["centered"]:
            grad_avg = state["grad_avg"]
            grad_avg.add_(grad.sub(grad_avg).mul_(1 - alpha))  # torch's lerp_(grad, 1 - alpha)
            avg = square_avg.sub(grad_avg * grad_avg).sqrt()
        else:
            avg = square_avg.sqrt()
        avg.add_(group["eps"])
        if group["momentum"] > 0:
            buf = state["momentum_buffer"]
            buf.mul_(group["momentum"]).add_(grad.div(avg))
            p.add_(buf, alpha=-group["lr"])
        else:
            p.add_(grad.mul(-group["lr"]).div_(avg))  # torch's addcdiv_ order
