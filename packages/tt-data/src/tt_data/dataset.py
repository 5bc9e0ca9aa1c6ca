"""Datasets: the map-style and iterable-style protocols and the standard wrappers.

A *map-style* dataset (:class:`Dataset`) has ``__getitem__(i)`` and ``__len__``; the loader asks
it for samples by index.  An *iterable-style* dataset (:class:`IterableDataset`) only has
``__iter__``; the loader reads it as a stream.  Names and behaviour are ``torch.utils.data``'s.

A map-style dataset may also define ``__getitems__(indices)`` to return a whole batch of samples
in one call; the :class:`~tt_data.dataloader.DataLoader` uses it when present (as PyTorch 2.x
does).  :class:`TensorDataset` implements it with one fancy-indexing gather per tensor and returns a
:class:`~tt_data.collate.StackedSamples`, which ``default_collate`` passes through without a
per-sample loop; :class:`Subset` forwards it to the dataset it wraps.

Systems questions: why does ``Subset`` store indices instead of copying the selected samples?
What does ``random_split`` cost in memory for a 60000-sample dataset?
"""

from __future__ import annotations

import bisect
import itertools
import math
import warnings
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Generic, TypeVar

import numpy as np

import tt_tensor as tt

from .collate import StackedSamples

__all__ = [
    "ChainDataset",
    "ConcatDataset",
    "Dataset",
    "IterableDataset",
    "Subset",
    "TensorDataset",
    "random_split",
]

T_co = TypeVar("T_co", covariant=True)
T = TypeVar("T")


class Dataset(Generic[T_co]):
    """A map-style dataset: subclasses define ``__getitem__(index)`` and usually ``__len__``.

    ``a + b`` concatenates two datasets (a :class:`ConcatDataset`).

    >>> class Squares(Dataset[int]):
    ...     def __getitem__(self, i: int) -> int:
    ...         return i * i
    ...     def __len__(self) -> int:
    ...         return 4
    >>> [Squares()[i] for i in range(4)]
    [0, 1, 4, 9]
    """

    def __getitem__(self, index: Any) -> T_co:
        raise NotImplementedError("Subclasses of Dataset should implement __getitem__.")

    def __add__(self, other: Dataset[T_co]) -> ConcatDataset[T_co]:
        return ConcatDataset([self, other])


class IterableDataset(Dataset[T_co]):
    """An iterable-style dataset: subclasses define ``__iter__`` (a stream of samples).

    >>> class Count(IterableDataset[int]):
    ...     def __iter__(self) -> Iterator[int]:
    ...         return iter(range(3))
    >>> list(Count())
    [0, 1, 2]
    """

    def __iter__(self) -> Iterator[T_co]:
        raise NotImplementedError("Subclasses of IterableDataset should implement __iter__.")

    def __add__(self, other: Dataset[T_co]) -> ChainDataset[T_co]:  # type: ignore[override]
        return ChainDataset([self, other])


def _as_array(t: Any, op: str) -> np.ndarray[Any, Any]:
    if isinstance(t, tt.Tensor):
        return t.numpy(force=True)
    if isinstance(t, np.ndarray):
        return t
    raise TypeError(f"{op}: expected tensors or NumPy arrays, got {type(t).__name__}")


