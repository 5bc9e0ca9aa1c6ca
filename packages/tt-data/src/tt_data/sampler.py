"""Samplers: which indices a loader visits, in which order (``torch.utils.data.sampler``).

A sampler is an iterable of indices (or, for a batch sampler, of lists of indices).  The loader
never looks at the data to decide the order; it only walks a sampler.

Randomness: :class:`RandomSampler` without a ``generator`` draws a fresh seed from the *global*
tt generator at the start of every pass (PyTorch does the same with
``torch.empty((), dtype=torch.int64).random_()``).  Hence every epoch has a different order,
``tt.manual_seed(s)`` makes the sequence of epochs reproducible, and restoring
``tt.set_rng_state`` restores the order of the next epoch (what a checkpoint relies on).

Systems questions: why does a sampler draw its seed when the pass starts and not when it is
built?  What goes wrong if two loaders share one ``Generator``?
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Sequence, Sized
from typing import Any, Generic, TypeVar

import numpy as np

import tt_tensor as tt

__all__ = [
    "BatchSampler",
    "RandomSampler",
    "Sampler",
    "SequentialSampler",
    "SubsetRandomSampler",
]

T_co = TypeVar("T_co", covariant=True)


def _fresh_generator(generator: tt.Generator | None) -> tt.Generator:
    """``generator``, or a new one seeded from the global tt generator (one draw)."""
    if generator is not None:
        return generator
    seed = int(tt.default_generator.numpy.integers(0, 2**63 - 1, dtype=np.int64))
    return tt.Generator().manual_seed(seed)


class Sampler(Generic[T_co]):
    """Base class: subclasses define ``__iter__`` (and ``__len__`` when they know it)."""

    def __init__(self, data_source: Any = None) -> None:
        pass

    def __iter__(self) -> Iterator[T_co]:
        raise NotImplementedError("Subclasses of Sampler should implement __iter__.")


class SequentialSampler(Sampler[int]):
    """Indices ``0, 1, ..., len(data_source) - 1`` in order.

    >>> list(SequentialSampler(range(3)))
    [0, 1, 2]
    """

    def __init__(self, data_source: Sized) -> None:
        self.data_source = data_source

    def __iter__(self) -> Iterator[int]:
        return iter(range(len(self.data_source)))

    def _index_array(self) -> np.ndarray[Any, Any]:
        return np.arange(len(self.data_source), dtype=np.int64)

    def __len__(self) -> int:
        return len(self.data_source)


class _InfiniteConstantSampler(Sampler[Any]):
    """``None`` forever: the :class:`~tt_data.dataloader.DataLoader`'s ``sampler`` for an
    iterable-style dataset (PyTorch's placeholder of the same name; the stream gives the order).

    >>> import itertools
    >>> list(itertools.islice(_InfiniteConstantSampler(), 2))
    [None, None]
    """

    def __iter__(self) -> Iterator[None]:
        while True:
            yield None


class RandomSampler(Sampler[int]):
    """Indices in random order: a permutation, or ``num_samples`` draws with replacement.

    Without replacement and ``num_samples > len(data_source)``, whole permutations are chained
    (PyTorch's rule).  See the module docstring for where the randomness comes from.

    **Cost**: one permutation (``O(n)``) per pass; with replacement, ``num_samples`` draws.

    >>> import tt_tensor as tt
    >>> g = tt.Generator().manual_seed(0)
    >>> sorted(RandomSampler(range(5), generator=g))
    [0, 1, 2, 3, 4]
    """

    def __init__(
        self,
        data_source: Sized,
        replacement: bool = False,
        num_samples: int | None = None,
        generator: tt.Generator | None = None,
    ) -> None:
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator
        if not isinstance(self.replacement, bool):
            raise TypeError(
                f"replacement should be a boolean value, but got replacement={self.replacement}"
            )
        ns = self.num_samples
        if not isinstance(ns, int) or isinstance(ns, bool) or ns <= 0:
            raise ValueError(
                f"num_samples should be a positive integer value, but got num_samples={ns}"
            )

    @property
    def num_samples(self) -> int:
        """How many indices one pass yields (``len(data_source)`` unless given)."""
        if self._num_samples is None:
            return len(self.data_source)
        return self._num_samples

    def _index_array(self) -> np.ndarray[Any, Any]:
        """All indices of one pass as one int64 array (one RNG draw per pass)."""
        n = len(self.data_source)
        rng = _fresh_generator(self.generator).numpy
        k = self.num_samples
        if self.replacement:
            if n == 0:  # RuntimeError, as PyTorch's draw raises
                raise RuntimeError(
                    f"RandomSampler: expected a non-empty data_source to draw {k} samples "
                    "with replacement from, got len(data_source) = 0"
                )
            return rng.integers(0, n, size=k, dtype=np.int64)
        perms = [rng.permutation(n) for _ in range(k // n)]
        perms.append(rng.permutation(n)[: k % n])
        return np.concatenate(perms) if len(perms) > 1 else perms[0]

    def __iter__(self) -> Iterator[int]:
        yield from self._index_array().tolist()

    def __len__(self) -> int:
        return self.num_samples


class SubsetRandomSampler(Sampler[int]):
    """The given indices in a random order (a new permutation every pass).

    >>> import tt_tensor as tt
    >>> sorted(SubsetRandomSampler([7, 3, 5], generator=tt.Generator().manual_seed(1)))
    [3, 5, 7]
    """

    def __init__(self, indices: Sequence[int], generator: tt.Generator | None = None) -> None:
        self.indices = indices
        self.generator = generator

    def __iter__(self) -> Iterator[int]:
        perm = tt.randperm(len(self.indices), generator=self.generator).tolist()
        for i in perm:
            yield self.indices[i]

    def __len__(self) -> int:
        return len(self.indices)


class BatchSampler(Sampler[list[int]]):
    """Group the indices of ``sampler`` into lists of ``batch_size`` (the last may be short).

    >>> list(BatchSampler(SequentialSampler(range(7)), batch_size=3, drop_last=False))
    [[0, 1, 2], [3, 4, 5], [6]]
    >>> list(BatchSampler(SequentialSampler(range(7)), batch_size=3, drop_last=True))
    [[0, 1, 2], [3, 4, 5]]
    """

    def __init__(
        self, sampler: Sampler[int] | Iterable[int], batch_size: int, drop_last: bool
    ) -> None:
        if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size <= 0:
            raise ValueError(
                f"batch_size should be a positive integer value, but got batch_size={batch_size}"
            )
        if not isinstance(drop_last, bool):
            raise ValueError(f"drop_last should be a boolean value, but got drop_last={drop_last}")
        self.sampler = sampler
        self.batch_size = batch_size
        self.drop_last = drop_last

    def __iter__(self) -> Iterator[list[int]]:
        for batch in self.index_batches():
            yield batch if isinstance(batch, list) else batch.tolist()

    def index_batches(self) -> Iterator[list[int] | np.ndarray[Any, Any]]:
        """The batches of :meth:`__iter__`, as int64 arrays where that is cheaper (what the
        DataLoader consumes: an array goes straight into a dataset's ``__getitems__``).

        Fast path for our own samplers (not subclasses that change the order): slice one
        index array instead of pulling indices one by one through Python generators."""
        if type(self.sampler) in (SequentialSampler, RandomSampler):
            idx = self.sampler._index_array()  # type: ignore[union-attr]
            stop = len(idx) - len(idx) % self.batch_size if self.drop_last else len(idx)
            for k in range(0, stop, self.batch_size):
                yield idx[k : k + self.batch_size]
            return
        it = iter(self.sampler)
        while batch := list(itertools.islice(it, self.batch_size)):
            if self.drop_last and len(batch) < self.batch_size:
                return
            yield batch

    def __len__(self) -> int:
        n = len(self.sampler)  # type: ignore[arg-type]
        if self.drop_last:
            return n // self.batch_size
        return (n + self.batch_size - 1) // self.batch_size
