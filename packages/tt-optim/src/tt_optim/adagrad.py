"""``Adagrad``: per-coordinate steps divided by the root of the summed squared gradients
(Duchi, Hazan and Singer, 2011)."""

from __future__ import annotations

from typing import Any

import tt_tensor as tt
from tt_tensor import Tensor

from .optimizer import Optimizer, ParamsT, check_non_negative

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    r"""Adagrad (``torch.optim.Adagrad``).

    ``Adagrad(params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0,
    eps=1e-10, foreach=None, *, maximize=False, differentiable=False, fused=None)``

    ``foreach`` and ``fused`` are accepted and ignored (tt has one implementation; both
    together raise PyTorch's ``RuntimeError``); ``differentiable=True`` raises
    ``NotImplementedError``.

    **Update rule**, for each parameter ``p`` with gradient ``g`` at step ``t = 1, 2, ...``
    (``gamma`` = lr, ``eta`` = lr_decay, ``lambda`` = weight_decay; ``s`` starts at
    ``initial_accumulator_value``)::

        if maximize:     g = -g
        if lambda != 0:  g = g + lambda * p
        gamma_t = gamma / (1 + (t - 1) * eta)
        s = s + g * g
        p = p - gamma_t * g / (sqrt(s) + eps)

    The sum only grows, so every coordinate's step shrinks over time; coordinates with rare
    large gradients keep larger steps than those with frequent ones.

    **Memory**: one extra copy of the parameters (``state[p]["sum"]``) and a 0-d step count,
    both created in the constructor (as in PyTorch) for the parameters given there, and on
    the first step for those of a group added later with ``add_param_group``.

    **PyTorch quirk, kept**: ``s`` always starts at the *constructor's*
    ``initial_accumulator_value`` (``self.defaults``), even for a group that sets its own
    ``"initial_accumulator_value"``; the group's value is stored but not used.

    **Cost**: a few elementwise passes over each parameter per step, O(numel).

    >>> import tt_tensor as tt
    >>> w = tt.tensor([1.0], requires_grad=True)
    >>> opt = Adagrad([w], lr=0.5)
    >>> w.grad = tt.tensor([4.0])
    >>> opt.step(); round(w.item(), 4)  # 1 - 0.5 * 4 / sqrt(16)
    0.5
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-2,
        lr_decay: float = 0,
        weight_decay: float = 0,
        initial_accumulator_value: float = 0,
        eps: float = 1e-10,
        foreach: bool | None = None,
        *,
        maximize: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        check_non_negative(
            lr=lr,
            lr_decay=lr_decay,
            weight_decay=weight_decay,
            initial_accumulator_value=initial_accumulator_value,
            eps=eps,
        )
        defaults = {
            "lr": lr,
            "lr_decay": lr_decay,
            "eps": eps,
            "weight_decay": weight_decay,
            "initial_accumulator_value": initial_accumulator_value,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
            "fused": fused,
        }
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                self._init_state(p, group)

    def _init_state(self, p: Tensor, group: dict[str, Any]) -> None:
        """A zero step count and the sum filled with ``defaults["initial_accumulator_value"]``
        (PyTorch's choice: not the group's value), unless ``p`` already has state."""
        state = self.state[p]
        if len(state) == 0:
            state["step"] = tt.tensor(0.0)
            state["sum"] = tt.full_like(p, self.defaults["initial_accumulator_value"])

    def _update(self, p: Tensor, grad: Tensor, group: dict[str, Any]) -> None:
        """The update rule for one parameter (see the class docstring)."""
        state = self.state[p]
        state["step"] += 1
        t = state["step"].item()
        grad = self._gradient(p, grad, group)
        clr = group["lr"] / (1 + (t - 1) * group["lr_decay"])
        state_sum = state["sum"]
        state_sum.add_(grad * grad)
        std = state_sum.sqrt().add_(group["eps"])
        p.add_(grad.mul(-clr).div_(std))  # torch's addcdiv_ order