class TensorDataset(Dataset[tuple[tt.Tensor, ...]]):
    """A dataset wrapping tensors: sample ``i`` is ``tuple(t[i] for t in tensors)``.

    NumPy arrays are accepted too and wrapped without copying (``tt.as_tensor``).

    Batched fetch: ``__getitems__(indices)`` gathers each tensor once (``np.take`` along dim 0)
    and returns a :class:`~tt_data.collate.StackedSamples` whose collated form is
    ``[t[indices] for t in tensors]``, exactly what ``default_collate`` makes of the per-sample
    tuples.

    **Shape**: tensors ``(N, *S_k)``; a sample is ``(S_1, S_2, ...)``; a batch of ``B`` indices is
    ``[(B, *S_1), (B, *S_2), ...]``.
    **Cost**: a batch copies ``B * prod(S_k)`` elements per tensor in one vectorized gather.
    **Memory**: the dataset shares the tensors' memory; a sample is a view.

    >>> import tt_tensor as tt
    >>> ds = TensorDataset(tt.arange(6).reshape(3, 2), tt.tensor([0, 1, 0]))
    >>> len(ds), ds[1][0].tolist(), ds[1][1].item()
    (3, [2, 3], 1)
    >>> [b.shape for b in ds.__getitems__([2, 0]).collated]
    [tt_tensor.Size([2, 2]), tt_tensor.Size([2])]
    """

    tensors: tuple[tt.Tensor, ...]

    def __init__(self, *tensors: Any) -> None:
        if not tensors:
            raise ValueError("TensorDataset: expected at least one tensor, got none")
        arrays = [_as_array(t, "TensorDataset") for t in tensors]
        for i, a in enumerate(arrays):
            if a.ndim == 0:  # IndexError, as PyTorch's ``tensor.size(0)`` raises
                raise IndexError(
                    "TensorDataset: expected tensors with a first (sample) dimension, "
                    f"got a 0-d tensor at position {i}"
                )
        sizes = [a.shape[0] for a in arrays]
        if any(s != sizes[0] for s in sizes):
            # PyTorch raises AssertionError here; we keep the type so ports behave the same.
            raise AssertionError(f"Size mismatch between tensors: first dimensions {sizes}")
        self.tensors = tuple(t if isinstance(t, tt.Tensor) else tt.as_tensor(t) for t in tensors)
        self._arrays = arrays

    def __getitem__(self, index: Any) -> tuple[tt.Tensor, ...]:
        return tuple(t[index] for t in self.tensors)

    def __getitems__(self, indices: Sequence[int]) -> StackedSamples[tuple[tt.Tensor, ...]]:
        idx = np.asarray(indices, dtype=np.intp)
        if idx.ndim != 1:
            raise ValueError(
                f"TensorDataset.__getitems__: expected a 1-d list of indices, got {idx.shape}"
            )
        # np.take raises IndexError for an index out of range, naming it and the size.
        collated = [tt.from_numpy(a.take(idx, axis=0)) for a in self._arrays]
        return StackedSamples(collated, len(idx), lambda i: self[int(idx[i])])

    def __len__(self) -> int:
        return int(self._arrays[0].shape[0])


class Subset(Dataset[T_co]):
    """The samples of ``dataset`` at ``indices``, in that order (no copy).

    ``__getitems__`` maps the indices and forwards to the wrapped dataset's ``__getitems__``
    when it has one (so a ``Subset`` of a :class:`TensorDataset` stays vectorized).

    >>> Subset(list("abcde"), [4, 0])[0]
    'e'
    """

    dataset: Dataset[T_co]
    indices: Sequence[int]

    def __init__(self, dataset: Dataset[T_co], indices: Sequence[int]) -> None:
        self.dataset = dataset
        self.indices = indices
        self._index_array: np.ndarray[Any, Any] | None = None

    def __getitem__(self, idx: Any) -> T_co:
        if isinstance(idx, list):
            return self.dataset[[self.indices[i] for i in idx]]
        return self.dataset[self.indices[idx]]

    def __getitems__(self, indices: Sequence[int]) -> Sequence[T_co]:
        getitems = getattr(self.dataset, "__getitems__", None)
        if callable(getitems):
            if self._index_array is None:
                self._index_array = np.asarray(self.indices, dtype=np.int64)
            mapped = self._index_array[np.asarray(indices, dtype=np.intp)]
            return getitems(mapped)  # type: ignore[no-any-return]
        return [self.dataset[self.indices[i]] for i in indices]

    def __len__(self) -> int:
        return len(self.indices)


class ConcatDataset(Dataset[T_co]):
    """Several map-style datasets one after the other.

    >>> ds = ConcatDataset([[1, 2], [3]])
    >>> len(ds), ds[2], ds.cumulative_sizes
    (3, 3, [2, 3])
    """

    datasets: list[Dataset[T_co]]
    cumulative_sizes: list[int]

    def __init__(self, datasets: Iterable[Dataset[T_co]]) -> None:
        self.datasets = list(datasets)
        if len(self.datasets) == 0:
            raise AssertionError("datasets should not be an empty iterable")
        for d in self.datasets:
            if isinstance(d, IterableDataset):
                raise AssertionError("ConcatDataset does not support IterableDataset")
        self.cumulative_sizes = self.cumsum(self.datasets)

    @staticmethod
    def cumsum(sequence: Iterable[Any]) -> list[int]:
        """The running totals of the lengths of ``sequence``'s datasets (PyTorch's helper).

        >>> ConcatDataset.cumsum([[1, 2], [], [3]])
        [2, 2, 3]
        """
        return list(itertools.accumulate(len(d) for d in sequence))

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def __getitem__(self, idx: int) -> T_co:
        if idx < 0:
            if -idx > len(self):
                raise ValueError("absolute value of index should not exceed dataset length")
            idx = len(self) + idx
        k = bisect.bisect_right(self.cumulative_sizes, idx)
        start = 0 if k == 0 else self.cumulative_sizes[k - 1]
        return self.datasets[k][idx - start]


