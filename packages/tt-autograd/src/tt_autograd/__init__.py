"""tt-autograd: reverse-mode automatic differentiation for tt-tensor.

Tier 2 of tt.  Importing this package turns gradient tracking on: it registers a dispatch
observer that records a graph node for every differentiable primitive whose input requires
grad, and the engine behind ``Tensor.backward``.

>>> import tt_tensor as tt
>>> import tt_autograd as ag
>>> w = tt.tensor([1.0, 2.0], requires_grad=True)
>>> loss = (w * w).sum()
>>> loss.backward()
>>> w.grad
tensor([2., 4.], shape=(2,), dtype=tt_tensor.float32)
"""

from __future__ import annotations

from .__about__ import __version__
from .engine import backward, grad
from .formulas import derivative, missing_formulas, sum_to
from .function import Function, FunctionCtx, once_differentiable
from .grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    no_grad,
    records,
    set_grad_enabled,
)
from .gradcheck import GradcheckError, gradcheck, gradgradcheck
from .graph import graph_dot, graph_text
from .hooks import install, uninstall
from .node import Node

install()

__all__ = [
    "Function",
    "FunctionCtx",
    "GradcheckError",
    "Node",
    "__version__",
    "backward",
    "derivative",
    "enable_grad",
    "grad",
    "gradcheck",
    "gradgradcheck",
    "graph_dot",
    "graph_text",
    "inference_mode",
    "install",
    "is_grad_enabled",
    "missing_formulas",
    "no_grad",
    "once_differentiable",
    "records",
    "set_grad_enabled",
    "sum_to",
    "uninstall",
]
