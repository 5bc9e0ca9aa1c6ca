"""``Adam`` and ``AdamW``: adaptive moment estimation (Kingma and Ba, 2015), and Adam with
decoupled weight decay (Loshchilov and Hutter, 2019)."""

from __future__ import annotations

import math
from typing import Any

import tt_tensor as tt
from tt_tensor import Tensor

from .optimizer import Optimizer, ParamsT, check_non_negative

__all__ = ["Adam", "AdamW"]


class Adam(Optimizer):
    r"""Adam (``torch.optim.Adam``): per-coordinate steps scaled by running moments of the
    gradient.

    ``Adam(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, *,
    foreach=None, maximize=False, capturable=False, differentiable=False, fused=None,
    decoupled_weight_decay=False)``

    ``foreach`` and ``fused`` are accepted and ignored (tt has one implementation; both
    together raise PyTorch's ``RuntimeError``); ``capturable=True`` and
    ``differentiable=True`` raise ``NotImplementedError``.

    **Update rule**, for each parameter ``p`` with gradient ``g`` at step ``t = 1, 2, ...``
    (``gamma`` = lr, ``lambda`` = weight_decay; ``m``, ``v`` start at 0)::

        if maximize:   g = -g
        if lambda != 0:
            p = p * (1 - gamma * lambda)  if decoupled_weight_decay (AdamW)
            g = g + lambda * p            otherwise (L2 penalty)
        m = beta1 * m + (1 - beta1) * g              first moment
        v = beta2 * v + (1 - beta2) * g * g          second moment
        if amsgrad:  v_max = max(v_max, v);  v_hat = v_max  else  v_hat = v
        p = p - gamma / (1 - beta1^t) * m / (sqrt(v_hat) / sqrt(1 - beta2^t) + eps)

    The factors ``1 - beta^t`` undo the bias of the moments towards their zero start.

    **Memory**: two extra copies of the parameters (``state[p]["exp_avg"]`` and
    ``["exp_avg_sq"]``), three with ``amsgrad`` (``["max_exp_avg_sq"]``), plus a 0-d step count.

    **Cost**: about ten elementwise passes over each parameter per step, O(numel).

    >>> import tt_tensor as tt
    >>> w = tt.tensor([1.0, -2.0], requires_grad=True)
    >>> opt = Adam([w], lr=0.1)
    >>> (w * w).sum().backward()
    >>> opt.step()  # the first step moves each coordinate by about lr, whatever |g| is
    >>> w
    tensor([0.9000, -1.9000], shape=(2,), dtype=tt_tensor.float32, requires_grad=True)
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        amsgrad: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
        decoupled_weight_decay: bool = False,
    ) -> None:
        check_non_negative(lr=lr, eps=eps)
        if not 0.0 <= betas[0] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
        if not 0.0 <= betas[1] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
        check_non_negative(weight_decay=weight_decay)
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "amsgrad": amsgrad,
            "maximize": maximize,
            "foreach": foreach,
            "capturable": capturable,
            "differentiable": differentiable,
            "fused": fused,
            "decoupled_weight_decay": decoupled_weight_decay,
        }
        super().__init__(params, defaults)

    def _init_state(self, p: Tensor, group: dict[str, Any]) -> None:
        """Zero state for ``p`` on its first step (the class docstring's **Memory**)."""
        state = self.state[p]
        if len(state) == 0:
            state["step"] = tt.tensor(0.0)
            state["exp_avg"] = tt.zeros_like(p)
            state["exp_avg_sq"] = tt.zeros_like(p)
            if group["amsgrad"]:
                state["max_exp_avg_sq"] = tt.zeros_like(p)

    def _update(self, p: Tensor, grad: Tensor, group: dict[str, Any]) -> None:
        """The update rule for one parameter (see the class docstring)."""
        state = self.state[p]
        lr, weight_decay, eps = group["lr"], group["weight_decay"], group["eps"]
        beta1, beta2 = group["betas"]
        exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
        state["step"] += 1
        t = state["step"].item()

        decoupled = group["decoupled_weight_decay"]
        grad = self._gradient(p, grad, group, l2=not decoupled)
        if decoupled and weight_decay != 0:
            p.mul_(1 - lr * weight_decay)

        # m += (1 - beta1) * (g - m), which is torch's lerp_; v = beta2 v + ((1 - beta2) g) g.
        exp_avg.add_(grad.sub(exp_avg).mul_(1 - beta1))
        exp_avg_sq.mul_(beta2).add_(grad.mul(1 - beta2).mul_(grad))

        step_size = lr / (1 - beta1**t)
        bias_correction2_sqrt = math.sqrt(1 - beta2**t)
        if group["amsgrad"]:
            max_sq = state["max_exp_avg_sq"]
            max_sq.copy_(tt.maximum(max_sq, exp_avg_sq))
            exp_avg_sq = max_sq
        denom = exp_avg_sq.sqrt().div_(bias_correction2_sqrt).add_(eps)
        # p += (-step_size * m) / denom: torch's addcdiv_ order (value times t1, then / t2).
        p.add_(exp_avg.mul(-step_size).div_(denom))


class AdamW(Adam):
    r"""Adam with decoupled weight decay (``torch.optim.AdamW``).

    ``AdamW(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False,
    *, maximize=False, foreach=None, capturable=False, differentiable=False, fused=None)``

    **Update rule**: :class:`Adam`'s, except that weight decay shrinks the parameter directly,
    ``p = p * (1 - lr * weight_decay)``, before the Adam step, instead of adding
    ``weight_decay * p`` to the gradient.  With an L2 penalty in the gradient, Adam divides
    the decay by ``sqrt(v)``, so coordinates with large gradients are barely regularised;
    decoupling makes the decay the same relative shrink for every coordinate.

    **Memory**: as :class:`Adam`: two extra copies of the parameters (three with ``amsgrad``).

    >>> import tt_tensor as tt
    >>> w = tt.tensor([1.0], requires_grad=True)
    >>> opt = AdamW([w], lr=0.1, weight_decay=0.5)
    >>> w.grad = tt.tensor([0.0])  # no gradient signal: only the decay acts
    >>> opt.step(); round(w.item(), 6)
    0.95
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
        capturable: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        super().__init__(
            params,
            lr,
            betas,
            eps,
            weight_decay,
            amsgrad,
            foreach=foreach,
            maximize=maximize,
            capturable=capturable,
            differentiable=differentiable,
            fused=fused,
            decoupled_weight_decay=True,
        )