class ChainDataset(IterableDataset[T_co]):
    """Several iterable-style datasets read one after the other.

    >>> class R(IterableDataset[int]):
    ...     def __init__(self, n: int) -> None:
    ...         self.n = n
    ...     def __iter__(self) -> Iterator[int]:
    ...         return iter(range(self.n))
    >>> list(ChainDataset([R(2), R(1)]))
    [0, 1, 0]
    """

    def __init__(self, datasets: Iterable[Any]) -> None:
        self.datasets = datasets

    def __iter__(self) -> Iterator[T_co]:
        for d in self.datasets:
            if not isinstance(d, IterableDataset):
                raise AssertionError("ChainDataset only supports IterableDataset")
            yield from d

    def __len__(self) -> int:
        total = 0
        for d in self.datasets:
            if not isinstance(d, IterableDataset):
                raise AssertionError("ChainDataset only supports IterableDataset")
            total += len(d)  # type: ignore[arg-type]
        return total


def random_split(
    dataset: Any,
    lengths: Sequence[int | float],
    generator: tt.Generator | None = tt.default_generator,
) -> list[Subset[Any]]:
    """Split ``dataset`` into non-overlapping random :class:`Subset` s of the given lengths.

    ``lengths`` are sizes summing to ``len(dataset)``, or fractions summing to 1: then each
    split gets ``floor(frac * len)`` samples and the remainder is dealt out one by one,
    round-robin from the first split (PyTorch's rule, so the sizes match PyTorch's).  The
    permutation comes from ``generator`` (the global tt generator by default), so
    ``tt.manual_seed`` makes it reproducible; the order differs from PyTorch's (other RNG).

    **Cost**: one permutation of ``len(dataset)`` indices; **Memory**: the index lists only.

    >>> import tt_tensor as tt
    >>> a, b = random_split(range(10), [0.7, 0.3], generator=tt.Generator().manual_seed(0))
    >>> len(a), len(b), sorted(list(a) + list(b)) == list(range(10))
    (7, 3, True)
    """
    n = len(dataset)
    if math.isclose(sum(lengths), 1) and sum(lengths) <= 1:
        sizes: list[int] = []
        for i, frac in enumerate(lengths):
            if frac < 0 or frac > 1:
                raise ValueError(f"Fraction at index {i} is not between 0 and 1")
            sizes.append(math.floor(n * frac))
        for i in range(n - sum(sizes)):
            sizes[i % len(sizes)] += 1
        for i, size in enumerate(sizes):
            if size == 0:
                warnings.warn(
                    f"Length of split at index {i} is 0. This might result in an empty dataset.",
                    stacklevel=2,
                )
    else:
        # PyTorch's order of checks: the total first (ValueError, also for fractions that do
        # not sum to 1), then the type of each length (TypeError for 2.5).
        for i, length in enumerate(lengths):
            if length < 0:
                raise ValueError(
                    f"random_split: lengths must be non-negative, got {length} at index {i}"
                )
        if sum(lengths) != n:
            raise ValueError("Sum of input lengths does not equal the length of the input dataset!")
        for i, length in enumerate(lengths):
            if isinstance(length, float) and not length.is_integer():
                raise TypeError(
                    "random_split: expected integer lengths or fractions summing to 1, "
                    f"got {length!r} at index {i}"
                )
        sizes = [int(length) for length in lengths]
    perm = tt.randperm(n, generator=generator).tolist()
    out: list[Subset[Any]] = []
    for end, size in zip(itertools.accumulate(sizes), sizes, strict=True):
        out.append(Subset(dataset, perm[end - size : end]))
    return out
