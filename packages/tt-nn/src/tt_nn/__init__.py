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
from .modules.conv import Conv1d, Conv2d
from .modules.dropout import Dropout
from .modules.flatten import Flatten, Unflatten
from .modules.linear import Identity, Linear
from .modules.loss import (
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    HuberLoss,
    L1Loss,
    MSELoss,
    NLLLoss,
)
from .modules.normalization import BatchNorm1d, BatchNorm2d, GroupNorm, LayerNorm
from .modules.pooling import AdaptiveAvgPool2d, AvgPool2d, MaxPool2d
from .modules.sparse import Embedding
from .parameter import Buffer, Parameter
from .serialization import SafetensorsError, load, save

__all__ = [
    "ELU",
    "GELU",
    "AdaptiveAvgPool2d",
    "AvgPool2d",
    "BCELoss",
    "BCEWithLogitsLoss",
    "BatchNorm1d",
    "BatchNorm2d",
    "Buffer",
    "Conv1d",
    "Conv2d",
    "CrossEntropyLoss",
    "Dropout",
    "Embedding",
    "Flatten",
    "GroupNorm",
    "HuberLoss",
    "Identity",
    "IncompatibleKeys",
    "L1Loss",
    "LayerNorm",
    "LeakyReLU",
    "Linear",
    "LogSoftmax",
    "MSELoss",
    "MaxPool2d",
    "Module",
    "ModuleDict",
    "ModuleList",
    "NLLLoss",
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
