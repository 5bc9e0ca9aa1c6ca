"""Datasets with torchvision's names, plus generated ones that need no download.

- :class:`MNIST`, :class:`FashionMNIST` (IDX files), :class:`CIFAR10` (binary version):
  files found in ``root``, ``$TT_DATA_ROOT``, ``~/.cache/tt-data`` or ``/usr/share/datasets``,
  or fetched with ``download=True`` (SHA-256 checked);
- :class:`TinyDigits`: 16x16 digits drawn by a program, the embedded default;
- :func:`make_blobs`, :func:`make_xor`, :func:`make_spirals`, :func:`make_circles`: 2-D toys.

>>> from tt_data.datasets import TinyDigits
>>> len(TinyDigits(train=False))
1000
"""

from __future__ import annotations

from .cifar import CIFAR10
from .mnist import MNIST, FashionMNIST
from .tinydigits import TinyDigits
from .toy import make_blobs, make_circles, make_spirals, make_xor
from .utils import DatasetNotFoundError
from .vision import VisionDataset

__all__ = [
    "CIFAR10",
    "MNIST",
    "DatasetNotFoundError",
    "FashionMNIST",
    "TinyDigits",
    "VisionDataset",
    "make_blobs",
    "make_circles",
    "make_spirals",
    "make_xor",
]
