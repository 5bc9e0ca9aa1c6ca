"""The shared shape of the image datasets (``torchvision.datasets.VisionDataset``).

An image dataset keeps all its images in one uint8 NumPy array ``data`` and all labels in
one int64 array ``targets``; indexing never touches the disk. One item is
``(transform(image), target_transform(label))`` where ``image`` is ``data[i]``: ``(H, W)``
for grayscale, ``(H, W, C)`` for colour, the layout torchvision hands to ``ToTensor``.

A batch (:meth:`VisionDataset.__getitems__`) is gathered with ONE fancy index,
``data[indices]``, instead of ``len(indices)`` Python-level ``__getitem__`` calls: for a
batch of 128 MNIST images that is one 100 kB copy instead of 128 small ones.

Systems question: why is ``data[indices]`` a copy while ``data[a:b]`` is a view?
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, ClassVar, TypeVar

import numpy as np

import tt_tensor as tt

from ..collate import StackedSamples, default_collate
from ..dataset import Dataset
from .utils import DatasetNotFoundError, not_found_message

_Found = TypeVar("_Found")

__all__ = ["VisionDataset"]

Transform = Callable[[Any], Any]


class VisionDataset(Dataset[tuple[Any, Any]]):
    """Base of the in-memory image datasets: ``data`` (uint8) and ``targets`` (int64).

    Subclasses fill ``self.data`` (``(N, H, W)`` or ``(N, H, W, C)`` uint8) and
    ``self.targets`` (``(N,)`` int64) and set ``classes``.

    **Memory**: ``data.nbytes + targets.nbytes``; items and batches are copies of rows.
    """

    classes: ClassVar[list[str]] = []

    def __init__(
        self,
        root: str | os.PathLike[str] | None = None,
        transform: Transform | None = None,
        target_transform: Transform | None = None,
    ) -> None:
        self.root = None if root is None else os.fspath(root)
        self.transform = transform
        self.target_transform = target_transform
        self.data: np.ndarray[Any, np.dtype[np.uint8]] = np.empty((0, 0, 0), np.uint8)
        self.targets: np.ndarray[Any, np.dtype[np.int64]] = np.empty((0,), np.int64)

    @property
    def class_to_idx(self) -> dict[str, int]:
        """Class name -> label."""
        return {c: i for i, c in enumerate(self.classes)}

    def __len__(self) -> int:
        return int(self.data.shape[0])

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        """``(transform(data[index]), target_transform(int label))``.

        Without a transform the image is the uint8 array ``(H, W)`` or ``(H, W, C)`` (a copy,
        so editing it leaves the dataset intact); the label is a Python ``int``.
        """
        n = len(self)
        i = int(index)
        if not -n <= i < n:
            raise IndexError(f"{type(self).__name__}: index {i} out of range for {n} items")
        img: Any = self.data[i].copy()
        target: Any = int(self.targets[i])
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target

    def __getitems__(self, indices: Sequence[int]) -> StackedSamples[tuple[Any, Any]]:
        """A whole batch from one fancy-index gather, already collated.

        Return convention (what the :class:`~tt_data.dataloader.DataLoader` relies on): a
        :class:`~tt_data.collate.StackedSamples`. As a sequence it yields the ``B`` samples
        ``self[indices[k]]`` (made lazily, only if asked for); ``default_collate`` returns its
        ``collated`` form, the list ``[images, targets]`` that stacking the samples would give:

        - ``images``: without a transform, the uint8 tensor ``data[indices]``, shape
          ``(B, H, W)`` or ``(B, H, W, C)``. With a transform, ``transform(batch)`` where
          ``batch`` is that uint8 array made **4-D NHWC** -- ``(B, H, W, 1)`` for grayscale --
          so a transform can tell a batch from one ``(H, W, C)`` image; transforms must be
          batch-aware (``ToTensor`` maps NHWC uint8 to NCHW float32). A NumPy result is
          converted to a tensor.
        - ``targets``: the int64 tensor ``targets[indices]``, shape ``(B,)``; with a
          ``target_transform``, it is applied to each label (an ``int``, as in
          :meth:`__getitem__`) and the results are collated.

        **Cost**: one gather of ``B * H * W * C`` bytes, one transform call.
        **Memory**: that batch, once (``as_tensor`` shares it, no second copy).
        """
        idx = np.asarray(indices, dtype=np.intp)
        if idx.ndim != 1:
            raise TypeError(f"{type(self).__name__}.__getitems__: expected a flat list of indices")
        try:  # np.take checks the range (negative indices count from the end, as in Python)
            batch: Any = self.data.take(idx, axis=0)
        except IndexError:
            n = len(self)
            bad = idx[(idx < -n) | (idx >= n)][0]
            raise IndexError(
                f"{type(self).__name__}: index {bad} out of range for {n} items"
            ) from None
        if self.transform is not None:
            batch = self.transform(batch[..., None] if batch.ndim == 3 else batch)
        if isinstance(batch, np.ndarray):
            batch = tt.as_tensor(batch)
        labels: Any = self.targets.take(idx)
        if self.target_transform is not None:
            labels = default_collate([self.target_transform(int(t)) for t in labels])
        else:
            labels = tt.from_numpy(labels)
        return StackedSamples([batch, labels], len(idx), lambda k: self[int(idx[k])])

    def _locate(
        self, find: Callable[[], _Found | None], download: bool, what: str, hint: str = ""
    ) -> _Found:
        """Where the files are: ``find()``, again after :meth:`download` when ``download``;
        when nothing is found, :class:`DatasetNotFoundError` listing every place looked
        (``self._candidates()``), ``what`` was looked for and the ways to get it."""
        found = find()
        if found is None and download:
            self.download()
            found = find()
        if found is None:
            raise DatasetNotFoundError(
                not_found_message(type(self).__name__, self._candidates(), what, hint)
            )
        return found

    def _candidates(self) -> Sequence[Path]:
        """The folders a file-backed dataset looks in, in order."""
        raise NotImplementedError(f"{type(self).__name__} reads no files")

    def download(self) -> None:
        """Fetch the dataset's files (file-backed datasets only)."""
        raise NotImplementedError(f"{type(self).__name__} has nothing to download")

    def extra_repr(self) -> str:
        """Extra lines for ``repr`` (the split, for example)."""
        return ""

    def __repr__(self) -> str:
        lines = [f"Dataset {type(self).__name__}", f"    Number of datapoints: {len(self)}"]
        if self.root is not None:
            lines.append(f"    Root location: {self.root}")
        lines += ["    " + line for line in self.extra_repr().splitlines() if line]
        if self.transform is not None:
            lines.append(f"    Transform: {self.transform!r}")
        if self.target_transform is not None:
            lines.append(f"    Target transform: {self.target_transform!r}")
        return "\n".join(lines)
