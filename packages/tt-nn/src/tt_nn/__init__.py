"""tt-nn: neural-network modules, layers, losses and safe serialization (tier 3 of tt).

PyTorch's ``torch.nn`` names, signatures and defaults, built on tt-tensor and tt-autograd, so
a ``torch.nn`` program ports by changing imports::

    import tt_nn as nn
    import tt_nn.functional as F
"""

from __future__ import annotations

from . import functional, init
from .__about__ import __version__
from .containers import ModuleDict, ModuleList, Sequential
from .module import IncompatibleKeys, Module
from .modules.activation import (
    ELU,
    GELU,
    LeakyReLU,
    LogSoftmax,
    ReLU,
    Sigmoid,
    SiLU,
    Softmax,
    Tanh,
)
from .modules.dropout import Dropout
from .modules.flatten import Flatten, Unflatten
from .modules.linear import Identity, Linear
from .modules.normalization import BatchNorm1d, BatchNorm2d, GroupNorm, LayerNorm
from .modules.sparse import Embedding
from .parameter import Buffer, Parameter
from .serialization import SafetensorsError, load, save

__all__ = [
    "ELU",
    "GELU",
    "BatchNorm1d",
    "BatchNorm2d",
    "Buffer",
    "Dropout",
    "Embedding",
    "Flatten",
    "GroupNorm",
    "Identity",
    "IncompatibleKeys",
    "LayerNorm",
    "LeakyReLU",
    "Linear",
    "LogSoftmax",
    "Module",
    "ModuleDict",
    "ModuleList",
    "Parameter",
    "ReLU",
    "SafetensorsError",
    "Sequential",
    "SiLU",
    "Sigmoid",
    "Softmax",
    "Tanh",
    "Unflatten",
    "__version__",
    "functional",
    "init",
    "load",
    "save",
]
