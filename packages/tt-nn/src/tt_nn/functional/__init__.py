"""``tt_nn.functional``: the stateless forms of the layers (``torch.nn.functional``).

One file per family; everything is re-exported here, so ``import tt_nn.functional as F``
then ``F.relu``, ``F.linear``, ``F.cross_entropy`` work as in PyTorch.
"""

from __future__ import annotations

from .activation import elu, leaky_relu, log_softmax, relu, sigmoid, silu, softmax, tanh
from .dropout import dropout
from .gelu import gelu
from .linear import linear
from .normalization import batch_norm, group_norm, layer_norm
from .sparse import embedding

__all__ = [
    "batch_norm",
    "dropout",
    "elu",
    "embedding",
    "gelu",
    "group_norm",
    "layer_norm",
    "leaky_relu",
    "linear",
    "log_softmax",
    "relu",
    "sigmoid",
    "silu",
    "softmax",
    "tanh",
]
