"""tt-data: datasets, data loaders and transforms (tier 5 of tt).

The loading API follows ``torch.utils.data`` and the datasets and transforms follow
torchvision, so a torch data pipeline ports by changing imports::

    from tt_data import DataLoader, TensorDataset, random_split   # torch.utils.data
    from tt_data import transforms                                # torchvision.transforms
    from tt_data.datasets import FashionMNIST, TinyDigits         # torchvision.datasets

tt-data depends on tt-tensor only: it never imports autograd, nn or optim.
"""

from __future__ import annotations

from . import datasets, transforms
from .__about__ import __version__
from .collate import StackedSamples, default_collate, default_convert
from .dataloader import DataLoader, WorkerInfo, get_worker_info
from .dataset import (
    ChainDataset,
    ConcatDataset,
    Dataset,
    IterableDataset,
    Subset,
    TensorDataset,
    random_split,
)
from .sampler import (
    BatchSampler,
    RandomSampler,
    Sampler,
    SequentialSampler,
    SubsetRandomSampler,
)

__all__ = [
    "BatchSampler",
    "ChainDataset",
    "ConcatDataset",
    "DataLoader",
    "Dataset",
    "IterableDataset",
    "RandomSampler",
    "Sampler",
    "SequentialSampler",
    "StackedSamples",
    "Subset",
    "SubsetRandomSampler",
    "TensorDataset",
    "WorkerInfo",
    "__version__",
    "datasets",
    "default_collate",
    "default_convert",
    "get_worker_info",
    "random_split",
    "transforms",
]
