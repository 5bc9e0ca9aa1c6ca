"""tt-optim: optimizers, learning-rate schedulers, gradient clipping and a Trainer for tt.

Tier 4 of tt (after tt-tensor, tt-autograd and tt-nn), with the names and semantics of
``torch.optim``: ``tt_optim.SGD`` is ``torch.optim.SGD``, ``tt_optim.lr_scheduler.StepLR`` is
``torch.optim.lr_scheduler.StepLR``, and ``clip_grad_norm_`` is
``torch.nn.utils.clip_grad_norm_``.

>>> import tt_tensor as tt, tt_optim as optim
>>> w = tt.tensor([2.0], requires_grad=True)
>>> opt = optim.SGD([w], lr=0.25)
>>> for _ in range(3):
...     opt.zero_grad()
...     (w * w).sum().backward()
...     opt.step()
>>> w.item()  # each step halves w: w - 0.25 * 2w
0.25
"""

from __future__ import annotations

from . import lr_scheduler
from .__about__ import __version__
from .adadelta import Adadelta
from .adagrad import Adagrad
from .adam import Adam, AdamW
from .clip_grad import clip_grad_norm_, clip_grad_value_, clip_grads_with_norm_, get_total_norm
from .early_stopping import EarlyStopping
from .history import History
from .optimizer import Optimizer, ParamsT, required
from .rmsprop import RMSprop
from .sgd import SGD
from .trainer import Trainer, accuracy

__all__ = [
    "SGD",
    "Adadelta",
    "Adagrad",
    "Adam",
    "AdamW",
    "EarlyStopping",
    "History",
    "Optimizer",
    "ParamsT",
    "RMSprop",
    "Trainer",
    "__version__",
    "accuracy",
    "clip_grad_norm_",
    "clip_grad_value_",
    "clip_grads_with_norm_",
    "get_total_norm",
    "lr_scheduler",
    "required",
]
