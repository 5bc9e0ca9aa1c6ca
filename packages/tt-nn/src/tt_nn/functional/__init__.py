"""``tt_nn.functional``: the stateless forms of the layers (``torch.nn.functional``).

One file per family; everything is re-exported here, so ``import tt_nn.functional as F``
then ``F.relu``, ``F.linear``, ``F.cross_entropy`` work as in PyTorch.
"""

from __future__ import annotations

from .activation import (
    elu,
    elu_,
    leaky_relu,
    leaky_relu_,
    log_softmax,
    relu,
    relu_,
    sigmoid,
    silu,
    softmax,
    tanh,
)
from .conv import conv1d, conv2d
from .dropout import dropout
from .gelu import gelu
from .linear import linear
from .loss import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    huber_loss,
    l1_loss,
    mse_loss,
    nll_loss,
)
from .normalization import batch_norm, group_norm, layer_norm
from .pooling import adaptive_avg_pool2d, avg_pool2d, max_pool2d
from .sparse import embedding

__all__ = [
    "adaptive_avg_pool2d",
    "avg_pool2d",
    "batch_norm",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "conv1d",
    "conv2d",
    "cross_entropy",
    "dropout",
    "elu",
    "elu_",
    "embedding",
    "gelu",
    "group_norm",
    "huber_loss",
    "l1_loss",
    "layer_norm",
    "leaky_relu",
    "leaky_relu_",
    "linear",
    "log_softmax",
    "max_pool2d",
    "mse_loss",
    "nll_loss",
    "relu",
    "relu_",
    "sigmoid",
    "silu",
    "softmax",
    "tanh",
]
