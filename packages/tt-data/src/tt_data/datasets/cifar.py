"""CIFAR-10 from its binary distribution (``torchvision.datasets.CIFAR10``, without pickle).

torchvision reads ``cifar-10-python.tar.gz``, whose batches are Python pickles: loading a
pickle can run arbitrary code, so tt reads the **binary version**,
``cifar-10-binary.tar.gz``, instead. Its folder ``cifar-10-batches-bin`` holds
``data_batch_1.bin`` .. ``data_batch_5.bin`` (training) and ``test_batch.bin``, each a
sequence of 3073-byte records::

    1 byte      label 0..9
    1024 bytes  red   plane, 32 rows of 32 pixels
    1024 bytes  green plane
    1024 bytes  blue  plane

plus ``batches.meta.txt`` with the class names. Parsing is ``np.frombuffer`` viewed as
``(N, 3073)``; column 0 is the labels and the rest reshape to ``(N, 3, 32, 32)`` (CHW), then
transpose to ``(N, 32, 32, 3)`` (HWC, torchvision's ``.data`` layout) with one copy.

Systems question: the file stores planes (CHW) but ``.data`` is HWC; which layout makes
``ToTensor`` a pure view, and which makes a per-pixel colour jitter cheap?
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from .utils import (
    check_integrity,
    download_root,
    download_url,
    extract_archive,
    search_roots,
)
from .vision import VisionDataset

__all__ = ["CIFAR10", "read_cifar_binary"]

_RECORD = 1 + 3 * 32 * 32


def read_cifar_binary(
    path: str | os.PathLike[str],
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """Read one CIFAR-10 binary batch: ``(images (N, 32, 32, 3) uint8, labels (N,) int64)``.

    A size that is not a whole number of 3073-byte records, or a label outside 0..9, raises
    :class:`RuntimeError` naming the file, the expected and the received.

    **Memory**: the file's bytes plus one HWC copy of the images (30,720,000 bytes for a
    10,000-image batch).
    """
    raw = Path(path).read_bytes()
    if len(raw) == 0 or len(raw) % _RECORD:
        raise RuntimeError(
            f"{path}: size mismatch: expected a multiple of {_RECORD} bytes "
            f"(records of 1 label byte + 3072 pixel bytes), received {len(raw)} bytes"
        )
    rec = np.frombuffer(raw, dtype=np.uint8).reshape(-1, _RECORD)
    labels = rec[:, 0].astype(np.int64)
    if int(labels.max()) > 9:
        raise RuntimeError(f"{path}: labels must be in 0..9, received {int(labels.max())}")
    images = np.ascontiguousarray(rec[:, 1:].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1))
    return images, labels


class CIFAR10(VisionDataset):
    """CIFAR-10: 32x32 colour images of 10 classes, 50,000 training and 10,000 test images.

    Items are ``(image, label)``: without a transform ``image`` is the uint8 array
    ``(32, 32, 3)`` (HWC) and ``label`` an ``int``; ``ToTensor`` makes a float tensor
    ``(3, 32, 32)``. Batches: :meth:`__getitems__` (4-D NHWC, see
    :class:`~tt_data.datasets.vision.VisionDataset`).

    Searched in ``root``, ``$TT_DATA_ROOT``, the user cache and ``/usr/share/datasets``, as
    ``<base>/cifar-10-batches-bin``, ``<base>/CIFAR10/cifar-10-batches-bin``,
    ``<base>/cifar-10/cifar-10-batches-bin`` or a flat folder of the ``.bin`` files. With
    ``download=True`` the archive is fetched from Toronto, its SHA-256 checked, and it is
    unpacked safely next to it.

    **Shape**: ``data`` ``(N, 32, 32, 3)`` uint8; ``targets`` ``(N,)`` int64.
    **Memory**: training split 153,600,000 bytes of images + 400,000 bytes of labels
    (154 MB); test split 30,720,000 + 80,000 bytes (30.8 MB).

    >>> CIFAR10.classes[:3]
    ['airplane', 'automobile', 'bird']
    """

    base_folder: ClassVar[str] = "cifar-10-batches-bin"
    url: ClassVar[str] = "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz"
    filename: ClassVar[str] = "cifar-10-binary.tar.gz"
    # 170,052,171 bytes; MD5 c32a1d4ab5d03f1284b67883e8d87530 (the value torchvision-style
    # loaders publish); SHA-256 cross-checked in several independent public projects.
    sha256: ClassVar[str] = "c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd"
    train_list: ClassVar[list[str]] = [f"data_batch_{i}.bin" for i in range(1, 6)]
    test_list: ClassVar[list[str]] = ["test_batch.bin"]
    classes: ClassVar[list[str]] = [
        "airplane",
        "automobile",
        "bird",
        "cat",
        "deer",
        "dog",
        "frog",
        "horse",
        "ship",
        "truck",
    ]

    def __init__(
        self,
        root: str | os.PathLike[str] | None = None,
        train: bool = True,
        transform: Callable[[Any], Any] | None = None,
        target_transform: Callable[[Any], Any] | None = None,
        download: bool = False,
    ) -> None:
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.train = train
        what = ", ".join(self._files()) + f" (from {self.filename})"
        folder = self._locate(self._find, download, what)
        parts = [read_cifar_binary(folder / f) for f in self._files()]
        self.data = np.concatenate([p[0] for p in parts]) if len(parts) > 1 else parts[0][0]
        self.targets = np.concatenate([p[1] for p in parts]) if len(parts) > 1 else parts[0][1]
        self.folder = folder

    def _files(self) -> list[str]:
        return self.train_list if self.train else self.test_list

    def _candidates(self) -> list[Path]:
        out: list[Path] = []
        for base in search_roots(self.root):
            for d in (
                base / self.base_folder,
                base / "CIFAR10" / self.base_folder,
                base / "cifar-10" / self.base_folder,
                base / "cifar-10",
                base,
            ):
                if d not in out:
                    out.append(d)
        return out

    def _find(self) -> Path | None:
        for d in self._candidates():
            if all((d / f).is_file() for f in self._files()):
                return d
        return None

    def download(self) -> None:
        """Fetch ``cifar-10-binary.tar.gz`` (SHA-256 checked) and unpack it safely."""
        root = download_root(self.root)
        archive = root / self.filename
        if not check_integrity(archive, self.sha256):
            download_url(self.url, root, filename=self.filename, sha256=self.sha256)
        extract_archive(archive, root)

    def extra_repr(self) -> str:
        return f"Split: {'Train' if self.train else 'Test'}"
